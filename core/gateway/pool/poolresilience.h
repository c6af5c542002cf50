// PoolResilience: the resilience state of one pool, consulted on the request path
// (docs/gateway-policies.md): a CircuitBreaker per backend (allow() before dispatch, a verdict after), passive
// outlier ejection, the result of active health checks (probed by the node's HealthProber), and a
// RetryBudget that lets a request that failed before any byte reached the client try another
// backend. A backend is in the balancer's healthy set when its health checks pass and it is not
// ejected; the breaker is checked separately at pick time (an open breaker fails fast without
// leaving the set, so half-open probes still reach it).
//
// Metrics kept current: lmfront_backend_up{backend} (1/0) and
// lmfront_backend_breaker_state{backend} (0 closed, 1 half-open, 2 open).
// Thread-safe: every member is itself thread-safe; refresh() may run on any thread.
#pragma once

#include "common/status.h"
#include "gateway/pool/poolmetrics.h"
#include "gateway/resilience/circuitbreaker.h"
#include "gateway/resilience/healthstate.h"
#include "gateway/resilience/outlierdetector.h"
#include "gateway/resilience/retrybudget.h"
#include "gateway/resilience/retrypolicy.h"
#include "gateway/routing/balancer.h"

#include <memory>
#include <string>
#include <vector>

namespace lmfront::gateway::pool {

struct ResilienceConfig {
  resilience::CircuitBreakerConfig breaker;
  resilience::OutlierDetectorConfig outlier;
  resilience::RetryBudgetConfig retryBudget;
  resilience::RetryPolicyConfig retry;  // "retry": max_attempts is maxRetries + 1
  bool healthChecks = false;
  resilience::HealthCheckConfig health;
  std::string healthPath = "/healthz";
};

double breakerGaugeValue(resilience::BreakerState state);
// What a failed attempt's status says to the retry policy: Unavailable (refused, reset, an
// upstream 502/503/504) → Http5xx, DeadlineExceeded → Timeout, ResourceExhausted → Http429,
// Internal/DataLoss/IoError → Http5xxOther, the request's own faults → Http4xx.
resilience::AttemptOutcome attemptOutcome(const Status &status);

class PoolResilience {
public:
  // ids: the backends' ids, in the balancer's order; probed[i]: backend i has active checks.
  static Result<std::shared_ptr<PoolResilience>> create(const ResilienceConfig &config, std::vector<std::string> ids,
                                                        std::vector<bool> probed,
                                                        std::shared_ptr<routing::Balancer> balancer,
                                                        const ResilienceMetrics *metrics, const Clock &clock);

  resilience::CircuitBreaker &breaker(std::size_t i) { return *m_backends[i]->breaker; }
  resilience::HealthState *health(std::size_t i) { return m_backends[i]->health.get(); }
  resilience::OutlierDetector &outlier() { return *m_outlier; }
  resilience::RetryBudget &retryBudget() { return *m_budget; }
  const resilience::RetryPolicy &retryPolicy() const { return *m_retry; }
  const ResilienceConfig &config() const { return m_config; }
  const std::string &id(std::size_t i) const { return m_backends[i]->id; }
  std::size_t size() const { return m_backends.size(); }

  // Recomputes backend i's place in the balancer (health ∧ ¬ejected) and its metrics.
  void refresh(std::size_t i);
  // Periodic work: brings ejected backends back when their time is up.
  void tick();
  // Reports the outcome of one attempt on backend i to its breaker and the outlier detector.
  void report(std::size_t i, const Status &status);

private:
  struct Guard {
    std::string id;
    std::unique_ptr<resilience::CircuitBreaker> breaker;
    std::unique_ptr<resilience::HealthState> health;  // null: no active checks
  };
  PoolResilience() = default;

  ResilienceConfig m_config;
  std::vector<std::unique_ptr<Guard>> m_backends;
  std::unique_ptr<resilience::OutlierDetector> m_outlier;
  std::unique_ptr<resilience::RetryBudget> m_budget;
  std::unique_ptr<resilience::RetryPolicy> m_retry;
  std::shared_ptr<routing::Balancer> m_balancer;
  const ResilienceMetrics *m_metrics = nullptr;
};

}  // namespace lmfront::gateway::pool
