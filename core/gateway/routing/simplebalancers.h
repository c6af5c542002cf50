// The stateless-ish balancers: round robin, random, least outstanding, power of two choices.
// Internal to lmfront_routing: callers use makeBalancer(). Thread-safety as in balancer.h.
#pragma once

#include "gateway/routing/balancer.h"

namespace lmfront::gateway::routing {

// Exact rotation over healthy backends (weights ignored). One atomic counter.
class RoundRobinBalancer final : public Balancer {
public:
  RoundRobinBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock)
      : Balancer(c, std::move(b), clock) {}

protected:
  size_t doPick(const PickContext &ctx) override;

private:
  std::atomic<uint64_t> m_next{0};
};

// Uniform over healthy backends (weights ignored), from a seedable counter-based generator.
class RandomBalancer final : public Balancer {
public:
  RandomBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock)
      : Balancer(c, std::move(b), clock) {}

protected:
  size_t doPick(const PickContext &ctx) override;
};

// The healthy backend with the fewest requests in flight per unit of weight; ties are broken by a
// rotating start so equal backends share the load. O(n) per pick.
class LeastOutstandingBalancer final : public Balancer {
public:
  LeastOutstandingBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock)
      : Balancer(c, std::move(b), clock) {}

protected:
  size_t doPick(const PickContext &ctx) override;

private:
  std::atomic<uint64_t> m_rotate{0};
};

// Two distinct healthy backends drawn at random; the one with fewer requests in flight wins.
// O(1) per pick, and never herds onto one "best" backend the way a full scan can.
class PowerOfTwoBalancer final : public Balancer {
public:
  PowerOfTwoBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock)
      : Balancer(c, std::move(b), clock) {}

protected:
  size_t doPick(const PickContext &ctx) override;
};

}  // namespace lmfront::gateway::routing
