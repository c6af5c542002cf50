#include "gateway/pool/poolspec.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lmfront::gateway::pool {

namespace {
Status bad(const QString &where, const QString &what) {
  return Status::invalidArgument(QStringLiteral("%1: %2").arg(where, what).toStdString());
}

Status onlyKeys(const QString &where, const QJsonObject &o, const QStringList &known) {
  for (auto it = o.begin(); it != o.end(); ++it)
    if (!known.contains(it.key()))
      return bad(where, QStringLiteral("unknown key '%1' (known: %2)").arg(it.key(), known.join(u", ")));
  return Status::ok();
}

// A whole number in [lo, hi] at o[key], when present.
template <typename T>
Status number(const QString &where, const QJsonObject &o, const char *key, double lo, double hi, T &out) {
  const QString k = QLatin1String(key);
  if (!o.contains(k)) return Status::ok();
  const QJsonValue v = o[k];
  const double d = v.toDouble(-1e300);
  if (!v.isDouble() || d < lo || d > hi || d != static_cast<double>(static_cast<long long>(d)))
    return bad(where + u'.' + k, QStringLiteral("must be a whole number from %1 to %2").arg(lo).arg(hi));
  out = static_cast<T>(d);
  return Status::ok();
}

Status ratio(const QString &where, const QJsonObject &o, const char *key, double &out) {
  const QString k = QLatin1String(key);
  if (!o.contains(k)) return Status::ok();
  if (!o[k].isDouble() || o[k].toDouble() < 0 || o[k].toDouble() > 1)
    return bad(where + u'.' + k, QStringLiteral("must be a number from 0 to 1"));
  out = o[k].toDouble();
  return Status::ok();
}

Status millis(const QString &where, const QJsonObject &o, const char *key, Clock::Duration &out) {
  long long ms = -1;
  LMFRONT_RETURN_IF_ERROR(number(where, o, key, 0, 86'400'000, ms));
  if (ms >= 0) out = std::chrono::milliseconds(ms);
  return Status::ok();
}

Status string(const QString &where, const QJsonObject &o, const char *key, std::string &out) {
  const QString k = QLatin1String(key);
  if (!o.contains(k)) return Status::ok();
  if (!o[k].isString()) return bad(where + u'.' + k, QStringLiteral("must be a string"));
  out = o[k].toString().toStdString();
  return Status::ok();
}

Result<QJsonObject> section(const QString &where, const QJsonObject &o, const char *key, const QStringList &known) {
  const QString k = QLatin1String(key);
  if (!o.contains(k)) return QJsonObject();
  if (!o[k].isObject()) return bad(where + u'.' + k, QStringLiteral("must be an object"));
  LMFRONT_RETURN_IF_ERROR(onlyKeys(where + u'.' + k, o[k].toObject(), known));
  return o[k].toObject();
}

Status parseBackend(const QString &where, const QJsonValue &v, BackendSpec &b) {
  if (!v.isObject()) return bad(where, QStringLiteral("must be an object"));
  const QJsonObject o = v.toObject();
  LMFRONT_RETURN_IF_ERROR(onlyKeys(where, o,
                                   {QStringLiteral("engine"), QStringLiteral("url"), QStringLiteral("model"),
                                    QStringLiteral("kind"), QStringLiteral("api_key"), QStringLiteral("weight")}));
  LMFRONT_RETURN_IF_ERROR(string(where, o, "engine", b.engine));
  LMFRONT_RETURN_IF_ERROR(string(where, o, "url", b.url));
  LMFRONT_RETURN_IF_ERROR(string(where, o, "model", b.model));
  LMFRONT_RETURN_IF_ERROR(string(where, o, "kind", b.kind));
  LMFRONT_RETURN_IF_ERROR(string(where, o, "api_key", b.apiKey));
  LMFRONT_RETURN_IF_ERROR(number(where, o, "weight", 1, routing::kMaxWeight, b.weight));
  if (b.engine.empty() == b.url.empty()) return bad(where, QStringLiteral("needs exactly one of 'engine' or 'url'"));
  if (!b.engine.empty() && (o.contains(u"model") || o.contains(u"kind") || o.contains(u"api_key")))
    return bad(where, QStringLiteral("'model', 'kind' and 'api_key' apply to 'url' backends only"));
  if (b.kind != "openai" && b.kind != "lmfront") return bad(where + u".kind", QStringLiteral("must be openai|lmfront"));
  if (!b.url.empty()) {
    auto url = upstream::parseHttpUrl(b.url);
    if (!url) return bad(where + u".url", QString::fromStdString(url.status().message()));
  }
  return Status::ok();
}

Status parseHashKey(const QString &where, const QString &text, HashKeySource &key) {
  using Kind = HashKeySource::Kind;
  if (text == u"user") {
    key.kind = Kind::User;
  } else if (text.startsWith(u"header:") && text.size() > 7) {
    key.kind = Kind::Header;
    key.header = text.mid(7).toLower().toStdString();
  } else if (text.startsWith(u"prompt_prefix:")) {
    bool ok = false;
    const int n = text.mid(14).toInt(&ok);
    if (!ok || n < 1 || n > 1'000'000) return bad(where, QStringLiteral("prompt_prefix:N needs N from 1 to 1000000"));
    key.kind = Kind::PromptPrefix;
    key.prefixBytes = static_cast<std::size_t>(n);
  } else {
    return bad(where, QStringLiteral("must be user, header:NAME or prompt_prefix:N"));
  }
  return Status::ok();
}

// "concurrency" and "queue": keys are the config structs' fields in snake_case (durations in ms).
Status parseFlow(const QString &where, const QJsonObject &o, FlowConfig &flow) {
  using ratelimit::LimitAlgorithm;
  auto concurrency =
      section(where, o, "concurrency",
              {QStringLiteral("algorithm"), QStringLiteral("initial_limit"), QStringLiteral("min_limit"),
               QStringLiteral("max_limit"), QStringLiteral("backoff_ratio"), QStringLiteral("latency_threshold_ms"),
               QStringLiteral("tolerance"), QStringLiteral("long_window"), QStringLiteral("queue_size"),
               QStringLiteral("smoothing")});
  if (!concurrency) return concurrency.status();
  const QString cw = where + QStringLiteral(".concurrency");
  auto &c = flow.concurrency;
  std::string algorithm;
  LMFRONT_RETURN_IF_ERROR(string(cw, *concurrency, "algorithm", algorithm));
  // No algorithm (or "fixed"): the pool default, fixed at 1000 unless initial_limit says otherwise.
  // An adaptive one starts from the library's defaults (20 in flight, 1..1000).
  if (algorithm == "aimd" || algorithm == "gradient") {
    c = ratelimit::ConcurrencyLimitConfig{};
    c.algorithm = algorithm == "aimd" ? LimitAlgorithm::Aimd : LimitAlgorithm::Gradient;
  } else if (!algorithm.empty() && algorithm != "fixed") {
    return bad(cw + QStringLiteral(".algorithm"), QStringLiteral("must be gradient, aimd or fixed"));
  }
  LMFRONT_RETURN_IF_ERROR(number(cw, *concurrency, "initial_limit", 1, 1e6, c.initialLimit));
  LMFRONT_RETURN_IF_ERROR(number(cw, *concurrency, "min_limit", 1, 1e6, c.minLimit));
  LMFRONT_RETURN_IF_ERROR(number(cw, *concurrency, "max_limit", 1, 1e6, c.maxLimit));
  // A config that sets only initial_limit means "this many": widen the bounds to hold it.
  if (concurrency->contains(u"initial_limit")) {
    if (!concurrency->contains(u"max_limit")) c.maxLimit = std::max(c.maxLimit, c.initialLimit);
    if (!concurrency->contains(u"min_limit")) c.minLimit = std::min(c.minLimit, c.initialLimit);
  }
  LMFRONT_RETURN_IF_ERROR(ratio(cw, *concurrency, "backoff_ratio", c.backoffRatio));
  LMFRONT_RETURN_IF_ERROR(millis(cw, *concurrency, "latency_threshold_ms", c.latencyThreshold));
  if (concurrency->contains(u"tolerance")) {
    if (!(*concurrency)[u"tolerance"].isDouble())
      return bad(cw + QStringLiteral(".tolerance"), QStringLiteral("must be a number from 1 to 10"));
    c.tolerance = (*concurrency)[u"tolerance"].toDouble();
  }
  LMFRONT_RETURN_IF_ERROR(number(cw, *concurrency, "long_window", 1, 1e6, c.longWindow));
  LMFRONT_RETURN_IF_ERROR(number(cw, *concurrency, "queue_size", 0, 1e6, c.queueSize));
  LMFRONT_RETURN_IF_ERROR(ratio(cw, *concurrency, "smoothing", c.smoothing));
  LMFRONT_RETURN_IF_ERROR(c.validate().withContext(cw.toStdString()));

  auto queue = section(where, o, "queue", {QStringLiteral("max_waiters"), QStringLiteral("max_wait_ms")});
  if (!queue) return queue.status();
  const QString qw = where + QStringLiteral(".queue");
  LMFRONT_RETURN_IF_ERROR(number(qw, *queue, "max_waiters", 0, 1e6, flow.queue.maxWaiters));
  LMFRONT_RETURN_IF_ERROR(millis(qw, *queue, "max_wait_ms", flow.queue.maxWait));
  if (flow.queue.maxWait <= Clock::Duration::zero())
    return bad(qw + QStringLiteral(".max_wait_ms"), QStringLiteral("must be > 0"));
  return flow.queue.validate().withContext(qw.toStdString());
}

Status parsePool(const QString &where, const QJsonObject &o, PoolSpec &p) {
  LMFRONT_RETURN_IF_ERROR(
      onlyKeys(where, o,
               {QStringLiteral("balancer"), QStringLiteral("hash_key"), QStringLiteral("backends"),
                QStringLiteral("backup"), QStringLiteral("breaker"), QStringLiteral("outlier"),
                QStringLiteral("retry_budget"), QStringLiteral("retry"), QStringLiteral("health_check"),
                QStringLiteral("timeouts"), QStringLiteral("concurrency"), QStringLiteral("queue")}));
  std::string text;
  LMFRONT_RETURN_IF_ERROR(string(where, o, "balancer", text));
  if (!text.empty()) {
    auto kind = routing::balancerKindFromName(text);
    if (!kind) return bad(where + u".balancer", QString::fromStdString(kind.status().message()));
    p.balancer = *kind;
  }
  text.clear();
  LMFRONT_RETURN_IF_ERROR(string(where, o, "hash_key", text));
  if (!text.empty())
    LMFRONT_RETURN_IF_ERROR(parseHashKey(where + u".hash_key", QString::fromStdString(text), p.hashKey));
  LMFRONT_RETURN_IF_ERROR(string(where, o, "backup", p.backup));
  if (!o[u"backends"].isArray() || o[u"backends"].toArray().isEmpty())
    return bad(where + u".backends", QStringLiteral("must be a non-empty array"));
  const QJsonArray backends = o[u"backends"].toArray();
  for (qsizetype i = 0; i < backends.size(); ++i) {
    BackendSpec b;
    LMFRONT_RETURN_IF_ERROR(parseBackend(where + QStringLiteral(".backends[%1]").arg(i), backends[i], b));
    p.backends.push_back(std::move(b));
  }
  auto &r = p.resilience;
  auto breaker =
      section(where, o, "breaker",
              {QStringLiteral("consecutive_failures"), QStringLiteral("failure_ratio"), QStringLiteral("min_requests"),
               QStringLiteral("window_ms"), QStringLiteral("cool_down_ms"), QStringLiteral("half_open_probes")});
  if (!breaker) return breaker.status();
  const QString bw = where + QStringLiteral(".breaker");
  LMFRONT_RETURN_IF_ERROR(number(bw, *breaker, "consecutive_failures", 0, 1e6, r.breaker.consecutiveFailures));
  LMFRONT_RETURN_IF_ERROR(ratio(bw, *breaker, "failure_ratio", r.breaker.failureRatio));
  LMFRONT_RETURN_IF_ERROR(number(bw, *breaker, "min_requests", 0, 1e6, r.breaker.minRequests));
  LMFRONT_RETURN_IF_ERROR(millis(bw, *breaker, "window_ms", r.breaker.window));
  LMFRONT_RETURN_IF_ERROR(millis(bw, *breaker, "cool_down_ms", r.breaker.coolDown));
  LMFRONT_RETURN_IF_ERROR(number(bw, *breaker, "half_open_probes", 1, 1000, r.breaker.halfOpenProbes));
  auto outlier = section(
      where, o, "outlier",
      {QStringLiteral("consecutive_5xx"), QStringLiteral("consecutive_gateway_failures"),
       QStringLiteral("base_ejection_ms"), QStringLiteral("max_ejection_ms"), QStringLiteral("max_ejection_percent")});
  if (!outlier) return outlier.status();
  const QString ow = where + QStringLiteral(".outlier");
  LMFRONT_RETURN_IF_ERROR(number(ow, *outlier, "consecutive_5xx", 0, 1e6, r.outlier.consecutive5xx));
  LMFRONT_RETURN_IF_ERROR(
      number(ow, *outlier, "consecutive_gateway_failures", 0, 1e6, r.outlier.consecutiveGatewayFailures));
  LMFRONT_RETURN_IF_ERROR(millis(ow, *outlier, "base_ejection_ms", r.outlier.baseEjectionTime));
  LMFRONT_RETURN_IF_ERROR(millis(ow, *outlier, "max_ejection_ms", r.outlier.maxEjectionTime));
  LMFRONT_RETURN_IF_ERROR(number(ow, *outlier, "max_ejection_percent", 0, 100, r.outlier.maxEjectionPercent));
  auto budget = section(where, o, "retry_budget",
                        {QStringLiteral("ratio"), QStringLiteral("min_per_second"), QStringLiteral("window_ms")});
  if (!budget) return budget.status();
  const QString rw = where + QStringLiteral(".retry_budget");
  LMFRONT_RETURN_IF_ERROR(ratio(rw, *budget, "ratio", r.retryBudget.retryRatio));
  if (budget->contains(u"min_per_second")) {
    if (!(*budget)[u"min_per_second"].isDouble() || (*budget)[u"min_per_second"].toDouble() < 0)
      return bad(rw + QStringLiteral(".min_per_second"), QStringLiteral("must be a number ≥ 0"));
    r.retryBudget.minRetriesPerSecond = (*budget)[u"min_per_second"].toDouble();
  }
  LMFRONT_RETURN_IF_ERROR(millis(rw, *budget, "window_ms", r.retryBudget.window));
  auto retry = section(where, o, "retry",
                       {QStringLiteral("max_attempts"), QStringLiteral("on_timeout"), QStringLiteral("base_backoff_ms"),
                        QStringLiteral("max_backoff_ms")});
  if (!retry) return retry.status();
  const QString yw = where + QStringLiteral(".retry");
  int attempts = static_cast<int>(r.retry.maxRetries) + 1;
  LMFRONT_RETURN_IF_ERROR(number(yw, *retry, "max_attempts", 1, 10, attempts));
  r.retry.maxRetries = static_cast<std::uint32_t>(attempts - 1);
  if (retry->contains(u"on_timeout")) {
    if (!(*retry)[u"on_timeout"].isBool())
      return bad(yw + QStringLiteral(".on_timeout"), QStringLiteral("must be true or false"));
    r.retry.retryOnTimeout = (*retry)[u"on_timeout"].toBool();
  }
  LMFRONT_RETURN_IF_ERROR(millis(yw, *retry, "base_backoff_ms", r.retry.baseBackoff));
  LMFRONT_RETURN_IF_ERROR(millis(yw, *retry, "max_backoff_ms", r.retry.maxBackoff));
  auto health = section(
      where, o, "health_check",
      {QStringLiteral("path"), QStringLiteral("interval_ms"), QStringLiteral("unhealthy_interval_ms"),
       QStringLiteral("timeout_ms"), QStringLiteral("unhealthy_threshold"), QStringLiteral("healthy_threshold")});
  if (!health) return health.status();
  if (o.contains(u"health_check")) {
    const QString hw = where + QStringLiteral(".health_check");
    r.healthChecks = true;
    LMFRONT_RETURN_IF_ERROR(string(hw, *health, "path", r.healthPath));
    if (r.healthPath.empty() || r.healthPath.front() != '/')
      return bad(hw + u".path", QStringLiteral("must start with /"));
    LMFRONT_RETURN_IF_ERROR(millis(hw, *health, "interval_ms", r.health.interval));
    r.health.unhealthyInterval = r.health.interval;
    LMFRONT_RETURN_IF_ERROR(millis(hw, *health, "unhealthy_interval_ms", r.health.unhealthyInterval));
    LMFRONT_RETURN_IF_ERROR(millis(hw, *health, "timeout_ms", r.health.timeout));
    LMFRONT_RETURN_IF_ERROR(number(hw, *health, "unhealthy_threshold", 1, 1000, r.health.unhealthyThreshold));
    LMFRONT_RETURN_IF_ERROR(number(hw, *health, "healthy_threshold", 1, 1000, r.health.healthyThreshold));
  }
  auto timeouts = section(where, o, "timeouts",
                          {QStringLiteral("connect_ms"), QStringLiteral("first_byte_ms"), QStringLiteral("idle_ms"),
                           QStringLiteral("total_ms")});
  if (!timeouts) return timeouts.status();
  const QString tw = where + QStringLiteral(".timeouts");
  auto ms = [&](const char *key, std::chrono::milliseconds &out) {
    Clock::Duration d = out;
    LMFRONT_RETURN_IF_ERROR(millis(tw, *timeouts, key, d));
    out = std::chrono::duration_cast<std::chrono::milliseconds>(d);
    if (out.count() == 0) return bad(tw + u'.' + QLatin1String(key), QStringLiteral("must be > 0"));
    return Status::ok();
  };
  LMFRONT_RETURN_IF_ERROR(ms("connect_ms", p.timeouts.connect));
  LMFRONT_RETURN_IF_ERROR(ms("first_byte_ms", p.timeouts.firstByte));
  LMFRONT_RETURN_IF_ERROR(ms("idle_ms", p.timeouts.idle));
  LMFRONT_RETURN_IF_ERROR(ms("total_ms", p.timeouts.total));
  LMFRONT_RETURN_IF_ERROR(parseFlow(where, o, p.flow));
  LMFRONT_RETURN_IF_ERROR(r.breaker.validate().withContext(bw.toStdString()));
  LMFRONT_RETURN_IF_ERROR(r.outlier.validate().withContext(ow.toStdString()));
  LMFRONT_RETURN_IF_ERROR(r.retryBudget.validate().withContext(rw.toStdString()));
  LMFRONT_RETURN_IF_ERROR(r.retry.validate().withContext(yw.toStdString()));
  if (r.healthChecks) LMFRONT_RETURN_IF_ERROR(r.health.validate().withContext(where.toStdString() + ".health_check"));
  return Status::ok();
}
}  // namespace

Result<std::vector<PoolSpec>> parsePools(const QJsonObject &pools) {
  std::vector<PoolSpec> out;
  for (auto it = pools.begin(); it != pools.end(); ++it) {
    const QString where = QStringLiteral("pools.") + it.key();
    if (it.key().isEmpty()) return bad(QStringLiteral("pools"), QStringLiteral("a pool needs a name"));
    if (!it->isObject()) return bad(where, QStringLiteral("must be an object"));
    PoolSpec p;
    p.name = it.key().toStdString();
    p.source = QJsonDocument(it->toObject()).toJson(QJsonDocument::Compact).toStdString();
    LMFRONT_RETURN_IF_ERROR(parsePool(where, it->toObject(), p));
    out.push_back(std::move(p));
  }
  for (const auto &p : out)
    if (!p.backup.empty() && p.backup == p.name)
      return bad(QStringLiteral("pools.%1.backup").arg(QString::fromStdString(p.name)), QStringLiteral("is itself"));
  return out;
}

}  // namespace lmfront::gateway::pool
