// GatewayRuntime: the node's per-request policies — API keys (auth.sqlite in the data dir),
// Host/Origin checks, and rate limits per key and per model (node-local, or exact across a
// cluster through a shared Redis) — packaged as the admission hooks every route's declaration
// is admitted through (gateway/openai/routetable.h) — and CORS,
// as the data plane's RequestFilter so that every answer carries it (errors, streams, cache hits).
//
// Threads: admit/settle run on data-plane workers (thread-safe: immutable policy, atomic key
// snapshot, sharded or Redis-backed buckets). maintenance() touches SQLite and must run on the
// thread that created the runtime (the node's thread; the node calls it from a timer).
#pragma once

#include "common/status.h"
#include "gateway/openai/openaiservice.h"
#include "node/nodeconfig.h"
#include "node/nodecontext.h"

#include <atomic>
#include <memory>
#include <string>

namespace lmfront::gateway::auth {
class AuthGate;
class Authenticator;
class KeyStore;
}  // namespace lmfront::gateway::auth
namespace lmfront::gateway::ratelimit {
class RateLimiter;
}

namespace lmfront::node {

class GatewayRuntime {
public:
  // Opens the key store, refuses a bind beyond loopback without keys, builds the limiters.
  // The key store lives in context.dataDir; limits read context.clock; problems go to context.events;
  // refusals are counted in lmfront_rate_limited_total{scope}, registered on context.metrics.
  static Result<std::unique_ptr<GatewayRuntime>> create(const NodeConfig &config, const NodeContext &context);
  ~GatewayRuntime();

  // Fills the admission hooks and the cache options of `options`.
  void configure(gateway::openai::ServiceOptions &options) const;
  // Sets options.filter: every request's Host/Origin is checked first (403 on any path, so DNS
  // rebinding cannot read even /healthz); for a request whose Origin is trusted, the CORS headers
  // go on whatever answer it gets; an OPTIONS request with an Origin is a preflight, answered here without a key
  // (browsers send none): 204 with the allowed methods/headers when the Origin (and Host) pass,
  // else 403 with no CORS headers. Requests without Origin cost one header lookup, no allocation.
  // The filter holds its own copy of the policy, so it may outlive this runtime.
  void configure(gateway::HttpServerOptions &options) const;
  // Picks up keys created or revoked by `lmfront keys`, writes last-used stamps, forgets idle buckets.
  void maintenance();
  // Host/Origin, keys and roles as every request sees them (the ops API authenticates through it).
  const gateway::auth::AuthGate &gate() const { return *m_gate; }
  // While true (the `drain` command until `undrain`), inference requests are refused with 503
  // `draining` after authentication; everything else is served. Any thread.
  void setDrained(bool drained) { m_drained.store(drained, std::memory_order_relaxed); }
  bool drained() const { return m_drained.load(std::memory_order_relaxed); }

private:
  GatewayRuntime() = default;
  std::optional<gateway::ApiError> admit(const gateway::HttpRequest &request,
                                         gateway::openai::AdmitContext &context) const;
  void settle(const gateway::openai::AdmitContext &context, int actualTokens) const;
  // A refused request to change something goes to the audit log (node/refusalaudit.h).
  void reportRefusal(const gateway::HttpRequest &request, const gateway::openai::AdmitContext &context,
                     const Status &why) const;

  GatewaySettings m_settings;
  std::string m_clusterName;  // scopes the cache push channel
  std::unique_ptr<gateway::auth::KeyStore> m_store;
  std::shared_ptr<gateway::auth::Authenticator> m_authenticator;
  std::unique_ptr<gateway::auth::AuthGate> m_gate;
  std::unique_ptr<gateway::ratelimit::RateLimiter> m_keyRequests, m_keyTokens, m_modelRequests, m_modelTokens;
  observe::CounterFamily *m_rateLimited = nullptr;  // {scope}
  EventSink *m_events = nullptr;
  const cluster::OpsRegistry *m_ops = nullptr;
  std::atomic<bool> m_drained{false};
};

}  // namespace lmfront::node
