// ConnectionStore: the console's connections — the local node (always there, id localId(), never
// removed) and the remote nodes the user saved: name, URL, optional CA file, API key.
//
// Storage: names, URLs and CA paths in the QSettings it is handed (array "connections"; not
// owned, it outlives the store); API keys in the SecretStore it is handed (not owned), one entry
// per connection id, never in the settings and never logged. Ids are stable (a rename keeps the
// key). Keys are read once at construction and kept in memory; until a read finished apiKey() is
// empty, and a read or write that failed leaves its reason in keyError() (a corrupt key file is
// reported, never a crash). A hand-edited settings entry that does not validate is skipped.
//
// Validation (validate(), also applied by add() and update()): a non-empty name unique among the
// connections (case-insensitive); a URL ws://HOST[:PORT][/ops], wss://…, http://HOST[:PORT] or
// https://…; a CA file, when given, that exists and holds a PEM certificate. Messages are
// translated, for the user.
// GUI thread only.
#pragma once

#include "common/status.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QUrl>
#include <optional>
#include <set>

class QSettings;

namespace lmfront::models {

class SecretStore;

struct Connection {
  QString id;
  QString name;    // empty for the local node (views name it)
  QUrl url;        // as entered; empty for the local node (its address is known once it runs)
  QString caFile;  // extra CA certificates (PEM) to trust for wss:// and https://

  bool isLocal() const;
  // http(s)://HOST:PORT for the node's HTTP API (/healthz, /v1): ws→http, wss→https, no path.
  QUrl httpBase() const;
  // ws(s)://HOST:PORT/ops for the ops API.
  QUrl opsUrl() const;
};

// What the user enters for a connection.
struct ConnectionSpec {
  QString name;
  QString url;
  QString apiKey;
  QString caFile;
};

class ConnectionStore : public QObject {
  Q_OBJECT
public:
  ConnectionStore(QSettings *settings, SecretStore *secrets, QObject *parent = nullptr);
  ~ConnectionStore() override;

  static QString localId() { return QStringLiteral("local"); }
  static QString settingsGroup() { return QStringLiteral("connections"); }

  // The local node first, then the saved ones in the order they were added.
  QList<Connection> connections() const { return m_connections; }
  std::optional<Connection> find(const QString &id) const;

  // Empty when `spec` may be saved (as a new connection, or as `editingId`'s new values).
  QString validate(const ConnectionSpec &spec, const QString &editingId = {}) const;
  // The URL and CA file part of validate(): what a test of a node needs.
  static QString validateAddress(const QString &url, const QString &caFile);
  // The new connection's id, or the validation message (nothing saved).
  Result<QString> add(const ConnectionSpec &spec);
  Status update(const QString &id, const ConnectionSpec &spec);
  // The local connection cannot be removed. Its key is removed too.
  Status remove(const QString &id);

  QString apiKey(const QString &id) const { return m_keys.value(id); }
  // Stores the key (empty removes it); apiKeyChanged() at once, keyError() when storing fails.
  void setApiKey(const QString &id, const QString &key);
  // Why the connection's key could not be read or stored; empty when it could.
  QString keyError(const QString &id) const { return m_keyErrors.value(id); }
  // Where keys are kept, for the user ("the desktop keyring", a file path).
  QString keyLocation() const;
  // True once every key read at construction has answered.
  bool keysLoaded() const { return m_pendingReads.empty(); }

Q_SIGNALS:
  void connectionAdded(const QString &id);
  void connectionUpdated(const QString &id);
  void connectionRemoved(const QString &id);
  void apiKeyChanged(const QString &id, const QString &key);
  void keyErrorChanged(const QString &id, const QString &message);
  void keysLoadedChanged();

private:
  static std::optional<QUrl> parseUrl(const QString &text, QString *error);
  void load();
  void save() const;
  void readKey(const QString &id);
  void onKeyRead(const QString &id, const Result<QString> &key);
  void setKeyError(const QString &id, const QString &message);
  QString newId() const;

  QSettings *m_settings;
  SecretStore *m_secrets;
  QList<Connection> m_connections;
  QMap<QString, QString> m_keys;
  QMap<QString, QString> m_keyErrors;
  std::set<QString> m_pendingReads;
};

}  // namespace lmfront::models
