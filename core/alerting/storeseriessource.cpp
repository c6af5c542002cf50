#include "alerting/storeseriessource.h"

#include "observe/metricsregistry.h"
#include "observe/timeseriesstore.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace lmfront::alerting {

namespace {

using Points = std::vector<observe::TimeSeriesStore::Point>;

Labels groupOf(const Labels &series, const std::optional<std::vector<std::string>> &by, bool wholeByDefault) {
  if (!by) return wholeByDefault ? Labels{} : series;
  Labels key;
  for (const auto &name : *by) {
    auto it = std::find_if(series.begin(), series.end(), [&](const auto &p) { return p.first == name; });
    key.emplace_back(name, it == series.end() ? std::string() : it->second);
  }
  return key;
}

// The labels without `quantile`, and its value (NaN when absent).
std::pair<Labels, double> splitQuantile(const Labels &labels) {
  Labels rest;
  double q = std::numeric_limits<double>::quiet_NaN();
  for (const auto &[k, v] : labels) {
    if (k == "quantile")
      q = std::strtod(v.c_str(), nullptr);
    else
      rest.emplace_back(k, v);
  }
  return {rest, q};
}

double meanOf(const Points &points) {
  double sum = 0;
  std::size_t n = 0;
  for (const auto &p : points)
    if (!std::isnan(p.value)) {
      sum += p.value;
      ++n;
    }
  return n == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(n);
}

double maxOf(const Points &points) {
  double m = std::numeric_limits<double>::quiet_NaN();
  for (const auto &p : points)
    if (!std::isnan(p.value) && (std::isnan(m) || p.value > m)) m = p.value;
  return m;
}

// Per-second quantiles weighted by that second's observation count.
double weightedQuantile(const Points &quantiles, const Points &counts) {
  double sum = 0, weight = 0;
  for (const auto &q : quantiles) {
    if (std::isnan(q.value)) continue;
    auto c = std::find_if(counts.begin(), counts.end(), [&](const auto &p) { return p.time == q.time; });
    const double w = c == counts.end() ? 0 : c->value;
    sum += q.value * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : std::numeric_limits<double>::quiet_NaN();
}

// Sum of each matching series' mean per-second rate, per group.
std::map<Labels, double> rates(const observe::TimeSeriesStore &store, const Selector &selector,
                               const std::optional<std::vector<std::string>> &by, bool wholeByDefault,
                               Clock::TimePoint since) {
  std::map<Labels, double> out;
  for (const auto &labels : store.labelSets(selector.metric)) {
    if (!selector.matches(labels)) continue;
    const double rate = meanOf(store.series(selector.metric, labels, since));
    if (std::isnan(rate)) continue;
    out[groupOf(labels, by, wholeByDefault)] += rate;
  }
  return out;
}

}  // namespace

std::vector<std::pair<Labels, double>> StoreSeriesSource::evaluate(const AlertRule &rule, Clock::TimePoint now) const {
  const Clock::TimePoint since = now - rule.window;
  std::map<Labels, double> values;
  switch (rule.aggregate) {
  case Aggregate::Rate: values = rates(m_store, rule.selector, rule.by, false, since); break;
  case Aggregate::Ratio: {
    const auto numerators = rates(m_store, rule.selector, rule.by, true, since);
    std::map<Labels, double> denominators;
    for (const Selector &part : rule.denominator)
      for (const auto &[group, rate] : rates(m_store, part, rule.by, true, since)) denominators[group] += rate;
    for (const auto &[group, denominator] : denominators) {
      if (denominator <= 0 || denominator < rule.minRate) continue;
      const auto n = numerators.find(group);
      values[group] = (n == numerators.end() ? 0.0 : n->second) / denominator;
    }
    break;
  }
  case Aggregate::Avg:
  case Aggregate::Max: {
    std::map<Labels, std::pair<double, std::size_t>> groups;  // sum or max, series count
    for (const auto &labels : m_store.labelSets(rule.selector.metric)) {
      if (!rule.selector.matches(labels)) continue;
      const Points points = m_store.series(rule.selector.metric, labels, since);
      const double v = rule.aggregate == Aggregate::Avg ? meanOf(points) : maxOf(points);
      if (std::isnan(v)) continue;
      auto [it, fresh] = groups.try_emplace(groupOf(labels, rule.by, false), v, 1);
      if (fresh) continue;
      if (rule.aggregate == Aggregate::Avg) {
        it->second.first += v;
        ++it->second.second;
      } else {
        it->second.first = std::max(it->second.first, v);
      }
    }
    for (const auto &[group, acc] : groups) values[group] = acc.first / static_cast<double>(acc.second);
    break;
  }
  case Aggregate::Quantile:
    for (const auto &labels : m_store.labelSets(rule.selector.metric)) {
      const auto [rest, q] = splitQuantile(labels);
      if (std::isnan(q) || std::abs(q - rule.q) > 1e-9 || !rule.selector.matches(rest)) continue;
      const double v = weightedQuantile(m_store.series(rule.selector.metric, labels, since),
                                        m_store.series(rule.selector.metric + "_count", rest, since));
      if (std::isnan(v)) continue;
      auto [it, fresh] = values.try_emplace(groupOf(rest, rule.by, false), v);
      if (!fresh) it->second = std::max(it->second, v);
    }
    break;
  }
  return {values.begin(), values.end()};
}

}  // namespace lmfront::alerting
