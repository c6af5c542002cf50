#include "models/topicsubscription.h"

#include "client/opsclient.h"
#include "models/nodesession.h"

namespace lmfront::models {

TopicSubscription::TopicSubscription(QString topic, QObject *parent) : QObject(parent), m_topic(std::move(topic)) {}

void TopicSubscription::setSession(NodeSession *session) {
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  m_session = session;
  if (session)
    connect(session, &NodeSession::liveStateReplaced, this, [this] {
      if (NodeSession *s = m_session.data()) attach(s->opsClient());
    });
  attach(session ? session->opsClient() : nullptr);
}

void TopicSubscription::attach(client::OpsClient *client) {
  if (m_client) {
    disconnect(m_client, nullptr, this, nullptr);
    m_client->unsubscribe(m_topic);
  }
  m_client = client;
  Q_EMIT clientChanged();
  if (!client) return;
  connect(client, &client::OpsClient::snapshotReceived, this,
          [this](const QString &topic, qint64 seq, const QJsonObject &payload) {
            if (topic == m_topic) Q_EMIT snapshotReceived(topic, seq, payload);
          });
  connect(client, &client::OpsClient::deltaReceived, this,
          [this](const QString &topic, qint64 seq, const QJsonObject &payload) {
            if (topic == m_topic) Q_EMIT deltaReceived(topic, seq, payload);
          });
  client->subscribe(m_topic, m_options);
}

void TopicSubscription::subscribe(QJsonObject options) {
  m_options = std::move(options);
  if (m_client) m_client->subscribe(m_topic, m_options);  // again when subscribed: a fresh snapshot
}

}  // namespace lmfront::models
