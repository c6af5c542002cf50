// PoolMetrics: the metric families of the pools' flow control and resilience (names in
// observe/metricnames.h, meaning in docs/metrics.md), registered by whoever builds the pools and
// handed to each pool's PoolFlow and PoolResilience.
//   flow:       lmfront_queue_depth{model}, lmfront_backend_concurrency_limit{backend},
//               lmfront_backend_inflight{backend}
//   resilience: lmfront_backend_up{backend}, lmfront_backend_breaker_state{backend}
// Registering twice on one registry returns the same families (metricsregistry.h); the pointers
// live as long as the registry.
#pragma once

#include "common/status.h"
#include "observe/metricsregistry.h"

namespace lmfront::gateway::pool {

struct FlowMetrics {
  observe::GaugeFamily *queueDepth = nullptr;        // {model}
  observe::GaugeFamily *concurrencyLimit = nullptr;  // {backend}
  observe::GaugeFamily *inflight = nullptr;          // {backend}
};

struct ResilienceMetrics {
  observe::GaugeFamily *backendUp = nullptr;     // {backend}
  observe::GaugeFamily *breakerState = nullptr;  // {backend}
};

struct PoolMetrics {
  FlowMetrics flow;
  ResilienceMetrics resilience;
};

Result<PoolMetrics> registerPoolMetrics(observe::MetricsRegistry &registry);

}  // namespace lmfront::gateway::pool
