#include "models/deploymentstate.h"

#include "client/opsclient.h"
#include "models/nodesession.h"
#include "models/opserrortext.h"
#include "models/topicsubscription.h"

#include <chrono>

namespace lmfront::models {

namespace {
const QString kTopic = QStringLiteral("deployments");
// A deploy is answered once the version serves: as long as its file takes to load.
constexpr std::chrono::milliseconds kDeployTimeout{120'000};

bool present(const QJsonObject &o, QLatin1StringView key) {
  const QJsonValue v = o.value(key);
  return !v.isUndefined() && !v.isNull();
}
}  // namespace

QString DeployRequest::strategyName(Strategy strategy) {
  switch (strategy) {
  case Strategy::Replace: return QStringLiteral("replace");
  case Strategy::Canary: return QStringLiteral("canary");
  case Strategy::Shadow: return QStringLiteral("shadow");
  }
  return {};
}

QJsonObject DeployRequest::args() const {
  QJsonObject a{{QStringLiteral("model"), model},
                {QStringLiteral("version"), version},
                {QStringLiteral("strategy"), strategyName(strategy)}};
  if (strategy != Strategy::Replace) {
    a.insert(QStringLiteral("percent"), percent);
    if (sticky) a.insert(QStringLiteral("sticky"), true);
  }
  if (strategy == Strategy::Canary) {
    if (maxErrorRate) a.insert(QStringLiteral("max_error_rate"), *maxErrorRate);
    if (maxP99Ms) a.insert(QStringLiteral("max_p99_ms"), *maxP99Ms);
    if (maxP99Ratio) a.insert(QStringLiteral("max_p99_ratio"), *maxP99Ratio);
    if (minRequests) a.insert(QStringLiteral("min_requests"), *minRequests);
  }
  if (!comment.isEmpty()) a.insert(QStringLiteral("comment"), comment);
  return a;
}

DeploymentState::DeploymentState(QObject *parent) : QObject(parent), m_topic(new TopicSubscription(kTopic, this)) {
  connect(m_topic, &TopicSubscription::clientChanged, this, [this] {
    m_deployments.clear();
    m_hasSnapshot = false;
    Q_EMIT changed({});
  });
  connect(m_topic, &TopicSubscription::snapshotReceived, this, &DeploymentState::applySnapshot);
  connect(m_topic, &TopicSubscription::deltaReceived, this, &DeploymentState::applyDelta);
}

void DeploymentState::setSession(NodeSession *session) { m_topic->setSession(session); }

bool DeploymentState::hasVariant(const QJsonObject &d) { return present(d, QLatin1StringView("strategy")); }

bool DeploymentState::canRollBack(const QJsonObject &d) {
  return hasVariant(d) || present(d, QLatin1StringView("loading")) || present(d, QLatin1StringView("previous_version"));
}

void DeploymentState::applySnapshot(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  m_deployments.clear();
  for (const QJsonValue &v : payload.value(QLatin1StringView("deployments")).toArray()) {
    const QJsonObject d = v.toObject();
    m_deployments.insert(d.value(QLatin1StringView("model")).toString(), d);
  }
  m_hasSnapshot = true;
  Q_EMIT changed({});
}

void DeploymentState::applyDelta(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  const QJsonObject d = payload.value(QLatin1StringView("deployment")).toObject();
  const QString model = d.value(QLatin1StringView("model")).toString();
  if (model.isEmpty()) return;
  m_deployments.insert(model, d);
  Q_EMIT changed(model);
  if (const QJsonObject breach = payload.value(QLatin1StringView("breach")).toObject(); !breach.isEmpty())
    Q_EMIT canaryBreached(model, breach);
}

void DeploymentState::run(Command command, const QString &model, const QJsonObject &args) {
  client::OpsClient *ops = m_topic->client();
  if (!ops) return Q_EMIT commandFinished(command, model, tr("Not connected to a node."), {});
  static const QString names[] = {QStringLiteral("deploy"), QStringLiteral("promote"), QStringLiteral("rollback")};
  ops->command(
      names[static_cast<int>(command)], args, this,
      [this, command, model](const client::OpsReply &reply) {
        const QJsonObject d = reply.result.toObject();
        // The answer is the deployment as it stands: shown at once, before the topic's delta.
        if (reply.ok() && !d.isEmpty()) {
          m_deployments.insert(model, d);
          Q_EMIT changed(model);
        }
        Q_EMIT commandFinished(command, model, opsErrorText(reply), d);
      },
      command == Command::Deploy ? std::optional(kDeployTimeout) : std::nullopt);
}

void DeploymentState::deploy(const DeployRequest &request) { run(Command::Deploy, request.model, request.args()); }

void DeploymentState::promote(const QString &model, const QString &comment) {
  QJsonObject args{{QStringLiteral("model"), model}};
  if (!comment.isEmpty()) args.insert(QStringLiteral("comment"), comment);
  run(Command::Promote, model, args);
}

void DeploymentState::rollback(const QString &model, const QString &comment) {
  QJsonObject args{{QStringLiteral("model"), model}};
  if (!comment.isEmpty()) args.insert(QStringLiteral("comment"), comment);
  run(Command::Rollback, model, args);
}

}  // namespace lmfront::models
