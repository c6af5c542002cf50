// Consistent hashing on a caller-supplied key (a header, the user field, a prompt prefix), so
// requests with the same key reach the same backend (warm caches, KV reuse). A ring of
// weight × ringPointsPerWeight points per backend (Karger et al.; ketama-style): adding or
// removing one backend of n moves ≈ 1/n of the keys, and only to/from that backend. An unhealthy
// owner's keys go to the next healthy point on the ring; everyone else's keys stay put.
// Internal to lmfront_routing: callers use makeBalancer(). Picks are read-only (lock-free).
#pragma once

#include "gateway/routing/balancer.h"

namespace lmfront::gateway::routing {

class ConsistentHashBalancer final : public Balancer {
public:
  static constexpr uint64_t kMaxRingPoints = 1 << 18;  // 4 MB and ~0.1 s to build at most

  ConsistentHashBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock);

protected:
  size_t doPick(const PickContext &ctx) override;

private:
  struct Point {
    uint64_t hash;
    uint32_t backend;
  };
  std::vector<Point> m_ring;  // sorted by hash; immutable after construction
  std::atomic<uint64_t> m_fallback{0};

public:
  size_t ringSize() const { return m_ring.size(); }
};

}  // namespace lmfront::gateway::routing
