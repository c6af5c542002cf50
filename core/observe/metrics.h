// Metric series: Counter, Gauge, Histogram — the values the hot path touches.
//
// Contract: every operation on a series is lock-free and thread-safe. Series are created and
// owned by a Family (metricsregistry.h); callers look a series up once (e.g. per model at load
// time) and keep the reference, which stays valid for the registry's lifetime.
//
// Why counters and histograms are split into per-thread cells: a locked read-modify-write costs
// ~8 ns on the machines measured, and one request records nine of them. A recording thread
// instead owns a writer slot (claimed on its first recording, given back when it exits) and
// updates its own cell with a plain relaxed load and store; readers sum the cells. When every
// slot is taken, further threads share one cell with atomic adds — slower, never wrong. Each
// cell is its own cache line, so two threads never write one line.
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

// Cells per counter or histogram: kWriterSlots owned by one thread each, and the shared last one.
inline constexpr int kWriterSlots = 15;
inline constexpr int kCells = kWriterSlots + 1;

namespace detail {
inline constinit thread_local int t_writerSlot = -1;  // -1: not claimed yet
int claimWriterSlot();                                // a free slot, or kWriterSlots (the shared cell)
inline int writerSlot() {
  const int slot = t_writerSlot;
  return slot >= 0 ? slot : claimWriterSlot();
}
// Adds `by` to the cell of this thread's slot: a plain store when the slot is the thread's own.
inline void addTo(std::atomic<std::uint64_t> &cell, std::uint64_t by, int slot) {
  if (slot < kWriterSlots)
    cell.store(cell.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  else
    cell.fetch_add(by, std::memory_order_relaxed);
}
}  // namespace detail

// Monotonic count of events (requests, tokens, hits). Integral: every lmfront counter counts things.
class Counter final : public SeriesBase {
public:
  void inc(std::uint64_t by = 1) {
    const int slot = detail::writerSlot();
    detail::addTo(m_cells[slot].value, by, slot);
  }
  std::uint64_t value() const {
    std::uint64_t sum = 0;
    for (const Cell &c : m_cells) sum += c.value.load(std::memory_order_relaxed);
    return sum;
  }

private:
  struct alignas(64) Cell {
    std::atomic<std::uint64_t> value{0};
  };
  Cell m_cells[kCells];
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

// Durations in seconds counted into fixed buckets (upper bounds, Prometheus `le` semantics: a
// value v lands in the first bucket with v <= bound; values above the last bound land in +Inf).
// The sum is kept in whole nanoseconds: two integer adds per observation, where a double sum
// would need a compare-and-swap loop (x86 has no atomic floating-point add). NaN observations are
// ignored; negative ones count as 0 s in the sum.
class Histogram final : public SeriesBase {
public:
  // `bounds` must be strictly increasing and finite (the registry validates them) and outlive this.
  explicit Histogram(std::span<const double> bounds);

  void observe(double seconds) {
    if (seconds != seconds) return;  // NaN
    // Bucket sets are small (≤ ~20): a linear scan beats binary search on branch prediction,
    // and most observations (fast requests) stop in the first few buckets.
    std::size_t i = 0;
    const std::size_t n = m_bounds.size();
    while (i < n && seconds > m_bounds[i]) ++i;
    const int slot = detail::writerSlot();
    std::atomic<std::uint64_t> *cell = &m_cells[static_cast<std::size_t>(slot) * m_stride];
    detail::addTo(cell[i], 1, slot);
    detail::addTo(cell[n + 1], toNanoseconds(seconds), slot);  // after the +Inf bucket: the sum
  }
  void observeDuration(std::chrono::nanoseconds d) { observe(std::chrono::duration<double>(d).count()); }

  struct Snapshot {
    std::vector<std::uint64_t> buckets;  // per bucket, NOT cumulative; last is +Inf
    double sum = 0;
    std::uint64_t count = 0;  // == sum of buckets, so exposition is always self-consistent
  };
  Snapshot snapshot() const;
  std::span<const double> bounds() const { return m_bounds; }

private:
  // Clamped to [0, 10^9 s] so the conversion is defined for any input.
  static std::uint64_t toNanoseconds(double seconds) {
    if (!(seconds > 0)) return 0;
    return static_cast<std::uint64_t>((seconds < 1e9 ? seconds : 1e9) * 1e9 + 0.5);
  }

  std::span<const double> m_bounds;
  // kCells cells of m_stride values: the buckets (m_bounds.size() + 1), then the sum in ns,
  // padded to whole cache lines.
  struct AlignedDelete {
    void operator()(std::atomic<std::uint64_t> *cells) const;
  };
  std::size_t m_stride = 0;
  std::unique_ptr<std::atomic<std::uint64_t>[], AlignedDelete> m_cells;
};

// Default bucket sets (seconds). Request latency spans sub-ms cache hits to minute-long
// generations; gateway overhead is microseconds.
std::span<const double> latencyBuckets();
std::span<const double> overheadBuckets();

}  // namespace lmfront::observe
