#include "observe/timeseriesstore.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmfront::observe {
namespace {

using Tick = std::chrono::duration<std::int64_t, std::ratio<1, 100>>;  // a slot's time unit, 10 ms

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

std::vector<std::uint64_t> difference(const std::vector<std::uint64_t> &now, const std::vector<std::uint64_t> *before) {
  std::vector<std::uint64_t> delta(now.size());
  for (std::size_t i = 0; i < now.size(); ++i) {
    const std::uint64_t b = before && i < before->size() ? (*before)[i] : 0;
    delta[i] = now[i] >= b ? now[i] - b : now[i];  // a reset counts from zero, like Prometheus
  }
  return delta;
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

void Interval::merge(const Interval &other) {
  seconds += other.seconds;
  for (const auto &[name, theirs] : other.families) {
    Family &ours = families[name];
    ours.family = theirs.family;
    for (const auto &[labels, v] : theirs.values) ours.values[labels] += v;
    for (const auto &[labels, b] : theirs.buckets) {
      auto &sum = ours.buckets[labels];
      sum.resize(std::max(sum.size(), b.size()), 0);
      for (std::size_t i = 0; i < b.size(); ++i) sum[i] += b[i];
    }
  }
}

void TimeSeriesStore::Ring::push(Slot s, std::size_t capacity) {
  if (m_ticks.size() < capacity) {
    // Grown by hand so a ring never holds more than `capacity` points.
    if (m_ticks.size() == m_ticks.capacity()) {
      const std::size_t grown = std::min(capacity, std::max<std::size_t>(16, m_ticks.size() * 2));
      m_ticks.reserve(grown);
      m_values.reserve(grown);
    }
    m_ticks.push_back(s.ticks);
    m_values.push_back(s.value);
    return;
  }
  m_ticks[m_next] = s.ticks;
  m_values[m_next] = s.value;
  m_next = (m_next + 1) % m_ticks.size();
}

template <typename Fn>
void TimeSeriesStore::Ring::forEach(Fn &&fn) const {
  const std::size_t n = m_ticks.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (m_next + k) % n;
    fn(Slot{m_ticks[i], m_values[i]});
  }
}

std::optional<TimeSeriesStore::Slot> TimeSeriesStore::Ring::back() const {
  if (m_ticks.empty()) return std::nullopt;
  const std::size_t i = (m_next + m_ticks.size() - 1) % m_ticks.size();
  return Slot{m_ticks[i], m_values[i]};
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
      t.raw = true;
      return Status::ok();
    }
  }
  m_tracked.push_back(Tracked{f, std::move(quantiles), true, {}});
  return Status::ok();
}

void TimeSeriesStore::enableCharts(std::vector<Clock::Duration> tiers, TierSink sink) {
  std::lock_guard lock(m_mutex);
  m_charts = true;
  m_sink = std::move(sink);
  m_tiers.clear();
  for (const auto step : tiers)
    if (step > Clock::Duration::zero()) m_tiers.push_back(Tier{step, 0, false, {}});
}

void TimeSeriesStore::setBackendModels(std::map<std::string, std::string> backendModel) {
  std::lock_guard lock(m_mutex);
  m_backendModel = std::move(backendModel);
}

TimeSeriesStore::Point TimeSeriesStore::toPoint(Slot s) const {
  return Point{*m_epoch + std::chrono::duration_cast<Clock::Duration>(Tick(s.ticks)), s.value};
}

void TimeSeriesStore::record(const std::string &name, Labels labels, Clock::TimePoint t, double value) {
  const auto ticks = std::chrono::duration_cast<Tick>(t - *m_epoch).count();
  auto it = m_rings.find(SeriesKey{name, labels});
  if (it == m_rings.end()) it = m_rings.emplace(SeriesKey{name, std::move(labels)}, Ring()).first;
  it->second.push(Slot{static_cast<std::int32_t>(ticks), value}, m_capacity);
}

