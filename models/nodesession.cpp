#include "models/nodesession.h"

namespace lmfront::models {

NodeSession::NodeSession(QObject *parent) : QObject(parent) {
  connect(&m_health, &client::HealthClient::healthUpdated, &m_nodeInfo, &NodeInfoModel::setHealth);
  connect(&m_health, &client::HealthClient::healthUpdated, this, &NodeSession::healthUpdated);
  connect(&m_completion, &client::CompletionClient::modelsListed, this, &NodeSession::onModelsListed);
}

NodeSession::~NodeSession() = default;

QString NodeSession::address() const { return m_baseUrl.isEmpty() ? QString() : m_baseUrl.authority(); }

void NodeSession::setBaseUrl(const QUrl &url) {
  m_baseUrl = url;
  m_failure.clear();
  m_health.setBaseUrl(url);
  m_completion.setBaseUrl(url);
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
  Q_EMIT apiKeyChanged(key);
}

void NodeSession::setCaCertificates(const QList<QSslCertificate> &certificates) {
  m_health.setCaCertificates(certificates);
  m_completion.setCaCertificates(certificates);
}

void NodeSession::setFailure(const QString &message) {
  m_failure = message;
  m_health.stop();
  client::NodeHealth down;
  down.errorKind = client::HealthError::Network;
  down.error = message;
  m_nodeInfo.setHealth(down);
  Q_EMIT connectionChanged();
  Q_EMIT healthUpdated(down);
}

void NodeSession::start() {
  if (!m_baseUrl.isEmpty()) m_health.start();
}

void NodeSession::stop() { m_health.stop(); }

void NodeSession::refreshModels() {
  if (!m_baseUrl.isEmpty()) m_completion.listModels();
}

void NodeSession::onModelsListed(const client::ModelList &list) {
  if (list.error.ok()) m_models.setModels(list.models);
  Q_EMIT modelsListed(list);
}

}  // namespace lmfront::models
