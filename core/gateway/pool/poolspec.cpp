#include "gateway/pool/poolspec.h"

#include "config/jsonsection.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lmfront::gateway::pool {

namespace {

using config::JsonSection;

// A whole number in [lo, hi] at key, when present.
template <typename T>
Status whole(JsonSection &s, QStringView key, qint64 lo, qint64 hi, T &out) {
  qint64 v = static_cast<qint64>(out);
  LMFRONT_RETURN_IF_ERROR(s.integer(key, lo, hi, v));
  out = static_cast<T>(v);
  return Status::ok();
}

Status millis(JsonSection &s, QStringView key, Clock::Duration &out) {
  qint64 ms = -1;
  LMFRONT_RETURN_IF_ERROR(s.integer(key, qint64{0}, qint64{86'400'000}, ms));
  if (ms >= 0) out = std::chrono::milliseconds(ms);
  return Status::ok();
}

Status string(JsonSection &s, QStringView key, std::string &out) {
  QString v;
  LMFRONT_RETURN_IF_ERROR(s.string(key, v));
  if (s.contains(key)) out = v.toStdString();
  return Status::ok();
}

Status parseBackend(JsonSection &s, BackendSpec &b) {
  LMFRONT_RETURN_IF_ERROR(string(s, u"engine", b.engine));
  LMFRONT_RETURN_IF_ERROR(string(s, u"url", b.url));
  LMFRONT_RETURN_IF_ERROR(string(s, u"model", b.model));
  LMFRONT_RETURN_IF_ERROR(string(s, u"kind", b.kind));
  LMFRONT_RETURN_IF_ERROR(string(s, u"api_key", b.apiKey));
  LMFRONT_RETURN_IF_ERROR(string(s, u"ca_file", b.caFile));
  LMFRONT_RETURN_IF_ERROR(whole(s, u"weight", 1, routing::kMaxWeight, b.weight));
  LMFRONT_RETURN_IF_ERROR(s.finish());
  const auto bad = [&s](const QString &what) {
    return Status::invalidArgument(QString(s.path() + QStringLiteral(": ") + what).toStdString());
  };
  if (b.engine.empty() == b.url.empty()) return bad(QStringLiteral("needs exactly one of 'engine' or 'url'"));
  if (!b.engine.empty() &&
      (s.contains(u"model") || s.contains(u"kind") || s.contains(u"api_key") || s.contains(u"ca_file")))
    return bad(QStringLiteral("'model', 'kind', 'api_key' and 'ca_file' apply to 'url' backends only"));
  if (b.kind != "openai" && b.kind != "lmfront") return s.error(u"kind", QStringLiteral("must be openai|lmfront"));
  if (!b.url.empty()) {
    auto url = upstream::parseHttpUrl(b.url);
    if (!url) return s.error(u"url", QString::fromStdString(url.status().message()));
    if (!url->tls && s.contains(u"ca_file"))
      return s.error(u"ca_file", QStringLiteral("applies to https:// URLs only"));
    if (s.contains(u"ca_file") && b.caFile.empty()) return s.error(u"ca_file", QStringLiteral("must not be empty"));
  }
  return Status::ok();
}

Status parseHashKey(JsonSection &s, HashKeySource &key) {
  using Kind = HashKeySource::Kind;
  QString text;
  LMFRONT_RETURN_IF_ERROR(s.string(u"hash_key", text));
  if (text.isEmpty()) return Status::ok();
  if (text == u"user") {
    key.kind = Kind::User;
  } else if (text.startsWith(u"header:") && text.size() > 7) {
    key.kind = Kind::Header;
    key.header = text.mid(7).toLower().toStdString();
  } else if (text.startsWith(u"prompt_prefix:")) {
    bool ok = false;
    const int n = text.mid(14).toInt(&ok);
    if (!ok || n < 1 || n > 1'000'000)
      return s.error(u"hash_key", QStringLiteral("prompt_prefix:N needs N from 1 to 1000000"));
    key.kind = Kind::PromptPrefix;
    key.prefixBytes = static_cast<std::size_t>(n);
  } else {
    return s.error(u"hash_key", QStringLiteral("must be user, header:NAME or prompt_prefix:N"));
  }
  return Status::ok();
}

// "concurrency" and "queue": keys are the config structs' fields in snake_case (durations in ms).
Status parseFlow(JsonSection &pool, FlowConfig &flow) {
  using ratelimit::LimitAlgorithm;
  auto concurrency = pool.section(u"concurrency");
  if (!concurrency) return concurrency.status();
  JsonSection &cs = *concurrency;
  auto &c = flow.concurrency;
  std::string algorithm;
  LMFRONT_RETURN_IF_ERROR(string(cs, u"algorithm", algorithm));
  // No algorithm (or "fixed"): the pool default, fixed at 1000 unless initial_limit says otherwise.
  // An adaptive one starts from the library's defaults (20 in flight, 1..1000).
  if (algorithm == "aimd" || algorithm == "gradient") {
    c = ratelimit::ConcurrencyLimitConfig{};
    c.algorithm = algorithm == "aimd" ? LimitAlgorithm::Aimd : LimitAlgorithm::Gradient;
  } else if (!algorithm.empty() && algorithm != "fixed") {
    return cs.error(u"algorithm", QStringLiteral("must be gradient, aimd or fixed"));
  }
  LMFRONT_RETURN_IF_ERROR(whole(cs, u"initial_limit", 1, 1'000'000, c.initialLimit));
  LMFRONT_RETURN_IF_ERROR(whole(cs, u"min_limit", 1, 1'000'000, c.minLimit));
  LMFRONT_RETURN_IF_ERROR(whole(cs, u"max_limit", 1, 1'000'000, c.maxLimit));
  // A config that sets only initial_limit means "this many": widen the bounds to hold it.
  if (cs.contains(u"initial_limit")) {
    if (!cs.contains(u"max_limit")) c.maxLimit = std::max(c.maxLimit, c.initialLimit);
    if (!cs.contains(u"min_limit")) c.minLimit = std::min(c.minLimit, c.initialLimit);
  }
  LMFRONT_RETURN_IF_ERROR(cs.number(u"backoff_ratio", 0, 1, c.backoffRatio));
  LMFRONT_RETURN_IF_ERROR(millis(cs, u"latency_threshold_ms", c.latencyThreshold));
  // Any number here: ConcurrencyLimitConfig::validate() names the range it needs.
  if (const QJsonValue t = cs.value(u"tolerance"); !t.isUndefined()) {
    if (!t.isDouble()) return cs.invalid(u"tolerance", QStringLiteral("a number from 1 to 10"));
    c.tolerance = t.toDouble();
  }
  LMFRONT_RETURN_IF_ERROR(whole(cs, u"long_window", 1, 1'000'000, c.longWindow));
  LMFRONT_RETURN_IF_ERROR(whole(cs, u"queue_size", 0, 1'000'000, c.queueSize));
  LMFRONT_RETURN_IF_ERROR(cs.number(u"smoothing", 0, 1, c.smoothing));
  LMFRONT_RETURN_IF_ERROR(cs.finish());
  LMFRONT_RETURN_IF_ERROR(c.validate().withContext(cs.path().toStdString()));

  auto queue = pool.section(u"queue");
  if (!queue) return queue.status();
  JsonSection &qs = *queue;
  LMFRONT_RETURN_IF_ERROR(whole(qs, u"max_waiters", 0, 1'000'000, flow.queue.maxWaiters));
  LMFRONT_RETURN_IF_ERROR(millis(qs, u"max_wait_ms", flow.queue.maxWait));
  LMFRONT_RETURN_IF_ERROR(qs.finish());
  if (flow.queue.maxWait <= Clock::Duration::zero()) return qs.error(u"max_wait_ms", QStringLiteral("must be > 0"));
  return flow.queue.validate().withContext(qs.path().toStdString());
}

Status parseResilience(JsonSection &pool, PoolSpec &p) {
  auto &r = p.resilience;
  auto breaker = pool.section(u"breaker");
  if (!breaker) return breaker.status();
  JsonSection &bs = *breaker;
  LMFRONT_RETURN_IF_ERROR(whole(bs, u"consecutive_failures", 0, 1'000'000, r.breaker.consecutiveFailures));
  LMFRONT_RETURN_IF_ERROR(bs.number(u"failure_ratio", 0, 1, r.breaker.failureRatio));
  LMFRONT_RETURN_IF_ERROR(whole(bs, u"min_requests", 0, 1'000'000, r.breaker.minRequests));
  LMFRONT_RETURN_IF_ERROR(millis(bs, u"window_ms", r.breaker.window));
  LMFRONT_RETURN_IF_ERROR(millis(bs, u"cool_down_ms", r.breaker.coolDown));
  LMFRONT_RETURN_IF_ERROR(whole(bs, u"half_open_probes", 1, 1000, r.breaker.halfOpenProbes));
  LMFRONT_RETURN_IF_ERROR(bs.finish());

  auto outlier = pool.section(u"outlier");
  if (!outlier) return outlier.status();
  JsonSection &os = *outlier;
  LMFRONT_RETURN_IF_ERROR(whole(os, u"consecutive_5xx", 0, 1'000'000, r.outlier.consecutive5xx));
  LMFRONT_RETURN_IF_ERROR(
      whole(os, u"consecutive_gateway_failures", 0, 1'000'000, r.outlier.consecutiveGatewayFailures));
  LMFRONT_RETURN_IF_ERROR(millis(os, u"base_ejection_ms", r.outlier.baseEjectionTime));
  LMFRONT_RETURN_IF_ERROR(millis(os, u"max_ejection_ms", r.outlier.maxEjectionTime));
  LMFRONT_RETURN_IF_ERROR(whole(os, u"max_ejection_percent", 0, 100, r.outlier.maxEjectionPercent));
  LMFRONT_RETURN_IF_ERROR(os.finish());

  auto budget = pool.section(u"retry_budget");
  if (!budget) return budget.status();
  JsonSection &rs = *budget;
  LMFRONT_RETURN_IF_ERROR(rs.number(u"ratio", 0, 1, r.retryBudget.retryRatio));
  if (const QJsonValue v = rs.value(u"min_per_second"); !v.isUndefined()) {
    if (!v.isDouble() || v.toDouble() < 0) return rs.invalid(u"min_per_second", QStringLiteral("a number ≥ 0"));
    r.retryBudget.minRetriesPerSecond = v.toDouble();
  }
  LMFRONT_RETURN_IF_ERROR(millis(rs, u"window_ms", r.retryBudget.window));
  LMFRONT_RETURN_IF_ERROR(rs.finish());

  auto retry = pool.section(u"retry");
  if (!retry) return retry.status();
  JsonSection &ys = *retry;
  int attempts = static_cast<int>(r.retry.maxRetries) + 1;
  LMFRONT_RETURN_IF_ERROR(ys.integer(u"max_attempts", 1, 10, attempts));
  r.retry.maxRetries = static_cast<std::uint32_t>(attempts - 1);
  LMFRONT_RETURN_IF_ERROR(ys.boolean(u"on_timeout", r.retry.retryOnTimeout));
  LMFRONT_RETURN_IF_ERROR(millis(ys, u"base_backoff_ms", r.retry.baseBackoff));
  LMFRONT_RETURN_IF_ERROR(millis(ys, u"max_backoff_ms", r.retry.maxBackoff));
  LMFRONT_RETURN_IF_ERROR(ys.finish());

  r.healthChecks = pool.contains(u"health_check");
  auto health = pool.section(u"health_check");
  if (!health) return health.status();
  JsonSection &hs = *health;
  LMFRONT_RETURN_IF_ERROR(string(hs, u"path", r.healthPath));
  LMFRONT_RETURN_IF_ERROR(millis(hs, u"interval_ms", r.health.interval));
  if (r.healthChecks) r.health.unhealthyInterval = r.health.interval;
  LMFRONT_RETURN_IF_ERROR(millis(hs, u"unhealthy_interval_ms", r.health.unhealthyInterval));
  LMFRONT_RETURN_IF_ERROR(millis(hs, u"timeout_ms", r.health.timeout));
  LMFRONT_RETURN_IF_ERROR(whole(hs, u"unhealthy_threshold", 1, 1000, r.health.unhealthyThreshold));
  LMFRONT_RETURN_IF_ERROR(whole(hs, u"healthy_threshold", 1, 1000, r.health.healthyThreshold));
  LMFRONT_RETURN_IF_ERROR(hs.finish());
  if (r.healthChecks && (r.healthPath.empty() || r.healthPath.front() != '/'))
    return hs.error(u"path", QStringLiteral("must start with /"));

  LMFRONT_RETURN_IF_ERROR(r.breaker.validate().withContext(bs.path().toStdString()));
  LMFRONT_RETURN_IF_ERROR(r.outlier.validate().withContext(os.path().toStdString()));
  LMFRONT_RETURN_IF_ERROR(r.retryBudget.validate().withContext(rs.path().toStdString()));
  LMFRONT_RETURN_IF_ERROR(r.retry.validate().withContext(ys.path().toStdString()));
  if (r.healthChecks) LMFRONT_RETURN_IF_ERROR(r.health.validate().withContext(hs.path().toStdString()));
  return Status::ok();
}

Status parseTimeouts(JsonSection &pool, PoolSpec &p) {
  auto timeouts = pool.section(u"timeouts");
  if (!timeouts) return timeouts.status();
  JsonSection &ts = *timeouts;
  auto ms = [&ts](QStringView key, std::chrono::milliseconds &out) {
    Clock::Duration d = out;
    LMFRONT_RETURN_IF_ERROR(millis(ts, key, d));
    out = std::chrono::duration_cast<std::chrono::milliseconds>(d);
    if (out.count() == 0) return ts.error(key, QStringLiteral("must be > 0"));
    return Status::ok();
  };
  LMFRONT_RETURN_IF_ERROR(ms(u"connect_ms", p.timeouts.connect));
  LMFRONT_RETURN_IF_ERROR(ms(u"first_byte_ms", p.timeouts.firstByte));
  LMFRONT_RETURN_IF_ERROR(ms(u"idle_ms", p.timeouts.idle));
  LMFRONT_RETURN_IF_ERROR(ms(u"total_ms", p.timeouts.total));
  return ts.finish();
}

Status parsePool(JsonSection &s, PoolSpec &p) {
  std::string text;
  LMFRONT_RETURN_IF_ERROR(string(s, u"balancer", text));
  if (!text.empty()) {
    auto kind = routing::balancerKindFromName(text);
    if (!kind) return s.error(u"balancer", QString::fromStdString(kind.status().message()));
    p.balancer = *kind;
  }
  LMFRONT_RETURN_IF_ERROR(parseHashKey(s, p.hashKey));
  LMFRONT_RETURN_IF_ERROR(string(s, u"backup", p.backup));
  std::vector<JsonSection> backends;
  LMFRONT_RETURN_IF_ERROR(s.sections(u"backends", backends));
  if (backends.empty()) return s.error(u"backends", QStringLiteral("must be a non-empty array"));
  for (JsonSection &b : backends) {
    BackendSpec spec;
    LMFRONT_RETURN_IF_ERROR(parseBackend(b, spec));
    p.backends.push_back(std::move(spec));
  }
  LMFRONT_RETURN_IF_ERROR(parseResilience(s, p));
  LMFRONT_RETURN_IF_ERROR(parseTimeouts(s, p));
  LMFRONT_RETURN_IF_ERROR(parseFlow(s, p.flow));
  return s.finish();
}

}  // namespace

Result<std::vector<PoolSpec>> parsePools(const QJsonObject &pools) {
  JsonSection root(pools, QStringLiteral("pools"));
  std::vector<PoolSpec> out;
  for (const auto &[name, value] : root.entries()) {
    if (name.isEmpty()) return Status::invalidArgument("pools: a pool needs a name");
    if (!value.isObject()) return root.invalid(name, QStringLiteral("an object"));
    JsonSection section(value.toObject(), root.pathOf(name));
    PoolSpec p;
    p.name = name.toStdString();
    p.source = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact).toStdString();
    LMFRONT_RETURN_IF_ERROR(parsePool(section, p));
    out.push_back(std::move(p));
  }
  for (const auto &p : out)
    if (!p.backup.empty() && p.backup == p.name)
      return root.error(QString::fromStdString(p.name + ".backup"), QStringLiteral("is itself"));
  return out;
}

}  // namespace lmfront::gateway::pool
