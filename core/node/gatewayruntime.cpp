#include "node/gatewayruntime.h"

#include "cluster/opsregistry.h"
#include "gateway/auth/authgate.h"
#include "gateway/auth/keystore.h"
#include "gateway/ratelimit/ratelimiter.h"
#include "gateway/ratelimit/redisratelimiter.h"
#include "node/refusalaudit.h"
#include "observe/metricnames.h"
#include "observe/metricsregistry.h"

#include "common/eventsink.h"

#include <iterator>

namespace lmfront::node {

using gateway::ApiError;
using gateway::openai::Access;
using gateway::openai::AdmitContext;
namespace auth = gateway::auth;
namespace ratelimit = gateway::ratelimit;

namespace {

// A drained node is usually back within minutes (a deploy, a restart); a client that cannot go
// elsewhere retries after this.
constexpr int kDrainRetryAfterSeconds = 5;

auth::Role roleFor(Access access) {
  switch (access) {
  case Access::Read: return auth::Role::Viewer;
  case Access::Infer: return auth::Role::User;
  case Access::Operate: return auth::Role::Operator;
  case Access::Admin: return auth::Role::Admin;
  }
  return auth::Role::Admin;
}

// One limit (per minute) either node-local or shared through Redis under `name`.
Result<std::unique_ptr<ratelimit::RateLimiter>> makeLimiter(qint64 perMinute, const GatewaySettings &g,
                                                            const std::string &name, const Clock &clock) {
  if (perMinute <= 0) return std::unique_ptr<ratelimit::RateLimiter>();
  ratelimit::TokenBucketConfig bucket;
  bucket.limit = perMinute;
  bucket.period = std::chrono::minutes(1);
  if (!g.redisHost.isEmpty()) {
    ratelimit::RedisRateLimiterConfig c;
    c.bucket = bucket;
    c.host = g.redisHost.toStdString();
    c.port = g.redisPort;
    c.keyPrefix = "lmfront:rl:" + name + ":";
    auto limiter = ratelimit::RedisRateLimiter::create(c, clock);
    if (!limiter) return limiter.status().withContext("limit " + name);
    return std::unique_ptr<ratelimit::RateLimiter>(std::move(*limiter));
  }
  ratelimit::LocalRateLimiterConfig c;
  c.bucket = bucket;
  auto limiter = ratelimit::LocalRateLimiter::create(c, clock);
  if (!limiter) return limiter.status().withContext("limit " + name);
  return std::unique_ptr<ratelimit::RateLimiter>(std::move(*limiter));
}

std::optional<gateway::HttpResponse> requestFilter(const auth::AuthPolicy &policy, const gateway::HttpRequest &request,
                                                   gateway::HeaderList &extra) {
  const std::string_view origin = request.header("origin");
  // Every path is checked here, not only the API's: /healthz, /readyz and the 404 fallback would
  // otherwise hand the node's data dir and id to a rebound DNS name. A refused request gets no
  // CORS headers, so a browser cannot read even the refusal.
  if (Status st = policy.checkRequest(request.header("host"), origin); !st.isOk())
    return gateway::toResponse(gateway::fromStatus(st, {}, "untrusted_origin"));
  if (origin.empty()) return std::nullopt;  // not a browser's cross-origin request: nothing to add
  // A preflight is answered for any path, with no key: the real request that follows is the one
  // that gets authenticated.
  const bool preflight = request.method == "OPTIONS";
  auto headers = policy.corsHeaders(origin, preflight, request.header("access-control-request-headers"));
  extra.insert(extra.end(), std::make_move_iterator(headers.begin()), std::make_move_iterator(headers.end()));
  if (!preflight) return std::nullopt;
  gateway::HttpResponse ok;
  ok.status = 204;
  return ok;
}

std::vector<std::string> toStd(const QStringList &list) {
  std::vector<std::string> out;
  for (const auto &s : list) out.push_back(s.toStdString());
  return out;
}

}  // namespace

GatewayRuntime::~GatewayRuntime() = default;

Result<std::unique_ptr<GatewayRuntime>> GatewayRuntime::create(const NodeConfig &config, const NodeContext &context) {
  std::unique_ptr<GatewayRuntime> r(new GatewayRuntime);
  r->m_settings = config.gateway;
  r->m_clusterName = config.cluster.name.toStdString();
  auto rateLimited = context.metrics.counter(observe::names::kRateLimitedTotal,
                                             "Requests refused by a rate limit, by scope (key, model, tokens, ...).",
                                             {std::string(observe::names::kLabelScope)});
  if (!rateLimited) return rateLimited.status();
  r->m_rateLimited = *rateLimited;
  r->m_events = &context.events;
  r->m_ops = &context.ops;
  auto store = auth::KeyStore::open(context.dataDir.toStdString());
  if (!store) return store.status().withContext("API keys");
  r->m_store = std::move(*store);
  r->m_authenticator = std::make_shared<auth::Authenticator>();
  LMFRONT_RETURN_IF_ERROR(r->m_authenticator->reload(*r->m_store).withContext("API keys"));
  const std::string bind = config.listenHost.toStdString();
  LMFRONT_RETURN_IF_ERROR(auth::startupCheck(bind, r->m_authenticator->activeKeyCount() > 0));

  auth::AuthConfig authConfig;
  authConfig.requireKeys = config.gateway.requireKeys;
  authConfig.allowedHosts = toStd(config.gateway.allowedHosts);
  authConfig.trustedOrigins = toStd(config.gateway.trustedOrigins);
  LMFRONT_RETURN_IF_ERROR(authConfig.validate());
  r->m_gate = std::make_unique<auth::AuthGate>(auth::AuthPolicy(authConfig, bind), r->m_authenticator);

  const auto &g = config.gateway;
  struct Spec {
    qint64 perMinute;
    const char *name;
    std::unique_ptr<ratelimit::RateLimiter> *slot;
  };
  for (const Spec &spec : {Spec{g.perKey.requestsPerMinute, "key_rpm", &r->m_keyRequests},
                           Spec{g.perKey.tokensPerMinute, "key_tpm", &r->m_keyTokens},
                           Spec{g.perModel.requestsPerMinute, "model_rpm", &r->m_modelRequests},
                           Spec{g.perModel.tokensPerMinute, "model_tpm", &r->m_modelTokens}}) {
    auto limiter = makeLimiter(spec.perMinute, g, spec.name, context.clock);
    if (!limiter) return limiter.status();
    *spec.slot = std::move(*limiter);
  }
  return r;
}

void GatewayRuntime::configure(gateway::openai::ServiceOptions &options) const {
  options.admission.admit = [this](const gateway::HttpRequest &request, AdmitContext &context) {
    return admit(request, context);
  };
  options.admission.settle = [this](const AdmitContext &context, int actual) { settle(context, actual); };
  options.cacheEnabled = m_settings.cacheEnabled;
  options.cache.local.byteBudget = static_cast<std::size_t>(m_settings.cacheBytes);
  options.cache.local.defaultTtl = std::chrono::seconds(m_settings.cacheTtlSeconds);
  options.cache.ttl = std::chrono::seconds(m_settings.cacheTtlSeconds);
  if (!m_settings.redisHost.isEmpty()) {
    gateway::cache::RedisOptions redis;
    redis.host = m_settings.redisHost.toStdString();
    redis.port = m_settings.redisPort;
    redis.push = m_settings.cachePush;
    redis.pushNamespace = m_clusterName;
    options.cache.redis = redis;
  }
}

void GatewayRuntime::configure(gateway::HttpServerOptions &options) const {
  auto policy = std::make_shared<const auth::AuthPolicy>(m_gate->policy());
  options.filter = [policy](const gateway::HttpRequest &request, gateway::HeaderList &extra) {
    return requestFilter(*policy, request, extra);
  };
}

std::optional<ApiError> GatewayRuntime::admit(const gateway::HttpRequest &request, AdmitContext &context) const {
  auto who = m_gate->admit(request.header("host"), request.header("origin"), request.header("authorization"),
                           roleFor(context.access));
  if (!who) {
    reportRefusal(request, context, who.status());
    return gateway::fromStatus(who.status());
  }
  context.principal = who->anonymous() ? std::string("local") : who->keyId;
  context.actor = who->anonymous() ? std::string("local") : who->name;
  // Limits meter the routes declared metered (inference); reading models or metrics never is.
  if (!context.metered) return std::nullopt;
  if (drained()) {
    ApiError e = gateway::fromStatus(
        Status::unavailable("the node is draining: send inference requests to another node"), {}, "draining");
    e.retryAfterSeconds = kDrainRetryAfterSeconds;
    return e;
  }

  std::vector<ratelimit::LimitCheck> checks;
  const char *scopes[4];
  std::size_t n = 0;
  if (m_keyRequests) checks.push_back({m_keyRequests.get(), context.principal, 1}), scopes[n++] = "key_requests";
  if (m_keyTokens && context.estimatedTokens > 0)
    checks.push_back({m_keyTokens.get(), context.principal, context.estimatedTokens}), scopes[n++] = "key_tokens";
  if (!context.model.empty()) {
    if (m_modelRequests) checks.push_back({m_modelRequests.get(), context.model, 1}), scopes[n++] = "model_requests";
    if (m_modelTokens && context.estimatedTokens > 0)
      checks.push_back({m_modelTokens.get(), context.model, context.estimatedTokens}), scopes[n++] = "model_tokens";
  }
  if (checks.empty()) return std::nullopt;
  // Checked one at a time (all-or-nothing) so the metric can name the limit that said no.
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto decision = ratelimit::acquireAll({checks[i]});
    if (decision.allowed) continue;
    for (std::size_t j = 0; j < i; ++j) checks[j].limiter->adjust(checks[j].key, -checks[j].cost);
    m_rateLimited->withLabels({scopes[i]}).inc();
    ApiError e = gateway::fromStatus(
        Status::resourceExhausted(decision.exceedsBurst
                                      ? std::string("the request needs more tokens than the limit allows per minute")
                                      : std::string("rate limit reached (") + scopes[i] + "): retry later"),
        {}, "rate_limited");
    e.retryAfterSeconds =
        std::max<int>(1, static_cast<int>(std::chrono::ceil<std::chrono::seconds>(decision.retryAfter).count()));
    return e;
  }
  return std::nullopt;
}

