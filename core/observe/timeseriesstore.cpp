#include "observe/timeseriesstore.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmfront::observe {
namespace {

Labels sorted(Labels l) {
  std::sort(l.begin(), l.end());
  return l;
}

Labels labelsOf(const FamilyBase &f, const LabelValues &values) {
  Labels l;
  l.reserve(values.size() + 1);
  for (std::size_t i = 0; i < values.size(); ++i) l.emplace_back(f.labelNames()[i], values[i]);
  return l;
}

}  // namespace

double histogramQuantile(double q, std::span<const double> bounds, std::span<const std::uint64_t> buckets) {
  std::uint64_t total = 0;
  for (const auto b : buckets) total += b;
  if (total == 0 || bounds.empty() || buckets.size() != bounds.size() + 1 || std::isnan(q))
    return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(total);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    const std::uint64_t before = cumulative;
    cumulative += buckets[i];
    if (buckets[i] > 0 && static_cast<double>(cumulative) >= rank) {
      const double lower = i == 0 ? std::min(0.0, bounds[0]) : bounds[i - 1];
      const double within = (rank - static_cast<double>(before)) / static_cast<double>(buckets[i]);
      return lower + (bounds[i] - lower) * within;
    }
  }
  return bounds.back();
}

void TimeSeriesStore::Ring::push(Point p) {
  m_points[m_next] = p;
  m_next = (m_next + 1) % m_points.size();
  m_size = std::min(m_size + 1, m_points.size());
}

void TimeSeriesStore::Ring::appendSince(Clock::TimePoint since, std::vector<Point> &out) const {
  const std::size_t cap = m_points.size();
  const std::size_t first = (m_next + cap - m_size) % cap;
  for (std::size_t k = 0; k < m_size; ++k) {
    const Point &p = m_points[(first + k) % cap];
    if (p.time >= since) out.push_back(p);
  }
}

TimeSeriesStore::TimeSeriesStore(const MetricsRegistry &registry, std::size_t capacity)
    : m_registry(registry), m_capacity(std::max<std::size_t>(capacity, 1)) {}

Status TimeSeriesStore::track(std::string_view family, std::vector<double> quantiles) {
  const FamilyBase *f = m_registry.find(family);
  if (!f) return Status::notFound("time series: no metric family named " + std::string(family));
  for (const double q : quantiles)
    if (!(q >= 0 && q <= 1)) return Status::invalidArgument("time series: quantiles must lie in [0, 1]");
  std::lock_guard lock(m_mutex);
  for (auto &t : m_tracked) {
    if (t.family == f) {
      t.quantiles = std::move(quantiles);
      return Status::ok();
    }
  }
  m_tracked.push_back(Tracked{f, std::move(quantiles), {}});
  return Status::ok();
}

void TimeSeriesStore::record(const std::string &name, Labels labels, Point p) {
  auto it = m_rings.find(SeriesKey{name, labels});
  if (it == m_rings.end()) it = m_rings.emplace(SeriesKey{name, std::move(labels)}, Ring(m_capacity)).first;
  it->second.push(p);
}

void TimeSeriesStore::sample(Clock::TimePoint now) {
  std::lock_guard lock(m_mutex);
  for (auto &t : m_tracked) {
    const FamilyBase &f = *t.family;
    t.family->forEach([&](const LabelValues &values, const SeriesBase &s) {
      const Labels labels = sorted(labelsOf(f, values));
      auto [prevIt, fresh] = t.previous.try_emplace(values);
      Previous &prev = prevIt->second;
      const double elapsed = std::chrono::duration<double>(now - prev.time).count();
      switch (f.type()) {
      case MetricType::Gauge: record(f.name(), labels, {now, static_cast<const Gauge &>(s).value()}); break;
      case MetricType::Counter: {
        const std::uint64_t v = static_cast<const Counter &>(s).value();
        // A counter never goes down; if it did (it cannot here), count from zero like Prometheus.
        const std::uint64_t delta = v >= prev.count ? v - prev.count : v;
        if (!fresh && elapsed > 0) record(f.name(), labels, {now, static_cast<double>(delta) / elapsed});
        prev.count = v;
        break;
      }
      case MetricType::Histogram: {
        const auto snap = static_cast<const Histogram &>(s).snapshot();
        if (!fresh && elapsed > 0 && prev.buckets.size() == snap.buckets.size()) {
          std::vector<std::uint64_t> delta(snap.buckets.size());
          for (std::size_t i = 0; i < delta.size(); ++i)
            delta[i] = snap.buckets[i] >= prev.buckets[i] ? snap.buckets[i] - prev.buckets[i] : snap.buckets[i];
          for (const double q : t.quantiles) {
            Labels ql = labels;
            ql.emplace_back("quantile", formatValue(q));
            record(f.name(), sorted(std::move(ql)), {now, histogramQuantile(q, f.bounds(), delta)});
          }
          const std::uint64_t n = snap.count >= prev.count ? snap.count - prev.count : snap.count;
          record(f.name() + "_count", labels, {now, static_cast<double>(n) / elapsed});
        }
        prev.count = snap.count;
        prev.buckets = snap.buckets;
        break;
      }
      }
      prev.time = now;
    });
  }
}

std::vector<TimeSeriesStore::Point> TimeSeriesStore::series(std::string_view name, Labels labels,
                                                            Clock::TimePoint since) const {
  std::vector<Point> out;
  std::lock_guard lock(m_mutex);
  const auto it = m_rings.find(SeriesKey{std::string(name), sorted(std::move(labels))});
  if (it != m_rings.end()) it->second.appendSince(since, out);
  return out;
}

std::vector<Labels> TimeSeriesStore::labelSets(std::string_view name) const {
  std::vector<Labels> out;
  std::lock_guard lock(m_mutex);
  for (const auto &[key, ring] : m_rings)
    if (key.first == name) out.push_back(key.second);
  return out;
}

}  // namespace lmfront::observe
