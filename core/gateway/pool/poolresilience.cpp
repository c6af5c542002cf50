#include "gateway/pool/poolresilience.h"

namespace lmfront::gateway::pool {

using resilience::BreakerState;

double breakerGaugeValue(BreakerState state) {
  switch (state) {
  case BreakerState::Closed: return 0;
  case BreakerState::HalfOpen: return 1;
  case BreakerState::Open: return 2;
  }
  return 0;
}

resilience::AttemptOutcome attemptOutcome(const Status &status) {
  using resilience::AttemptOutcome;
  switch (status.code()) {
  case StatusCode::Ok: return AttemptOutcome::Success;
  case StatusCode::Unavailable: return AttemptOutcome::Http5xx;
  case StatusCode::DeadlineExceeded: return AttemptOutcome::Timeout;
  case StatusCode::ResourceExhausted: return AttemptOutcome::Http429;
  case StatusCode::Internal:
  case StatusCode::DataLoss:
  case StatusCode::IoError: return AttemptOutcome::Http5xxOther;
  default: return AttemptOutcome::Http4xx;
  }
}

Result<std::shared_ptr<PoolResilience>> PoolResilience::create(const ResilienceConfig &config,
                                                               std::vector<std::string> ids, std::vector<bool> probed,
                                                               std::shared_ptr<routing::Balancer> balancer,
                                                               const ResilienceMetrics *metrics, const Clock &clock) {
  LMFRONT_RETURN_IF_ERROR(config.breaker.validate());
  LMFRONT_RETURN_IF_ERROR(config.outlier.validate());
  LMFRONT_RETURN_IF_ERROR(config.retryBudget.validate());
  if (config.healthChecks) LMFRONT_RETURN_IF_ERROR(config.health.validate());
  LMFRONT_RETURN_IF_ERROR(config.retry.validate());
  if (!balancer || balancer->size() != ids.size()) return Status::invalidArgument("pool: balancer does not match");
  std::shared_ptr<PoolResilience> r(new PoolResilience);
  r->m_config = config;
  r->m_balancer = std::move(balancer);
  r->m_metrics = metrics;
  PoolResilience *self = r.get();  // callbacks never outlive *r: r owns them
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto g = std::make_unique<Guard>();
    g->id = ids[i];
    g->breaker =
        std::make_unique<resilience::CircuitBreaker>(config.breaker, clock, [self, i](BreakerState, BreakerState to) {
          if (self->m_metrics && self->m_metrics->breakerState)
            self->m_metrics->breakerState->withLabels({self->m_backends[i]->id}).set(breakerGaugeValue(to));
        });
    if (config.healthChecks && i < probed.size() && probed[i])
      g->health = std::make_unique<resilience::HealthState>(config.health, clock);
    r->m_backends.push_back(std::move(g));
  }
  r->m_outlier = std::make_unique<resilience::OutlierDetector>(ids.size(), config.outlier, clock,
                                                               [self](std::size_t i, bool) { self->refresh(i); });
  r->m_budget = std::make_unique<resilience::RetryBudget>(config.retryBudget, clock);
  r->m_retry = std::make_unique<resilience::RetryPolicy>(config.retry);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (metrics && metrics->breakerState) metrics->breakerState->withLabels({ids[i]}).set(0);
    r->refresh(i);
  }
  return r;
}

void PoolResilience::refresh(std::size_t i) {
  if (i >= m_backends.size()) return;
  const auto &g = *m_backends[i];
  const bool up = (!g.health || g.health->healthy()) && !m_outlier->isEjected(i);
  m_balancer->setHealthy(i, up);
  if (m_metrics && m_metrics->backendUp) m_metrics->backendUp->withLabels({g.id}).set(up ? 1 : 0);
}

void PoolResilience::tick() {
  m_outlier->tick();
  // Keep the breaker gauge current across open → half-open, which only a read observes.
  for (auto &g : m_backends) g->breaker->state();
}

void PoolResilience::report(std::size_t i, const Status &status) {
  if (i >= m_backends.size()) return;
  auto &breaker = *m_backends[i]->breaker;
  switch (status.code()) {
  case StatusCode::Ok:
    breaker.onSuccess();
    m_outlier->record(i, resilience::Observation::Success);
    break;
  case StatusCode::Unavailable:
  case StatusCode::DeadlineExceeded:
    breaker.onFailure();
    m_outlier->record(i, resilience::Observation::GatewayFailure);
    break;
  case StatusCode::Internal:
  case StatusCode::DataLoss:
  case StatusCode::IoError:
    breaker.onFailure();
    m_outlier->record(i, resilience::Observation::Http5xx);
    break;
  case StatusCode::Cancelled: breaker.onIgnored(); break;
  default:  // the request's own fault (400, 404, 429…): says nothing bad about the backend
    breaker.onSuccess();
    m_outlier->record(i, resilience::Observation::Success);
    break;
  }
}

}  // namespace lmfront::gateway::pool
