// GatewayService: the node's data plane as one Service — the HTTP server and its workers, the
// OpenAI API (OpenAiService) with its per-request policies (GatewayRuntime: keys, Host/Origin,
// rate limits, CORS), the served model table behind its one door (ServingState: catalog engines +
// configured pools, published atomically) with its health prober, the catalog's models loading in
// the background, and the periodic maintenance (API key reload, usage stamps, idle buckets) on
// the node thread.
//
// Threads: start/drain/stop and maintenance on the node thread (Service contract); requests on
// the data-plane workers; model loading on its own thread, each outcome posted through the door to
// the node thread;
// health(), state() and port() from any thread once start() returned.
#pragma once

#include "gateway/http/httpserver.h"
#include "node/nodeconfig.h"
#include "node/nodecontext.h"
#include "node/service.h"

#include <chrono>
#include <memory>

namespace lmfront::gateway::auth {
class AuthGate;
}

namespace lmfront::node {

struct NodeState;
class ServingState;

class GatewayService final : public Service {
public:
  // config and context must outlive the service.
  GatewayService(const NodeConfig &config, const NodeContext &context);
  ~GatewayService() override;

  std::string_view name() const override { return "gateway"; }
  // Scans the catalog, loads the models named by flags (a bad one fails the start), builds the
  // table, binds the listener (trying further ports when the config allows) and starts the
  // maintenance timer; the data dir's other models then load in the background (not ready).
  Status start() override;
  // New requests get 503, in-flight ones finish; false when some were still running at timeout.
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  std::shared_ptr<NodeState> state() const;  // null before start()
  quint16 port() const;                      // 0 unless running

  // Where the data plane hands WebSocket upgrades on `/ops` (HttpServerOptions::upgrade); with
  // none set (the ops service is not running) such a connection is closed. Any thread; `adopt`
  // runs on data-plane workers and must only post the socket to its own thread.
  void setOpsUpgrade(gateway::UpgradeHandler adopt);
  // The reversible drain (ops `drain`/`undrain`): inference requests get 503 `draining`, /readyz
  // says draining; requests in flight finish. Unlike drain() it keeps the listener and every
  // other route. Any thread.
  void setDrained(bool drained);
  bool drained() const;
  // Loads the configured TLS certificate and key again and serves them to new connections; on
  // failure the old ones stay. Reports the outcome to the event sink. Node thread.
  Status reloadTls();
  // Between start() and stop(), for the services started after this one (node thread).
  const gateway::auth::AuthGate *authGate() const;
  ServingState *serving() const;

private:
  Status startServing();

  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace lmfront::node
