#include "observe/metrics.h"

#include <algorithm>
#include <array>
#include <memory>
#include <new>

namespace lmfront::observe {

namespace detail {
namespace {

// Which writer slots are taken; a thread gives its slot back when it exits.
std::atomic<std::uint32_t> g_takenSlots{0};
static_assert(kWriterSlots <= 32);

struct SlotRelease {
  ~SlotRelease() {
    if (t_writerSlot >= 0 && t_writerSlot < kWriterSlots)
      g_takenSlots.fetch_and(~(1u << t_writerSlot), std::memory_order_release);
    t_writerSlot = kWriterSlots;  // a recording during the rest of this thread's exit shares
  }
};

}  // namespace

int claimWriterSlot() {
  std::uint32_t taken = g_takenSlots.load(std::memory_order_relaxed);
  for (;;) {
    int free = 0;
    while (free < kWriterSlots && (taken & (1u << free)) != 0) ++free;
    if (free == kWriterSlots) return t_writerSlot = kWriterSlots;
    // acquire: the cells' values the slot's previous owner stored are seen before adding to them.
    if (g_takenSlots.compare_exchange_weak(taken, taken | (1u << free), std::memory_order_acquire,
                                           std::memory_order_relaxed)) {
      t_writerSlot = free;
      static thread_local SlotRelease release;  // constructed once per thread: its exit frees the slot
      (void)release;
      return free;
    }
  }
}

}  // namespace detail

Histogram::Histogram(std::span<const double> bounds) : m_bounds(bounds) {
  constexpr std::size_t kPerLine = 64 / sizeof(std::atomic<std::uint64_t>);
  m_stride = (bounds.size() + 2 + kPerLine - 1) / kPerLine * kPerLine;
  const std::size_t total = m_stride * kCells;
  // Cache-line aligned, so no two threads' cells share a line.
  void *lines = ::operator new[](total * sizeof(std::atomic<std::uint64_t>), std::align_val_t(64));
  m_cells.reset(std::uninitialized_value_construct_n(static_cast<std::atomic<std::uint64_t> *>(lines), total) - total);
}

void Histogram::AlignedDelete::operator()(std::atomic<std::uint64_t> *cells) const {
  ::operator delete[](cells, std::align_val_t(64));  // std::atomic<uint64_t> has nothing to destroy
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  const std::size_t n = m_bounds.size();
  s.buckets.assign(n + 1, 0);
  std::uint64_t sumNs = 0;
  for (int c = 0; c < kCells; ++c) {
    const std::atomic<std::uint64_t> *cell = &m_cells[static_cast<std::size_t>(c) * m_stride];
    for (std::size_t i = 0; i <= n; ++i) s.buckets[i] += cell[i].load(std::memory_order_relaxed);
    sumNs += cell[n + 1].load(std::memory_order_relaxed);
  }
  for (const std::uint64_t b : s.buckets) s.count += b;
  s.sum = static_cast<double>(sumNs) / 1e9;
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
