// StandardMetrics: registers every metric named in metricnames.h with its help text, label names
// and buckets, and hands back the families so the request path can look series up once.
//
// Contract: registerStandardMetrics() is idempotent on one registry (a second call returns the
// same families). It fails only if a name was already registered with another shape, which is a
// programming error reported as a Status. The pointers live as long as the registry.
#pragma once

#include "common/status.h"
#include "observe/metricsregistry.h"

namespace lmfront::observe {

struct StandardMetrics {
  CounterFamily *requests = nullptr;               // {model, backend, code}
  HistogramFamily *requestDuration = nullptr;      // {model}
  HistogramFamily *timeToFirstToken = nullptr;     // {model}
  HistogramFamily *gatewayOverhead = nullptr;      // {model}
  CounterFamily *tokensIn = nullptr;               // {model}
  CounterFamily *tokensOut = nullptr;              // {model}
  CounterFamily *cacheHits = nullptr;              // {tier}
  CounterFamily *cacheMisses = nullptr;            // {tier}
  CounterFamily *cacheEvictions = nullptr;         // {tier}
  GaugeFamily *cacheBytes = nullptr;               // {tier}
  CounterFamily *cacheCoalesced = nullptr;         // {model}
  CounterFamily *cacheRedisErrors = nullptr;       // {op}
  CounterFamily *cacheRedisDropped = nullptr;      // {op}
  GaugeFamily *cacheRedisUp = nullptr;             // no labels
  GaugeFamily *backendUp = nullptr;                // {backend}
  GaugeFamily *backendBreakerState = nullptr;      // {backend}
  GaugeFamily *queueDepth = nullptr;               // {model}
  CounterFamily *rateLimited = nullptr;            // {scope}
  GaugeFamily *backendConcurrencyLimit = nullptr;  // {backend}
  GaugeFamily *backendInflight = nullptr;          // {backend}
};

Result<StandardMetrics> registerStandardMetrics(MetricsRegistry &registry);

}  // namespace lmfront::observe
