// Peak-EWMA latency balancing (Finagle / linkerd): each backend's cost is its latency estimate
// times (requests in flight + 1); two distinct healthy backends are drawn at random and the
// cheaper one wins. The estimate jumps up at once to a slower sample ("peak") and decays towards
// faster samples — and towards zero while no sample arrives — with time constant ewmaDecay on
// the injected clock, so a slow backend is avoided quickly and retried once it has been quiet a
// while. Internal to lmfront_routing: callers use makeBalancer(). Per-backend mutex only.
#pragma once

#include "gateway/routing/balancer.h"

#include <mutex>

namespace lmfront::gateway::routing {

class PeakEwmaBalancer final : public Balancer {
public:
  PeakEwmaBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock);

  // Current cost of backend i in nanoseconds (estimate × (outstanding + 1)); for tests and metrics.
  double cost(size_t index);

protected:
  size_t doPick(const PickContext &ctx) override;
  void doFinish(size_t index, Clock::Duration latency, bool ok) override;

private:
  struct alignas(64) Estimate {
    std::mutex mutex;
    double ewmaNs = 0;       // guarded by mutex
    Clock::TimePoint stamp;  // guarded by mutex
  };
  double costAt(size_t index, Clock::TimePoint now);
  // Decays the estimate to `now` and folds in a sample (0 = just decay). Caller holds e.mutex.
  void observe(Estimate &e, double sampleNs, Clock::TimePoint now) const;

  std::unique_ptr<Estimate[]> m_estimates;
};

}  // namespace lmfront::gateway::routing
