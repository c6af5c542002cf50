#include "models/secretstore.h"

#include <qt6keychain/keychain.h>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

#include <cerrno>
#include <cstdio>

namespace lmfront::models {

namespace {

constexpr int kFileVersion = 1;
const QString kProbeAccount = QStringLiteral("lmfront-keyring-probe");

std::string str(const QString &s) { return s.toStdString(); }

}  // namespace

SecretStore::~SecretStore() = default;

// ---- FileSecretStore ----------------------------------------------------------------------------

FileSecretStore::FileSecretStore(const QString &path, QObject *parent) : SecretStore(parent), m_path(path) {}

QString FileSecretStore::description() const { return QDir::toNativeSeparators(m_path); }

Result<QMap<QString, QString>> FileSecretStore::load() const {
  QMap<QString, QString> keys;
  QFile file(m_path);
  if (!file.exists()) return keys;
  if (!file.open(QIODevice::ReadOnly))
    return Status::ioError(str(QStringLiteral("key file %1: cannot read it (%2)").arg(m_path, file.errorString())));
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (error.error != QJsonParseError::NoError)
    return Status::dataLoss(str(QStringLiteral("key file %1 is corrupt (%2 at byte %3): fix or delete it")
                                    .arg(m_path, error.errorString())
                                    .arg(error.offset)));
  const QJsonObject root = doc.object();
  if (!doc.isObject() || root.value(QStringLiteral("version")).toInt() != kFileVersion ||
      !root.value(QStringLiteral("keys")).isObject())
    return Status::dataLoss(str(
        QStringLiteral("key file %1 is not a version %2 key file: fix or delete it").arg(m_path).arg(kFileVersion)));
  const QJsonObject entries = root.value(QStringLiteral("keys")).toObject();
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (!it.value().isString())
      return Status::dataLoss(
          str(QStringLiteral("key file %1: the entry \"%2\" is not a string: fix or delete it").arg(m_path, it.key())));
    keys.insert(it.key(), it.value().toString());
  }
  return keys;
}

Result<QString> FileSecretStore::readNow(const QString &account) const {
  auto keys = load();
  if (!keys) return keys.status();
  const auto it = keys->constFind(account);
  if (it == keys->constEnd()) return Status::notFound(str(QStringLiteral("no key for %1").arg(account)));
  return *it;
}

