#include "gateway/routing/weightedroundrobin.h"

#include <numeric>

namespace lmfront::gateway::routing {

WeightedRoundRobinBalancer::WeightedRoundRobinBalancer(const BalancerConfig &c, std::vector<Backend> b,
                                                       const Clock &clock)
    : Balancer(c, std::move(b), clock) {}

std::vector<uint32_t> WeightedRoundRobinBalancer::buildSchedule(const std::vector<uint32_t> &weights,
                                                                const std::vector<bool> &healthy) {
  uint64_t g = 0;
  for (size_t i = 0; i < weights.size(); ++i)
    if (healthy[i]) g = std::gcd(g, uint64_t(weights[i]));
  if (g == 0) return {};
  std::vector<int64_t> w(weights.size(), 0), current(weights.size(), 0);
  int64_t total = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!healthy[i]) continue;
    w[i] = int64_t(weights[i] / g);  // same sequence shape, shortest period
    total += w[i];
  }
  std::vector<uint32_t> order;
  order.reserve(size_t(total));
  for (int64_t step = 0; step < total; ++step) {
    size_t best = weights.size();
    for (size_t i = 0; i < weights.size(); ++i) {
      if (!healthy[i]) continue;
      current[i] += w[i];
      if (best == weights.size() || current[i] > current[best]) best = i;
    }
    current[best] -= total;
    order.push_back(uint32_t(best));
  }
  return order;
}

std::shared_ptr<const WeightedRoundRobinBalancer::Schedule> WeightedRoundRobinBalancer::currentSchedule() {
  const uint64_t epoch = healthEpoch();
  auto schedule = m_schedule.load(std::memory_order_acquire);
  if (schedule && schedule->epoch == epoch) return schedule;
  std::lock_guard lock(m_rebuildMutex);
  schedule = m_schedule.load(std::memory_order_acquire);
  if (schedule && schedule->epoch == epoch) return schedule;
  std::vector<uint32_t> weights(m_backends.size());
  std::vector<bool> healthy(m_backends.size());
  for (size_t i = 0; i < m_backends.size(); ++i) {
    weights[i] = m_backends[i].weight;
    healthy[i] = m_slots[i].healthy.load(std::memory_order_acquire);
  }
  auto fresh = std::make_shared<Schedule>();
  fresh->epoch = epoch;
  fresh->order = buildSchedule(weights, healthy);
  m_next.store(0, std::memory_order_relaxed);  // a new period starts at its beginning
  m_schedule.store(fresh, std::memory_order_release);
  return fresh;
}

size_t WeightedRoundRobinBalancer::doPick(const PickContext &) {
  const auto schedule = currentSchedule();
  if (schedule->order.empty()) return m_backends.size();
  const size_t i = schedule->order[m_next.fetch_add(1, std::memory_order_relaxed) % schedule->order.size()];
  // The set may have changed since the schedule was built; never hand out an unhealthy backend.
  return m_slots[i].healthy.load(std::memory_order_acquire) ? i : firstHealthyFrom(i);
}

}  // namespace lmfront::gateway::routing
