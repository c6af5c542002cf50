// CanaryGuard: watches one canary against its limits (docs/models.md, "Deployments").
//
// It reads the canary's and the stable version's series (pool/deployment.h: requests, errors
// with a status >= 500, latency histogram) once a second, keeps one sample per evaluation, and
// measures over the last `window` (or since the canary started, when that is shorter): the
// canary's error rate, its p99 latency and the stable version's p99 over the same window. A
// limit is judged only once the canary has answered `minRequests` in the window. p99 is read
// from the histogram's buckets (interpolated inside the bucket that holds it), so it is as fine
// as the latency buckets of docs/metrics.md.
//
// Not thread-safe: the node thread evaluates (the series themselves are atomics written by the
// data plane). Time comes from the caller, so tests step a ManualClock.
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "gateway/pool/deployment.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace lmfront::node {

struct CanaryLimits {
  std::optional<double> maxErrorRate;  // 0..1: share of the canary's answers with status >= 500
  std::optional<double> maxP99Ms;      // the canary's p99 latency, milliseconds
  std::optional<double> maxP99Ratio;   // the canary's p99 over the stable version's, same window
  std::uint64_t minRequests = 100;     // no verdict before the canary answered this many
  std::chrono::seconds window{60};

  bool any() const { return maxErrorRate || maxP99Ms || maxP99Ratio; }
  Status validate() const;  // InvalidArgument naming the limit
};

// What the guard measured over its window.
struct CanaryMeasures {
  std::uint64_t requests = 0;  // the canary's
  std::uint64_t errors = 0;
  double errorRate = 0;
  double p99Ms = 0;
  std::uint64_t stableRequests = 0;
  double stableP99Ms = 0;  // 0 when the stable version answered nothing in the window
};

// A limit the canary breached, for the audit and the alert.
struct CanaryBreach {
  std::string model;
  std::string version;  // the canary's version label
  std::string limit;    // "max_error_rate" | "max_p99_ms" | "max_p99_ratio"
  double measured = 0;  // in the limit's unit
  double limitValue = 0;
  CanaryMeasures measures;
};

class CanaryGuard {
public:
  CanaryGuard(std::string model, std::string version, CanaryLimits limits, gateway::pool::VariantSeries stable,
              gateway::pool::VariantSeries canary, Clock::TimePoint now);

  // Samples the series at `now` and judges the window; the first limit breached, if any.
  std::optional<CanaryBreach> evaluate(Clock::TimePoint now);
  const CanaryMeasures &measures() const { return m_measures; }
  const CanaryLimits &limits() const { return m_limits; }

private:
  struct Sample {
    Clock::TimePoint at;
    std::uint64_t requests = 0, errors = 0;
    std::vector<std::uint64_t> canaryBuckets, stableBuckets;
  };
  Sample sample(Clock::TimePoint now) const;

  std::string m_model, m_version;
  CanaryLimits m_limits;
  gateway::pool::VariantSeries m_stable, m_canary;
  std::deque<Sample> m_samples;  // oldest first; the front is the window's start
  CanaryMeasures m_measures;
};

}  // namespace lmfront::node
