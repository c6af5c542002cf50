// ClusterRouting: on a clustered node, every model that other members serve and this one does not
// is served through a URL pool named like the model, whose backends are those members
// (docs/cluster.md, "Routing between nodes"). The pools go through the one door
// (ServingState::setRoutedPools) and use the gateway's balancers, breakers, outlier detection,
// health checks and retries like any configured pool.
//
// A member takes part when it is up (not draining, not down), is not this node and lists the
// model in its record; when no up member lists a model, the down ones last seen with it do. A member's record lists
// only what it serves itself (locallyServedModels), never what it routes on: two nodes can never route a model to each
// other. Threads: the node thread (ClusterService's).
#pragma once

#include "common/status.h"
#include "gateway/pool/poolspec.h"

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <string>
#include <vector>

namespace lmfront {
class EventSink;
}
namespace lmfront::cluster {
struct MemberInfo;
}
namespace lmfront::gateway::pool {
struct ModelTable;
}

namespace lmfront::node {

class ServingState;

// The pool settings routed pools start from (a pool object without "backends"); the config's
// cluster.routing keys replace these key by key.
QJsonObject defaultRoutingSettings();
// Checks cluster.routing: the keys of a pool but "backends", valid as a pool's. Errors name the key.
Status validateRoutingSettings(const QJsonObject &settings);

// The models this node serves itself, sorted: pools with an engine backend, never routed ones.
QStringList locallyServedModels(const gateway::pool::ModelTable &table);

struct RoutedPools {
  std::vector<gateway::pool::PoolSpec> specs;
  QStringList errors;  // models left out, each with why (a member's record that makes no valid pool)
};
// The routed pools for `members` as node `self` sees them: for each model that up members other
// than self list and `local` does not hold, a pool of those members' addresses (kind lmfront,
// ordered by member id) with defaultRoutingSettings() overlaid by `settings`; a model only down
// members list goes to them.
RoutedPools routedPoolSpecs(const QList<cluster::MemberInfo> &members, const QString &self, const QSet<QString> &local,
                            const QJsonObject &settings);

class ClusterRouting {
public:
  ClusterRouting(ServingState &serving, EventSink &events, QString self, QJsonObject settings);

  // Rebuilds the routed pools when they would change (members joined, left, drained, changed
  // their models, or this node's own models changed).
  void update(const QList<cluster::MemberInfo> &members, const gateway::pool::ModelTable &table);
  void clear();  // serves no routed pool any more

private:
  ServingState &m_serving;
  EventSink &m_events;
  const QString m_self;
  const QJsonObject m_settings;
  std::string m_applied;  // the routed pools in service, as their sources joined
  QStringList m_errors;   // reported once each
};

}  // namespace lmfront::node
