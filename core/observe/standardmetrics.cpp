#include "observe/standardmetrics.h"

#include "observe/metricnames.h"

namespace lmfront::observe {
namespace {

std::vector<std::string> labels(std::initializer_list<std::string_view> names) { return {names.begin(), names.end()}; }

template <typename T>
Status take(Result<T *> r, T *&out) {
  if (!r) return r.status();
  out = *r;
  return Status::ok();
}

}  // namespace

Result<StandardMetrics> registerStandardMetrics(MetricsRegistry &reg) {
  using namespace names;
  StandardMetrics m;
  const auto model = labels({kLabelModel});
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kRequestsTotal, "Requests answered, by model, serving backend and HTTP status code.",
                       labels({kLabelModel, kLabelBackend, kLabelCode})),
           m.requests));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.histogram(kRequestDurationSeconds, "Time from request received to last byte sent, in seconds.", model,
                         latencyBuckets()),
           m.requestDuration));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.histogram(kTimeToFirstTokenSeconds,
                         "Time from request received to the first generated token sent, in seconds.", model,
                         latencyBuckets()),
           m.timeToFirstToken));
  LMFRONT_RETURN_IF_ERROR(take(reg.histogram(kGatewayOverheadSeconds,
                                             "Time spent in the gateway itself (request duration minus backend time), "
                                             "in seconds.",
                                             model, overheadBuckets()),
                               m.gatewayOverhead));
  LMFRONT_RETURN_IF_ERROR(take(reg.counter(kTokensInTotal, "Prompt tokens received.", model), m.tokensIn));
  LMFRONT_RETURN_IF_ERROR(take(reg.counter(kTokensOutTotal, "Completion tokens generated.", model), m.tokensOut));
  const auto tier = labels({kLabelTier});
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheHitsTotal, "Response cache hits, by tier (local, redis).", tier), m.cacheHits));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheMissesTotal, "Response cache misses, by tier (local, redis).", tier), m.cacheMisses));
  LMFRONT_RETURN_IF_ERROR(take(
      reg.counter(kCacheEvictionsTotal, "Entries evicted from the local cache to stay within its byte budget.", tier),
      m.cacheEvictions));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kCacheBytes, "Bytes held by the local cache (keys, values and per-entry overhead).", tier),
           m.cacheBytes));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheCoalescedTotal,
                       "Requests answered by joining an identical in-flight request (single flight).", model),
           m.cacheCoalesced));
  const auto op = labels({kLabelOp});
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheRedisErrorsTotal,
                       "Redis cache operations that failed (connect, timeout, protocol), by op.", op),
           m.cacheRedisErrors));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheRedisDroppedTotal,
                       "Redis cache operations dropped without trying (queue full or Redis down).", op),
           m.cacheRedisDropped));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kCacheRedisUp, "1 when the Redis cache tier is connected, 0 otherwise.", {}), m.cacheRedisUp));
  const auto backend = labels({kLabelBackend});
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kBackendUp, "1 when the backend passes health checks, 0 otherwise.", backend), m.backendUp));
  LMFRONT_RETURN_IF_ERROR(take(
      reg.gauge(kBackendBreakerState, "Circuit breaker state of the backend: 0 closed, 1 half-open, 2 open.", backend),
      m.backendBreakerState));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kQueueDepth, "Requests waiting in the model's admission queue.", model), m.queueDepth));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kRateLimitedTotal, "Requests refused by a rate limit, by scope (key, model, tokens, ...).",
                       labels({kLabelScope})),
           m.rateLimited));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kBackendConcurrencyLimit,
                     "Requests the backend may have in flight now (its adaptive concurrency limit).", backend),
           m.backendConcurrencyLimit));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kBackendInflight, "Requests in flight on the backend (holding a concurrency slot).", backend),
           m.backendInflight));
  return m;
}

}  // namespace lmfront::observe
