#include "observe/chartseries.h"

#include "observe/metricnames.h"
#include "observe/timeseriesstore.h"

#include <cstdlib>
#include <limits>

namespace lmfront::observe {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A chart series' labels: the node total, a model, or a model's backend.
struct Key {
  std::string model, backend;
  auto operator<=>(const Key &) const = default;
  Labels labels() const {
    Labels l;
    if (!backend.empty()) l.emplace_back(names::kLabelBackend, backend);
    if (!model.empty()) l.emplace_back(names::kLabelModel, model);
    return l;
  }
};

int labelIndex(const FamilyBase &family, std::string_view label) {
  const auto &labels = family.labelNames();
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == label) return static_cast<int>(i);
  return -1;
}

const std::string &labelAt(const LabelValues &values, int index) {
  static const std::string kNone;
  return index >= 0 && static_cast<std::size_t>(index) < values.size() ? values[static_cast<std::size_t>(index)]
                                                                       : kNone;
}

const Interval::Family *familyOf(const Interval &interval, std::string_view name) {
  const auto it = interval.families.find(name);
  return it == interval.families.end() || !it->second.family ? nullptr : &it->second;
}

// Sum of a counter's increases (or a gauge's value × seconds) per model, plus the node total.
std::map<Key, double> sumByModel(const Interval &interval, std::string_view name) {
  std::map<Key, double> out;
  const Interval::Family *f = familyOf(interval, name);
  if (!f) return out;
  const int model = labelIndex(*f->family, names::kLabelModel);
  out[Key{}] += 0;
  for (const auto &[labels, v] : f->values) {
    if (const std::string &m = labelAt(labels, model); !m.empty()) out[Key{m, {}}] += v;
    out[Key{}] += v;
  }
  return out;
}

void quantiles(const Interval &interval, std::string_view name, std::string_view p50, std::string_view p95,
               std::string_view p99, std::vector<ChartPoint> &out) {
  const Interval::Family *f = familyOf(interval, name);
  if (!f) return;
  const int model = labelIndex(*f->family, names::kLabelModel);
  std::map<Key, std::vector<std::uint64_t>> merged;
  auto add = [](std::vector<std::uint64_t> &sum, const std::vector<std::uint64_t> &b) {
    sum.resize(std::max(sum.size(), b.size()), 0);
    for (std::size_t i = 0; i < b.size(); ++i) sum[i] += b[i];
  };
  merged[Key{}];
  for (const auto &[labels, buckets] : f->buckets) {
    if (const std::string &m = labelAt(labels, model); !m.empty()) add(merged[Key{m, {}}], buckets);
    add(merged[Key{}], buckets);
  }
  const auto &bounds = f->family->bounds();
  for (const auto &[key, buckets] : merged)
    for (const auto &[series, q] : {std::pair{p50, 0.5}, std::pair{p95, 0.95}, std::pair{p99, 0.99}})
      out.push_back(ChartPoint{std::string(series), key.labels(), histogramQuantile(q, bounds, buckets) * 1000.0});
}

}  // namespace

const std::vector<std::string_view> &chartSeriesNames() {
  static const std::vector<std::string_view> kNames{
      charts::kRequestsPerS,  charts::kErrorsPerS,    charts::kInFlight,  charts::kLatencyP50Ms, charts::kLatencyP95Ms,
      charts::kLatencyP99Ms,  charts::kTtftP50Ms,     charts::kTtftP95Ms, charts::kTtftP99Ms,    charts::kTokensInPerS,
      charts::kTokensOutPerS, charts::kCacheHitRatio, charts::kQueueDepth};
  return kNames;
}

const std::vector<std::string_view> &chartFamilies() {
  static const std::vector<std::string_view> kFamilies{names::kRequestsTotal,
                                                       names::kRequestDurationSeconds,
                                                       names::kBackendRequestDurationSeconds,
                                                       names::kTimeToFirstTokenSeconds,
                                                       names::kTokensInTotal,
                                                       names::kTokensOutTotal,
                                                       names::kQueueDepth,
                                                       names::kBackendInflight};
  return kFamilies;
}

const char *errorClass(int code) {
  if (code == 429) return "throttled";
  if (code == 503) return "unavailable";
  if (code == 504) return "timeout";
  if (code >= 500) return "server";
  if (code >= 400) return "client";
  return nullptr;
}

