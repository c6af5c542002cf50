#include "gateway/routing/balancer.h"

#include "gateway/routing/consistenthash.h"
#include "gateway/routing/peakewma.h"
#include "gateway/routing/simplebalancers.h"
#include "gateway/routing/weightedroundrobin.h"

#include <array>
#include <random>
#include <unordered_set>

namespace lmfront::gateway::routing {

namespace {

constexpr std::array<std::pair<BalancerKind, std::string_view>, 7> kKindNames{{
    {BalancerKind::RoundRobin, "round_robin"},
    {BalancerKind::WeightedRoundRobin, "weighted_round_robin"},
    {BalancerKind::Random, "random"},
    {BalancerKind::ConsistentHash, "consistent_hash"},
    {BalancerKind::LeastOutstanding, "least_outstanding"},
    {BalancerKind::PowerOfTwo, "power_of_two"},
    {BalancerKind::PeakEwma, "peak_ewma"},
}};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view balancerKindName(BalancerKind kind) {
  for (const auto &[k, name] : kKindNames)
    if (k == kind) return name;
  return "unknown";
}

Result<BalancerKind> balancerKindFromName(std::string_view name) {
  for (const auto &[k, n] : kKindNames)
    if (n == name) return k;
  return Status::invalidArgument("unknown balancing policy \"" + std::string(name) +
                                 "\" (expected round_robin, weighted_round_robin, random, consistent_hash, "
                                 "least_outstanding, power_of_two or peak_ewma)");
}

Status BalancerConfig::validate() const {
  if (ringPointsPerWeight < 1 || ringPointsPerWeight > 1000)
    return Status::invalidArgument("ring_points_per_weight must be in 1..1000");
  if (ewmaDecay <= Clock::Duration::zero()) return Status::invalidArgument("ewma_decay must be positive");
  if (ewmaPenalty <= Clock::Duration::zero()) return Status::invalidArgument("ewma_penalty must be positive");
  return Status::ok();
}

uint64_t hashKey64(std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return splitmix64(h);
}

Balancer::Balancer(const BalancerConfig &config, std::vector<Backend> backends, const Clock &clock)
    : m_config(config),
      m_backends(std::move(backends)),
      m_clock(clock),
      m_slots(std::make_unique<Slot[]>(m_backends.size())) {
  size_t healthy = 0;
  for (size_t i = 0; i < m_backends.size(); ++i) {
    m_slots[i].healthy.store(m_backends[i].healthy, std::memory_order_relaxed);
    healthy += m_backends[i].healthy ? 1 : 0;
  }
  m_healthyCount.store(healthy, std::memory_order_relaxed);
  m_seed = config.seed != 0 ? config.seed : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
}

Balancer::~Balancer() = default;

Result<size_t> Balancer::pick(const PickContext &ctx) {
  if (healthyCount() > 0) {
    const size_t index = doPick(ctx);
    if (index < m_backends.size()) return index;
  }
  return Status::unavailable("no healthy backend (all " + std::to_string(m_backends.size()) +
                             " backends of the pool are unhealthy or ejected)");
}

void Balancer::onStart(size_t index) {
  if (index < m_backends.size()) m_slots[index].outstanding.fetch_add(1, std::memory_order_relaxed);
}

void Balancer::onFinish(size_t index, Clock::Duration latency, bool ok) {
  if (index >= m_backends.size()) return;
  m_slots[index].outstanding.fetch_sub(1, std::memory_order_relaxed);
  doFinish(index, latency, ok);
}

void Balancer::setHealthy(size_t index, bool healthy) {
  if (index >= m_backends.size()) return;
  if (m_slots[index].healthy.exchange(healthy, std::memory_order_acq_rel) == healthy) return;
  if (healthy)
    m_healthyCount.fetch_add(1, std::memory_order_relaxed);
  else
    m_healthyCount.fetch_sub(1, std::memory_order_relaxed);
  m_healthEpoch.fetch_add(1, std::memory_order_acq_rel);
}

bool Balancer::isHealthy(size_t index) const {
  return index < m_backends.size() && m_slots[index].healthy.load(std::memory_order_acquire);
}

int64_t Balancer::outstanding(size_t index) const {
  return index < m_backends.size() ? m_slots[index].outstanding.load(std::memory_order_relaxed) : 0;
}

uint64_t Balancer::nextRandom() {
  return splitmix64(m_seed + m_rngCounter.fetch_add(1, std::memory_order_relaxed) * 0x9e3779b97f4a7c15ULL);
}

size_t Balancer::firstHealthyFrom(size_t start) const {
  const size_t n = m_backends.size();
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (start + k) % n;
    if (m_slots[i].healthy.load(std::memory_order_acquire)) return i;
  }
  return n;
}

Result<std::unique_ptr<Balancer>> makeBalancer(const BalancerConfig &config, std::vector<Backend> backends,
                                               const Clock &clock) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  if (backends.empty()) return Status::invalidArgument("a pool needs at least one backend");
  std::unordered_set<std::string_view> ids;
  uint64_t total = 0;
  for (const Backend &b : backends) {
    if (b.id.empty()) return Status::invalidArgument("backend id must not be empty");
    if (!ids.insert(b.id).second) return Status::invalidArgument("duplicate backend id \"" + b.id + "\"");
    if (b.weight < 1 || b.weight > kMaxWeight)
      return Status::invalidArgument("backend \"" + b.id + "\": weight must be in 1.." + std::to_string(kMaxWeight));
    total += b.weight;
  }
  if (total > kMaxTotalWeight)
    return Status::invalidArgument("total weight of the pool must be at most " + std::to_string(kMaxTotalWeight));

  std::unique_ptr<Balancer> out;
  switch (config.kind) {
  case BalancerKind::RoundRobin: out.reset(new RoundRobinBalancer(config, std::move(backends), clock)); break;
  case BalancerKind::WeightedRoundRobin:
    out.reset(new WeightedRoundRobinBalancer(config, std::move(backends), clock));
    break;
  case BalancerKind::Random: out.reset(new RandomBalancer(config, std::move(backends), clock)); break;
  case BalancerKind::ConsistentHash: out.reset(new ConsistentHashBalancer(config, std::move(backends), clock)); break;
  case BalancerKind::LeastOutstanding:
    out.reset(new LeastOutstandingBalancer(config, std::move(backends), clock));
    break;
  case BalancerKind::PowerOfTwo: out.reset(new PowerOfTwoBalancer(config, std::move(backends), clock)); break;
  case BalancerKind::PeakEwma: out.reset(new PeakEwmaBalancer(config, std::move(backends), clock)); break;
  }
  if (!out) return Status::invalidArgument("unknown balancing policy");
  return out;
}

}  // namespace lmfront::gateway::routing
