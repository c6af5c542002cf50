#include "models/nodesession.h"

namespace lmfront::models {

NodeSession::NodeSession(QObject *parent) : NodeSession(Clock::steady(), parent) {}

NodeSession::NodeSession(const Clock &clock, QObject *parent) : QObject(parent), m_clock(clock), m_cluster(clock) {
  connect(&m_health, &client::HealthClient::healthUpdated, &m_nodeInfo, &NodeInfoModel::setHealth);
  connect(&m_health, &client::HealthClient::healthUpdated, this, &NodeSession::healthUpdated);
  connect(&m_completion, &client::CompletionClient::modelsListed, this, &NodeSession::onModelsListed);
  renewLive(false);
}

NodeSession::~NodeSession() = default;

QUrl NodeSession::opsUrl(const QUrl &baseUrl) {
  if (baseUrl.isEmpty()) return {};
  QUrl url = baseUrl;
  url.setScheme(baseUrl.scheme() == QLatin1StringView("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
  url.setPath(QStringLiteral("/ops"));
  url.setQuery(QString());
  url.setFragment(QString());
  return url;
}

QString NodeSession::address() const { return m_baseUrl.isEmpty() ? QString() : m_baseUrl.authority(); }

void NodeSession::setBaseUrl(const QUrl &url) {
  m_baseUrl = url;
  m_failure.clear();
  m_health.setBaseUrl(url);
  m_completion.setBaseUrl(url);
  renewLive(m_health.isActive());
  Q_EMIT connectionChanged();
}

void NodeSession::setName(const QString &name) {
  if (name == m_name) return;
  m_name = name;
  Q_EMIT connectionChanged();
}

void NodeSession::setApiKey(const QString &key) {
  if (key == m_apiKey) return;
  m_apiKey = key;
  m_completion.setApiKey(key);
  const bool open = m_ops->state() != client::OpsClient::State::Closed;
  renewLive(open);
  Q_EMIT apiKeyChanged(key);
}

void NodeSession::setOpsCredential(const QString &credential) {
  if (credential == m_opsCredential) return;
  m_opsCredential = credential;
  renewLive(m_ops->state() != client::OpsClient::State::Closed);
}

void NodeSession::setCaCertificates(const QList<QSslCertificate> &certificates) {
  m_health.setCaCertificates(certificates);
  m_completion.setCaCertificates(certificates);
  if (certificates == m_caCertificates) return;
  m_caCertificates = certificates;
  renewLive(m_ops->state() != client::OpsClient::State::Closed);
}

void NodeSession::setFailure(const QString &message) {
  m_failure = message;
  m_health.stop();
  m_ops->close();
  client::NodeHealth down;
  down.errorKind = client::HealthError::Network;
  down.error = message;
  m_nodeInfo.setHealth(down);
  Q_EMIT connectionChanged();
  Q_EMIT healthUpdated(down);
}

void NodeSession::start() {
  if (m_baseUrl.isEmpty()) return;
  m_health.start();
  if (m_ops->state() == client::OpsClient::State::Closed) m_ops->open();
}

void NodeSession::stop() {
  m_health.stop();
  m_ops->close();
}

void NodeSession::refreshModels() {
  if (!m_baseUrl.isEmpty()) m_completion.listModels();
}

void NodeSession::onModelsListed(const client::ModelList &list) {
  if (list.error.ok()) m_models.setModels(list.models);
  Q_EMIT modelsListed(list);
}

void NodeSession::renewLive(bool open) {
  client::OpsClient::Options options;
  options.url = opsUrl(m_baseUrl);
  if (!m_opsCredential.isEmpty())
    options.apiKey = m_opsCredential;
  else if (!m_apiKey.isEmpty())
    options.apiKey = m_apiKey;
  options.caCertificates = m_caCertificates;
  m_ops.reset();  // first: its last signals must not reach the new state
  m_live = std::make_unique<LiveNodeState>(m_clock);
  m_ops = std::make_unique<client::OpsClient>(options, m_clock);
  m_live->attach(m_ops.get());
  m_alerts.attach(m_ops.get());
  client::OpsClient::Options members = options;
  members.apiKey = m_apiKey.isEmpty() ? std::nullopt : std::optional<QString>(m_apiKey);
  m_cluster.attach(m_ops.get(), m_live.get(), members);
  if (open && !m_baseUrl.isEmpty()) m_ops->open();
  Q_EMIT liveStateReplaced();
}

}  // namespace lmfront::models
