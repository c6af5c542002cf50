#include "models/connectionstore.h"

#include "models/secretstore.h"

#include <QFileInfo>
#include <QPointer>
#include <QSettings>
#include <QSslCertificate>
#include <QUuid>
#include <algorithm>

namespace lmfront::models {

namespace {

bool isWebSocket(const QUrl &url) {
  return url.scheme() == QLatin1String("ws") || url.scheme() == QLatin1String("wss");
}

bool isSecure(const QUrl &url) {
  return url.scheme() == QLatin1String("wss") || url.scheme() == QLatin1String("https");
}

QUrl withScheme(const QUrl &url, const QString &scheme, const QString &path) {
  QUrl out;
  out.setScheme(scheme);
  out.setHost(url.host());
  out.setPort(url.port(isSecure(url) ? 443 : 80));
  out.setPath(path);
  return out;
}

}  // namespace

bool Connection::isLocal() const { return id == ConnectionStore::localId(); }

QUrl Connection::httpBase() const {
  if (url.isEmpty()) return {};
  return withScheme(url, isSecure(url) ? QStringLiteral("https") : QStringLiteral("http"), QString());
}

QUrl Connection::opsUrl() const {
  if (url.isEmpty()) return {};
  return withScheme(url, isSecure(url) ? QStringLiteral("wss") : QStringLiteral("ws"), QStringLiteral("/ops"));
}

ConnectionStore::ConnectionStore(QSettings *settings, SecretStore *secrets, QObject *parent)
    : QObject(parent), m_settings(settings), m_secrets(secrets) {
  load();
  for (const Connection &c : std::as_const(m_connections)) readKey(c.id);
}

ConnectionStore::~ConnectionStore() = default;

std::optional<Connection> ConnectionStore::find(const QString &id) const {
  for (const Connection &c : m_connections)
    if (c.id == id) return c;
  return std::nullopt;
}

std::optional<QUrl> ConnectionStore::parseUrl(const QString &text, QString *error) {
  const QString trimmed = text.trimmed();
  const QUrl url(trimmed, QUrl::StrictMode);
  const QString scheme = url.scheme();
  const bool known = scheme == QLatin1String("ws") || scheme == QLatin1String("wss") ||
                     scheme == QLatin1String("http") || scheme == QLatin1String("https");
  if (trimmed.isEmpty() || !url.isValid() || !known) {
    *error = tr("Enter a URL such as wss://node.example.com:8080/ops or https://node.example.com:8080.");
    return std::nullopt;
  }
  if (url.host().isEmpty()) {
    *error = tr("The URL has no host name.");
    return std::nullopt;
  }
  const QString path = url.path();
  const bool pathOk =
      path.isEmpty() || path == QLatin1String("/") || (isWebSocket(url) && path == QLatin1String("/ops"));
  if (!pathOk || url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty()) {
    *error = isWebSocket(url) ? tr("A ws:// or wss:// URL ends at the port or at /ops.")
                              : tr("An http:// or https:// URL ends at the port.");
    return std::nullopt;
  }
  return url;
}

QString ConnectionStore::validate(const ConnectionSpec &spec, const QString &editingId) const {
  const QString name = spec.name.trimmed();
  if (name.isEmpty()) return tr("Enter a name.");
  for (const Connection &c : m_connections) {
    if (c.id == editingId) continue;
    const QString other = c.isLocal() ? tr("Local node") : c.name;
    if (other.compare(name, Qt::CaseInsensitive) == 0) return tr("A connection named “%1” already exists.").arg(name);
  }
  return validateAddress(spec.url, spec.caFile);
}

QString ConnectionStore::validateAddress(const QString &url, const QString &caFile) {
  QString error;
  if (!parseUrl(url, &error)) return error;
  const QString ca = caFile.trimmed();
  if (!ca.isEmpty()) {
    const QFileInfo info(ca);
    if (!info.exists()) return tr("The CA file %1 does not exist.").arg(ca);
    if (!info.isFile() || !info.isReadable()) return tr("The CA file %1 cannot be read.").arg(ca);
    if (QSslCertificate::fromPath(ca, QSsl::Pem).isEmpty())
      return tr("The CA file %1 holds no PEM certificate.").arg(ca);
  }
  return {};
}

QString ConnectionStore::newId() const {
  for (;;) {
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    if (!find(id)) return id;
  }
}

Result<QString> ConnectionStore::add(const ConnectionSpec &spec) {
  if (const QString error = validate(spec); !error.isEmpty()) return Status::invalidArgument(error.toStdString());
  QString ignored;
  Connection c{newId(), spec.name.trimmed(), *parseUrl(spec.url, &ignored), spec.caFile.trimmed()};
  m_connections.append(c);
  save();
  Q_EMIT connectionAdded(c.id);
  if (!spec.apiKey.trimmed().isEmpty()) setApiKey(c.id, spec.apiKey);
  return c.id;
}

Status ConnectionStore::update(const QString &id, const ConnectionSpec &spec) {
  if (id == localId())
    return Status::invalidArgument(tr("The local node's connection cannot be edited.").toStdString());
  auto it = std::find_if(m_connections.begin(), m_connections.end(), [&](const Connection &c) { return c.id == id; });
  if (it == m_connections.end()) return Status::notFound(tr("No such connection.").toStdString());
  if (const QString error = validate(spec, id); !error.isEmpty()) return Status::invalidArgument(error.toStdString());
  QString ignored;
  it->name = spec.name.trimmed();
  it->url = *parseUrl(spec.url, &ignored);
  it->caFile = spec.caFile.trimmed();
  save();
  Q_EMIT connectionUpdated(id);
  if (spec.apiKey.trimmed() != apiKey(id)) setApiKey(id, spec.apiKey);
  return Status::ok();
}

Status ConnectionStore::remove(const QString &id) {
  if (id == localId())
    return Status::invalidArgument(tr("The local node's connection cannot be removed.").toStdString());
  const auto removed =
      m_connections.removeIf([&](const Connection &c) { return c.id == id; });  // at most one: ids are unique
  if (removed == 0) return Status::notFound(tr("No such connection.").toStdString());
  save();
  // Erased whether or not it could be read: nothing of a removed connection stays behind. Nobody
  // is left to show a failure to.
  m_secrets->write(id, QString(), [](const Status &) {});
  m_keys.remove(id);
  m_keyErrors.remove(id);
  Q_EMIT connectionRemoved(id);
  return Status::ok();
}

void ConnectionStore::setApiKey(const QString &id, const QString &key) {
  const QString trimmed = key.trimmed();
  if (trimmed.isEmpty())
    m_keys.remove(id);
  else
    m_keys.insert(id, trimmed);
  Q_EMIT apiKeyChanged(id, trimmed);
  QPointer<ConnectionStore> self(this);
  m_secrets->write(id, trimmed, [self, id](const Status &written) {
    ConnectionStore *store = self.data();
    if (!store) return;
    store->setKeyError(
        id, written.isOk() ? QString()
                           : tr("The API key could not be stored: %1").arg(QString::fromStdString(written.message())));
  });
}

QString ConnectionStore::keyLocation() const { return m_secrets->description(); }

void ConnectionStore::readKey(const QString &id) {
  m_pendingReads.insert(id);
  QPointer<ConnectionStore> self(this);
  m_secrets->read(id, [self, id](Result<QString> key) {
    if (ConnectionStore *store = self.data()) store->onKeyRead(id, key);
  });
}

void ConnectionStore::onKeyRead(const QString &id, const Result<QString> &key) {
  m_pendingReads.erase(id);
  if (key.isOk()) {
    // A key set while the read was under way is newer.
    if (!m_keys.contains(id) && !key->isEmpty()) {
      m_keys.insert(id, *key);
      Q_EMIT apiKeyChanged(id, *key);
    }
    setKeyError(id, QString());
  } else if (key.status().code() == StatusCode::NotFound) {
    setKeyError(id, QString());
  } else {
    setKeyError(id, tr("The API key could not be read: %1").arg(QString::fromStdString(key.status().message())));
  }
  if (m_pendingReads.empty()) Q_EMIT keysLoadedChanged();
}

void ConnectionStore::setKeyError(const QString &id, const QString &message) {
  if (m_keyErrors.value(id) == message) return;
  if (message.isEmpty())
    m_keyErrors.remove(id);
  else
    m_keyErrors.insert(id, message);
  Q_EMIT keyErrorChanged(id, message);
}

void ConnectionStore::load() {
  m_connections = {Connection{localId(), QString(), QUrl(), QString()}};
  const int n = m_settings->beginReadArray(settingsGroup());
  for (int i = 0; i < n; ++i) {
    m_settings->setArrayIndex(i);
    const QString id = m_settings->value(QStringLiteral("id")).toString();
    const ConnectionSpec spec{m_settings->value(QStringLiteral("name")).toString(),
                              m_settings->value(QStringLiteral("url")).toString(), QString(),
                              m_settings->value(QStringLiteral("caFile")).toString()};
    QString ignored;
    const auto url = parseUrl(spec.url, &ignored);
    // A CA file that went missing since is kept: the connection then fails and says why.
    const bool valid = !id.isEmpty() && id != localId() && !find(id) && url && !spec.name.trimmed().isEmpty();
    if (valid) m_connections.append(Connection{id, spec.name.trimmed(), *url, spec.caFile.trimmed()});
  }
  m_settings->endArray();
}

void ConnectionStore::save() const {
  m_settings->remove(settingsGroup());
  m_settings->beginWriteArray(settingsGroup());
  int i = 0;
  for (const Connection &c : m_connections) {
    if (c.isLocal()) continue;
    m_settings->setArrayIndex(i++);
    m_settings->setValue(QStringLiteral("id"), c.id);
    m_settings->setValue(QStringLiteral("name"), c.name);
    m_settings->setValue(QStringLiteral("url"), c.url.toString());
    m_settings->setValue(QStringLiteral("caFile"), c.caFile);
  }
  m_settings->endArray();
  m_settings->sync();
}

}  // namespace lmfront::models
