// TimeSeriesStore: the node's one store of time series, in memory at 1 s resolution for the last
// hour, plus the coarser tiers of the chart series handed to an owner that keeps them (the node
// persists the 10 s and 1 min tiers; docs/metrics.md, "Time series").
//
// Contract:
// - track(family, quantiles) selects a family of the registry; every series it has now or gains
//   later is recorded at each sample() (the "raw" series alert rules read):
//     counter   → name = family, value = increase per second since the previous sample;
//     gauge     → name = family, value = the gauge's value;
//     histogram → name = family, one series per quantile q with the extra label quantile="q",
//                 estimated from the observations made since the previous sample (NaN when there
//                 were none: a chart draws a gap), plus name = family + "_count" with the number
//                 of observations per second.
//   A raw series' first sample is its baseline: rates start at the second sample. A series
//   removed from its family (FamilyBase::remove) is forgotten at the next sample, its points
//   with it: readers see it missing at once, not fading out of their window.
// - enableCharts(tiers, sink) also records the chart series (chartseries.h) at every sample, and
//   accumulates each sample's interval into one bucket per tier step (aligned on multiples of the
//   step on the clock); when a bucket closes, the chart series computed over the whole bucket go
//   to `sink`. flush() closes the open buckets (at shutdown). A chart series counts a metric
//   series that appears after the first sample from zero, so a model's first request is charted.
// - sample(now) is called by one timer, once a second (any period works: rates divide by the
//   elapsed time). It keeps the last `capacity` points of each series (a ring).
// - series(name, labels, since) returns the points with time >= since, oldest first; `labels`
//   must match the series' label set exactly (order does not matter).
// Memory: 12 bytes per point (a time kept to 10 ms and a double), `capacity` points per series at
// most; a ring grows as points arrive. A store that runs past 248 days re-bases its
// times and starts its rings afresh (once).
// Thread-safe: sample() and the readers may run on different threads (one internal mutex; the
// hot path never touches this class — it reads the registry's atomics). The sink is called
// from sample() or flush(), under that mutex: it must not call back into the store.
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "observe/chartseries.h"
#include "observe/metricsregistry.h"

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace lmfront::observe {

// What tracked families did over one interval. Every quantity is additive, so intervals merge.
struct Interval {
  struct Family {
    const FamilyBase *family = nullptr;
    std::map<LabelValues, double> values;                       // counter: increase; gauge: value × seconds
    std::map<LabelValues, std::vector<std::uint64_t>> buckets;  // histogram: observations per bucket
  };
  double seconds = 0;
  std::map<std::string, Family, std::less<>> families;

  void merge(const Interval &other);
};

class TimeSeriesStore {
public:
  struct Point {
    Clock::TimePoint time;
    double value = 0;
  };
  // A closed bucket of one tier: its step, its start, and the chart series over it.
  using TierSink = std::function<void(Clock::Duration step, Clock::TimePoint start, std::vector<ChartPoint> points)>;

  static constexpr std::size_t kDefaultCapacity = 3600;  // an hour of 1 s points
  explicit TimeSeriesStore(const MetricsRegistry &registry, std::size_t capacity = kDefaultCapacity);

  // NotFound when the registry has no such family; quantiles must lie in [0, 1].
  Status track(std::string_view family, std::vector<double> quantiles = {0.5, 0.99});
  // Records the chart series from now on; `tiers` are the coarser steps (whole seconds).
  void enableCharts(std::vector<Clock::Duration> tiers, TierSink sink);
  // Which model each backend serves (chartseries.h, deriveCharts); replaced whole.
  void setBackendModels(std::map<std::string, std::string> backendModel);

  void sample(Clock::TimePoint now);
  void flush();

  std::vector<Point> series(std::string_view name, Labels labels, Clock::TimePoint since) const;
  std::optional<Point> latest(std::string_view name, Labels labels) const;
  // The label sets recorded under `name`, each sorted by label name.
  std::vector<Labels> labelSets(std::string_view name) const;
  // The first sample's time (the oldest point any series can have); nullopt before it.
  std::optional<Clock::TimePoint> firstSample() const;
  // Bytes held by the rings and their keys (an estimate that leaves out allocator overhead).
  std::size_t memoryBytes() const;

private:
  struct Previous {
    std::uint64_t count = 0;
    std::vector<std::uint64_t> buckets;
    std::uint64_t sample = 0;  // the last sample that saw the series in its family
  };
  struct Tracked {
    const FamilyBase *family = nullptr;
    std::vector<double> quantiles;
    bool raw = false;  // recorded as its own series (track()), or only read for the charts
    std::map<LabelValues, Previous> previous;
    bool seen = false;  // sampled at least once: series it gains later count from zero
  };
  struct Slot {
    std::int32_t ticks;  // 10 ms since m_epoch
    double value;
  };
  // Times and values apart: 12 bytes a point instead of a padded 16.
  class Ring {
  public:
    void push(Slot s, std::size_t capacity);
    template <typename Fn>
    void forEach(Fn &&fn) const;
    std::optional<Slot> back() const;
    std::size_t bytes() const {
      return m_ticks.capacity() * sizeof(std::int32_t) + m_values.capacity() * sizeof(double);
    }

  private:
    std::vector<std::int32_t> m_ticks;
    std::vector<double> m_values;
    std::size_t m_next = 0;  // once full: the oldest, overwritten next
  };
  struct Tier {
    Clock::Duration step;
    std::int64_t bucket = 0;
    bool open = false;
    Interval acc;
  };
  using SeriesKey = std::pair<std::string, Labels>;

  void record(const std::string &name, Labels labels, Clock::TimePoint t, double value);
  void forgetRemoved(Tracked &t);
  void closeBucket(Tier &tier);
  Point toPoint(Slot s) const;

  const MetricsRegistry &m_registry;
  const std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::vector<Tracked> m_tracked;     // GUARDED_BY(m_mutex)
  std::map<SeriesKey, Ring> m_rings;  // GUARDED_BY(m_mutex)
  std::uint64_t m_samples = 0;        // GUARDED_BY(m_mutex)
  std::optional<Clock::TimePoint> m_epoch, m_last;
  bool m_charts = false;
  std::vector<Tier> m_tiers;
  TierSink m_sink;
  std::map<std::string, std::string> m_backendModel;
};

// Prometheus' histogram_quantile over one interval: q in [0,1], `buckets` per bucket (not
// cumulative, last = +Inf) for the finite upper `bounds`. Linear interpolation inside the bucket;
// the lowest bucket interpolates from 0; a rank in +Inf yields the highest finite bound.
// NaN when the buckets hold no observation.
double histogramQuantile(double q, std::span<const double> bounds, std::span<const std::uint64_t> buckets);

}  // namespace lmfront::observe
