#include "node/opsmetrics.h"

#include "observe/metricnames.h"
#include "observe/timeseriesstore.h"

#include <unistd.h>
#include <QFile>
#include <QJsonArray>
#include <cmath>

namespace lmfront::node {

namespace names = observe::names;

namespace {

constexpr int kIntervalMs = 1000;

int labelIndex(const observe::FamilyBase &family, std::string_view label) {
  const auto &labels = family.labelNames();
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == label) return static_cast<int>(i);
  return -1;
}

std::string labelAt(const std::vector<std::string> &values, int index) {
  return index >= 0 && static_cast<std::size_t>(index) < values.size() ? values[static_cast<std::size_t>(index)]
                                                                       : std::string();
}

// The class an answered status falls in (docs/ops-protocol.md, "errors_per_s"); null: not an error.
const char *errorClass(int code) {
  if (code == 429) return "throttled";
  if (code == 503) return "unavailable";
  if (code == 504) return "timeout";
  if (code >= 500) return "server";
  if (code >= 400) return "client";
  return nullptr;
}

struct Rates {
  double requests = 0;
  double cacheHits = 0;
  std::map<std::string, double> errors;  // by class
};

QJsonObject errorsJson(const Rates &r, double seconds) {
  QJsonObject out;
  for (const char *c : {"client", "throttled", "unavailable", "timeout", "server"}) {
    const auto it = r.errors.find(c);
    out.insert(QLatin1StringView(c), it == r.errors.end() ? 0.0 : it->second / seconds);
  }
  return out;
}

QJsonValue number(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); }

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

}  // namespace

OpsMetrics::OpsMetrics(const observe::MetricsRegistry &registry) : m_registry(registry) {}

OpsMetrics::Reading OpsMetrics::read(std::string_view name) const {
  Reading r;
  const observe::FamilyBase *family = m_registry.find(name);
  if (!family) return r;
  family->forEach([&](const Labels &labels, const observe::SeriesBase &series) {
    switch (family->type()) {
    case observe::MetricType::Counter:
      r.values[labels] = static_cast<double>(static_cast<const observe::Counter &>(series).value());
      break;
    case observe::MetricType::Gauge: r.values[labels] = static_cast<const observe::Gauge &>(series).value(); break;
    case observe::MetricType::Histogram:
      r.buckets[labels] = static_cast<const observe::Histogram &>(series).snapshot().buckets;
      break;
    }
  });
  return r;
}

