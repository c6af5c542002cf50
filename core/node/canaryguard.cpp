#include "node/canaryguard.h"

#include <algorithm>
#include <cmath>

namespace lmfront::node {

namespace {

std::vector<std::uint64_t> buckets(const observe::Histogram *h) {
  return h ? h->snapshot().buckets : std::vector<std::uint64_t>{};
}

// The 99th percentile in milliseconds of the observations between two bucket snapshots;
// 0 when there are none.
double p99Ms(const std::vector<std::uint64_t> &from, const std::vector<std::uint64_t> &to,
             std::span<const double> bounds) {
  std::vector<std::uint64_t> delta(to.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < to.size(); ++i) total += delta[i] = to[i] - (i < from.size() ? from[i] : 0);
  if (total == 0) return 0;
  const double rank = 0.99 * static_cast<double>(total);
  double seen = 0;
  for (std::size_t i = 0; i < delta.size(); ++i) {
    if (seen + static_cast<double>(delta[i]) < rank) {
      seen += static_cast<double>(delta[i]);
      continue;
    }
    if (i >= bounds.size()) return bounds.empty() ? 0 : bounds.back() * 1000;  // +Inf: the last bound
    const double lower = i == 0 ? 0 : bounds[i - 1];
    const double within = delta[i] == 0 ? 1 : (rank - seen) / static_cast<double>(delta[i]);
    return (lower + (bounds[i] - lower) * within) * 1000;
  }
  return bounds.empty() ? 0 : bounds.back() * 1000;
}

}  // namespace

Status CanaryLimits::validate() const {
  if (maxErrorRate && !(*maxErrorRate >= 0 && *maxErrorRate <= 1))
    return Status::invalidArgument("max_error_rate must be between 0 and 1");
  if (maxP99Ms && !(*maxP99Ms > 0)) return Status::invalidArgument("max_p99_ms must be positive");
  if (maxP99Ratio && !(*maxP99Ratio > 0)) return Status::invalidArgument("max_p99_ratio must be positive");
  if (window.count() < 1) return Status::invalidArgument("the canary window must be at least 1 s");
  return Status::ok();
}

CanaryGuard::CanaryGuard(std::string model, std::string version, CanaryLimits limits,
                         gateway::pool::VariantSeries stable, gateway::pool::VariantSeries canary, Clock::TimePoint now)
    : m_model(std::move(model)), m_version(std::move(version)), m_limits(limits), m_stable(stable), m_canary(canary) {
  m_samples.push_back(sample(now));
}

CanaryGuard::Sample CanaryGuard::sample(Clock::TimePoint now) const {
  Sample s;
  s.at = now;
  s.requests = m_canary.requests ? m_canary.requests->value() : 0;
  s.errors = m_canary.errors ? m_canary.errors->value() : 0;
  s.canaryBuckets = buckets(m_canary.duration);
  s.stableBuckets = buckets(m_stable.duration);
  return s;
}

std::optional<CanaryBreach> CanaryGuard::evaluate(Clock::TimePoint now) {
  m_samples.push_back(sample(now));
  // Keep the newest sample at or before the window's start: the window's base.
  while (m_samples.size() > 2 && m_samples[1].at <= now - m_limits.window) m_samples.pop_front();
  const Sample &base = m_samples.front();
  const Sample &last = m_samples.back();
  CanaryMeasures m;
  m.requests = last.requests - base.requests;
  m.errors = last.errors - base.errors;
  m.errorRate = m.requests ? static_cast<double>(m.errors) / static_cast<double>(m.requests) : 0;
  const auto bounds = observe::latencyBuckets();
  m.p99Ms = p99Ms(base.canaryBuckets, last.canaryBuckets, bounds);
  m.stableP99Ms = p99Ms(base.stableBuckets, last.stableBuckets, bounds);
  for (std::size_t i = 0; i < last.stableBuckets.size(); ++i)
    m.stableRequests += last.stableBuckets[i] - (i < base.stableBuckets.size() ? base.stableBuckets[i] : 0);
  m_measures = m;
  if (m.requests < std::max<std::uint64_t>(1, m_limits.minRequests)) return std::nullopt;
  auto breach = [&](std::string limit, double measured, double value) {
    return CanaryBreach{m_model, m_version, std::move(limit), measured, value, m};
  };
  if (m_limits.maxErrorRate && m.errorRate > *m_limits.maxErrorRate)
    return breach("max_error_rate", m.errorRate, *m_limits.maxErrorRate);
  if (m_limits.maxP99Ms && m.p99Ms > *m_limits.maxP99Ms) return breach("max_p99_ms", m.p99Ms, *m_limits.maxP99Ms);
  if (m_limits.maxP99Ratio && m.stableP99Ms > 0 && m.p99Ms / m.stableP99Ms > *m_limits.maxP99Ratio)
    return breach("max_p99_ratio", m.p99Ms / m.stableP99Ms, *m_limits.maxP99Ratio);
  return std::nullopt;
}

}  // namespace lmfront::node
