// TimeSeriesStore: the last N seconds of per-second values of selected metric families, in memory,
// for the console's live charts (requests/s, p50/p99 latency per model, queue depth...).
//
// Contract:
// - track(family, quantiles) selects a family of the registry; every series it has now or gains
//   later is recorded at each sample():
//     counter   → name = family, value = increase per second since the previous sample;
//     gauge     → name = family, value = the gauge's value;
//     histogram → name = family, one series per quantile q with the extra label quantile="q",
//                 estimated from the observations made since the previous sample (NaN when there
//                 were none: a chart draws a gap), plus name = family + "_count" with the number
//                 of observations per second.
//   A series' first sample is its baseline: rates start at the second sample.
// - sample(now) is called by one timer, once a second (any period works: rates divide by the
//   real elapsed time). It keeps the last `capacity` points of each series (a ring).
// - series(name, labels, since) returns the points with time >= since, oldest first; `labels`
//   must match the series' label set exactly (order does not matter).
// Thread-safe: sample() and the readers may run on different threads (one internal mutex; the
// hot path never touches this class — it reads the registry's atomics).
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "observe/metricsregistry.h"

#include <map>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace lmfront::observe {

using Labels = std::vector<std::pair<std::string, std::string>>;

class TimeSeriesStore {
public:
  struct Point {
    Clock::TimePoint time;
    double value = 0;
  };

  static constexpr std::size_t kDefaultCapacity = 600;  // 10 minutes of 1 s points
  explicit TimeSeriesStore(const MetricsRegistry &registry, std::size_t capacity = kDefaultCapacity);

  // NotFound when the registry has no such family; quantiles must lie in [0, 1].
  Status track(std::string_view family, std::vector<double> quantiles = {0.5, 0.99});
  void sample(Clock::TimePoint now);

  std::vector<Point> series(std::string_view name, Labels labels, Clock::TimePoint since) const;
  // The label sets recorded under `name`, each sorted by label name.
  std::vector<Labels> labelSets(std::string_view name) const;

private:
  struct Previous {
    Clock::TimePoint time;
    std::uint64_t count = 0;
    std::vector<std::uint64_t> buckets;
  };
  struct Tracked {
    const FamilyBase *family = nullptr;
    std::vector<double> quantiles;
    std::map<LabelValues, Previous> previous;
  };
  class Ring {
  public:
    explicit Ring(std::size_t capacity) : m_points(capacity) {}
    void push(Point p);
    void appendSince(Clock::TimePoint since, std::vector<Point> &out) const;

  private:
    std::vector<Point> m_points;
    std::size_t m_next = 0;
    std::size_t m_size = 0;
  };
  using SeriesKey = std::pair<std::string, Labels>;

  void record(const std::string &name, Labels labels, Point p);

  const MetricsRegistry &m_registry;
  const std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::vector<Tracked> m_tracked;     // GUARDED_BY(m_mutex)
  std::map<SeriesKey, Ring> m_rings;  // GUARDED_BY(m_mutex)
};

// Prometheus' histogram_quantile over one interval: q in [0,1], `buckets` per bucket (not
// cumulative, last = +Inf) for the finite upper `bounds`. Linear interpolation inside the bucket;
// the lowest bucket interpolates from 0; a rank in +Inf yields the highest finite bound.
// NaN when the buckets hold no observation.
double histogramQuantile(double q, std::span<const double> bounds, std::span<const std::uint64_t> buckets);

}  // namespace lmfront::observe
