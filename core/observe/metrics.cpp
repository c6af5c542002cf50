#include "observe/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace lmfront::observe {

Histogram::Histogram(std::span<const double> bounds)
    : m_bounds(bounds), m_buckets(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {
  for (std::size_t i = 0; i <= bounds.size(); ++i) m_buckets[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  // Bucket sets are small (≤ ~20): a linear scan beats binary search on branch prediction, and
  // most observations (fast requests) stop in the first few buckets.
  std::size_t i = 0;
  const std::size_t n = m_bounds.size();
  while (i < n && v > m_bounds[i]) ++i;
  m_buckets[i].fetch_add(1, std::memory_order_relaxed);
  m_sum.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.buckets.resize(m_bounds.size() + 1);
  for (std::size_t i = 0; i < s.buckets.size(); ++i) {
    s.buckets[i] = m_buckets[i].load(std::memory_order_relaxed);
    s.count += s.buckets[i];
  }
  s.sum = m_sum.load(std::memory_order_relaxed);
  return s;
}

std::span<const double> latencyBuckets() {
  static constexpr std::array<double, 16> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,   0.5,   1,      2.5,   5,    10,    30,   60};
  return kBounds;
}

std::span<const double> overheadBuckets() {
  static constexpr std::array<double, 13> kBounds = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                     0.0025,  0.005,    0.01,    0.025,  0.05,    0.1};
  return kBounds;
}

}  // namespace lmfront::observe
