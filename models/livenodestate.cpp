#include "models/livenodestate.h"

#include <QJsonArray>
#include <algorithm>
#include <cmath>
#include <limits>

namespace lmfront::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString kNodeTopic = QStringLiteral("node");
const QString kMetricsTopic = QStringLiteral("metrics");

double number(const QJsonValue &v) { return v.isDouble() ? v.toDouble() : kNaN; }

}  // namespace

LiveNodeState::LiveNodeState(const Clock &clock, int capacity, QObject *parent)
    : QObject(parent), m_clock(clock), m_capacity(std::max(capacity, 1)) {
  m_samples.reserve(static_cast<size_t>(m_capacity));
}

void LiveNodeState::attach(client::OpsClient *client) {
  connect(client, &client::OpsClient::snapshotReceived, this, &LiveNodeState::applySnapshot);
  connect(client, &client::OpsClient::deltaReceived, this, &LiveNodeState::applyDelta);
  connect(client, &client::OpsClient::stateChanged, this, &LiveNodeState::applyConnectionState);
  applyConnectionState(client->state(), client->stateReason());
  client->subscribe(kNodeTopic);
  // The doc allows 0-600 s of history; samples come once a second.
  client->subscribe(kMetricsTopic, QJsonObject{{QStringLiteral("history_s"), std::min(m_capacity, 600)}});
}

void LiveNodeState::applySnapshot(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic == kNodeTopic) {
    m_node = payload;
    noteUptime();
    Q_EMIT nodeChanged();
  } else if (topic == kMetricsTopic) {
    m_samples.clear();
    m_head = 0;
    m_latestSample = {};
    const QJsonArray samples = payload.value(QLatin1StringView("samples")).toArray();
    const qsizetype first = std::max<qsizetype>(0, samples.size() - m_capacity);
    for (qsizetype i = first; i < samples.size(); ++i) append(samples[i].toObject());
    Q_EMIT metricsChanged();
  }
}

void LiveNodeState::applyDelta(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic == kNodeTopic) {
    for (auto it = payload.begin(); it != payload.end(); ++it) m_node.insert(it.key(), it.value());
    if (payload.contains(QLatin1StringView("uptime_s"))) noteUptime();
    Q_EMIT nodeChanged();
  } else if (topic == kMetricsTopic) {
    if (append(payload)) Q_EMIT metricsChanged();
  }
}

void LiveNodeState::applyConnectionState(client::OpsClient::State state, const QString &reason) {
  if (state == m_state && reason == m_reason) return;
  m_state = state;
  m_reason = reason;
  Q_EMIT connectionChanged(state, reason);
}

LiveNodeState::Sample LiveNodeState::toSample(const QJsonObject &sample) {
  Sample s;
  s.t = static_cast<qint64>(sample.value(QLatin1StringView("t")).toDouble());
  double qps = 0;
  double errors = 0;
  double inFlight = 0;
  double p99 = kNaN;
  const QJsonObject models = sample.value(QLatin1StringView("models")).toObject();
  for (auto it = models.begin(); it != models.end(); ++it) {
    const QJsonObject m = it.value().toObject();
    qps += m.value(QLatin1StringView("requests_per_s")).toDouble();
    const QJsonObject byClass = m.value(QLatin1StringView("errors_per_s")).toObject();
    for (auto e = byClass.begin(); e != byClass.end(); ++e) errors += e.value().toDouble();
    inFlight += m.value(QLatin1StringView("in_flight")).toDouble();
    const double q = number(m.value(QLatin1StringView("latency_ms")).toObject().value(QLatin1StringView("p99")));
    if (!std::isnan(q)) p99 = std::isnan(p99) ? q : std::max(p99, q);
  }
  const QJsonObject node = sample.value(QLatin1StringView("node")).toObject();
  auto set = [&s](Series series, double v) { s.values[static_cast<size_t>(series)] = v; };
  set(Series::Qps, models.isEmpty() ? kNaN : qps);
  set(Series::ErrorRatio, qps > 0 ? errors / qps : kNaN);
  set(Series::P99Ms, p99);
  set(Series::InFlight, models.isEmpty() ? kNaN : inFlight);
  set(Series::CpuPercent, number(node.value(QLatin1StringView("cpu_percent"))));
  set(Series::RssBytes, number(node.value(QLatin1StringView("rss_bytes"))));
  return s;
}

