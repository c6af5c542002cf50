// SecretStore: where the console keeps the API keys of its connections — never in the plain
// settings file, never logged. Two backends behind one asynchronous interface:
//   - FileSecretStore: one JSON file readable and writable by its owner only (0600), rewritten
//     atomically (a temporary file created 0600, then renamed over the old one);
//   - KeyringSecretStore: the desktop keyring (Secret Service / KWallet) through QtKeychain. At
//     construction it probes the keyring once; when none answers (no session bus, no keyring
//     daemon) every operation goes to its FileSecretStore instead, and description() says why.
//     A key the keyring lacks is also looked up in the file (saved while no keyring was there);
//     writing it to the keyring then removes it from the file.
//
// Contract: GUI thread (QtKeychain's jobs run on the caller's event loop). `done` runs exactly
// once, either before the call returns (file) or later from the event loop (keyring); it is never
// called after the store is destroyed. read() of an account without a key gives NotFound; any
// other failure (a corrupt or unreadable file, a keyring that refused) gives a Status whose
// message names the file or the keyring and what went wrong. write() of an empty secret removes
// the account's entry. Secrets are never part of a message.
#pragma once

#include "common/status.h"

#include <QMap>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

namespace lmfront::models {

class SecretStore : public QObject {
  Q_OBJECT
public:
  using ReadDone = std::function<void(Result<QString>)>;
  using WriteDone = std::function<void(Status)>;

  using QObject::QObject;
  ~SecretStore() override;

  virtual void read(const QString &account, ReadDone done) = 0;
  virtual void write(const QString &account, const QString &secret, WriteDone done) = 0;
  // Where secrets go, for the user: "the desktop keyring" or the file's path.
  virtual QString description() const = 0;
};

class FileSecretStore : public SecretStore {
  Q_OBJECT
public:
  explicit FileSecretStore(const QString &path, QObject *parent = nullptr);

  void read(const QString &account, ReadDone done) override;
  void write(const QString &account, const QString &secret, WriteDone done) override;
  QString description() const override;

  QString path() const { return m_path; }
  // Synchronous forms of the above (the keyring backend falls back to them).
  Result<QString> readNow(const QString &account) const;
  Status writeNow(const QString &account, const QString &secret);

private:
  Result<QMap<QString, QString>> load() const;

  QString m_path;
};

class KeyringSecretStore : public SecretStore {
  Q_OBJECT
public:
  // `service` names lmfront's entries in the keyring; `fallbackFile` is used when no keyring answers.
  KeyringSecretStore(const QString &service, const QString &fallbackFile, QObject *parent = nullptr);
  ~KeyringSecretStore() override;

  void read(const QString &account, ReadDone done) override;
  void write(const QString &account, const QString &secret, WriteDone done) override;
  QString description() const override;

  enum class Backend { Probing, Keyring, File };
  Backend backend() const { return m_backend; }

private:
  void onProbed(bool available, const QString &why);
  void readKeyring(const QString &account, ReadDone done);
  void writeKeyring(const QString &account, const QString &secret, WriteDone done);

  QString m_service;
  FileSecretStore m_file;
  Backend m_backend = Backend::Probing;
  QString m_unavailable;                         // why the keyring is not used
  std::vector<std::function<void()>> m_waiting;  // operations issued while probing
};

}  // namespace lmfront::models
