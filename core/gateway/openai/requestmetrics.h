// RequestMetrics: the OpenAI service's per-request metric families (names in
// observe/metricnames.h, meaning in docs/metrics.md), registered by the service.
//   lmfront_requests_total{model,backend,code}, lmfront_request_duration_seconds{model},
//   lmfront_backend_request_duration_seconds{backend} (requests a backend or the cache answered),
//   lmfront_time_to_first_token_seconds{model}, lmfront_gateway_overhead_seconds{model},
//   lmfront_tokens_in_total{model}, lmfront_tokens_out_total{model},
//   lmfront_cache_coalesced_total{model} (requests that joined an identical one in flight)
// Registering twice on one registry returns the same families (metricsregistry.h); the pointers
// live as long as the registry.
#pragma once

#include "common/status.h"
#include "observe/metricsregistry.h"

namespace lmfront::gateway::openai {

struct RequestMetrics {
  observe::CounterFamily *requests = nullptr;            // {model, backend, code}
  observe::HistogramFamily *requestDuration = nullptr;   // {model}
  observe::HistogramFamily *backendDuration = nullptr;   // {backend}
  observe::HistogramFamily *timeToFirstToken = nullptr;  // {model}
  observe::HistogramFamily *gatewayOverhead = nullptr;   // {model}
  observe::CounterFamily *tokensIn = nullptr;            // {model}
  observe::CounterFamily *tokensOut = nullptr;           // {model}
  observe::CounterFamily *coalesced = nullptr;           // {model}
};

Result<RequestMetrics> registerRequestMetrics(observe::MetricsRegistry &registry);

}  // namespace lmfront::gateway::openai
