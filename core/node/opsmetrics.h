// OpsMetrics: the ops API's `metrics` samples (docs/ops-protocol.md, "metrics") read from the
// node's time-series store, and the ring of recent samples a `metrics` snapshot returns.
//
// It computes nothing over time itself: every rate and quantile is the store's latest 1 s point
// (the chart series of observe/chartseries.h; errors by class from the store's raw series of
// lmfront_requests_total; concurrency limits from lmfront_backend_concurrency_limit), so the
// topic, the range query and the alert rules read one set of numbers. Per model (the served
// table's names) and per backend (its pools' backends); node CPU and RSS from /proc/self, CPU
// over the time between samples on the node's clock.
//
// Not thread-safe: one owner (the ops service on the node thread) calls everything.
#pragma once

#include "common/clock.h"
#include "gateway/pool/modeltable.h"
#include "observe/timeseriesstore.h"

#include <QJsonObject>
#include <deque>
#include <optional>

namespace lmfront::node {

class OpsMetrics {
public:
  static constexpr int kMaxHistorySeconds = 600;

  // Tracks the raw families it reads (when registered). The store must outlive this.
  explicit OpsMetrics(observe::TimeSeriesStore &store);

  // The sample of the store's latest second, at clock time `now` shown as unix time `unixMs`;
  // kept in the ring. `table`: what is served now (which models and backends appear).
  QJsonObject sample(const gateway::pool::ModelTable &table, Clock::TimePoint now, qint64 unixMs);
  // The snapshot payload: {"interval_ms", "samples": the last `historySeconds`, oldest first}.
  QJsonObject snapshot(int historySeconds) const;

private:
  observe::TimeSeriesStore &m_store;
  double m_previousCpuSeconds = -1;
  std::optional<Clock::TimePoint> m_previousTime;
  std::deque<QJsonObject> m_ring;
};

}  // namespace lmfront::node
