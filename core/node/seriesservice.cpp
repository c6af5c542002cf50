#include "node/seriesservice.h"

#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "gateway/openai/openaiservice.h"
#include "node/gatewayservice.h"
#include "node/noderoutes.h"
#include "storage/sqlitedb.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimer>
#include <cmath>
#include <limits>
#include <set>

namespace lmfront::node {

namespace {

using namespace std::chrono_literals;

struct TierSpec {
  int stepSeconds;
  std::chrono::seconds span;
};
// The finest first: a query takes the first tier whose span reaches back to its start.
constexpr TierSpec kTiers[] = {{1, 1h}, {10, 24h}, {60, 30 * 24h}};
constexpr qint64 kMaxPoints = 11'000;  // per series in one answer
constexpr int kExpireEveryTicks = 600;

const std::vector<std::string_view> kMigrations{
    // 1: the chart series' coarse tiers (10 s, 1 min), NULL for a gap.
    "CREATE TABLE series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, model TEXT NOT NULL, backend TEXT NOT NULL,"
    " UNIQUE (name, model, backend));"
    "CREATE TABLE points (step_s INTEGER NOT NULL, series INTEGER NOT NULL REFERENCES series(id), t_ms INTEGER NOT "
    "NULL, value REAL, PRIMARY KEY (step_s, series, t_ms)) WITHOUT ROWID;"};

std::string labelValue(const observe::Labels &labels, std::string_view name) {
  for (const auto &[k, v] : labels)
    if (k == name) return v;
  return {};
}

// An integer parameter given as a JSON number or as decimal text (a URL query's value).
Result<std::optional<qint64>> integerArg(const QJsonObject &args, const QString &key) {
  const QJsonValue v = args.value(key);
  if (v.isUndefined() || v.isNull()) return std::optional<qint64>();
  bool ok = false;
  qint64 n = 0;
  if (v.isDouble()) {
    const double d = v.toDouble();
    ok = d == std::floor(d) && std::abs(d) < 9e15;
    n = static_cast<qint64>(d);
  } else if (v.isString()) {
    n = v.toString().toLongLong(&ok);
  }
  if (!ok) return Status::invalidArgument("parameter '" + key.toStdString() + "' must be an integer");
  return std::optional<qint64>(n);
}

// Which series of a name a query asks for: absent = the total over that label, "*" = each value.
bool labelMatches(const std::optional<QString> &wanted, const std::string &value) {
  if (!wanted) return value.empty();
  if (*wanted == u"*"_qs) return !value.empty();
  return value == wanted->toStdString();
}

QJsonValue labelJson(const std::string &v) {
  return v.empty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromStdString(v));
}

}  // namespace

SeriesService::SeriesService(const NodeContext &context, const GatewayService *gateway)
    : m_context(context), m_gateway(gateway), m_store(context.metrics) {}

SeriesService::~SeriesService() { stop(); }

Status SeriesService::start() {
  if (m_running) return Status::failedPrecondition("the series service is already running");
  const std::string path = QString(m_context.dataDir + u"/series.db"_qs).toStdString();
  auto db = storage::SqliteDb::open(path, storage::SqliteOptions{kMigrations});
  if (!db) return db.status();
  m_db = std::move(*db);
  m_ids.clear();
  if (!m_registered) {
    LMFRONT_RETURN_IF_ERROR(registerCommand());
    m_registered = true;
  }
  m_anchor = m_context.clock.now();
  m_anchorMs = QDateTime::currentMSecsSinceEpoch();
  // Never before the history on disk (its newest bucket spans up to a minute), so a wall clock
  // stepped back, or a test's ManualClock, cannot interleave two runs' points.
  if (auto newest = m_db->prepare("SELECT max(t_ms) FROM points"); newest) {
    if (const auto row = newest->step(); row && *row)
      if (const auto t = newest->optionalInt64(0)) m_anchorMs = std::max<qint64>(m_anchorMs, *t + 60'000);
  }
  m_store.enableCharts({10s, 60s}, [this](Clock::Duration step, Clock::TimePoint start, auto points) {
    m_pending.push_back(Pending{static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(step).count()),
                                unixMs(start), std::move(points)});
  });
  m_store.sample(m_context.clock.now());  // the rates' baseline
  m_timer = std::make_unique<QTimer>();
  QObject::connect(m_timer.get(), &QTimer::timeout, [this] { tick(); });
  m_timer->start(1000);
  m_running = true;
  expire();
  return Status::ok();
}