std::vector<ChartPoint> deriveCharts(const Interval &interval, const std::map<std::string, std::string> &backendModel) {
  std::vector<ChartPoint> out;
  const double seconds = interval.seconds;
  if (!(seconds > 0)) return out;
  auto emit = [&](std::string_view name, const Key &key, double v) {
    out.push_back(ChartPoint{std::string(name), key.labels(), v});
  };

  struct Requests {
    double all = 0, errors = 0, cached = 0;
  };
  std::map<Key, Requests> requests;
  requests[Key{}];
  if (const Interval::Family *f = familyOf(interval, names::kRequestsTotal)) {
    const int model = labelIndex(*f->family, names::kLabelModel);
    const int backend = labelIndex(*f->family, names::kLabelBackend);
    const int code = labelIndex(*f->family, names::kLabelCode);
    for (const auto &[labels, n] : f->values) {
      const std::string &m = labelAt(labels, model), &b = labelAt(labels, backend);
      const bool error = errorClass(std::atoi(labelAt(labels, code).c_str())) != nullptr;
      const bool cached = b == "cache";
      // A request refused before it had a model counts in the node total only.
      for (const Key &key : m.empty() ? std::vector<Key>{Key{}} : std::vector<Key>{Key{m, b}, Key{m, {}}, Key{}}) {
        Requests &r = requests[key];
        r.all += n;
        if (error) r.errors += n;
        if (cached) r.cached += n;
      }
    }
  }
  for (const auto &[key, r] : requests) {
    emit(charts::kRequestsPerS, key, r.all / seconds);
    emit(charts::kErrorsPerS, key, r.errors / seconds);
    if (key.backend.empty()) emit(charts::kCacheHitRatio, key, r.all > 0 ? r.cached / r.all : kNaN);
  }

  quantiles(interval, names::kRequestDurationSeconds, charts::kLatencyP50Ms, charts::kLatencyP95Ms,
            charts::kLatencyP99Ms, out);
  // A backend's latency, under the model whose pool it serves (the cache serves none).
  if (const Interval::Family *f = familyOf(interval, names::kBackendRequestDurationSeconds)) {
    const int backend = labelIndex(*f->family, names::kLabelBackend);
    for (const auto &[labels, buckets] : f->buckets) {
      const std::string &b = labelAt(labels, backend);
      const auto m = backendModel.find(b);
      if (m == backendModel.end()) continue;
      for (const auto &[series, q] : {std::pair{charts::kLatencyP50Ms, 0.5}, std::pair{charts::kLatencyP95Ms, 0.95},
                                      std::pair{charts::kLatencyP99Ms, 0.99}})
        out.push_back(ChartPoint{std::string(series), Key{m->second, b}.labels(),
                                 histogramQuantile(q, f->family->bounds(), buckets) * 1000.0});
    }
  }
  quantiles(interval, names::kTimeToFirstTokenSeconds, charts::kTtftP50Ms, charts::kTtftP95Ms, charts::kTtftP99Ms, out);
  for (const auto &[key, n] : sumByModel(interval, names::kTokensInTotal))
    emit(charts::kTokensInPerS, key, n / seconds);
  for (const auto &[key, n] : sumByModel(interval, names::kTokensOutTotal))
    emit(charts::kTokensOutPerS, key, n / seconds);
  for (const auto &[key, n] : sumByModel(interval, names::kQueueDepth)) emit(charts::kQueueDepth, key, n / seconds);

  // In flight is a gauge per backend: counted toward the model whose pool the backend serves.
  std::map<Key, double> inflight;
  inflight[Key{}];
  if (const Interval::Family *f = familyOf(interval, names::kBackendInflight)) {
    const int backend = labelIndex(*f->family, names::kLabelBackend);
    for (const auto &[labels, v] : f->values) {
      const std::string &b = labelAt(labels, backend);
      const double mean = v / seconds;
      inflight[Key{}] += mean;
      if (const auto m = backendModel.find(b); m != backendModel.end()) {
        inflight[Key{m->second, b}] += mean;
        inflight[Key{m->second, {}}] += mean;
      }
    }
  }
  for (const auto &[key, v] : inflight) emit(charts::kInFlight, key, v);
  return out;
}

}  // namespace lmfront::observe