void TimeSeriesStore::sample(Clock::TimePoint now) {
  std::lock_guard lock(m_mutex);
  if (m_charts) {
    // Chart families registered after enableCharts() are picked up as they appear.
    for (const std::string_view name : chartFamilies()) {
      const FamilyBase *f = m_registry.find(name);
      if (f && std::none_of(m_tracked.begin(), m_tracked.end(), [&](const Tracked &t) { return t.family == f; }))
        m_tracked.push_back(Tracked{f, {}, false, {}});
    }
  }
  if (!m_epoch ||
      std::chrono::duration_cast<Tick>(now - *m_epoch).count() >= std::numeric_limits<std::int32_t>::max()) {
    m_rings.clear();
    m_epoch = now;
  }
  const double elapsed = m_last ? std::chrono::duration<double>(now - *m_last).count() : 0.0;
  m_last = now;
  ++m_samples;
  Interval interval;
  interval.seconds = elapsed;
  for (auto &t : m_tracked) {
    const FamilyBase &f = *t.family;
    // A family's first sample is its baseline; series it gains later count from zero.
    const bool familyBaseline = !t.seen;
    t.seen = true;
    Interval::Family *out = nullptr;
    if (elapsed > 0) {
      out = &interval.families[f.name()];
      out->family = &f;
    }
    f.forEach([&](const LabelValues &values, const SeriesBase &s) {
      auto [prevIt, fresh] = t.previous.try_emplace(values);
      Previous &prev = prevIt->second;
      prev.sample = m_samples;
      const bool rawRate = t.raw && !fresh && elapsed > 0;
      switch (f.type()) {
      case MetricType::Gauge: {
        const double v = static_cast<const Gauge &>(s).value();
        if (t.raw) record(f.name(), sorted(labelsOf(f, values)), now, v);
        if (out) out->values[values] = v * elapsed;
        break;
      }
      case MetricType::Counter: {
        const std::uint64_t v = static_cast<const Counter &>(s).value();
        const std::uint64_t delta = fresh ? v : (v >= prev.count ? v - prev.count : v);
        if (rawRate) record(f.name(), sorted(labelsOf(f, values)), now, static_cast<double>(delta) / elapsed);
        if (out && !(fresh && familyBaseline)) out->values[values] = static_cast<double>(delta);
        prev.count = v;
        break;
      }
      case MetricType::Histogram: {
        auto snap = static_cast<const Histogram &>(s).snapshot();
        const auto delta = difference(snap.buckets, fresh ? nullptr : &prev.buckets);
        if (rawRate && prev.buckets.size() == snap.buckets.size()) {
          const Labels labels = sorted(labelsOf(f, values));
          for (const double q : t.quantiles) {
            Labels ql = labels;
            ql.emplace_back("quantile", formatValue(q));
            record(f.name(), sorted(std::move(ql)), now, histogramQuantile(q, f.bounds(), delta));
          }
          const std::uint64_t n = snap.count >= prev.count ? snap.count - prev.count : snap.count;
          record(f.name() + "_count", labels, now, static_cast<double>(n) / elapsed);
        }
        if (out && !(fresh && familyBaseline)) out->buckets[values] = delta;
        prev.count = snap.count;
        prev.buckets = std::move(snap.buckets);
        break;
      }
      }
    });
    forgetRemoved(t);
  }
  if (!m_charts || elapsed <= 0) return;
  for (auto &p : deriveCharts(interval, m_backendModel)) record(p.name, std::move(p.labels), now, p.value);
  for (auto &tier : m_tiers) {
    // The interval ending at `now` belongs to the bucket holding the instant just before it.
    const std::int64_t bucket = (now.time_since_epoch() - Clock::Duration(1)) / tier.step;
    if (tier.open && bucket != tier.bucket) closeBucket(tier);
    if (!tier.open) {
      tier.open = true;
      tier.bucket = bucket;
      tier.acc = interval;
    } else {
      tier.acc.merge(interval);
    }
  }
}

void TimeSeriesStore::forgetRemoved(Tracked &t) {
  const FamilyBase &f = *t.family;
  for (auto it = t.previous.begin(); it != t.previous.end();) {
    if (it->second.sample == m_samples) {
      ++it;
      continue;
    }
    if (t.raw) {
      const Labels labels = sorted(labelsOf(f, it->first));
      if (f.type() == MetricType::Histogram) {
        std::erase_if(m_rings, [&](const auto &ring) {
          const auto &[name, ringLabels] = ring.first;
          if (name == f.name() + "_count") return ringLabels == labels;
          if (name != f.name()) return false;
          Labels rest = ringLabels;
          std::erase_if(rest, [](const auto &l) { return l.first == "quantile"; });
          return rest == labels;
        });
      } else {
        m_rings.erase(SeriesKey{f.name(), labels});
      }
    }
    it = t.previous.erase(it);
  }
}

void TimeSeriesStore::closeBucket(Tier &tier) {
  if (m_sink && tier.acc.seconds > 0)
    m_sink(tier.step, Clock::TimePoint(tier.step * tier.bucket), deriveCharts(tier.acc, m_backendModel));
  tier.open = false;
  tier.acc = Interval{};
}

void TimeSeriesStore::flush() {
  std::lock_guard lock(m_mutex);
  for (auto &tier : m_tiers)
    if (tier.open) closeBucket(tier);
}

std::vector<TimeSeriesStore::Point> TimeSeriesStore::series(std::string_view name, Labels labels,
                                                            Clock::TimePoint since) const {
  std::vector<Point> out;
  std::lock_guard lock(m_mutex);
  const auto it = m_rings.find(SeriesKey{std::string(name), sorted(std::move(labels))});
  if (it == m_rings.end()) return out;
  it->second.forEach([&](Slot s) {
    const Point p = toPoint(s);
    if (p.time >= since) out.push_back(p);
  });
  return out;
}

std::optional<TimeSeriesStore::Point> TimeSeriesStore::latest(std::string_view name, Labels labels) const {
  std::lock_guard lock(m_mutex);
  const auto it = m_rings.find(SeriesKey{std::string(name), sorted(std::move(labels))});
  if (it == m_rings.end()) return std::nullopt;
  const auto last = it->second.back();
  return last ? std::optional<Point>(toPoint(*last)) : std::nullopt;
}

std::vector<Labels> TimeSeriesStore::labelSets(std::string_view name) const {
  std::vector<Labels> out;
  std::lock_guard lock(m_mutex);
  for (auto it = m_rings.lower_bound(SeriesKey{std::string(name), {}}); it != m_rings.end() && it->first.first == name;
       ++it)
    out.push_back(it->first.second);
  return out;
}

std::optional<Clock::TimePoint> TimeSeriesStore::firstSample() const {
  std::lock_guard lock(m_mutex);
  return m_epoch;
}

std::size_t TimeSeriesStore::memoryBytes() const {
  std::lock_guard lock(m_mutex);
  std::size_t bytes = 0;
  for (const auto &[key, ring] : m_rings) {
    bytes += ring.bytes() + sizeof(Ring) + sizeof(SeriesKey) + 4 * sizeof(void *) + key.first.capacity();
    for (const auto &[k, v] : key.second) bytes += sizeof(k) * 2 + k.capacity() + v.capacity();
  }
  return bytes;
}

}  // namespace lmfront::observe