bool SeriesService::drain(std::chrono::milliseconds) { return true; }

void SeriesService::stop() {
  if (!m_running) return;
  m_timer.reset();
  m_store.flush();  // the open 10 s and 1 min buckets, so a restart loses no minute
  if (const Status written = writePending(); !written.isOk())
    m_context.events.report(EventLevel::Warning, "series", "history not written at stop: " + written.message());
  m_db.reset();
  m_running = false;
}

Health SeriesService::health() const {
  Health h;
  if (m_running) h.state = Health::State::Serving;
  return h;
}

void SeriesService::tick() {
  if (!m_running) return;
  if (m_gateway) {
    if (const auto state = m_gateway->state(); state && state->service) {
      std::map<std::string, std::string> backendModel;
      for (const auto &[model, pool] : state->service->table()->pools)
        for (const auto &backend : pool->backends) backendModel.emplace(backend->id(), model);
      m_store.setBackendModels(std::move(backendModel));
    }
  }
  m_store.sample(m_context.clock.now());
  if (const Status written = writePending(); !written.isOk())
    m_context.events.report(EventLevel::Warning, "series", "history not written: " + written.message());
  if (++m_ticks % kExpireEveryTicks == 0) expire();
  const auto listeners = m_listeners;  // a listener may remove itself
  for (const auto &[id, listener] : listeners) listener();
}

int SeriesService::addListener(std::function<void()> listener) {
  m_listeners.emplace(m_nextListener, std::move(listener));
  return m_nextListener++;
}

void SeriesService::removeListener(int id) { m_listeners.erase(id); }

qint64 SeriesService::unixMs(Clock::TimePoint t) const {
  return m_anchorMs + std::chrono::duration_cast<std::chrono::milliseconds>(t - m_anchor).count();
}

Clock::TimePoint SeriesService::clockTime(qint64 ms) const {
  return m_anchor + std::chrono::milliseconds(ms - m_anchorMs);
}

Result<std::int64_t> SeriesService::seriesId(const observe::ChartPoint &p) {
  auto key = std::make_tuple(p.name, labelValue(p.labels, "model"), labelValue(p.labels, "backend"));
  if (const auto it = m_ids.find(key); it != m_ids.end()) return it->second;
  auto insert = m_db->prepare("INSERT OR IGNORE INTO series (name, model, backend) VALUES (?, ?, ?)");
  if (!insert) return insert.status();
  LMFRONT_RETURN_IF_ERROR(insert->bind(1, std::get<0>(key)).bind(2, std::get<1>(key)).bind(3, std::get<2>(key)).run());
  auto select = m_db->prepare("SELECT id FROM series WHERE name = ? AND model = ? AND backend = ?");
  if (!select) return select.status();
  select->bind(1, std::get<0>(key)).bind(2, std::get<1>(key)).bind(3, std::get<2>(key));
  auto row = select->step();
  if (!row) return row.status();
  if (!*row) return Status::internal("series row missing after insert");
  const std::int64_t id = select->int64(0);
  m_ids.emplace(std::move(key), id);
  return id;
}

Status SeriesService::writePending() {
  if (m_pending.empty() || !m_db) return Status::ok();
  auto pending = std::exchange(m_pending, {});
  return m_db->transaction([&]() -> Status {
    auto insert = m_db->prepare("INSERT OR REPLACE INTO points (step_s, series, t_ms, value) VALUES (?, ?, ?, ?)");
    if (!insert) return insert.status();
    for (const auto &bucket : pending)
      for (const auto &p : bucket.points) {
        auto id = seriesId(p);
        if (!id) return id.status();
        insert->reset();
        insert->bind(1, std::int64_t{bucket.stepSeconds}).bind(2, *id).bind(3, std::int64_t{bucket.startMs});
        // A bucket without a value (a quantile with no requests) is stored as NULL.
        if (std::isnan(p.value))
          insert->bindNull(4);
        else
          insert->bind(4, p.value);
        LMFRONT_RETURN_IF_ERROR(insert->run());
      }
    return Status::ok();
  });
}

