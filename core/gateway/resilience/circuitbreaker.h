// CircuitBreaker: stops sending to a backend that keeps failing, and probes it before trusting
// it again (docs/gateway-policies.md). One breaker per backend.
//
//   closed ──(N consecutive failures, or failure ratio ≥ r over the window with ≥ M requests)──▶ open
//   open ──(coolDown elapsed, seen by the next allow())──▶ half-open
//   half-open: at most K probes in flight; K successes ──▶ closed; any failure ──▶ open
//
// Usage per request: if (!breaker.allow()) fail fast (503, try another backend); then exactly one
// of onSuccess() / onFailure() / onIgnored() (the client left: says nothing about the backend).
// Thread-safe (one mutex per breaker). The state-change callback runs after the mutex is released,
// on the thread that caused the change; keep it short (update a metric, post an event).
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace lmfront::gateway::resilience {

enum class BreakerState { Closed, Open, HalfOpen };
std::string_view breakerStateName(BreakerState state);  // "closed", "open", "half_open"

struct CircuitBreakerConfig {
  uint32_t consecutiveFailures = 5;  // 0 = disabled (ratio only)
  // Ratio trigger: failures / requests ≥ failureRatio over the last `window`, once at least
  // minRequests were seen in it. failureRatio 0 = disabled.
  double failureRatio = 0.5;
  uint32_t minRequests = 20;
  Clock::Duration window = std::chrono::seconds(10);  // kept as 10 buckets
  Clock::Duration coolDown = std::chrono::seconds(30);
  uint32_t halfOpenProbes = 1;  // K: probes let through, and successes needed to close

  Status validate() const;
};

class CircuitBreaker {
public:
  using StateChanged = std::function<void(BreakerState from, BreakerState to)>;

  // config must be valid (see create()).
  CircuitBreaker(const CircuitBreakerConfig &config, const Clock &clock, StateChanged onChange = nullptr);
  static Result<std::unique_ptr<CircuitBreaker>> create(const CircuitBreakerConfig &config, const Clock &clock,
                                                        StateChanged onChange = nullptr);

  // May this request go to the backend? In half-open, a true answer takes a probe slot.
  bool allow();
  void onSuccess();
  void onFailure();
  void onIgnored();  // releases a half-open probe slot without a verdict

  BreakerState state();  // moves open → half-open when the cool-down has passed
  // When an open breaker will let a probe through (for Retry-After); now when not open.
  Clock::TimePoint retryAt();

private:
  struct Bucket {
    int64_t start = 0;  // bucket index in window/10 units since the clock's epoch
    uint32_t requests = 0;
    uint32_t failures = 0;
  };
  // Each returns the transition to report (from == to: none). Callers hold m_mutex.
  std::pair<BreakerState, BreakerState> advanceLocked(Clock::TimePoint now);
  std::pair<BreakerState, BreakerState> transitionLocked(BreakerState to, Clock::TimePoint now);
  void recordLocked(Clock::TimePoint now, bool failure);
  bool ratioTrippedLocked(Clock::TimePoint now) const;
  void report(std::pair<BreakerState, BreakerState> change) const;

  const CircuitBreakerConfig m_config;
  const Clock &m_clock;
  const StateChanged m_onChange;
  std::mutex m_mutex;
  // Mirror of m_state for allow()'s lock-free fast path while closed.
  std::atomic<BreakerState> m_published{BreakerState::Closed};
  BreakerState m_state = BreakerState::Closed;  // all below guarded by m_mutex
  Clock::TimePoint m_openedAt;
  uint32_t m_consecutive = 0;
  uint32_t m_probesInFlight = 0;
  uint32_t m_probeSuccesses = 0;
  std::vector<Bucket> m_buckets;
};

}  // namespace lmfront::gateway::resilience
