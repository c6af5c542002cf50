// ClusterService: the node's membership in a cluster through etcd (docs/cluster.md) — its member
// record under a lease, the member list, the leader election and drain wishes — and the ops
// topic and command `members`. Without etcd endpoints (ClusterSettings::enabled() false) the node
// is a cluster of one: `members` lists this node alone, it leads, and nothing is contacted.
//
// The record follows the node once a second (after each series sample): models served, state
// (`draining` while the ops drain or a shutdown holds), version, address. A drain wish for this
// node that arrives through etcd drains or undrains the gateway. etcd being down never fails or
// stops the node: start() succeeds, the service reports Degraded, and it resyncs on its own.
// Threads: start/drain/stop and every method on the node thread; health() from any thread.
#pragma once

#include "common/status.h"
#include "node/service.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace lmfront::cluster {
class EtcdClient;
class EtcdSession;
class LeaderElection;
class Membership;
struct MemberInfo;
}  // namespace lmfront::cluster

namespace lmfront::observe {
template <typename S>
class Family;
class Gauge;
}  // namespace lmfront::observe

namespace lmfront::node {

struct NodeConfig;
struct NodeContext;
class ClusterRouting;
class GatewayService;
class SeriesService;

class ClusterService final : public Service {
public:
  ClusterService(const NodeConfig &config, const NodeContext &context, GatewayService &gateway, SeriesService &series);
  ~ClusterService() override;

  std::string_view name() const override { return "cluster"; }
  Status start() override;
  // Revokes the node's lease (waiting up to 1 s), so it leaves every member list at once.
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  bool clustered() const;  // started with etcd endpoints
  // True while this node leads the cluster (always, for a cluster of one). The election
  // (leadershipChanged) is reachable through election() when clustered.
  bool isLeader() const;
  cluster::LeaderElection *election() const;
  // The etcd client and the member list while clustered (null otherwise), for the services that
  // keep desired state in the same cluster (clusterdeployments.h).
  cluster::EtcdClient *etcd() const { return m_client; }
  cluster::Membership *membership() const { return m_membership; }

  // The ops `drain`/`undrain` with an optional target: this node (empty or its id) drains its
  // gateway now and, when clustered, records the wish in etcd; another member is asked through
  // etcd. NotFound for a node the cluster does not know.
  Result<QJsonValue> setDrained(const QString &node, bool drained);
  QJsonObject membersSnapshot() const;

private:
  cluster::MemberInfo selfInfo() const;
  void publishMember(const cluster::MemberInfo &member);
  void onTick();
  // Sets lmfront_cluster_member_up to the members seen while leading; removes it all otherwise.
  void exportMembers();
  // Serves other members' models through routed pools (clusterrouting.h).
  void updateRouting();

  const NodeConfig &m_config;
  const NodeContext &m_context;
  GatewayService &m_gateway;
  SeriesService &m_series;
  bool m_registered = false;
  std::atomic<bool> m_running{false};
  std::optional<int> m_listener;
  std::atomic<bool> m_synced{true};
  // Children of m_root, in creation order: the client, the session, membership, election.
  std::unique_ptr<QObject> m_root;
  cluster::EtcdClient *m_client = nullptr;
  cluster::EtcdSession *m_session = nullptr;
  cluster::Membership *m_membership = nullptr;
  cluster::LeaderElection *m_election = nullptr;
  std::unique_ptr<ClusterRouting> m_routing;
  Status m_metricsRegistered;
  observe::Family<observe::Gauge> *m_memberUp = nullptr;
  std::set<std::string> m_exported;  // the member ids m_memberUp has a series for
};

}  // namespace lmfront::node
