#include "gateway/pool/poolmetrics.h"

#include "observe/metricnames.h"

namespace lmfront::gateway::pool {

Result<PoolMetrics> registerPoolMetrics(observe::MetricsRegistry &reg) {
  using namespace observe::names;
  using observe::take;
  PoolMetrics m;
  const std::vector<std::string> model{std::string(kLabelModel)};
  const std::vector<std::string> backend{std::string(kLabelBackend)};
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kQueueDepth, "Requests waiting in the model's admission queue.", model), m.flow.queueDepth));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kBackendConcurrencyLimit,
                     "Requests the backend may have in flight now (its adaptive concurrency limit).", backend),
           m.flow.concurrencyLimit));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.gauge(kBackendInflight, "Requests in flight on the backend (holding a concurrency slot).", backend),
           m.flow.inflight));
  LMFRONT_RETURN_IF_ERROR(take(reg.gauge(kBackendUp, "1 when the backend passes health checks, 0 otherwise.", backend),
                               m.resilience.backendUp));
  LMFRONT_RETURN_IF_ERROR(take(
      reg.gauge(kBackendBreakerState, "Circuit breaker state of the backend: 0 closed, 1 half-open, 2 open.", backend),
      m.resilience.breakerState));
  return m;
}

}  // namespace lmfront::gateway::pool
