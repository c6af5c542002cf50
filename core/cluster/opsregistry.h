// OpsRegistry: the one table of the ops API's topics and commands (docs/ops-protocol.md, "Adding a
// topic or a command"). Features register here at node start; the ops server only looks up, so a
// new topic or command never edits the server or the codec.
//
//   registry.addTopic({"node", Role::Viewer, OpsDelivery::Replaceable,
//                      [&](const QJsonObject &options) -> Result<QJsonObject> { return nodeSnapshot(); }});
//   registry.addCommand({"drain", Role::Operator,
//                        [&](const QJsonObject &, const Principal &) -> Result<QJsonValue> { … }});
//   registry.publish("node", QJsonObject{{"draining", true}});          // any thread
//
// Roles are the gateway's (viewer < user < operator < admin) and the refusal text is the HTTP
// one (Authenticator::authorize), so a key may do the same over both transports. Callers reach
// this table already authenticated: the server answers `unauthenticated` itself.
//
// Threads: every method may be called from any thread. Providers and handlers run on the
// caller's thread, outside the registry's lock, so they may publish or look things up.
#pragma once

#include "client/opscodec.h"
#include "gateway/auth/authenticator.h"

#include <QJsonObject>
#include <QStringList>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>

namespace lmfront::cluster {

// The protocol's values and codec live below, in core/client, shared with the console's client.
using client::kOpsVersion;
using client::OpsCodec;
using client::OpsDecoded;
using client::OpsError;
using client::OpsErrorCode;
using client::OpsMessage;
using client::OpsType;
using gateway::auth::Principal;
using gateway::auth::Role;

// What a topic's deltas may lose under backpressure.
enum class OpsDelivery {
  Replaceable,  // state or samples: deltas may be dropped, a fresh snapshot makes good (node, metrics)
  EveryDelta,   // events: never dropped; a reader too slow for them is disconnected (alerts, audit)
};

struct OpsTopic {
  QString name;
  Role role = Role::Viewer;  // lowest role that may subscribe
  OpsDelivery delivery = OpsDelivery::Replaceable;
  // The topic's whole state, for every subscribe and every recovery. `options` is the subscribe
  // payload ({} when absent); an InvalidArgument naming the option becomes bad_request.
  std::function<Result<QJsonObject>(const QJsonObject &options)> snapshot;
};

// A deferred command's answer: called exactly once, on the thread the registry's caller runs.
using OpsReply = std::function<void(Result<QJsonValue>)>;

struct OpsCommand {
  QString name;
  Role role = Role::Admin;  // lowest role that may run it
  // The result payload, or a Status the client gets as an error (opsErrorCodeFor).
  std::function<Result<QJsonValue>(const QJsonObject &args, const Principal &caller)> handler;
  // Instead of `handler`, for a command whose outcome comes later (a deploy loading a file off the
  // thread): it calls `reply` once, now or later, on the thread it was called on.
  std::function<void(const QJsonObject &args, const Principal &caller, OpsReply reply)> deferred = {};
  // Told of a caller whose role is too low, before it gets `forbidden` (e.g. to audit it); on
  // the thread runCommand() runs on.
  std::function<void(const QJsonObject &args, const Principal &caller, const QString &reason)> refused = {};
};

// Receives every published delta; the ops server fans it out to the topic's subscribers.
using OpsDeltaSink = std::function<void(const QString &topic, const QJsonObject &delta)>;

class OpsRegistry {
public:
  // Names: [a-z][a-z0-9_]{0,63}, unique per table; a provider or handler is required.
  // InvalidArgument or AlreadyExists otherwise.
  Status addTopic(OpsTopic topic);
  Status addCommand(OpsCommand command);

  std::shared_ptr<const OpsTopic> topic(const QString &name) const;
  std::shared_ptr<const OpsCommand> command(const QString &name) const;
  QStringList topicNames() const;  // sorted
  QStringList commandNames() const;

  // The answer to a `subscribe`: the topic's snapshot (with the request's id and `seq`), or an
  // error — unknown_topic, forbidden, or the provider's Status.
  OpsMessage subscribe(const OpsMessage &request, const Principal &caller, qint64 seq) const;
  // A recovery snapshot (no id) for a subscription made with `options`.
  OpsMessage snapshot(const QString &topic, const QJsonObject &options, qint64 seq) const;
  // unknown_topic or forbidden for a topic name; nothing when `caller` may subscribe to it.
  std::optional<OpsError> checkTopic(const QString &name, const Principal &caller, const QString &id) const;
  // The answer to a `command`: result or error (unknown_command, forbidden, the handler's Status),
  // handed to `answer` once — at once, or later for a deferred command.
  void runCommand(const OpsMessage &request, const Principal &caller, std::function<void(OpsMessage)> answer) const;
  // The same for a command that answers at once; a deferred one that has not answered yet is an
  // internal error.
  OpsMessage runCommand(const OpsMessage &request, const Principal &caller) const;

  // Hands a delta of a registered topic to the sink (dropped when none is set yet).
  // InvalidArgument for an unknown topic: publishing to it is a bug of the caller.
  Status publish(const QString &topic, const QJsonObject &delta) const;
  void setDeltaSink(OpsDeltaSink sink);

private:
  mutable std::shared_mutex m_mutex;
  std::map<QString, std::shared_ptr<const OpsTopic>> m_topics;      // GUARDED_BY(m_mutex)
  std::map<QString, std::shared_ptr<const OpsCommand>> m_commands;  // GUARDED_BY(m_mutex)
  std::shared_ptr<const OpsDeltaSink> m_sink;                       // GUARDED_BY(m_mutex)
};

}  // namespace lmfront::cluster
