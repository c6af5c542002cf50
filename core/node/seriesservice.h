// SeriesService: the node's one time-series store (observe::TimeSeriesStore) and its history on
// disk (docs/metrics.md, "Time series"). Once a second, on the node thread and at the context's
// clock, it samples the store (raw families for alert rules, chart series for the console) and
// then tells its listeners (the ops `metrics` topic, ...). The chart series' 10 s and 1 min
// tiers go to DATA_DIR/series.db (SQLite through core/storage) and are kept 1 day and 30 days;
// the 1 s tier is the store's last hour in memory. The range query (`series`: the ops command and
// GET /admin/series) answers from the finest tier that covers the range.
//
// Times on disk and in answers are unix milliseconds: the clock's instants are mapped through
// the wall time read once at start (never earlier than the end of the history on disk), so a
// node on a ManualClock writes and reads back consistent history across restarts.
//
// Order: after the gateway (the metric families exist, and the served table names each
// backend's model) and before the services that read the store (alerting, ops).
//
// Threads: start/stop, the timer, tick(), query() and every listener run on the node thread (the
// database's owning thread). store() may be read from any thread (the store is thread-safe).
#pragma once

#include "node/nodecontext.h"
#include "node/service.h"
#include "observe/timeseriesstore.h"

#include <QJsonObject>
#include <functional>
#include <map>
#include <memory>

class QTimer;

namespace lmfront::storage {
class SqliteDb;
}

namespace lmfront::node {

class GatewayService;

class SeriesService final : public Service {
public:
  // `gateway` (may be null: backends are then counted in the node total only) and `context` must
  // outlive the service.
  SeriesService(const NodeContext &context, const GatewayService *gateway);
  ~SeriesService() override;

  std::string_view name() const override { return "series"; }
  Status start() override;
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  observe::TimeSeriesStore &store() { return m_store; }
  // One sample at the context's clock, its closed tiers written, then the listeners. The timer
  // calls it each second; tests call it after advancing a ManualClock.
  void tick();
  // Called after every tick(); returns an id for removeListener().
  int addListener(std::function<void()> listener);
  void removeListener(int id);

  // The `series` query (docs/http-api.md, "GET /admin/series"): `args` holds name, model,
  // backend, from, to, step as strings or numbers. InvalidArgument naming the parameter.
  Result<QJsonObject> query(const QJsonObject &args) const;
  // Unix milliseconds of a clock instant, and back.
  qint64 unixMs(Clock::TimePoint t) const;
  Clock::TimePoint clockTime(qint64 unixMs) const;

private:
  struct Pending {
    int stepSeconds;
    qint64 startMs;
    std::vector<observe::ChartPoint> points;
  };
  Status writePending();
  Result<std::int64_t> seriesId(const observe::ChartPoint &p);
  void expire();
  Status registerCommand();

  const NodeContext &m_context;
  const GatewayService *m_gateway;
  observe::TimeSeriesStore m_store;
  std::unique_ptr<storage::SqliteDb> m_db;
  std::unique_ptr<QTimer> m_timer;
  std::vector<Pending> m_pending;  // closed buckets not yet on disk
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> m_ids;
  std::map<int, std::function<void()>> m_listeners;
  int m_nextListener = 0;
  qint64 m_anchorMs = 0;
  Clock::TimePoint m_anchor;
  int m_ticks = 0;
  bool m_registered = false;
  bool m_running = false;
};

}  // namespace lmfront::node
