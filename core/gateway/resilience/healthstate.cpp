#include "gateway/resilience/healthstate.h"

namespace lmfront::gateway::resilience {

Status HealthCheckConfig::validate() const {
  if (interval <= Clock::Duration::zero() || unhealthyInterval <= Clock::Duration::zero())
    return Status::invalidArgument("health check intervals must be positive");
  if (timeout <= Clock::Duration::zero()) return Status::invalidArgument("health check timeout must be positive");
  if (timeout > interval) return Status::invalidArgument("health check timeout must not exceed the interval");
  if (unhealthyThreshold < 1 || healthyThreshold < 1)
    return Status::invalidArgument("health check thresholds must be at least 1");
  return Status::ok();
}

HealthState::HealthState(const HealthCheckConfig &config, const Clock &clock)
    : m_config(config), m_clock(clock), m_healthy(config.initiallyHealthy), m_next(clock.now()) {}

bool HealthState::due() {
  std::lock_guard lock(m_mutex);
  return !m_probing && m_clock.now() >= m_next;
}

void HealthState::beginProbe() {
  std::lock_guard lock(m_mutex);
  m_probing = true;
}

bool HealthState::record(bool ok) {
  std::lock_guard lock(m_mutex);
  m_probing = false;
  const bool before = m_healthy;
  if (ok) {
    m_failures = 0;
    ++m_successes;
    if (!m_healthy && m_successes >= m_config.healthyThreshold) m_healthy = true;
  } else {
    m_successes = 0;
    ++m_failures;
    if (m_healthy && m_failures >= m_config.unhealthyThreshold) m_healthy = false;
  }
  m_next = m_clock.now() + (m_healthy ? m_config.interval : m_config.unhealthyInterval);
  return before != m_healthy;
}

bool HealthState::healthy() const {
  std::lock_guard lock(m_mutex);
  return m_healthy;
}

Clock::TimePoint HealthState::nextProbeAt() const {
  std::lock_guard lock(m_mutex);
  return m_next;
}

uint32_t HealthState::consecutiveFailures() const {
  std::lock_guard lock(m_mutex);
  return m_failures;
}

}  // namespace lmfront::gateway::resilience
