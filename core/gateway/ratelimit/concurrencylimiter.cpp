#include "gateway/ratelimit/concurrencylimiter.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace lmfront::gateway::ratelimit {

Status ConcurrencyLimitConfig::validate() const {
  if (minLimit < 1) return Status::invalidArgument("min_limit must be at least 1");
  if (maxLimit < minLimit) return Status::invalidArgument("max_limit must be ≥ min_limit");
  if (initialLimit < minLimit || initialLimit > maxLimit)
    return Status::invalidArgument("initial_limit must be within [min_limit, max_limit]");
  if (!(backoffRatio >= 0.5 && backoffRatio < 1.0)) return Status::invalidArgument("backoff_ratio must be in [0.5, 1)");
  if (latencyThreshold <= Clock::Duration::zero()) return Status::invalidArgument("latency_threshold must be positive");
  if (!(tolerance >= 1.0 && tolerance <= 10.0)) return Status::invalidArgument("tolerance must be in [1, 10]");
  if (longWindow < 1) return Status::invalidArgument("long_window must be at least 1");
  if (!(smoothing > 0.0 && smoothing <= 1.0)) return Status::invalidArgument("smoothing must be in (0, 1]");
  return Status::ok();
}

ConcurrencyLimiter::ConcurrencyLimiter(const ConcurrencyLimitConfig &config)
    : m_config(config), m_limit(config.initialLimit), m_estimate(config.initialLimit) {}

Result<std::unique_ptr<ConcurrencyLimiter>> ConcurrencyLimiter::create(const ConcurrencyLimitConfig &config) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  return std::make_unique<ConcurrencyLimiter>(config);
}

bool ConcurrencyLimiter::tryAcquire() {
  uint32_t current = m_inflight.load(std::memory_order_relaxed);
  while (current < m_limit.load(std::memory_order_acquire)) {
    if (m_inflight.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) return true;
  }
  return false;
}

void ConcurrencyLimiter::release(Clock::Duration latency, Outcome outcome) {
  const uint32_t before = m_inflight.fetch_sub(1, std::memory_order_acq_rel);
  if (outcome == Outcome::Ignored || m_config.algorithm == LimitAlgorithm::Fixed) return;
  update(double(std::max<Clock::Duration::rep>(1, latency.count())), before, outcome);
}

void ConcurrencyLimiter::update(double rttNs, uint32_t inflightBefore, Outcome outcome) {
  std::lock_guard lock(m_mutex);
  double next = m_estimate;
  // Growing while the limit is not even half used would let it run away (app-limited).
  const bool used = double(inflightBefore) * 2.0 >= m_estimate;
  if (m_config.algorithm == LimitAlgorithm::Aimd) {
    if (outcome == Outcome::Dropped || rttNs > double(m_config.latencyThreshold.count()))
      next = m_estimate * m_config.backoffRatio;
    else if (used)
      next = m_estimate + 1.0;
  } else {
    ++m_samples;
    // Long-term average: plain mean while warming up, then an EWMA over longWindow samples.
    const double alpha = 1.0 / double(std::min<uint64_t>(m_samples, m_config.longWindow));
    m_longRttNs = m_longRttNs * (1.0 - alpha) + rttNs * alpha;
    // After a latency drop the slow average lags far above; let it catch up quickly so the
    // limit does not grow on stale evidence (Gradient2 does the same).
    if (m_longRttNs / rttNs > 2.0) m_longRttNs *= 0.95;
    if (outcome == Outcome::Dropped) {
      next = m_estimate * m_config.backoffRatio;
    } else if (used || rttNs > m_longRttNs * m_config.tolerance) {
      const double gradient = std::clamp(m_config.tolerance * m_longRttNs / rttNs, 0.5, 1.0);
      const double target = m_estimate * gradient + double(m_config.queueSize);
      next = m_estimate * (1.0 - m_config.smoothing) + target * m_config.smoothing;
    }
  }
  m_estimate = std::clamp(next, double(m_config.minLimit), double(m_config.maxLimit));
  m_limit.store(uint32_t(std::lround(m_estimate)), std::memory_order_release);
}

}  // namespace lmfront::gateway::ratelimit
