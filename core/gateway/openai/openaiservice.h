// OpenAiService: the OpenAI-compatible API of a node — /v1/models, /v1/completions,
// /v1/chat/completions (with SSE streaming) and /v1/score — over a ModelTable. The node's own
// routes (health, /metrics, admin) live in core/node and admit through admit() below.
//
// Request path: admit (auth, host/origin, rate limit: a hook the node provides) → decode →
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
#include "gateway/pool/modeltable.h"
#include "observe/metricsregistry.h"
#include "observe/standardmetrics.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace lmfront::gateway::openai {

// What a route needs of the caller: the node maps it to a role (viewer < user < operator < admin).
enum class Access { Read, Infer, Operate, Admin };

struct AdmitContext {
  Access access = Access::Read;
  std::string model;        // empty for routes without a model
  int estimatedTokens = 0;  // charged against tokens-per-minute limits up front
  std::string principal;    // set by admit: who is charged (the API key id, or "local")
};

struct ServiceOptions {
  bool cacheEnabled = true;
  // The cache-hit fast path (hitmemo.h): a repeated body answered from the cache skips decoding,
  // the cache key and rendering. Off only to measure or test the full path.
  bool hitMemo = true;
  cache::TieredCacheOptions cache;
  // Called before any work: authentication, Host/Origin checks, rate limits. nullopt admits.
  std::function<std::optional<ApiError>(const HttpRequest &, AdmitContext &)> admit;
  // Called once when an admitted generation ends, with the tokens it really used (0 on failure),
  // so token limits charge what was used rather than the estimate.
  std::function<void(const AdmitContext &, int actualTokens)> settle;
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
  void addRoutes(Router &router);
  // The node's admission hook (ServiceOptions::admit) for routes outside this service.
  std::optional<ApiError> admit(const HttpRequest &request, AdmitContext &context) const;

  cache::ResponseCache *responseCache() { return m_cache.get(); }
  // Entries of the cache-hit fast path (0 when it is off); for tests.
  std::size_t hitMemoSize() const;
  std::uint64_t hitMemoFound() const;  // requests whose body the fast path recognised
  observe::MetricsRegistry &registry() { return m_registry; }
  const observe::StandardMetrics &metrics() const { return m_metrics; }

  // Shared with the sinks of in-flight requests (they may outlive a handler call).
  struct Shared;

private:
  void handleModels(HttpRequest &&request, ResponderPtr responder);
  void handleCompletion(HttpRequest &&request, ResponderPtr responder, bool chat);
  void handleScore(HttpRequest &&request, ResponderPtr responder);

  observe::MetricsRegistry &m_registry;
  observe::StandardMetrics m_metrics;
  std::shared_ptr<Shared> m_shared;
  std::unique_ptr<cache::ResponseCache> m_cache;
};

}  // namespace lmfront::gateway::openai
