// Smooth weighted round robin (nginx's algorithm): with weights 5,1,1 the order is
// a a b a c a a — the heavy backend's turns are spread out instead of sent in a burst.
// Internal to lmfront_routing: callers use makeBalancer().
//
// nginx runs the algorithm under a lock on every pick. Here one full period of the sequence
// (total weight / gcd picks) is precomputed for the current healthy set and walked with an atomic
// counter, so a pick is lock-free; the schedule is rebuilt (under a mutex, off the common path)
// only when the healthy set changes.
#pragma once

#include "gateway/routing/balancer.h"

#include <mutex>

namespace lmfront::gateway::routing {

class WeightedRoundRobinBalancer final : public Balancer {
public:
  WeightedRoundRobinBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock);

  // One period of nginx's sequence over the given backends (unhealthy ones excluded). Exposed
  // for tests.
  static std::vector<uint32_t> buildSchedule(const std::vector<uint32_t> &weights, const std::vector<bool> &healthy);

protected:
  size_t doPick(const PickContext &ctx) override;

private:
  struct Schedule {
    uint64_t epoch = 0;
    std::vector<uint32_t> order;
  };
  std::shared_ptr<const Schedule> currentSchedule();

  std::atomic<std::shared_ptr<const Schedule>> m_schedule;
  std::mutex m_rebuildMutex;
  std::atomic<uint64_t> m_next{0};
};

}  // namespace lmfront::gateway::routing
