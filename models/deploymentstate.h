// DeploymentState: what a node serves of each model, as its ops topic `deployments` tells it
// (docs/ops-protocol.md): the stable version, the previous one kept for rollback, a canary or
// shadow with its share, limits and the guard's live measures (canary beside stable, once a
// second), a deploy still loading — and the commands that change it: deploy, promote, rollback.
//
// Contract: GUI thread. setSession() (not owned) subscribes the session's ops client to
// `deployments` and follows the session when it replaces its client (liveStateReplaced),
// forgetting what it held. The snapshot replaces every model's deployment; a delta
// `{"deployment": …}` replaces one (and a `breach` in it is re-emitted as canaryBreached()). Each
// command ends in exactly one commandFinished() (error text empty on success, see opsErrorText())
// unless the session's client is replaced first; `deploy` is answered once the version serves.
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <optional>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class NodeSession;
class TopicSubscription;

// What `deploy` asks for (the command's arguments).
struct DeployRequest {
  enum class Strategy { Replace, Canary, Shadow };
  QString model;
  qint64 version = 0;
  Strategy strategy = Strategy::Replace;
  double percent = 0;  // canary and shadow: (0, 100]
  bool sticky = false;
  // Canary only; unset: no such limit.
  std::optional<double> maxErrorRate;  // a ratio, 0.05 = 5 %
  std::optional<double> maxP99Ms;
  std::optional<double> maxP99Ratio;
  std::optional<qint64> minRequests;
  QString comment;

  QJsonObject args() const;
  static QString strategyName(Strategy strategy);  // "replace", "canary", "shadow"
};

class DeploymentState : public QObject {
  Q_OBJECT
public:
  enum class Command { Deploy, Promote, Rollback };
  Q_ENUM(Command)

  explicit DeploymentState(QObject *parent = nullptr);

  void setSession(NodeSession *session);
  bool hasSnapshot() const { return m_hasSnapshot; }
  // The model's deployment as the node sent it; empty when the node has none for it.
  QJsonObject deployment(const QString &model) const { return m_deployments.value(model); }

  // A canary or shadow runs.
  static bool hasVariant(const QJsonObject &deployment);
  // Rollback has something to undo: a variant, a deploy loading, or a previous version.
  static bool canRollBack(const QJsonObject &deployment);

  void deploy(const DeployRequest &request);
  void promote(const QString &model, const QString &comment = {});
  void rollback(const QString &model, const QString &comment = {});

public Q_SLOTS:
  void applySnapshot(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyDelta(const QString &topic, qint64 seq, const QJsonObject &payload);

Q_SIGNALS:
  void changed(const QString &model);  // empty: every model (a snapshot)
  void canaryBreached(const QString &model, const QJsonObject &breach);
  void commandFinished(lmfront::models::DeploymentState::Command command, const QString &model, const QString &error,
                       const QJsonObject &deployment);

private:
  void run(Command command, const QString &model, const QJsonObject &args);

  TopicSubscription *m_topic;  // its ops topic, through the session's current client
  QMap<QString, QJsonObject> m_deployments;
  bool m_hasSnapshot = false;
};

}  // namespace lmfront::models
