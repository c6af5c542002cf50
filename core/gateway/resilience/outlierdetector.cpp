#include "gateway/resilience/outlierdetector.h"

#include <algorithm>

namespace lmfront::gateway::resilience {

Status OutlierDetectorConfig::validate() const {
  if (baseEjectionTime <= Clock::Duration::zero())
    return Status::invalidArgument("base_ejection_time must be positive");
  if (maxEjectionTime < baseEjectionTime)
    return Status::invalidArgument("max_ejection_time must be ≥ base_ejection_time");
  if (maxEjectionPercent > 100) return Status::invalidArgument("max_ejection_percent must be in 0..100");
  return Status::ok();
}

OutlierDetector::OutlierDetector(size_t backends, const OutlierDetectorConfig &config, const Clock &clock,
                                 EjectionChanged onChange)
    : m_config(config),
      m_clock(clock),
      m_onChange(std::move(onChange)),
      m_size(backends),
      m_counters(std::make_unique<Counters[]>(backends)),
      m_ejections(backends) {}

Result<std::unique_ptr<OutlierDetector>> OutlierDetector::create(size_t backends, const OutlierDetectorConfig &config,
                                                                 const Clock &clock, EjectionChanged onChange) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  if (backends == 0) return Status::invalidArgument("outlier detection needs at least one backend");
  return std::make_unique<OutlierDetector>(backends, config, clock, std::move(onChange));
}

size_t OutlierDetector::maxEjected() const {
  if (m_config.maxEjectionPercent == 0) return 0;
  return std::max<size_t>(1, m_size * m_config.maxEjectionPercent / 100);
}

bool OutlierDetector::record(size_t index, Observation observation) {
  if (index >= m_size) return false;
  Counters &c = m_counters[index];
  if (observation == Observation::Success) {
    // Hot path: plain stores, and only when there is something to reset.
    if (c.consecutive5xx.load(std::memory_order_relaxed) != 0) c.consecutive5xx.store(0, std::memory_order_relaxed);
    if (c.consecutiveGateway.load(std::memory_order_relaxed) != 0)
      c.consecutiveGateway.store(0, std::memory_order_relaxed);
    return false;
  }
  const uint32_t n5xx = c.consecutive5xx.fetch_add(1, std::memory_order_relaxed) + 1;
  const uint32_t nGateway = observation == Observation::GatewayFailure
                                ? c.consecutiveGateway.fetch_add(1, std::memory_order_relaxed) + 1
                                : (c.consecutiveGateway.store(0, std::memory_order_relaxed), 0u);
  const bool tripped = (m_config.consecutive5xx > 0 && n5xx >= m_config.consecutive5xx) ||
                       (m_config.consecutiveGatewayFailures > 0 && nGateway >= m_config.consecutiveGatewayFailures);
  if (!tripped || c.ejected.load(std::memory_order_acquire)) return false;
  {
    std::lock_guard lock(m_mutex);
    if (c.ejected.load(std::memory_order_relaxed) || m_ejectedCount >= maxEjected()) return false;
    const auto now = m_clock.now();
    Ejection &e = m_ejections[index];
    ++e.times;
    const auto duration = std::min<Clock::Duration>(m_config.baseEjectionTime * e.times, m_config.maxEjectionTime);
    e.until = now + duration;
    e.lastChange = now;
    c.ejected.store(true, std::memory_order_release);
    c.consecutive5xx.store(0, std::memory_order_relaxed);
    c.consecutiveGateway.store(0, std::memory_order_relaxed);
    ++m_ejectedCount;
  }
  if (m_onChange) m_onChange(index, true);
  return true;
}

size_t OutlierDetector::tick() {
  std::vector<size_t> returned;
  {
    std::lock_guard lock(m_mutex);
    const auto now = m_clock.now();
    for (size_t i = 0; i < m_size; ++i) {
      Ejection &e = m_ejections[i];
      if (m_counters[i].ejected.load(std::memory_order_relaxed)) {
        if (now < e.until) continue;
        // Failures of requests that were in flight during the ejection must not eject it again
        // on the first new failure.
        m_counters[i].consecutive5xx.store(0, std::memory_order_relaxed);
        m_counters[i].consecutiveGateway.store(0, std::memory_order_relaxed);
        m_counters[i].ejected.store(false, std::memory_order_release);
        e.lastChange = now;
        --m_ejectedCount;
        returned.push_back(i);
      } else {
        // Good behaviour earns the multiplier back, one step per base ejection time.
        while (e.times > 0 && now - e.lastChange >= m_config.baseEjectionTime) {
          --e.times;
          e.lastChange += m_config.baseEjectionTime;
        }
      }
    }
  }
  if (m_onChange)
    for (size_t i : returned) m_onChange(i, false);
  return returned.size();
}

bool OutlierDetector::isEjected(size_t index) const {
  return index < m_size && m_counters[index].ejected.load(std::memory_order_acquire);
}

uint32_t OutlierDetector::timesEjected(size_t index) const {
  std::lock_guard lock(m_mutex);
  return index < m_size ? m_ejections[index].times : 0;
}

size_t OutlierDetector::ejectedCount() const {
  std::lock_guard lock(m_mutex);
  return m_ejectedCount;
}

std::optional<Clock::TimePoint> OutlierDetector::nextUnejectAt() const {
  std::lock_guard lock(m_mutex);
  std::optional<Clock::TimePoint> next;
  for (size_t i = 0; i < m_size; ++i)
    if (m_counters[i].ejected.load(std::memory_order_relaxed) && (!next || m_ejections[i].until < *next))
      next = m_ejections[i].until;
  return next;
}

}  // namespace lmfront::gateway::resilience
