// OpsService: the node's ops API (docs/ops-protocol.md) as one Service — the OpsServer that takes
// the data plane's WebSocket upgrades on `/ops`, and in the node's OpsRegistry the `node` and
// `metrics` topics and the `drain`, `undrain` and `set_pools` commands. It starts after the
// gateway (it needs its state, keys and door) and is drained and stopped before it: connections
// are closed with 1001 before the listener goes.
//
// Threads: the OpsServer, its 1 s sample (a listener of the SeriesService's tick) and every topic
// provider and command handler run on the node thread. That is the thread of the one door (ServingState): `set_pools`
// applies the new pools there and answers when the door reports, without a cross-thread wait (registry handlers answer
// synchronously). At 1 Hz per node the ops traffic is small next to the node thread's maintenance, and the data plane
// never waits for it: a worker only posts the upgraded socket (OpsServer::adoptSocket runs on the node thread).
//
// Authentication is the HTTP one (AuthGate::authenticate: keys, roles, the loopback rule), plus
// the node's in-process console credential (Node::consoleCredential()): an `auth` key equal to it
// (compared in constant time) is principal "console", role admin. The handshake's Host and Origin
// were checked by the data plane's filter, and the OpsServer checks the Origin again against the
// same trusted origins.
#pragma once

#include "cluster/opsserver.h"
#include "node/nodeconfig.h"
#include "node/nodecontext.h"
#include "node/opsmetrics.h"
#include "node/service.h"

#include <QJsonObject>
#include <memory>
#include <optional>

namespace lmfront::node {

class ClusterService;
class GatewayService;
class SeriesService;

class OpsService final : public Service {
public:
  // Everything must outlive the service; `gateway` and `series` are started before it.
  // `consoleCredential`: empty for none. `cluster` (may be null): where `drain`/`undrain` with a
  // `node` argument go (clusterservice.h); without it only this node can be named.
  OpsService(const NodeConfig &config, const NodeContext &context, GatewayService &gateway, SeriesService &series,
             QString consoleCredential = {}, ClusterService *cluster = nullptr);
  ~OpsService() override;

  std::string_view name() const override { return "ops"; }
  // Registers the topics and commands (once per node), creates the server and takes the upgrades.
  Status start() override;
  // Stops taking upgrades and closes every connection (1001 "node stopping").
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  cluster::OpsServer *server() const { return m_server.get(); }  // null unless running

private:
  Status registerTable();
  void tick();
  QJsonObject nodeState() const;
  void publishNodeChanges();
  Result<QJsonValue> setDrained(const QJsonObject &args, bool drained);
  Result<QJsonValue> setPools(const QJsonObject &args);

  const NodeConfig &m_config;
  const NodeContext &m_context;
  GatewayService &m_gateway;
  SeriesService &m_series;
  const QString m_consoleCredential;
  ClusterService *m_cluster;
  std::unique_ptr<cluster::OpsServer> m_server;
  std::optional<int> m_listener;  // of m_series, while running
  std::unique_ptr<OpsMetrics> m_metrics;
  QJsonObject m_lastNode;  // the `node` state last published (uptime_s left out)
  bool m_registered = false;
  std::atomic<bool> m_running{false};
};

}  // namespace lmfront::node
