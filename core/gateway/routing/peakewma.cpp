#include "gateway/routing/peakewma.h"

#include <cmath>

namespace lmfront::gateway::routing {

PeakEwmaBalancer::PeakEwmaBalancer(const BalancerConfig &c, std::vector<Backend> b, const Clock &clock)
    : Balancer(c, std::move(b), clock), m_estimates(std::make_unique<Estimate[]>(m_backends.size())) {
  const auto now = m_clock.now();
  for (size_t i = 0; i < m_backends.size(); ++i) m_estimates[i].stamp = now;
}

void PeakEwmaBalancer::observe(Estimate &e, double sampleNs, Clock::TimePoint now) const {
  const double elapsed = double(std::max<Clock::Duration::rep>(0, (now - e.stamp).count()));
  const double w = std::exp(-elapsed / double(m_config.ewmaDecay.count()));
  if (sampleNs > e.ewmaNs)
    e.ewmaNs = sampleNs;  // peak: react to a slowdown at once
  else
    e.ewmaNs = e.ewmaNs * w + sampleNs * (1.0 - w);
  if (now > e.stamp) e.stamp = now;
}

double PeakEwmaBalancer::cost(size_t index) { return costAt(index, m_clock.now()); }

double PeakEwmaBalancer::costAt(size_t index, Clock::TimePoint now) {
  Estimate &e = m_estimates[index];
  const int64_t outstanding = m_slots[index].outstanding.load(std::memory_order_relaxed);
  std::lock_guard lock(e.mutex);
  observe(e, 0.0, now);
  if (e.ewmaNs == 0.0 && outstanding > 0) return double(m_config.ewmaPenalty.count()) + double(outstanding);
  return e.ewmaNs * double(outstanding + 1);
}

size_t PeakEwmaBalancer::doPick(const PickContext &) {
  const size_t n = m_backends.size();
  if (n == 1) return firstHealthyFrom(0);
  const uint64_t r = nextRandom();
  size_t a = firstHealthyFrom((r & 0xffffffffu) % n);
  if (a == n) return n;
  size_t b = firstHealthyFrom((a + 1 + (r >> 32) % (n - 1)) % n);
  if (a == b) return a;
  const auto now = m_clock.now();  // one read per pick: the clock is not free (~100 ns in a VM)
  return costAt(b, now) < costAt(a, now) ? b : a;
}

void PeakEwmaBalancer::doFinish(size_t index, Clock::Duration latency, bool ok) {
  // A failure counts as at least the penalty: a backend that fails fast must not look fast.
  double sample = double(std::max<Clock::Duration::rep>(1, latency.count()));
  if (!ok) sample = std::max(sample, double(m_config.ewmaPenalty.count()));
  Estimate &e = m_estimates[index];
  std::lock_guard lock(e.mutex);
  observe(e, sample, m_clock.now());
}

}  // namespace lmfront::gateway::routing
