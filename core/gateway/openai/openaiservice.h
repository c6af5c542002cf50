// OpenAiService: the OpenAI-compatible API of a node — /v1/models, /v1/completions,
// /v1/chat/completions (with SSE streaming) and /v1/score — over a ModelTable. The node's own
// routes (health, /metrics, admin) live in core/node and admit through the same hooks.
//
// Request path: decode → admit once, from the route's declaration (routetable.h: auth,
// host/origin, rate limits through hooks the node provides) →
// resolve the model's pool → response cache (deterministic requests only: cache::ResponseCache's
// local tier, single flight, Redis tier) → balancer picks a backend → a concurrency slot of that backend, waiting in
// its bounded admission queue if needed (poolflow.h) → generation streams back through the
// connection's Responder → cache fill and metrics. Every response carries x-lmfront-backend,
// x-lmfront-cache (hit|miss|coalesced|bypass) and x-lmfront-overhead-ms (time spent in the
// gateway itself, excluding the backend's work).
//
// Thread safety: handlers run on any data-plane worker at once; setTable() swaps the table
// atomically from any thread; in-flight requests keep the table they started with.
#pragma once

#include "gateway/cache/cachekey.h"
#include "gateway/cache/responsecache.h"
#include "gateway/http/apierror.h"
#include "gateway/http/httpserver.h"
#include "gateway/openai/requestmetrics.h"
#include "gateway/openai/routetable.h"
#include "gateway/pool/modeltable.h"
#include "observe/metricsregistry.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace lmfront::gateway::openai {

struct ServiceOptions {
  bool cacheEnabled = true;
  // The cache-hit fast path (hitmemo.h): a repeated body answered from the cache skips decoding,
  // the cache key and rendering. Off only to measure or test the full path.
  bool hitMemo = true;
  cache::TieredCacheOptions cache;
  // Authentication, Host/Origin checks, rate limits: run once per request by the route table
  // from each route's declaration, never by a handler.
  AdmissionHooks admission;
  // Admission queues end waits on time from a thread of their own (flowtimer.h). false: only
  // sweepQueues() does (tests on a ManualClock).
  bool flowTimerThread = true;
};

class OpenAiService {
public:
  OpenAiService(ServiceOptions options, observe::MetricsRegistry &registry, const Clock &clock);
  ~OpenAiService();

  void setTable(std::shared_ptr<const pool::ModelTable> table);
  // Periodic housekeeping (the node calls it every few seconds): fails cache flights whose leader
  // never finished, and refreshes the cache-size gauge after expiries.
  void tick();
  std::shared_ptr<const pool::ModelTable> table() const;
  // Expires admission-queue waiters past their deadline and cancels those whose client left (the
  // flow timer's work, on the calling thread).
  void sweepQueues();
  // Registers the API's routes, each with its declared needs, admitting through this service's
  // hooks. A refusal is a declaration the route table does not accept (a bug).
  Status addRoutes(Router &router);
  // The admission hooks (ServiceOptions::admission), for the node's routes outside this service.
  const AdmissionHooks *admission() const;

  cache::ResponseCache *responseCache() { return m_cache.get(); }
  // Entries of the cache-hit fast path (0 when it is off); for tests.
  std::size_t hitMemoSize() const;
  std::uint64_t hitMemoFound() const;  // requests whose body the fast path recognised
  observe::MetricsRegistry &registry() { return m_registry; }

  // Shared with the sinks of in-flight requests (they may outlive a handler call).
  struct Shared;

private:
  observe::MetricsRegistry &m_registry;
  RequestMetrics m_metrics;
  cache::CacheMetrics m_cacheMetrics;
  std::shared_ptr<Shared> m_shared;
  std::unique_ptr<cache::ResponseCache> m_cache;
};

}  // namespace lmfront::gateway::openai
