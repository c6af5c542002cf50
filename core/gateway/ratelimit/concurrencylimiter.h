// ConcurrencyLimiter: how many requests one backend (or model) may have in flight, with a limit
// that adapts to latency (Netflix concurrency-limits: AIMD and Gradient2). See docs/gateway-policies.md.
//
// - Fixed: the limit is initialLimit, forever.
// - Aimd: +1 after a good sample while the limit is being used (in flight ≥ limit/2); ×backoffRatio
//   after a drop or a sample slower than latencyThreshold. Simple; needs a threshold.
// - Gradient: compares the latest latency with a slow-moving long-term average: gradient =
//   clamp(tolerance × long / short, 0.5, 1); new = limit × gradient + queueSize, smoothed. The
//   limit shrinks while latency rises above its usual level and grows again (by queueSize per
//   sample, smoothed) once latency is back — no threshold to tune. A drop (timeout, overload
//   answer) multiplies by backoffRatio in both adaptive modes.
//
// Thread-safe: tryAcquire() is a lock-free CAS on the in-flight count against the published
// limit; release() updates the estimate under a mutex private to this limiter.
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace lmfront::gateway::ratelimit {

enum class LimitAlgorithm { Fixed, Aimd, Gradient };

struct ConcurrencyLimitConfig {
  LimitAlgorithm algorithm = LimitAlgorithm::Gradient;
  uint32_t initialLimit = 20;
  uint32_t minLimit = 1;
  uint32_t maxLimit = 1000;
  double backoffRatio = 0.9;  // on a drop (and AIMD's slow sample); in [0.5, 1)
  // Aimd: a sample slower than this counts as a drop.
  Clock::Duration latencyThreshold = std::chrono::seconds(5);
  // Gradient: how much above the long-term latency the latest may be before the limit shrinks.
  double tolerance = 1.5;
  // Gradient: samples in the long-term average (an EWMA). Larger = steadier baseline.
  uint32_t longWindow = 600;
  // Gradient: head room added per sample while latency is fine; also how fast it grows back.
  uint32_t queueSize = 4;
  double smoothing = 0.2;  // Gradient: weight of the new estimate, in (0, 1]

  Status validate() const;
};

enum class Outcome {
  Success,  // the backend answered (any answer that says nothing about overload)
  Dropped,  // timeout, connection refused, 429/503 from the backend: overload signals
  Ignored,  // the client went away: no information about the backend
};

class ConcurrencyLimiter {
public:
  // config must be valid (see create()).
  explicit ConcurrencyLimiter(const ConcurrencyLimitConfig &config);
  static Result<std::unique_ptr<ConcurrencyLimiter>> create(const ConcurrencyLimitConfig &config);

  // Takes a slot if fewer than limit() are in flight.
  bool tryAcquire();
  // Returns a slot taken by tryAcquire() and feeds the sample to the algorithm.
  void release(Clock::Duration latency, Outcome outcome);

  uint32_t limit() const { return m_limit.load(std::memory_order_acquire); }
  uint32_t inflight() const { return m_inflight.load(std::memory_order_acquire); }
  const ConcurrencyLimitConfig &config() const { return m_config; }

private:
  void update(double latencyNs, uint32_t inflightBefore, Outcome outcome);

  const ConcurrencyLimitConfig m_config;
  std::atomic<uint32_t> m_limit;
  std::atomic<uint32_t> m_inflight{0};
  std::mutex m_mutex;
  double m_estimate;       // guarded by m_mutex: the limit before rounding
  double m_longRttNs = 0;  // guarded by m_mutex
  uint64_t m_samples = 0;  // guarded by m_mutex
};

}  // namespace lmfront::gateway::ratelimit
