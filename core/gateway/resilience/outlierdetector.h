// OutlierDetector: passive ejection of backends that keep failing real traffic (Envoy's outlier
// detection, consecutive-failure flavour). See docs/gateway-policies.md.
//
// Each backend counts consecutive 5xx answers and, separately, consecutive gateway failures
// (connect refused/reset, timeout, 502/503/504). Reaching a threshold ejects the backend for
// baseEjectionTime × (times it was ejected), capped at maxEjectionTime — a flapping backend stays
// out longer each time; the multiplier falls by one for each baseEjectionTime it then stays in.
// At most maxEjectionPercent of the pool (but always at least one backend) is ejected at once,
// so a pool-wide problem (e.g. the client's own bad requests) cannot empty it.
//
// Wiring: the callback (index, ejected) is where the caller flips Balancer::setHealthy(). Call
// tick() from a timer (e.g. every second, or at nextUnejectAt()) to bring backends back.
// Thread-safe: record(Success) is lock-free; ejection and tick() take the detector's mutex.
// Callbacks run after the mutex is released.
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace lmfront::gateway::resilience {

struct OutlierDetectorConfig {
  uint32_t consecutive5xx = 5;              // 0 = off
  uint32_t consecutiveGatewayFailures = 3;  // connect failures, timeouts, 502/503/504; 0 = off
  Clock::Duration baseEjectionTime = std::chrono::seconds(30);
  Clock::Duration maxEjectionTime = std::chrono::seconds(300);
  uint32_t maxEjectionPercent = 10;  // of the pool; at least one backend may always be ejected

  Status validate() const;
};

enum class Observation {
  Success,         // any answer that is not a server failure (2xx, 4xx)
  Http5xx,         // 500, 501, 505…: the backend answered, badly
  GatewayFailure,  // connect refused/reset, timeout, 502/503/504: counts for both thresholds
};

class OutlierDetector {
public:
  using EjectionChanged = std::function<void(size_t index, bool ejected)>;

  OutlierDetector(size_t backends, const OutlierDetectorConfig &config, const Clock &clock,
                  EjectionChanged onChange = nullptr);
  static Result<std::unique_ptr<OutlierDetector>> create(size_t backends, const OutlierDetectorConfig &config,
                                                         const Clock &clock, EjectionChanged onChange = nullptr);

  // Returns true when this observation ejected the backend.
  bool record(size_t index, Observation observation);
  // Returns ejected backends whose time is up; returns how many came back.
  size_t tick();

  bool isEjected(size_t index) const;
  uint32_t timesEjected(size_t index) const;
  size_t ejectedCount() const;
  std::optional<Clock::TimePoint> nextUnejectAt() const;

private:
  struct alignas(64) Counters {
    std::atomic<uint32_t> consecutive5xx{0};
    std::atomic<uint32_t> consecutiveGateway{0};
    std::atomic<bool> ejected{false};
  };
  struct Ejection {  // guarded by m_mutex
    uint32_t times = 0;
    Clock::TimePoint until;
    Clock::TimePoint lastChange;
  };
  size_t maxEjected() const;

  const OutlierDetectorConfig m_config;
  const Clock &m_clock;
  const EjectionChanged m_onChange;
  const size_t m_size;
  std::unique_ptr<Counters[]> m_counters;
  mutable std::mutex m_mutex;
  std::vector<Ejection> m_ejections;  // guarded by m_mutex
  size_t m_ejectedCount = 0;          // guarded by m_mutex
};

}  // namespace lmfront::gateway::resilience
