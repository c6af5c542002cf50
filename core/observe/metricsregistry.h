// MetricsRegistry: named metric families with label sets, and their Prometheus text exposition.
//
// Contract:
// - Registration (counter()/gauge()/histogram()) validates names, label names and buckets and
//   returns a clear Status when they are wrong; registering the same name again with the same
//   type and label names returns the existing family (so independent components may both ask).
// - Family::withLabels(values) finds or creates the series for those label values under the
//   family's lock (a shared lock when it exists). It is meant to be called once per label set and
//   the reference kept: updates through the reference are lock-free (metrics.h). References stay
//   valid for the registry's lifetime unless the series is removed: remove() exists for the few
//   families whose series come and go with what they describe (a cluster's members), whose owner
//   sets them through withLabels() each time and keeps no reference.
// - Cardinality is bounded: past `maxSeriesPerFamily` label sets (label values often come from
//   the network, e.g. a model name), further new sets share one series whose every label value
//   is "__overflow__", so a flood of bogus names cannot exhaust memory.
// - exposition() renders text format 0.0.4 (HELP, TYPE, escaped label values, cumulative
//   histogram buckets with +Inf, _sum, _count), families and series in a stable sorted order.
// All methods are thread-safe. The registry is not copyable; share it by reference.
#pragma once

#include "common/status.h"
#include "observe/metrics.h"

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::observe {

using LabelValues = std::vector<std::string>;

// Label values as a caller passes them, read as a family's key: padded with "" or truncated to
// the family's label count. Compared with stored keys without building one (no allocation on the
// request path's lookups).
struct LabelValuesView {
  std::span<const std::string_view> values;
  std::size_t size = 0;
  std::string_view operator[](std::size_t i) const { return i < values.size() ? values[i] : std::string_view(); }
};

struct LabelValuesLess {
  using is_transparent = void;
  bool operator()(const LabelValues &a, const LabelValues &b) const { return a < b; }
  bool operator()(const LabelValues &a, const LabelValuesView &b) const;
  bool operator()(const LabelValuesView &a, const LabelValues &b) const;
};

class FamilyBase {
public:
  FamilyBase(MetricType type, std::string name, std::string help, std::vector<std::string> labelNames,
             std::vector<double> bounds, std::size_t maxSeries);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase &) = delete;
  FamilyBase &operator=(const FamilyBase &) = delete;

  MetricType type() const { return m_type; }
  const std::string &name() const { return m_name; }
  const std::string &help() const { return m_help; }
  const std::vector<std::string> &labelNames() const { return m_labelNames; }
  const std::vector<double> &bounds() const { return m_bounds; }  // histograms only
  std::size_t seriesCount() const;
  // Drops the series with these label values (false when there is none): it leaves the
  // exposition and, at the next sample, the time series store. Any reference to it dangles.
  bool remove(const LabelValues &values);

  // Calls fn(labelValues, series) for every series, sorted by label values. Holds the family's
  // shared lock (blocks only series creation, never updates).
  template <typename Fn>
  void forEach(Fn &&fn) const {
    std::shared_lock lock(m_mutex);
    for (const auto &[values, series] : m_series) fn(values, *series);
  }

protected:
  SeriesBase &findOrCreate(std::span<const std::string_view> values);

private:
  std::unique_ptr<SeriesBase> makeSeries() const;

  const MetricType m_type;
  const std::string m_name;
  const std::string m_help;
  const std::vector<std::string> m_labelNames;
  const std::vector<double> m_bounds;
  const std::size_t m_maxSeries;
  mutable std::shared_mutex m_mutex;
  std::map<LabelValues, std::unique_ptr<SeriesBase>, LabelValuesLess> m_series;  // GUARDED_BY(m_mutex)
};

// A family whose series are S. Wrong value counts are padded with "" or truncated (a caller bug,
// but never a crash on the request path).
template <typename S>
class Family final : public FamilyBase {
public:
  using FamilyBase::FamilyBase;
  S &withLabels(std::initializer_list<std::string_view> values) {
    return static_cast<S &>(findOrCreate(std::span<const std::string_view>(values.begin(), values.size())));
  }
  S &withLabels(std::span<const std::string_view> values) { return static_cast<S &>(findOrCreate(values)); }
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
public:
  static constexpr std::size_t kDefaultMaxSeriesPerFamily = 10000;
  explicit MetricsRegistry(std::size_t maxSeriesPerFamily = kDefaultMaxSeriesPerFamily)
      : m_maxSeries(maxSeriesPerFamily) {}
  MetricsRegistry(const MetricsRegistry &) = delete;
  MetricsRegistry &operator=(const MetricsRegistry &) = delete;

  Result<CounterFamily *> counter(std::string_view name, std::string_view help, std::vector<std::string> labels = {});
  Result<GaugeFamily *> gauge(std::string_view name, std::string_view help, std::vector<std::string> labels = {});
  // `bounds`: strictly increasing finite upper bounds; +Inf is implicit.
  Result<HistogramFamily *> histogram(std::string_view name, std::string_view help, std::vector<std::string> labels,
                                      std::span<const double> bounds);

  // The family registered under `name`, or nullptr.
  const FamilyBase *find(std::string_view name) const;
  // Every family, sorted by name.
  std::vector<const FamilyBase *> families() const;

  // Prometheus text exposition format 0.0.4 (Content-Type: text/plain; version=0.0.4).
  std::string exposition() const;
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

private:
  Result<FamilyBase *> add(MetricType type, std::string_view name, std::string_view help,
                           std::vector<std::string> labels, std::span<const double> bounds);

  const std::size_t m_maxSeries;
  mutable std::mutex m_mutex;
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> m_families;  // GUARDED_BY(m_mutex)
};

// For a component's registration function filling its struct of families: stores what was
// registered in `out`, or hands the registration's error back (LMFRONT_RETURN_IF_ERROR).
template <typename T>
Status take(Result<T *> registered, T *&out) {
  if (!registered) return registered.status();
  out = *registered;
  return Status::ok();
}

// Exposition helpers, public for tests: escaping per the text format.
std::string escapeLabelValue(std::string_view v);  // \ → \\, " → \", newline → \n
std::string escapeHelp(std::string_view v);        // \ → \\, newline → \n
std::string formatValue(double v);                 // shortest round-trip; NaN, +Inf, -Inf

}  // namespace lmfront::observe
