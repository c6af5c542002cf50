#include "cluster/opsregistry.h"

#include <mutex>
#include <optional>

namespace lmfront::cluster {

namespace {

Status checkName(const QString &kind, const QString &name) {
  bool ok = !name.isEmpty() && name.size() <= 64 && name.front() >= u'a' && name.front() <= u'z';
  for (QChar c : name) ok = ok && ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_');
  if (ok) return Status::ok();
  return Status::invalidArgument(QStringLiteral("%1 name '%2' is invalid: lower-case letters, digits and '_', "
                                                "starting with a letter, at most 64 characters")
                                     .arg(kind, name)
                                     .toStdString());
}

// The HTTP refusal text ("this needs the operator role; key 'ci-bot' has user").
std::optional<OpsError> checkRole(const Principal &caller, Role need, const QString &id) {
  const Status allowed = gateway::auth::Authenticator::authorize(caller, need);
  if (allowed.isOk()) return std::nullopt;
  return OpsError::fromStatus(allowed, id);
}

template <typename Map>
QStringList namesOf(const Map &map) {
  QStringList names;
  for (const auto &entry : map) names << entry.first;
  return names;
}

}  // namespace

Status OpsRegistry::addTopic(OpsTopic topic) {
  LMFRONT_RETURN_IF_ERROR(checkName(QStringLiteral("topic"), topic.name));
  if (!topic.snapshot)
    return Status::invalidArgument("topic '" + topic.name.toStdString() + "' has no snapshot provider");
  std::unique_lock lock(m_mutex);
  if (m_topics.count(topic.name)) return Status::alreadyExists("topic '" + topic.name.toStdString() + "' exists");
  const QString name = topic.name;
  m_topics.emplace(name, std::make_shared<const OpsTopic>(std::move(topic)));
  return Status::ok();
}

Status OpsRegistry::addCommand(OpsCommand command) {
  LMFRONT_RETURN_IF_ERROR(checkName(QStringLiteral("command"), command.name));
  if (!command.handler == !command.deferred)
    return Status::invalidArgument("command '" + command.name.toStdString() + "' needs exactly one handler");
  std::unique_lock lock(m_mutex);
  if (m_commands.count(command.name))
    return Status::alreadyExists("command '" + command.name.toStdString() + "' exists");
  const QString name = command.name;
  m_commands.emplace(name, std::make_shared<const OpsCommand>(std::move(command)));
  return Status::ok();
}

std::shared_ptr<const OpsTopic> OpsRegistry::topic(const QString &name) const {
  std::shared_lock lock(m_mutex);
  const auto it = m_topics.find(name);
  return it == m_topics.end() ? nullptr : it->second;
}

std::shared_ptr<const OpsCommand> OpsRegistry::command(const QString &name) const {
  std::shared_lock lock(m_mutex);
  const auto it = m_commands.find(name);
  return it == m_commands.end() ? nullptr : it->second;
}

QStringList OpsRegistry::topicNames() const {
  std::shared_lock lock(m_mutex);
  return namesOf(m_topics);
}

QStringList OpsRegistry::commandNames() const {
  std::shared_lock lock(m_mutex);
  return namesOf(m_commands);
}

std::optional<OpsError> OpsRegistry::checkTopic(const QString &name, const Principal &caller, const QString &id) const {
  const auto found = topic(name);
  if (!found) {
    const QStringList known = topicNames();
    return OpsError{
        OpsErrorCode::UnknownTopic,
        QStringLiteral("unknown topic '%1': this node has %2")
            .arg(name.left(64), known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", "))),
        id};
  }
  return checkRole(caller, found->role, id);
}

OpsMessage OpsRegistry::subscribe(const OpsMessage &request, const Principal &caller, qint64 seq) const {
  if (auto refused = checkTopic(request.topic, caller, request.id)) return OpsMessage::error(*refused);
  OpsMessage answer = snapshot(request.topic, request.payload.toObject(), seq);
  answer.id = request.id;
  return answer;
}

OpsMessage OpsRegistry::snapshot(const QString &name, const QJsonObject &options, qint64 seq) const {
  const auto found = topic(name);
  if (!found)
    return OpsMessage::error({OpsErrorCode::UnknownTopic, QStringLiteral("unknown topic '%1'").arg(name.left(64)), {}});
  Result<QJsonObject> state = found->snapshot(options);
  if (!state) return OpsMessage::error(OpsError::fromStatus(state.status()));
  return OpsMessage::snapshot(name, seq, std::move(*state));
}

void OpsRegistry::runCommand(const OpsMessage &request, const Principal &caller,
                             std::function<void(OpsMessage)> answer) const {
  const auto found = command(request.name);
  if (!found) {
    const QStringList known = commandNames();
    return answer(OpsMessage::error(
        {OpsErrorCode::UnknownCommand,
         QStringLiteral("unknown command '%1': this node has %2")
             .arg(request.name.left(64), known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", "))),
         request.id}));
  }
  if (auto refused = checkRole(caller, found->role, request.id)) {
    if (found->refused) found->refused(request.payload.toObject(), caller, refused->message);
    return answer(OpsMessage::error(*refused));
  }
  auto reply = [id = request.id, answer = std::move(answer)](Result<QJsonValue> outcome) {
    if (!outcome) return answer(OpsMessage::error(OpsError::fromStatus(outcome.status(), id)));
    answer(OpsMessage::result(id, std::move(*outcome)));
  };
  if (found->deferred) return found->deferred(request.payload.toObject(), caller, std::move(reply));
  reply(found->handler(request.payload.toObject(), caller));
}

OpsMessage OpsRegistry::runCommand(const OpsMessage &request, const Principal &caller) const {
  std::optional<OpsMessage> answered;
  runCommand(request, caller, [&answered](OpsMessage m) { answered = std::move(m); });
  if (answered) return std::move(*answered);
  return OpsMessage::error(
      OpsError::fromStatus(Status::internal("command '" + request.name.toStdString() + "' answers later"), request.id));
}

Status OpsRegistry::publish(const QString &name, const QJsonObject &delta) const {
  std::shared_ptr<const OpsDeltaSink> sink;
  {
    std::shared_lock lock(m_mutex);
    if (!m_topics.count(name)) return Status::invalidArgument("publish to unknown topic '" + name.toStdString() + "'");
    sink = m_sink;
  }
  if (sink) (*sink)(name, delta);
  return Status::ok();
}

void OpsRegistry::setDeltaSink(OpsDeltaSink sink) {
  auto shared = sink ? std::make_shared<const OpsDeltaSink>(std::move(sink)) : nullptr;
  std::unique_lock lock(m_mutex);
  m_sink = std::move(shared);
}

}  // namespace lmfront::cluster