void SeriesService::expire() {
  if (!m_db) return;
  const qint64 now = unixMs(m_context.clock.now());
  const Status done = m_db->transaction([&]() -> Status {
    auto ids = m_db->prepare("SELECT id FROM series");
    if (!ids) return ids.status();
    std::vector<std::int64_t> all;
    for (auto row = ids->step(); row && *row; row = ids->step()) all.push_back(ids->int64(0));
    auto remove = m_db->prepare("DELETE FROM points WHERE step_s = ? AND series = ? AND t_ms < ?");
    if (!remove) return remove.status();
    for (const auto &tier : kTiers) {
      if (tier.stepSeconds == 1) continue;  // in memory only
      const qint64 cutoff = now - std::chrono::duration_cast<std::chrono::milliseconds>(tier.span).count();
      for (const auto id : all) {
        remove->reset();
        LMFRONT_RETURN_IF_ERROR(
            remove->bind(1, std::int64_t{tier.stepSeconds}).bind(2, id).bind(3, std::int64_t{cutoff}).run());
      }
    }
    return Status::ok();
  });
  if (!done.isOk())
    m_context.events.report(EventLevel::Warning, "series", "old history not removed: " + done.message());
}

Status SeriesService::registerCommand() {
  // Not inside LMFRONT_RETURN_IF_ERROR with the lambda: the macro would copy it oddly.
  const Status added = m_context.ops.addCommand(
      cluster::OpsCommand{u"series"_qs, cluster::Role::Admin,
                          [this](const QJsonObject &args, const cluster::Principal &) -> Result<QJsonValue> {
                            if (!m_running) return Status::unavailable("the node is stopping");
                            auto answer = query(args);
                            if (!answer) return answer.status();
                            return QJsonValue(*answer);
                          }});
  return added;
}

