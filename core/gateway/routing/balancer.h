// Balancer: picks one backend of a pool for a request (docs/gateway-policies.md).
//
// Contract:
// - A Balancer is built once over an immutable snapshot of a pool's backends (makeBalancer());
//   when the pool changes, the caller builds a new one and swaps it in. Indices returned by
//   pick() are positions in that snapshot.
// - Thread-safe: pick(), onStart(), onFinish() and setHealthy() may be called from any number of
//   worker threads at once. The hot path uses atomics only; peak-EWMA takes a per-backend mutex
//   (never a pool-wide one), weighted round robin rebuilds its schedule under a mutex only when the
//   healthy set changed.
// - Unhealthy backends (setHealthy(i, false), e.g. ejected by outlier detection or failing health
//   checks) are never picked. When none is healthy, pick() returns Unavailable
//   "no healthy backend".
// - The caller reports every request it sends: onStart(i) when it is dispatched, onFinish(i, …)
//   exactly once when it ends. Least-outstanding, power-of-two and peak-EWMA read these counts.
//   A request keeps the balancer that picked it alive (shared_ptr) until onFinish, so a pool
//   swapped meanwhile does not receive a stray onFinish; the new balancer starts with zero in
//   flight and no latency history.
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::gateway::routing {

struct Backend {
  std::string id;       // unique in the pool; consistent hashing places ring points by id
  uint32_t weight = 1;  // 1..kMaxWeight; used by weighted round robin, consistent hash, least-outstanding
  bool healthy = true;  // initial health; changed at run time with Balancer::setHealthy()
};

enum class BalancerKind {
  RoundRobin,
  WeightedRoundRobin,  // nginx's smooth weighted round robin
  Random,
  ConsistentHash,
  LeastOutstanding,
  PowerOfTwo,
  PeakEwma,
};

std::string_view balancerKindName(BalancerKind kind);
// Accepts the names balancerKindName() returns ("round_robin", "weighted_round_robin", "random",
// "consistent_hash", "least_outstanding", "power_of_two", "peak_ewma").
Result<BalancerKind> balancerKindFromName(std::string_view name);

inline constexpr uint32_t kMaxWeight = 10000;
inline constexpr uint64_t kMaxTotalWeight = 100000;  // bounds the weighted-round-robin schedule

// Immutable, validated configuration of a pool's balancer.
struct BalancerConfig {
  BalancerKind kind = BalancerKind::RoundRobin;
  // Seed for random, power-of-two and peak-EWMA choices. 0 = seeded from std::random_device.
  // A fixed seed makes the sequence of choices reproducible (single-threaded).
  uint64_t seed = 0;
  // Consistent hash: ring points per unit of weight. More points = keys spread more evenly
  // (±10 % at 100) at the cost of memory (16 bytes a point) and a longer binary search.
  uint32_t ringPointsPerWeight = 100;
  // Peak-EWMA: time constant of the exponential decay. Shorter reacts faster to a recovered
  // backend but forgets a slow one sooner (Finagle's default: 10 s).
  Clock::Duration ewmaDecay = std::chrono::seconds(10);
  // Peak-EWMA: cost assumed for a backend that has requests in flight but no latency sample yet,
  // so a fresh backend is tried but not flooded (Finagle: "Penalty").
  Clock::Duration ewmaPenalty = std::chrono::seconds(1);

  Status validate() const;
};

// What the caller knows about the request. hashKey is used by ConsistentHash only (the caller
// extracts it from a header, the user field or a prompt prefix); an empty key falls back to
// round robin.
struct PickContext {
  std::string_view hashKey;
};

class Balancer {
public:
  virtual ~Balancer();
  Balancer(const Balancer &) = delete;
  Balancer &operator=(const Balancer &) = delete;

  // The index of the chosen backend, or Unavailable("no healthy backend …").
  Result<size_t> pick(const PickContext &ctx = {});
  void onStart(size_t index);
  void onFinish(size_t index, Clock::Duration latency, bool ok);

  void setHealthy(size_t index, bool healthy);
  bool isHealthy(size_t index) const;
  size_t healthyCount() const { return m_healthyCount.load(std::memory_order_relaxed); }
  int64_t outstanding(size_t index) const;

  BalancerKind kind() const { return m_config.kind; }
  size_t size() const { return m_backends.size(); }
  const Backend &backend(size_t index) const { return m_backends[index]; }

protected:
  Balancer(const BalancerConfig &config, std::vector<Backend> backends, const Clock &clock);

  // Returns size() when no healthy backend could be found.
  virtual size_t doPick(const PickContext &ctx) = 0;
  virtual void doFinish(size_t /*index*/, Clock::Duration /*latency*/, bool /*ok*/) {}

  uint64_t nextRandom();  // thread-safe, reproducible for a fixed seed
  // First healthy backend at or after `start` (wrapping), or size().
  size_t firstHealthyFrom(size_t start) const;
  // Bumped whenever the healthy set changes, so derived state can be rebuilt lazily.
  uint64_t healthEpoch() const { return m_healthEpoch.load(std::memory_order_acquire); }

  struct alignas(64) Slot {
    std::atomic<bool> healthy{true};
    std::atomic<int64_t> outstanding{0};
  };

  const BalancerConfig m_config;
  const std::vector<Backend> m_backends;
  const Clock &m_clock;
  std::unique_ptr<Slot[]> m_slots;

private:
  std::atomic<size_t> m_healthyCount{0};
  std::atomic<uint64_t> m_healthEpoch{0};
  std::atomic<uint64_t> m_rngCounter{0};
  uint64_t m_seed = 0;
};

// Validates config and backends (non-empty, unique non-empty ids, weights 1..kMaxWeight, total
// weight ≤ kMaxTotalWeight) and builds the balancer of config.kind.
Result<std::unique_ptr<Balancer>> makeBalancer(const BalancerConfig &config, std::vector<Backend> backends,
                                               const Clock &clock);

// 64-bit hash used for ring points and keys (FNV-1a, then a splitmix64 finaliser for avalanche).
uint64_t hashKey64(std::string_view key);

}  // namespace lmfront::gateway::routing
