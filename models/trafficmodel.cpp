#include "models/trafficmodel.h"

#include <QDateTime>
#include <QJsonArray>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <utility>

namespace lmfront::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxHeldSamples = 60;  // a reload answers within the client's 10 s timeout

const QStringList &quantiles() {
  static const QStringList names{QStringLiteral("p50"), QStringLiteral("p95"), QStringLiteral("p99")};
  return names;
}

double number(const QJsonValue &v) { return v.isDouble() ? v.toDouble() : kNaN; }

// errors_per_s is an object by class in a sample.
double sumOf(const QJsonValue &v) {
  if (v.isDouble()) return v.toDouble();
  if (!v.isObject()) return kNaN;
  double sum = 0;
  for (const auto &x : v.toObject()) sum += x.toDouble();
  return sum;
}

}  // namespace

TrafficModel::TrafficModel(Chart chart, QObject *parent) : QAbstractTableModel(parent), m_chart(chart) {
  if (!perModel()) m_lines = quantiles();
}

void TrafficModel::setClient(client::OpsClient *client) { m_client = client; }

void TrafficModel::setFilter(const QString &model, const QString &backend) {
  m_model = model;
  m_backend = backend;
}

void TrafficModel::setRange(Range range) { m_range = range; }

qint64 TrafficModel::rangeMs() const {
  switch (m_range) {
  case Range::FiveMinutes: return 5 * 60'000LL;
  case Range::OneHour: return 3'600'000LL;
  case Range::OneDay: return 24 * 3'600'000LL;
  case Range::ThirtyDays: return 30 * 24 * 3'600'000LL;
  }
  return 5 * 60'000LL;
}

int TrafficModel::stepSeconds() const {
  // 300 to 720 points per line: enough for a chart's width, little to draw.
  switch (m_range) {
  case Range::FiveMinutes: return 1;
  case Range::OneHour: return 10;
  case Range::OneDay: return 120;
  case Range::ThirtyDays: return 3600;
  }
  return 1;
}

void TrafficModel::setPaused(bool paused) {
  if (m_paused == paused) return;
  m_paused = paused;
  if (!paused) reload();
}

QStringList TrafficModel::seriesNames() const {
  switch (m_chart) {
  case Chart::Requests: return {QStringLiteral("requests_per_s")};
  case Chart::Errors: return {QStringLiteral("errors_per_s")};
  case Chart::CacheHitRatio: return {QStringLiteral("cache_hit_ratio")};
  case Chart::Tokens: return {QStringLiteral("tokens_out_per_s")};
  case Chart::Latency:
    return {QStringLiteral("latency_p50_ms"), QStringLiteral("latency_p95_ms"), QStringLiteral("latency_p99_ms")};
  case Chart::Ttft:
    return {QStringLiteral("ttft_p50_ms"), QStringLiteral("ttft_p95_ms"), QStringLiteral("ttft_p99_ms")};
  }
  return {};
}