Status FileSecretStore::writeNow(const QString &account, const QString &secret) {
  auto keys = load();
  // A corrupt file is refused rather than replaced: it may hold the other connections' keys.
  if (!keys) return keys.status();
  if (secret.isEmpty()) {
    if (!keys->remove(account)) return Status::ok();
  } else {
    keys->insert(account, secret);
  }
  QJsonObject entries;
  for (auto it = keys->cbegin(); it != keys->cend(); ++it) entries.insert(it.key(), it.value());
  const QByteArray bytes =
      QJsonDocument(QJsonObject{{QStringLiteral("version"), kFileVersion}, {QStringLiteral("keys"), entries}})
          .toJson(QJsonDocument::Indented);

  const QFileInfo info(m_path);
  if (!QDir().mkpath(info.absolutePath()))
    return Status::ioError(str(QStringLiteral("key file %1: cannot create its folder").arg(m_path)));
  // Created 0600 from the start (never a moment with wider permissions), then renamed over.
  const QString temp = m_path + QStringLiteral(".tmp");
  QFile::remove(temp);
  QFile out(temp);
  if (!out.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
    return Status::ioError(str(QStringLiteral("key file %1: cannot write it (%2)").arg(temp, out.errorString())));
  if (out.write(bytes) != bytes.size() || !out.flush()) {
    const QString why = out.errorString();
    out.close();
    QFile::remove(temp);
    return Status::ioError(str(QStringLiteral("key file %1: cannot write it (%2)").arg(temp, why)));
  }
  out.close();
  if (std::rename(QFile::encodeName(temp).constData(), QFile::encodeName(m_path).constData()) != 0) {
    const int err = errno;
    QFile::remove(temp);
    return Status::fromErrno(err, str(QStringLiteral("key file %1: cannot replace it").arg(m_path)));
  }
  return Status::ok();
}

void FileSecretStore::read(const QString &account, ReadDone done) { done(readNow(account)); }

void FileSecretStore::write(const QString &account, const QString &secret, WriteDone done) {
  done(writeNow(account, secret));
}

// ---- KeyringSecretStore -------------------------------------------------------------------------

KeyringSecretStore::KeyringSecretStore(const QString &service, const QString &fallbackFile, QObject *parent)
    : SecretStore(parent), m_service(service), m_file(fallbackFile) {
  // Reading an entry nobody writes: "not found" means a keyring answered.
  auto *probe = new QKeychain::ReadPasswordJob(m_service, this);
  probe->setKey(kProbeAccount);
  probe->setInsecureFallback(false);
  connect(probe, &QKeychain::Job::finished, this, [this](QKeychain::Job *job) {
    const bool available = job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound;
    onProbed(available, job->errorString());
  });
  probe->start();
}

KeyringSecretStore::~KeyringSecretStore() = default;

void KeyringSecretStore::onProbed(bool available, const QString &why) {
  m_backend = available ? Backend::Keyring : Backend::File;
  if (!available) m_unavailable = why;
  const auto waiting = std::move(m_waiting);
  m_waiting.clear();
  for (const auto &operation : waiting) operation();
}

QString KeyringSecretStore::description() const {
  switch (m_backend) {
  case Backend::Keyring: return tr("the desktop keyring");
  case Backend::File: return tr("%1 (no desktop keyring: %2)").arg(m_file.description(), m_unavailable);
  case Backend::Probing: break;
  }
  return tr("the desktop keyring (checking…)");
}

void KeyringSecretStore::read(const QString &account, ReadDone done) {
  switch (m_backend) {
  case Backend::Probing:
    m_waiting.push_back([this, account, done = std::move(done)]() mutable { read(account, std::move(done)); });
    return;
  case Backend::File: m_file.read(account, std::move(done)); return;
  case Backend::Keyring: readKeyring(account, std::move(done)); return;
  }
}

void KeyringSecretStore::write(const QString &account, const QString &secret, WriteDone done) {
  switch (m_backend) {
  case Backend::Probing:
    m_waiting.push_back(
        [this, account, secret, done = std::move(done)]() mutable { write(account, secret, std::move(done)); });
    return;
  case Backend::File: m_file.write(account, secret, std::move(done)); return;
  case Backend::Keyring: writeKeyring(account, secret, std::move(done)); return;
  }
}

void KeyringSecretStore::readKeyring(const QString &account, ReadDone done) {
  auto *job = new QKeychain::ReadPasswordJob(m_service, this);  // deletes itself when finished
  job->setKey(account);
  job->setInsecureFallback(false);
  connect(job, &QKeychain::Job::finished, this, [this, account, done = std::move(done)](QKeychain::Job *j) {
    auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
    if (read->error() == QKeychain::NoError) return done(read->textData());
    if (read->error() == QKeychain::EntryNotFound) {
      return done(m_file.readNow(account));  // saved while no keyring was around?
    }
    done(Status::unavailable(str(QStringLiteral("the desktop keyring: %1").arg(read->errorString()))));
  });
  job->start();
}

void KeyringSecretStore::writeKeyring(const QString &account, const QString &secret, WriteDone done) {
  QKeychain::Job *job = nullptr;
  if (secret.isEmpty()) {
    job = new QKeychain::DeletePasswordJob(m_service, this);
  } else {
    auto *write = new QKeychain::WritePasswordJob(m_service, this);
    write->setTextData(secret);
    job = write;
  }
  job->setKey(account);
  job->setInsecureFallback(false);
  const bool removing = secret.isEmpty();
  connect(job, &QKeychain::Job::finished, this, [this, account, removing, done = std::move(done)](QKeychain::Job *j) {
    if (j->error() != QKeychain::NoError && !(removing && j->error() == QKeychain::EntryNotFound))
      return done(Status::unavailable(str(QStringLiteral("the desktop keyring: %1").arg(j->errorString()))));
    // The key now lives in the keyring only; a copy left in the file would outlive its removal.
    const Status cleaned = m_file.writeNow(account, QString());
    done(cleaned.code() == StatusCode::DataLoss ? Status::ok() : cleaned);
  });
  job->start();
}

}  // namespace lmfront::models