bool LiveNodeState::append(const QJsonObject &sample) {
  const Sample s = toSample(sample);
  if (!m_samples.empty() && s.t <= latestTime()) return false;
  if (static_cast<int>(m_samples.size()) < m_capacity) {
    m_samples.push_back(s);
  } else {
    m_samples[static_cast<size_t>(m_head)] = s;
    m_head = (m_head + 1) % m_capacity;
  }
  m_latestSample = sample;
  return true;
}

const LiveNodeState::Sample &LiveNodeState::at(int i) const {
  return m_samples[static_cast<size_t>((m_head + i) % static_cast<int>(m_samples.size()))];
}

double LiveNodeState::latest(Series series) const {
  return m_samples.empty() ? kNaN : at(sampleCount() - 1).values[static_cast<size_t>(series)];
}

qint64 LiveNodeState::latestTime() const { return m_samples.empty() ? 0 : at(sampleCount() - 1).t; }

std::vector<double> LiveNodeState::values(Series series) const {
  std::vector<double> out;
  out.reserve(m_samples.size());
  for (int i = 0; i < sampleCount(); ++i) out.push_back(at(i).values[static_cast<size_t>(series)]);
  return out;
}

QList<QPointF> LiveNodeState::points(Series series) const {
  QList<QPointF> out;
  out.reserve(sampleCount());
  for (int i = 0; i < sampleCount(); ++i) {
    const Sample &s = at(i);
    const double v = s.values[static_cast<size_t>(series)];
    if (!std::isnan(v)) out.append(QPointF(static_cast<double>(s.t), v));
  }
  return out;
}

void LiveNodeState::noteUptime() {
  m_uptimeAtNote = m_node.value(QLatin1StringView("uptime_s")).toDouble();
  m_uptimeNotedAt = m_clock.now();
}

QString LiveNodeState::nodeId() const { return m_node.value(QLatin1StringView("node_id")).toString(); }
QString LiveNodeState::health() const { return m_node.value(QLatin1StringView("health")).toString(); }
bool LiveNodeState::ready() const { return m_node.value(QLatin1StringView("ready")).toBool(); }
QString LiveNodeState::notReadyReason() const { return m_node.value(QLatin1StringView("reason")).toString(); }
bool LiveNodeState::draining() const { return m_node.value(QLatin1StringView("draining")).toBool(); }

QString LiveNodeState::summary(const QJsonObject &node) {
  if (node.value(QLatin1StringView("draining")).toBool()) return tr("draining");
  if (!node.value(QLatin1StringView("ready")).toBool()) {
    const QString why = node.value(QLatin1StringView("reason")).toString();
    return why.isEmpty() ? tr("not ready") : tr("not ready: %1").arg(why);
  }
  const QString health = node.value(QLatin1StringView("health")).toString();
  if (health != QLatin1StringView("ok")) return tr("unhealthy: %1").arg(health);
  return tr("healthy");
}

QStringList LiveNodeState::modelNames() const {
  QStringList names;
  for (const QJsonValue &m : m_node.value(QLatin1StringView("models")).toArray())
    names << m.toObject().value(QLatin1StringView("name")).toString();
  return names;
}

double LiveNodeState::uptimeS() const {
  if (!hasNode()) return 0;
  return m_uptimeAtNote + std::chrono::duration<double>(m_clock.now() - m_uptimeNotedAt).count();
}

}  // namespace lmfront::models