QJsonObject OpsMetrics::sample(const gateway::pool::ModelTable &table, double seconds, qint64 unixMs) {
  if (!(seconds > 0)) seconds = 1;
  std::map<std::string, Reading, std::less<>> now;
  for (std::string_view family :
       {names::kRequestsTotal, names::kRequestDurationSeconds, names::kTimeToFirstTokenSeconds, names::kTokensInTotal,
        names::kTokensOutTotal, names::kQueueDepth, names::kBackendInflight, names::kBackendConcurrencyLimit})
    now.emplace(std::string(family), read(family));
  // Increase since the previous sample; a series seen for the first time counts from 0 unless
  // this is the very first sample (its baseline).
  const bool baseline = m_previous.empty();
  auto increase = [&](std::string_view family, const Labels &labels, double value) {
    if (baseline) return 0.0;
    const auto prev = m_previous.find(family);
    double before = 0;
    if (prev != m_previous.end()) {
      const auto it = prev->second.values.find(labels);
      if (it != prev->second.values.end()) before = it->second;
    }
    return std::max(0.0, value - before);
  };
  auto bucketIncrease = [&](std::string_view family, const Labels &labels, const std::vector<std::uint64_t> &buckets) {
    std::vector<std::uint64_t> out(buckets.size(), 0);
    if (baseline) return out;
    const auto prev = m_previous.find(family);
    const std::vector<std::uint64_t> *before = nullptr;
    if (prev != m_previous.end()) {
      const auto it = prev->second.buckets.find(labels);
      if (it != prev->second.buckets.end() && it->second.size() == buckets.size()) before = &it->second;
    }
    for (std::size_t i = 0; i < buckets.size(); ++i)
      out[i] = before && buckets[i] >= (*before)[i] ? buckets[i] - (*before)[i] : (before ? 0 : buckets[i]);
    return out;
  };

  // Requests by model and by backend.
  std::map<std::string, Rates> byModel, byBackend;
  if (const auto *family = m_registry.find(names::kRequestsTotal)) {
    const int model = labelIndex(*family, names::kLabelModel);
    const int backend = labelIndex(*family, names::kLabelBackend);
    const int code = labelIndex(*family, names::kLabelCode);
    for (const auto &[labels, value] : now[std::string(names::kRequestsTotal)].values) {
      const double n = increase(names::kRequestsTotal, labels, value);
      if (n == 0) continue;
      const std::string b = labelAt(labels, backend);
      const char *cls = errorClass(std::atoi(labelAt(labels, code).c_str()));
      for (Rates *r : {&byModel[labelAt(labels, model)], &byBackend[b]}) {
        r->requests += n;
        if (cls) r->errors[cls] += n;
      }
      if (b == "cache") byModel[labelAt(labels, model)].cacheHits += n;
    }
  }
  auto byLabel = [&](std::string_view familyName, std::string_view label) {
    std::map<std::string, double> out;
    const auto *family = m_registry.find(familyName);
    if (!family) return out;
    const int index = labelIndex(*family, label);
    for (const auto &[labels, value] : now[std::string(familyName)].values) out[labelAt(labels, index)] += value;
    return out;
  };
  auto rateByModel = [&](std::string_view familyName) {
    std::map<std::string, double> out;
    const auto *family = m_registry.find(familyName);
    if (!family) return out;
    const int index = labelIndex(*family, names::kLabelModel);
    for (const auto &[labels, value] : now[std::string(familyName)].values)
      out[labelAt(labels, index)] += increase(familyName, labels, value) / seconds;
    return out;
  };
  auto quantilesByModel = [&](std::string_view familyName) {
    std::map<std::string, QJsonObject> out;
    const auto *family = m_registry.find(familyName);
    if (!family) return out;
    const int index = labelIndex(*family, names::kLabelModel);
    std::map<std::string, std::vector<std::uint64_t>> merged;
    for (const auto &[labels, buckets] : now[std::string(familyName)].buckets) {
      auto delta = bucketIncrease(familyName, labels, buckets);
      auto &sum = merged[labelAt(labels, index)];
      sum.resize(delta.size(), 0);
      for (std::size_t i = 0; i < delta.size(); ++i) sum[i] += delta[i];
    }
    for (const auto &[model, buckets] : merged) {
      QJsonObject q;
      for (const auto &[key, p] : {std::pair{"p50", 0.5}, std::pair{"p95", 0.95}, std::pair{"p99", 0.99}})
        q.insert(QLatin1StringView(key), number(observe::histogramQuantile(p, family->bounds(), buckets) * 1000.0));
      out[model] = q;
    }
    return out;
  };
  const auto tokensIn = rateByModel(names::kTokensInTotal);
  const auto tokensOut = rateByModel(names::kTokensOutTotal);
  const auto latency = quantilesByModel(names::kRequestDurationSeconds);
  const auto ttft = quantilesByModel(names::kTimeToFirstTokenSeconds);
  const auto queue = byLabel(names::kQueueDepth, names::kLabelModel);
  const auto inflight = byLabel(names::kBackendInflight, names::kLabelBackend);
  const auto limits = byLabel(names::kBackendConcurrencyLimit, names::kLabelBackend);
  const QJsonObject noQuantiles{
      {u"p50"_qs, QJsonValue::Null}, {u"p95"_qs, QJsonValue::Null}, {u"p99"_qs, QJsonValue::Null}};
  auto get = [](const auto &map, const std::string &key, auto fallback) {
    const auto it = map.find(key);
    return it == map.end() ? fallback : it->second;
  };

  QJsonObject models, backends;
  for (const auto &[name, pool] : table.pools) {
    const Rates r = get(byModel, name, Rates{});
    double modelInflight = 0;
    for (const auto &backend : pool->backends) {
      const std::string &id = backend->id();
      modelInflight += get(inflight, id, 0.0);
      if (backends.contains(QString::fromStdString(id))) continue;
      const Rates br = get(byBackend, id, Rates{});
      const auto limit = limits.find(id);
      backends.insert(QString::fromStdString(id),
                      QJsonObject{{u"pool"_qs, QString::fromStdString(name)},
                                  {u"requests_per_s"_qs, br.requests / seconds},
                                  {u"errors_per_s"_qs, errorsJson(br, seconds)},
                                  {u"in_flight"_qs, get(inflight, id, 0.0)},
                                  {u"concurrency_limit"_qs,
                                   limit == limits.end() ? QJsonValue(QJsonValue::Null) : QJsonValue(limit->second)}});
    }
    models.insert(QString::fromStdString(name),
                  QJsonObject{{u"requests_per_s"_qs, r.requests / seconds},
                              {u"errors_per_s"_qs, errorsJson(r, seconds)},
                              {u"latency_ms"_qs, get(latency, name, noQuantiles)},
                              {u"ttft_ms"_qs, get(ttft, name, noQuantiles)},
                              {u"tokens_in_per_s"_qs, get(tokensIn, name, 0.0)},
                              {u"tokens_out_per_s"_qs, get(tokensOut, name, 0.0)},
                              {u"cache_hit_ratio"_qs,
                               r.requests > 0 ? QJsonValue(r.cacheHits / r.requests) : QJsonValue(QJsonValue::Null)},
                              {u"queue_depth"_qs, get(queue, name, 0.0)},
                              {u"in_flight"_qs, modelInflight}});
  }

  const double cpu = cpuSeconds();
  QJsonValue cpuPercent = QJsonValue::Null;
  if (cpu >= 0 && m_previousCpuSeconds >= 0) cpuPercent = std::max(0.0, cpu - m_previousCpuSeconds) / seconds * 100.0;
  m_previousCpuSeconds = cpu;
  m_previous = std::move(now);

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