void TrafficModel::reload() {
  const int generation = ++m_generation;
  m_held.clear();
  if (!m_client) {
    m_loading = false;
    return;
  }
  m_loading = true;
  const qint64 to = QDateTime::currentMSecsSinceEpoch();
  // A second short of the full range, so the node picks the finest tier that holds it (a range
  // that reaches past a tier's span by the command's travel time would get the next one).
  const qint64 from = to - rangeMs() + 1000;
  const QStringList names = seriesNames();
  // Every answer of this reload, then one reset: a chart never shows half a range.
  struct Pending {
    int left = 0;
    QString failure;
    std::vector<std::pair<int, QJsonObject>> answers;  // (series index, answer)
  };
  auto pending = std::make_shared<Pending>();
  pending->left = static_cast<int>(names.size());
  for (int i = 0; i < names.size(); ++i) {
    QJsonObject args{{u"name"_qs, names[i]},
                     {u"from"_qs, from},
                     {u"to"_qs, to},
                     {u"step"_qs, stepSeconds()},
                     {u"model"_qs, m_model.isEmpty() ? u"*"_qs : m_model}};
    if (byBackend() && !m_backend.isEmpty()) args.insert(u"backend"_qs, m_backend);
    m_client->command(u"series"_qs, args, this, [this, generation, pending, i](const client::OpsReply &reply) {
      if (generation != m_generation) return;
      if (reply.ok())
        pending->answers.emplace_back(i, reply.result.toObject());
      else if (pending->failure.isEmpty())
        pending->failure = reply.error.message;
      if (--pending->left > 0) return;
      m_loading = false;
      if (!pending->failure.isEmpty()) {
        m_held.clear();
        Q_EMIT loadFailed(pending->failure);
        return;
      }
      beginResetModel();
      if (perModel()) m_lines.clear();
      // Quantile lines without a model filter are the slowest model's: the maximum per step.
      const bool slowest = !perModel() && m_model.isEmpty();
      std::map<qint64, Row> rows;
      for (const auto &[index, answer] : pending->answers) {
        m_tierSeconds = answer.value(u"tier_s"_qs).toInt();
        for (const auto &s : answer.value(u"series"_qs).toArray()) {
          const QJsonObject series = s.toObject();
          const int line = perModel() ? lineIndex(series.value(u"model"_qs).toString(), true) : index;
          for (const auto &p : series.value(u"points"_qs).toArray()) {
            const QJsonArray point = p.toArray();
            Row &row = rows[point[0].toInteger()];
            row.t = point[0].toInteger();
            const double v = number(point[1]);
            const auto at = static_cast<std::size_t>(line);
            if (slowest && at < row.count.size() && row.count[at] > 0) {
              if (!std::isnan(v)) row.sum[at] = std::max(row.sum[at], v);
            } else {
              addToRow(row, line, v);
            }
          }
        }
      }
      m_rows.clear();
      m_rows.reserve(rows.size());
      for (auto &[t, row] : rows) m_rows.push_back(std::move(row));
      endResetModel();
      for (const QJsonObject &sample : std::exchange(m_held, {})) fold(sample);
      Q_EMIT loaded();
    });
  }
}

int TrafficModel::lineIndex(const QString &name, bool insert) {
  const int found = static_cast<int>(m_lines.indexOf(name));
  if (found >= 0 || !insert) return found;
  m_lines.append(name);
  return static_cast<int>(m_lines.size()) - 1;
}

void TrafficModel::addToRow(Row &row, int line, double v) const {
  const auto n = static_cast<std::size_t>(m_lines.size());
  if (row.sum.size() < n) {
    row.sum.resize(n, 0);
    row.count.resize(n, 0);
  }
  if (line < 0 || std::isnan(v)) return;
  row.sum[static_cast<std::size_t>(line)] += v;
  row.count[static_cast<std::size_t>(line)] += 1;
}

double TrafficModel::sampleValue(const QJsonObject &models, int line) const {
  auto of = [&](const QJsonObject &m) -> double {
    switch (m_chart) {
    case Chart::Requests: return number(m.value(u"requests_per_s"_qs));
    case Chart::Errors: return sumOf(m.value(u"errors_per_s"_qs));
    case Chart::CacheHitRatio: return number(m.value(u"cache_hit_ratio"_qs));
    case Chart::Tokens: return number(m.value(u"tokens_out_per_s"_qs));
    case Chart::Latency: return number(m.value(u"latency_ms"_qs).toObject().value(quantiles()[line]));
    case Chart::Ttft: return number(m.value(u"ttft_ms"_qs).toObject().value(quantiles()[line]));
    }
    return kNaN;
  };
  if (perModel()) return of(models.value(m_lines[line]).toObject());
  double slowest = kNaN;  // as reload() takes it
  for (const auto &m : models) {
    const double v = of(m.toObject());
    if (!std::isnan(v) && (std::isnan(slowest) || v > slowest)) slowest = v;
  }
  return slowest;
}

