#include "gateway/resilience/circuitbreaker.h"

namespace lmfront::gateway::resilience {

namespace {
constexpr size_t kBuckets = 10;
}

std::string_view breakerStateName(BreakerState state) {
  switch (state) {
  case BreakerState::Closed: return "closed";
  case BreakerState::Open: return "open";
  case BreakerState::HalfOpen: return "half_open";
  }
  return "unknown";
}

Status CircuitBreakerConfig::validate() const {
  if (consecutiveFailures == 0 && failureRatio == 0.0)
    return Status::invalidArgument("a circuit breaker needs consecutive_failures or failure_ratio");
  if (!(failureRatio >= 0.0 && failureRatio <= 1.0)) return Status::invalidArgument("failure_ratio must be in [0, 1]");
  if (window < std::chrono::milliseconds(10)) return Status::invalidArgument("window must be at least 10 ms");
  if (coolDown <= Clock::Duration::zero()) return Status::invalidArgument("cool_down must be positive");
  if (halfOpenProbes < 1 || halfOpenProbes > 1000)
    return Status::invalidArgument("half_open_probes must be in 1..1000");
  return Status::ok();
}

CircuitBreaker::CircuitBreaker(const CircuitBreakerConfig &config, const Clock &clock, StateChanged onChange)
    : m_config(config), m_clock(clock), m_onChange(std::move(onChange)), m_buckets(kBuckets) {
  for (Bucket &b : m_buckets) b.start = -1;
}

Result<std::unique_ptr<CircuitBreaker>> CircuitBreaker::create(const CircuitBreakerConfig &config, const Clock &clock,
                                                               StateChanged onChange) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  return std::make_unique<CircuitBreaker>(config, clock, std::move(onChange));
}

void CircuitBreaker::report(std::pair<BreakerState, BreakerState> change) const {
  if (change.first != change.second && m_onChange) m_onChange(change.first, change.second);
}

std::pair<BreakerState, BreakerState> CircuitBreaker::transitionLocked(BreakerState to, Clock::TimePoint now) {
  const BreakerState from = m_state;
  m_state = to;
  m_published.store(to, std::memory_order_release);
  m_consecutive = 0;
  m_probesInFlight = 0;
  m_probeSuccesses = 0;
  if (to == BreakerState::Open) m_openedAt = now;
  if (to == BreakerState::Closed)
    for (Bucket &b : m_buckets) b = Bucket{-1, 0, 0};  // a fresh start: old failures are forgiven
  return {from, to};
}

std::pair<BreakerState, BreakerState> CircuitBreaker::advanceLocked(Clock::TimePoint now) {
  if (m_state == BreakerState::Open && now - m_openedAt >= m_config.coolDown)
    return transitionLocked(BreakerState::HalfOpen, now);
  return {m_state, m_state};
}

void CircuitBreaker::recordLocked(Clock::TimePoint now, bool failure) {
  const auto width = m_config.window / kBuckets;
  const int64_t index = now.time_since_epoch() / width;
  Bucket &b = m_buckets[size_t(index % int64_t(kBuckets))];
  if (b.start != index) b = Bucket{index, 0, 0};
  ++b.requests;
  if (failure) ++b.failures;
}

bool CircuitBreaker::ratioTrippedLocked(Clock::TimePoint now) const {
  if (m_config.failureRatio <= 0.0) return false;
  const int64_t index = now.time_since_epoch() / (m_config.window / kBuckets);
  uint64_t requests = 0, failures = 0;
  for (const Bucket &b : m_buckets) {
    if (b.start < 0 || index - b.start >= int64_t(kBuckets)) continue;  // outside the window
    requests += b.requests;
    failures += b.failures;
  }
  return requests >= m_config.minRequests && requests > 0 &&
         double(failures) >= m_config.failureRatio * double(requests);
}

bool CircuitBreaker::allow() {
  // Closed is the common case: no lock, no clock read. Open → half-open needs both.
  if (m_published.load(std::memory_order_acquire) == BreakerState::Closed) return true;
  std::pair<BreakerState, BreakerState> change;
  bool allowed = false;
  {
    std::lock_guard lock(m_mutex);
    change = advanceLocked(m_clock.now());
    switch (m_state) {
    case BreakerState::Closed: allowed = true; break;
    case BreakerState::Open: allowed = false; break;
    case BreakerState::HalfOpen:
      allowed = m_probesInFlight + m_probeSuccesses < m_config.halfOpenProbes;
      if (allowed) ++m_probesInFlight;
      break;
    }
  }
  report(change);
  return allowed;
}

void CircuitBreaker::onSuccess() {
  std::pair<BreakerState, BreakerState> change{BreakerState::Closed, BreakerState::Closed};
  {
    std::lock_guard lock(m_mutex);
    const auto now = m_clock.now();
    if (m_state == BreakerState::Closed) {
      m_consecutive = 0;
      recordLocked(now, false);
    } else if (m_state == BreakerState::HalfOpen && m_probesInFlight > 0) {
      --m_probesInFlight;
      if (++m_probeSuccesses >= m_config.halfOpenProbes) change = transitionLocked(BreakerState::Closed, now);
    }
    // Open: a late answer to a request sent before the breaker opened proves little; ignore it.
  }
  report(change);
}

void CircuitBreaker::onFailure() {
  std::pair<BreakerState, BreakerState> change{BreakerState::Closed, BreakerState::Closed};
  {
    std::lock_guard lock(m_mutex);
    const auto now = m_clock.now();
    if (m_state == BreakerState::Closed) {
      ++m_consecutive;
      recordLocked(now, true);
      if ((m_config.consecutiveFailures > 0 && m_consecutive >= m_config.consecutiveFailures) ||
          ratioTrippedLocked(now))
        change = transitionLocked(BreakerState::Open, now);
    } else if (m_state == BreakerState::HalfOpen) {
      change = transitionLocked(BreakerState::Open, now);
    }
  }
  report(change);
}

void CircuitBreaker::onIgnored() {
  std::lock_guard lock(m_mutex);
  if (m_state == BreakerState::HalfOpen && m_probesInFlight > 0) --m_probesInFlight;
}

BreakerState CircuitBreaker::state() {
  std::pair<BreakerState, BreakerState> change;
  BreakerState s;
  {
    std::lock_guard lock(m_mutex);
    change = advanceLocked(m_clock.now());
    s = m_state;
  }
  report(change);
  return s;
}

Clock::TimePoint CircuitBreaker::retryAt() {
  std::lock_guard lock(m_mutex);
  const auto now = m_clock.now();
  if (m_state != BreakerState::Open) return now;
  return std::max(now, m_openedAt + m_config.coolDown);
}

}  // namespace lmfront::gateway::resilience
