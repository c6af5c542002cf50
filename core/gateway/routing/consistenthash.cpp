#include "gateway/routing/consistenthash.h"

#include <algorithm>

namespace lmfront::gateway::routing {

ConsistentHashBalancer::ConsistentHashBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock)
    : Balancer(c, std::move(b), clock) {
  // Bound the ring (16 bytes a point): a pool with a huge total weight gets fewer points per unit
  // of weight rather than hundreds of megabytes.
  uint64_t totalWeight = 0;
  for (const Backend &backend : m_backends) totalWeight += backend.weight;
  const uint64_t perWeight =
      std::max<uint64_t>(1, std::min<uint64_t>(m_config.ringPointsPerWeight, kMaxRingPoints / totalWeight));
  m_ring.reserve(totalWeight * perWeight);
  for (size_t i = 0; i < m_backends.size(); ++i) {
    const uint64_t points = uint64_t(m_backends[i].weight) * perWeight;
    for (uint64_t p = 0; p < points; ++p)
      m_ring.push_back({hashKey64(m_backends[i].id + '#' + std::to_string(p)), uint32_t(i)});
  }
  // Ties (vanishingly rare) are ordered by backend id so every node builds the same ring.
  std::sort(m_ring.begin(), m_ring.end(), [this](const Point &x, const Point &y) {
    return x.hash != y.hash ? x.hash < y.hash : m_backends[x.backend].id < m_backends[y.backend].id;
  });
}

size_t ConsistentHashBalancer::doPick(const PickContext &ctx) {
  const size_t n = m_backends.size();
  if (ctx.hashKey.empty()) {
    // No key: nothing to be sticky about; spread like round robin.
    return firstHealthyFrom(m_fallback.fetch_add(1, std::memory_order_relaxed) % n);
  }
  const uint64_t h = hashKey64(ctx.hashKey);
  auto it = std::lower_bound(m_ring.begin(), m_ring.end(), h, [](const Point &p, uint64_t v) { return p.hash < v; });
  size_t pos = size_t(it - m_ring.begin());
  for (size_t k = 0; k < m_ring.size(); ++k) {
    const uint32_t i = m_ring[(pos + k) % m_ring.size()].backend;
    if (m_slots[i].healthy.load(std::memory_order_acquire)) return i;
  }
  return n;
}

}  // namespace lmfront::gateway::routing
