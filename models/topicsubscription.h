// TopicSubscription: one ops topic followed through a session's current ops client. When the
// session replaces its live state (a reconnect, another key, another node) the subscription moves
// to the new client and is dropped from the old one; the owner hears clientChanged() first, so it
// can forget what the old client told it, then the topic's snapshots and deltas as they come.
// The catalog, audit, deployment and job models each follow their topic this way.
// Contract: GUI thread; the session is not owned.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class NodeSession;

class TopicSubscription : public QObject {
  Q_OBJECT
public:
  TopicSubscription(QString topic, QObject *parent);

  void setSession(NodeSession *session);
  client::OpsClient *client() const { return m_client; }
  // The options every subscription sends from now on (the next client's too).
  void setOptions(QJsonObject options) { m_options = std::move(options); }
  // Subscribes again with `options`, which asks for a fresh snapshot; nothing without a client.
  void subscribe(QJsonObject options);

Q_SIGNALS:
  void clientChanged();  // another client, or none: what the old one sent is stale
  void snapshotReceived(const QString &topic, qint64 seq, const QJsonObject &payload);
  void deltaReceived(const QString &topic, qint64 seq, const QJsonObject &payload);

private:
  void attach(client::OpsClient *client);

  const QString m_topic;
  QPointer<NodeSession> m_session;
  QPointer<client::OpsClient> m_client;
  QJsonObject m_options;
};

}  // namespace lmfront::models
