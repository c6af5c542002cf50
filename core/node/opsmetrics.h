// OpsMetrics: the ops API's `metrics` samples (docs/ops-protocol.md, "metrics") computed from the
// node's metrics registry, and the ring of recent samples a `metrics` snapshot returns.
//
// sample() reads families by name through observe::MetricsRegistry (never a component's metric
// handles, which are theirs to reshape): counters and histograms are differenced against the
// previous sample, gauges read as they are. Per model (the served table's names): requests/s,
// errors/s by class, latency and time-to-first-token quantiles of the interval, tokens/s, cache
// hit ratio (requests answered by backend "cache"), queue depth, in-flight (its backends' sum).
// Per backend: requests/s, errors/s, in-flight, concurrency limit. Node: CPU and RSS from
// /proc/self. The first sample after construction has rates of 0 (its baseline).
//
// Not thread-safe: one owner (the ops service on the node thread) calls everything.
#pragma once

#include "gateway/pool/modeltable.h"
#include "observe/metricsregistry.h"

#include <QJsonObject>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace lmfront::node {

class OpsMetrics {
public:
  static constexpr int kMaxHistorySeconds = 600;

  explicit OpsMetrics(const observe::MetricsRegistry &registry);

  // One sample over the `seconds` since the previous one, ending at unix time `unixMs`; kept in
  // the ring. `table`: what is served now (which models and backends appear).
  QJsonObject sample(const gateway::pool::ModelTable &table, double seconds, qint64 unixMs);
  // The snapshot payload: {"interval_ms", "samples": the last `historySeconds`, oldest first}.
  QJsonObject snapshot(int historySeconds) const;

private:
  using Labels = observe::LabelValues;
  struct Reading {
    std::map<Labels, double> values;                       // counters, gauges
    std::map<Labels, std::vector<std::uint64_t>> buckets;  // histograms (per bucket)
  };
  Reading read(std::string_view family) const;

  const observe::MetricsRegistry &m_registry;
  std::map<std::string, Reading, std::less<>> m_previous;  // per family
  double m_previousCpuSeconds = -1;
  std::deque<QJsonObject> m_ring;
};

}  // namespace lmfront::node