Result<QJsonObject> SeriesService::query(const QJsonObject &args) const {
  static const std::set<QString> kKnown{u"name"_qs, u"model"_qs, u"backend"_qs, u"from"_qs, u"to"_qs, u"step"_qs};
  for (auto it = args.begin(); it != args.end(); ++it)
    if (!kKnown.count(it.key()))
      return Status::invalidArgument("unknown parameter '" + it.key().toStdString() +
                                     "' (known: name, model, backend, from, to, step)");
  const QString name = args.value(u"name"_qs).toString();
  const auto &names = observe::chartSeriesNames();
  if (std::find(names.begin(), names.end(), name.toStdString()) == names.end()) {
    std::string known;
    for (const auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
    return Status::invalidArgument("parameter 'name' must be one of: " + known);
  }
  std::optional<QString> model, backend;
  for (auto [key, out] : {std::pair{u"model"_qs, &model}, std::pair{u"backend"_qs, &backend}}) {
    const QJsonValue v = args.value(key);
    if (v.isUndefined() || v.isNull()) continue;
    if (!v.isString() || v.toString().isEmpty())
      return Status::invalidArgument("parameter '" + key.toStdString() + "' must be a name or '*'");
    *out = v.toString();
  }
  if (backend && !model) model = u"*"_qs;  // a backend's series are labelled with its model too
  auto fromArg = integerArg(args, u"from"_qs), toArg = integerArg(args, u"to"_qs),
       stepArg = integerArg(args, u"step"_qs);
  for (const auto *r : {&fromArg, &toArg, &stepArg})
    if (!*r) return r->status();
  const qint64 now = unixMs(m_context.clock.now());
  const qint64 to = toArg->value_or(now);
  const qint64 from = fromArg->value_or(to - 3'600'000);
  if (from >= to) return Status::invalidArgument("parameter 'from' must be before 'to' (unix milliseconds)");
  if (*stepArg && **stepArg <= 0)
    return Status::invalidArgument("parameter 'step' must be a positive number of seconds");

  // The finest tier whose span reaches back to `from`. The 1 s tier holds only what this run
  // sampled: the part of its hour before the start is filled from the 10 s tier on disk.
  const TierSpec *tier = &kTiers[std::size(kTiers) - 1];
  for (const auto &t : kTiers)
    if (from >= now - std::chrono::duration_cast<std::chrono::milliseconds>(t.span).count()) {
      tier = &t;
      break;
    }
  const qint64 stepMs = std::max<qint64>(stepArg->value_or(tier->stepSeconds), tier->stepSeconds) * 1000;
  if ((to - from) / stepMs > kMaxPoints)
    return Status::invalidArgument("the range holds more than " + std::to_string(kMaxPoints) +
                                   " steps: raise 'step' or shorten the range");

  // Every matching series' points, then averaged per step (NaN points are gaps, not zeros).
  using Points = std::vector<std::pair<qint64, double>>;
  std::map<std::pair<std::string, std::string>, Points> found;
  const std::string wanted = name.toStdString();
  qint64 diskTo = to;
  if (tier->stepSeconds == 1) {
    const auto first = m_store.firstSample();
    const qint64 memoryFrom = first ? std::max(from, unixMs(*first)) : to + 1;
    diskTo = memoryFrom - 1;
    for (const auto &labels : m_store.labelSets(wanted)) {
      const std::string m = labelValue(labels, "model"), b = labelValue(labels, "backend");
      if (!labelMatches(model, m) || !labelMatches(backend, b)) continue;
      Points &points = found[{m, b}];
      for (const auto &p : m_store.series(wanted, labels, clockTime(memoryFrom))) {
        const qint64 t = unixMs(p.time);
        if (t <= to) points.emplace_back(t, p.value);
      }
    }
  }
  if (m_db && from <= diskTo) {
    const std::int64_t diskStep = tier->stepSeconds == 1 ? 10 : tier->stepSeconds;
    auto ids = m_db->prepare("SELECT id, model, backend FROM series WHERE name = ?");
    if (!ids) return ids.status();
    ids->bind(1, wanted);
    std::vector<std::tuple<std::int64_t, std::string, std::string>> matching;
    for (auto row = ids->step(); row && *row; row = ids->step())
      if (labelMatches(model, ids->text(1)) && labelMatches(backend, ids->text(2)))
        matching.emplace_back(ids->int64(0), ids->text(1), ids->text(2));
    auto rows = m_db->prepare(
        "SELECT t_ms, value FROM points WHERE step_s = ? AND series = ? AND t_ms >= ? AND t_ms <= ? ORDER BY t_ms");
    if (!rows) return rows.status();
    for (const auto &[id, m, b] : matching) {
      rows->reset();
      rows->bind(1, diskStep).bind(2, id).bind(3, std::int64_t{from}).bind(4, std::int64_t{diskTo});
      Points disk;
      for (auto row = rows->step(); row && *row; row = rows->step())
        disk.emplace_back(rows->int64(0), rows->optionalReal(1).value_or(std::numeric_limits<double>::quiet_NaN()));
      Points &points = found[{m, b}];
      points.insert(points.begin(), disk.begin(), disk.end());  // older than the memory's
    }
  }

  QJsonArray series;
  for (const auto &[labels, points] : found) {
    QJsonArray out;
    std::size_t i = 0;
    while (i < points.size()) {
      const qint64 bucket = from + (points[i].first - from) / stepMs * stepMs;
      double sum = 0;
      int n = 0;
      for (; i < points.size() && points[i].first < bucket + stepMs; ++i)
        if (!std::isnan(points[i].second)) {
          sum += points[i].second;
          ++n;
        }
      out.append(QJsonArray{bucket, n > 0 ? QJsonValue(sum / n) : QJsonValue(QJsonValue::Null)});
    }
    series.append(QJsonObject{
        {u"model"_qs, labelJson(labels.first)}, {u"backend"_qs, labelJson(labels.second)}, {u"points"_qs, out}});
  }
  return QJsonObject{{u"name"_qs, name},
                     {u"from"_qs, from},
                     {u"to"_qs, to},
                     {u"step_s"_qs, stepMs / 1000},
                     {u"tier_s"_qs, tier->stepSeconds},
                     {u"series"_qs, series}};
}

}  // namespace lmfront::node