void GatewayRuntime::reportRefusal(const gateway::HttpRequest &request, const AdmitContext &context,
                                   const Status &why) const {
  if (request.method == "GET" || roleFor(context.access) < auth::Role::Operator) return;
  auto who = m_gate->authenticate(request.header("authorization"));
  m_ops->reportRefusal(
      httpRefusal(request.method, request.path, who ? who->name : std::string("unauthenticated"), why.message()));
}

void GatewayRuntime::settle(const AdmitContext &context, int actualTokens) const {
  const int delta = actualTokens - context.estimatedTokens;
  if (delta == 0 || context.principal.empty()) return;
  if (m_keyTokens) m_keyTokens->adjust(context.principal, delta);
  if (m_modelTokens && !context.model.empty()) m_modelTokens->adjust(context.model, delta);
}

void GatewayRuntime::maintenance() {
  if (auto reloaded = m_authenticator->reloadIfChanged(*m_store); !reloaded)
    m_events->report(EventLevel::Warning, "auth", "reloading API keys: " + reloaded.status().message());
  if (auto flushed = m_authenticator->flushUsage(*m_store); !flushed)
    m_events->report(EventLevel::Warning, "auth", "saving key usage: " + flushed.message());
  for (auto *limiter : {m_keyRequests.get(), m_keyTokens.get(), m_modelRequests.get(), m_modelTokens.get()})
    if (auto *local = dynamic_cast<ratelimit::LocalRateLimiter *>(limiter)) local->evictIdle();
}

}  // namespace lmfront::node
