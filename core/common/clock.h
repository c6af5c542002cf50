// Clock: the one source of time for anything time-based in core (rate limits, breakers, TTLs,
// alert `for` durations), so tests drive time by hand instead of sleeping.
//
// Production code takes `const Clock &` and never defaults it: the composition root (a node's
// NodeContext, a benchmark's main) passes Clock::steady(), a test passes a ManualClock (or
// Clock::steady() explicitly), so a whole node can run on a manual clock. The clock must outlive
// whatever holds it. ManualClock is thread-safe: a test may advance it while workers read it.
#pragma once

#include <atomic>
#include <chrono>

namespace lmfront {

class Clock {
public:
  using Duration = std::chrono::nanoseconds;
  using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;

  // The process-wide monotonic clock.
  static const Clock &steady();
};

class ManualClock final : public Clock {
public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::hours(1))) : m_ns(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(Duration(m_ns.load(std::memory_order_acquire))); }
  void advance(Duration by) { m_ns.fetch_add(by.count(), std::memory_order_acq_rel); }
  void set(TimePoint to) { m_ns.store(to.time_since_epoch().count(), std::memory_order_release); }

private:
  std::atomic<Duration::rep> m_ns;
};

}  // namespace lmfront
