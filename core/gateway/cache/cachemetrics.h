// CacheMetrics: the response cache's metric families (names in observe/metricnames.h, meaning in
// docs/metrics.md), registered by whoever builds the cache.
//   lmfront_cache_hits_total{tier}, lmfront_cache_misses_total{tier}    tier = local | redis
//   lmfront_cache_evictions_total{tier}, lmfront_cache_bytes{tier}      tier = local
//   lmfront_cache_redis_errors_total{op}, lmfront_cache_redis_dropped_total{op}, lmfront_cache_redis_up
//   lmfront_cache_push_published_total, lmfront_cache_push_received_total,
//   lmfront_cache_push_dropped_total{reason}, lmfront_cache_push_up   reason = malformed | refused | too_large
// Registering twice on one registry returns the same families (metricsregistry.h); the pointers
// live as long as the registry.
#pragma once

#include "common/status.h"
#include "observe/metricsregistry.h"

namespace lmfront::gateway::cache {

struct CacheMetrics {
  observe::CounterFamily *hits = nullptr;           // {tier}
  observe::CounterFamily *misses = nullptr;         // {tier}
  observe::CounterFamily *evictions = nullptr;      // {tier}
  observe::GaugeFamily *bytes = nullptr;            // {tier}
  observe::CounterFamily *redisErrors = nullptr;    // {op}
  observe::CounterFamily *redisDropped = nullptr;   // {op}
  observe::GaugeFamily *redisUp = nullptr;          // no labels
  observe::CounterFamily *pushPublished = nullptr;  // no labels
  observe::CounterFamily *pushReceived = nullptr;   // no labels
  observe::CounterFamily *pushDropped = nullptr;    // {reason}
  observe::GaugeFamily *pushUp = nullptr;           // no labels
};

Result<CacheMetrics> registerCacheMetrics(observe::MetricsRegistry &registry);

}  // namespace lmfront::gateway::cache
