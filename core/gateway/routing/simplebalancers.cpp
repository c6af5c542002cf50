#include "gateway/routing/simplebalancers.h"

namespace lmfront::gateway::routing {

size_t RoundRobinBalancer::doPick(const PickContext &) {
  const size_t n = m_backends.size();
  // Each skipped (unhealthy) slot consumes a counter value, so the healthy ones still alternate
  // evenly instead of the backend after an unhealthy one getting a double share.
  for (size_t attempt = 0; attempt < n; ++attempt) {
    const size_t i = m_next.fetch_add(1, std::memory_order_relaxed) % n;
    if (m_slots[i].healthy.load(std::memory_order_acquire)) return i;
  }
  return firstHealthyFrom(0);
}

size_t RandomBalancer::doPick(const PickContext &) {
  const size_t n = m_backends.size();
  for (int attempt = 0; attempt < 8; ++attempt) {
    const size_t i = nextRandom() % n;
    if (m_slots[i].healthy.load(std::memory_order_acquire)) return i;
  }
  // Mostly unhealthy pool: a scan from a random start is still fair enough and bounded.
  return firstHealthyFrom(nextRandom() % n);
}

size_t LeastOutstandingBalancer::doPick(const PickContext &) {
  const size_t n = m_backends.size();
  const size_t start = m_rotate.fetch_add(1, std::memory_order_relaxed) % n;
  size_t best = n;
  int64_t bestLoad = 0;  // (outstanding + 1) of best
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (start + k) % n;
    if (!m_slots[i].healthy.load(std::memory_order_acquire)) continue;
    const int64_t load = m_slots[i].outstanding.load(std::memory_order_relaxed) + 1;
    // load_i / w_i < load_best / w_best, without division.
    if (best == n || load * int64_t(m_backends[best].weight) < bestLoad * int64_t(m_backends[i].weight)) {
      best = i;
      bestLoad = load;
    }
  }
  return best;
}

size_t PowerOfTwoBalancer::doPick(const PickContext &) {
  const size_t n = m_backends.size();
  if (n == 1) return firstHealthyFrom(0);
  const uint64_t r = nextRandom();
  size_t a = (r & 0xffffffffu) % n;
  size_t b = (a + 1 + (r >> 32) % (n - 1)) % n;  // distinct from a
  a = firstHealthyFrom(a);
  b = firstHealthyFrom(b);
  if (a == n) return n;
  if (a == b) return a;
  const int64_t la = m_slots[a].outstanding.load(std::memory_order_relaxed);
  const int64_t lb = m_slots[b].outstanding.load(std::memory_order_relaxed);
  return lb < la ? b : a;
}

}  // namespace lmfront::gateway::routing
