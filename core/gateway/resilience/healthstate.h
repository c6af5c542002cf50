// HealthState: the state machine behind active health checks of one backend (docs/gateway-policies.md).
// The prober (HTTP GET /healthz with a timeout) lives with the caller; this class decides when
// to probe and what the results mean.
//
// - healthy → unhealthy after unhealthyThreshold consecutive failed probes;
//   unhealthy → healthy after healthyThreshold consecutive good ones (hysteresis: one lucky or
//   unlucky probe does not flap the backend in and out of the pool).
// - Probes are due every `interval` while healthy and every `unhealthyInterval` while unhealthy
//   (a dead backend is probed less often, or more, as configured); the first one at once.
// - A probe in flight is not started twice: beginProbe() claims it, record() completes it.
//
// Thread-safe (a small mutex): the prober's thread records, workers may read healthy().
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <mutex>

namespace lmfront::gateway::resilience {

struct HealthCheckConfig {
  Clock::Duration interval = std::chrono::seconds(5);
  Clock::Duration unhealthyInterval = std::chrono::seconds(5);
  Clock::Duration timeout = std::chrono::seconds(2);  // for the prober; a timeout is record(false)
  uint32_t unhealthyThreshold = 3;
  uint32_t healthyThreshold = 2;
  // A new backend is in the pool until proven bad (the local engine answers at once); set false
  // to keep it out until healthyThreshold probes passed.
  bool initiallyHealthy = true;

  Status validate() const;
};

class HealthState {
public:
  // config must be valid.
  HealthState(const HealthCheckConfig &config, const Clock &clock);

  // True when a probe should start now (due and none in flight).
  bool due();
  // Claims the probe: due() is false until record().
  void beginProbe();
  // The probe's result. Returns true when healthy() changed.
  bool record(bool ok);

  bool healthy() const;
  Clock::TimePoint nextProbeAt() const;
  uint32_t consecutiveFailures() const;

private:
  const HealthCheckConfig m_config;
  const Clock &m_clock;
  mutable std::mutex m_mutex;
  bool m_healthy;  // all guarded by m_mutex
  bool m_probing = false;
  uint32_t m_successes = 0;
  uint32_t m_failures = 0;
  Clock::TimePoint m_next;
};

}  // namespace lmfront::gateway::resilience