void TrafficModel::applySample(const QJsonObject &sample) {
  if (m_paused) return;
  if (m_loading) {
    if (m_held.size() < kMaxHeldSamples) m_held.push_back(sample);
    return;
  }
  fold(sample);
}

void TrafficModel::fold(const QJsonObject &sample) {
  const qint64 t = sample.value(u"t"_qs).toInteger();
  QJsonObject models = sample.value(u"models"_qs).toObject();
  if (!m_model.isEmpty())
    models = models.contains(m_model) ? QJsonObject{{m_model, models.value(m_model)}} : QJsonObject();
  if (byBackend() && !m_backend.isEmpty()) {
    // A backend's numbers stand in for its pool's (the node labels its series with that model).
    const QJsonObject backend = sample.value(u"backends"_qs).toObject().value(m_backend).toObject();
    const QString pool = backend.value(u"pool"_qs).toString();
    models =
        !backend.isEmpty() && (m_model.isEmpty() || pool == m_model) ? QJsonObject{{pool, backend}} : QJsonObject();
  }
  if (perModel())
    for (auto it = models.begin(); it != models.end(); ++it)
      if (!it.key().isEmpty() && lineIndex(it.key(), false) < 0) {
        const int column = static_cast<int>(m_lines.size()) + 1;
        beginInsertColumns({}, column, column);
        lineIndex(it.key(), true);
        endInsertColumns();
      }
  const qint64 stepMs = stepSeconds() * 1000LL;
  const bool sameStep = !m_rows.empty() && t >= m_rows.back().t && t < m_rows.back().t + stepMs;
  if (!sameStep && !m_rows.empty() && t < m_rows.back().t) return;  // older than what is held
  // A new row is filled before it is inserted: a view reading it on rowsInserted sees its values.
  Row fresh;
  Row &row = sameStep ? m_rows.back() : fresh;
  if (!sameStep) row.t = m_rows.empty() ? t : m_rows.back().t + (t - m_rows.back().t) / stepMs * stepMs;
  for (int line = 0; line < m_lines.size(); ++line) addToRow(row, line, sampleValue(models, line));
  int last = static_cast<int>(m_rows.size()) - 1;
  if (sameStep) {
    Q_EMIT dataChanged(index(last, 0), index(last, columnCount() - 1));
  } else {
    ++last;
    beginInsertRows({}, last, last);
    m_rows.push_back(std::move(fresh));
    endInsertRows();
  }
  // The range slides: rows that fell out of it go.
  int old = 0;
  while (old < last && m_rows[static_cast<std::size_t>(old)].t < t - rangeMs()) ++old;
  if (old > 0) {
    beginRemoveRows({}, 0, old - 1);
    m_rows.erase(m_rows.begin(), m_rows.begin() + old);
    endRemoveRows();
  }
}

QString TrafficModel::lineName(int column) const {
  return column >= 1 && column <= m_lines.size() ? m_lines[column - 1] : QString();
}

double TrafficModel::value(int row, int column) const {
  if (row < 0 || row >= rowCount()) return kNaN;
  const Row &r = m_rows[static_cast<std::size_t>(row)];
  if (column == kTimeColumn) return static_cast<double>(r.t);
  const auto line = static_cast<std::size_t>(column - 1);
  if (column < 1 || line >= r.count.size() || r.count[line] == 0) return kNaN;
  return r.sum[line] / r.count[line];
}

int TrafficModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TrafficModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_lines.size()) + 1;
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const {
  if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::EditRole)) return {};
  const double v = value(index.row(), index.column());
  return std::isnan(v) ? QVariant() : QVariant(v);
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  return section == kTimeColumn ? QVariant(tr("Time")) : QVariant(lineName(section));
}

}  // namespace lmfront::models
