#include "node/opsmetrics.h"

#include "observe/chartseries.h"
#include "observe/metricnames.h"

#include <unistd.h>
#include <QFile>
#include <QJsonArray>
#include <cmath>
#include <map>

namespace lmfront::node {

namespace names = observe::names;
namespace charts = observe::charts;

namespace {

constexpr int kIntervalMs = 1000;
constexpr const char *kClasses[] = {"client", "throttled", "unavailable", "timeout", "server"};

QJsonValue number(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); }

std::string labelValue(const observe::Labels &labels, std::string_view name) {
  for (const auto &[k, v] : labels)
    if (k == name) return v;
  return {};
}

// CPU seconds of this process so far (utime + stime of /proc/self/stat), or -1.
double cpuSeconds() {
  QFile stat(QStringLiteral("/proc/self/stat"));
  if (!stat.open(QIODevice::ReadOnly)) return -1;
  const QByteArray line = stat.readAll();
  // Fields after the command name, which is in parentheses and may hold spaces.
  const qsizetype close = line.lastIndexOf(')');
  if (close < 0) return -1;
  const QList<QByteArray> fields = line.mid(close + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15.
  if (fields.size() < 13) return -1;
  const double ticks = fields[11].toDouble() + fields[12].toDouble();
  const long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? ticks / static_cast<double>(hz) : -1;
}

qint64 rssBytes() {
  QFile statm(QStringLiteral("/proc/self/statm"));
  if (!statm.open(QIODevice::ReadOnly)) return 0;
  const QList<QByteArray> fields = statm.readAll().split(' ');
  if (fields.size() < 2) return 0;
  return fields[1].toLongLong() * ::sysconf(_SC_PAGESIZE);
}

using ErrorRates = std::map<std::string, double>;  // by class

QJsonObject errorsJson(const ErrorRates &r) {
  QJsonObject out;
  for (const char *c : kClasses) {
    const auto it = r.find(c);
    out.insert(QLatin1StringView(c), it == r.end() ? 0.0 : it->second);
  }
  return out;
}

}  // namespace

OpsMetrics::OpsMetrics(observe::TimeSeriesStore &store) : m_store(store) {
  // Absent families (a node without flow control) simply show nothing.
  (void)m_store.track(names::kRequestsTotal);
  (void)m_store.track(names::kBackendConcurrencyLimit);
}

QJsonObject OpsMetrics::sample(const gateway::pool::ModelTable &table, Clock::TimePoint now, qint64 unixMs) {
  auto latest = [&](std::string_view name, observe::Labels labels) {
    const auto p = m_store.latest(name, std::move(labels));
    return p ? p->value : std::numeric_limits<double>::quiet_NaN();
  };
  auto zeroIfNone = [](double v) { return std::isnan(v) ? 0.0 : v; };

  // Errors by class, per model and per backend, from the raw per-status rates.
  std::map<std::string, ErrorRates> modelErrors, backendErrors;
  for (const auto &labels : m_store.labelSets(names::kRequestsTotal)) {
    const char *cls = observe::errorClass(std::atoi(labelValue(labels, names::kLabelCode).c_str()));
    if (!cls) continue;
    const double rate = zeroIfNone(latest(names::kRequestsTotal, labels));
    modelErrors[labelValue(labels, names::kLabelModel)][cls] += rate;
    backendErrors[labelValue(labels, names::kLabelBackend)][cls] += rate;
  }
  auto quantiles = [&](std::string_view p50, std::string_view p95, std::string_view p99, const observe::Labels &l) {
    return QJsonObject{
        {u"p50"_qs, number(latest(p50, l))}, {u"p95"_qs, number(latest(p95, l))}, {u"p99"_qs, number(latest(p99, l))}};
  };

  QJsonObject models, backends;
  for (const auto &[name, pool] : table.pools) {
    const observe::Labels m{{"model", name}};
    for (const auto &backend : pool->backends) {
      const QString id = QString::fromStdString(backend->id());
      if (backends.contains(id)) continue;
      const observe::Labels mb{{"backend", backend->id()}, {"model", name}};
      backends.insert(id, QJsonObject{{u"pool"_qs, QString::fromStdString(name)},
                                      {u"requests_per_s"_qs, zeroIfNone(latest(charts::kRequestsPerS, mb))},
                                      {u"errors_per_s"_qs, errorsJson(backendErrors[backend->id()])},
                                      {u"latency_ms"_qs, quantiles(charts::kLatencyP50Ms, charts::kLatencyP95Ms,
                                                                   charts::kLatencyP99Ms, mb)},
                                      {u"in_flight"_qs, zeroIfNone(latest(charts::kInFlight, mb))},
                                      {u"concurrency_limit"_qs,
                                       number(latest(names::kBackendConcurrencyLimit, {{"backend", backend->id()}}))}});
    }
    models.insert(QString::fromStdString(name),
                  QJsonObject{{u"requests_per_s"_qs, zeroIfNone(latest(charts::kRequestsPerS, m))},
                              {u"errors_per_s"_qs, errorsJson(modelErrors[name])},
                              {u"latency_ms"_qs,
                               quantiles(charts::kLatencyP50Ms, charts::kLatencyP95Ms, charts::kLatencyP99Ms, m)},
                              {u"ttft_ms"_qs, quantiles(charts::kTtftP50Ms, charts::kTtftP95Ms, charts::kTtftP99Ms, m)},
                              {u"tokens_in_per_s"_qs, zeroIfNone(latest(charts::kTokensInPerS, m))},
                              {u"tokens_out_per_s"_qs, zeroIfNone(latest(charts::kTokensOutPerS, m))},
                              {u"cache_hit_ratio"_qs, number(latest(charts::kCacheHitRatio, m))},
                              {u"queue_depth"_qs, zeroIfNone(latest(charts::kQueueDepth, m))},
                              {u"in_flight"_qs, zeroIfNone(latest(charts::kInFlight, m))}});
  }

  const double cpu = cpuSeconds();
  QJsonValue cpuPercent = QJsonValue::Null;
  if (cpu >= 0 && m_previousCpuSeconds >= 0 && m_previousTime) {
    const double seconds = std::chrono::duration<double>(now - *m_previousTime).count();
    if (seconds > 0) cpuPercent = std::max(0.0, cpu - m_previousCpuSeconds) / seconds * 100.0;
  }
  m_previousCpuSeconds = cpu;
  m_previousTime = now;

  QJsonObject sample{
      {u"t"_qs, unixMs},
      {u"node"_qs, QJsonObject{{u"cpu_percent"_qs, cpuPercent}, {u"rss_bytes"_qs, rssBytes()}}},
      {u"models"_qs, models},
      {u"backends"_qs, backends},
  };
  m_ring.push_back(sample);
  while (m_ring.size() > static_cast<std::size_t>(kMaxHistorySeconds)) m_ring.pop_front();
  return sample;
}

QJsonObject OpsMetrics::snapshot(int historySeconds) const {
  QJsonArray samples;
  const std::size_t n = std::min(m_ring.size(), static_cast<std::size_t>(std::max(0, historySeconds)));
  for (std::size_t i = m_ring.size() - n; i < m_ring.size(); ++i) samples.append(m_ring[i]);
  return QJsonObject{{u"interval_ms"_qs, kIntervalMs}, {u"samples"_qs, samples}};
}

}  // namespace lmfront::node
