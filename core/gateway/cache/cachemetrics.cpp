#include "gateway/cache/cachemetrics.h"

#include "observe/metricnames.h"

namespace lmfront::gateway::cache {

Result<CacheMetrics> registerCacheMetrics(observe::MetricsRegistry &reg) {
  using namespace observe::names;
  using observe::take;
  CacheMetrics m;
  const std::vector<std::string> tier{std::string(kLabelTier)};
  const std::vector<std::string> op{std::string(kLabelOp)};
  const std::vector<std::string> reason{std::string(kLabelReason)};
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheHitsTotal, "Response cache hits, by tier (local, redis).", tier), m.hits));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheMissesTotal, "Response cache misses, by tier (local, redis).", tier), m.misses));
  LMFRONT_RETURN_IF_ERROR(take(
      reg.counter(kCacheEvictionsTotal, "Entries evicted from the local cache to stay within its byte budget.", tier),
      m.evictions));
  LMFRONT_RETURN_IF_ERROR(take(
      reg.gauge(kCacheBytes, "Bytes held by the local cache (keys, values and per-entry overhead).", tier), m.bytes));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheRedisErrorsTotal,
                       "Redis cache operations that failed (connect, timeout, protocol), by op.", op),
           m.redisErrors));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheRedisDroppedTotal,
                       "Redis cache operations dropped without trying (queue full or Redis down).", op),
           m.redisDropped));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kCacheRedisUp, "1 when the Redis cache tier is connected, 0 otherwise.", {}), m.redisUp));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCachePushPublishedTotal, "Redis cache writes published to the other nodes' local caches.", {}),
           m.pushPublished));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCachePushReceivedTotal, "Entries pushed by other nodes and stored in the local cache.", {}),
           m.pushReceived));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCachePushDroppedTotal, "Cache pushes not delivered, by reason (malformed, refused, too_large).",
                       reason),
           m.pushDropped));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kCachePushUp, "1 while subscribed to the other nodes' cache pushes, 0 otherwise.", {}), m.pushUp));
  return m;
}

}  // namespace lmfront::gateway::cache
