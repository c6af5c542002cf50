// Metric series: Counter, Gauge, Histogram — the values the hot path touches.
//
// Contract: every operation on a series is lock-free and thread-safe (one relaxed atomic per
// update; a histogram observation is two: its bucket and its sum). Series are created and owned
// by a Family (metricsregistry.h); callers look a series up once (e.g. per model at load time)
// and keep the reference, which stays valid for the registry's lifetime. Each series sits on its
// own cache line so two hot series never share one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace lmfront::observe {

enum class MetricType { Counter, Gauge, Histogram };

class SeriesBase {
public:
  virtual ~SeriesBase() = default;
};

// Monotonic count of events (requests, tokens, hits). Integral: every lmfront counter counts things.
class alignas(64) Counter final : public SeriesBase {
public:
  void inc(std::uint64_t by = 1) { m_value.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const { return m_value.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> m_value{0};
};

// A value that goes up and down (queue depth, bytes held, up/down, breaker state).
class alignas(64) Gauge final : public SeriesBase {
public:
  void set(double v) { m_value.store(v, std::memory_order_relaxed); }
  void add(double by) { m_value.fetch_add(by, std::memory_order_relaxed); }
  void inc() { add(1); }
  void dec() { add(-1); }
  double value() const { return m_value.load(std::memory_order_relaxed); }

private:
  std::atomic<double> m_value{0};
};

// Observations counted into fixed buckets (upper bounds, Prometheus `le` semantics: a value v
// lands in the first bucket with v <= bound; values above the last bound land in +Inf).
// NaN observations are ignored (they would corrupt _sum).
class alignas(64) Histogram final : public SeriesBase {
public:
  // `bounds` must be strictly increasing and finite (the registry validates them) and outlive this.
  explicit Histogram(std::span<const double> bounds);

  void observe(double v);
  void observeDuration(std::chrono::nanoseconds d) { observe(std::chrono::duration<double>(d).count()); }

  struct Snapshot {
    std::vector<std::uint64_t> buckets;  // per bucket, NOT cumulative; last is +Inf
    double sum = 0;
    std::uint64_t count = 0;  // == sum of buckets, so exposition is always self-consistent
  };
  Snapshot snapshot() const;
  std::span<const double> bounds() const { return m_bounds; }

private:
  std::span<const double> m_bounds;
  std::unique_ptr<std::atomic<std::uint64_t>[]> m_buckets;  // m_bounds.size() + 1
  std::atomic<double> m_sum{0};
};

// Default bucket sets (seconds). Request latency spans sub-ms cache hits to minute-long
// generations; gateway overhead is microseconds.
std::span<const double> latencyBuckets();
std::span<const double> overheadBuckets();

}  // namespace lmfront::observe
