#include "gateway/openai/openaiservice.h"

#include "gateway/cache/cachecontrol.h"
#include "gateway/openai/completionsink.h"
#include "gateway/openai/jsonwriter.h"

#include <algorithm>

namespace lmfront::gateway::openai {

namespace {

void respondError(const ResponderPtr &responder, const ApiError &error) { responder->respond(toResponse(error)); }

cache::OutputParams outputParams(const SamplingParams &p) {
  cache::OutputParams o;
  o.maxTokens = p.maxTokens;
  o.temperature = p.temperature;
  o.topP = p.topP;
  o.topK = p.topK;
  if (p.seed) o.seed = static_cast<std::int64_t>(*p.seed);
  o.stop = p.stop;
  // The reshaping controls only when set, so a request without them keeps the key it always had.
  if (p.minP > 0) o.minP = p.minP;
  if (p.presencePenalty != 0) o.presencePenalty = p.presencePenalty;
  if (p.frequencyPenalty != 0) o.frequencyPenalty = p.frequencyPenalty;
  if (p.repetitionPenalty != 1.0) o.repetitionPenalty = p.repetitionPenalty;
  if (p.minTokens > 0) o.minTokens = p.minTokens;
  if (p.ignoreEos) o.ignoreEos = true;
  for (const auto &[id, bias] : p.logitBias) o.logitBias.emplace_back(std::to_string(id), bias);
  return o;
}

cache::CacheRequest cacheRequest(const CompletionRequest &r, const pool::ModelPool &pool) {
  cache::CacheRequest c;
  c.model = r.model;
  c.modelVersion = pool.version;
  c.endpoint = r.chat ? cache::EndpointKind::ChatCompletions : cache::EndpointKind::Completions;
  if (r.api == ApiKind::PassThrough) {
    c.endpoint = cache::EndpointKind::PassThrough;
    c.prompt = r.path + '\n' + r.body;
  } else if (r.chat) {
    for (const auto &m : r.messages) c.messages.push_back({m.role, m.content, {}});
  } else {
    c.prompt = r.prompt;
  }
  c.params = outputParams(r.params);
  return c;
}

// Picks a backend of the pool, or of its backup pool when none is healthy: a healthy backend
// (the balancer's choice first, then any other) whose breaker allows a request and that has not
// already failed this request. Sets retryAfter when open breakers are why nothing was found.
std::shared_ptr<const pool::ModelPool> pickBackend(
    const Clock &clock, const pool::ModelTable &table, std::shared_ptr<const pool::ModelPool> pool,
    std::string_view hashKey, const std::vector<std::pair<const pool::ModelPool *, std::size_t>> &tried,
    std::size_t &index, Status &why, int &retryAfter) {
  for (int hop = 0; pool && hop < 4; ++hop) {
    const std::size_t n = pool->backends.size();
    auto usable = [&](std::size_t i) {
      if (i >= n) return false;
      for (const auto &[p, j] : tried)
        if (p == pool.get() && j == i) return false;
      if (pool->balancer && !pool->balancer->isHealthy(i)) return false;
      if (pool->resilience && !pool->resilience->breaker(i).allow()) {
        const auto wait = pool->resilience->breaker(i).retryAt() - clock.now();
        const int seconds = static_cast<int>(std::chrono::ceil<std::chrono::seconds>(wait).count());
        retryAfter = std::max(1, retryAfter == 0 ? seconds : std::min(retryAfter, seconds));
        why = Status::unavailable("circuit breaker open for " + pool->backends[i]->id());
        return false;
      }
      return true;
    };
    std::optional<std::size_t> chosen;
    if (pool->balancer) {
      auto picked = pool->balancer->pick({hashKey});
      if (picked && usable(*picked))
        chosen = *picked;
      else if (!picked)
        why = picked.status();
    }
    if (!chosen && !pool->balancer && n > 0 && usable(0)) chosen = 0;
    if (!chosen && n > 1) {
      // Another healthy backend, starting after a hash of the key so load spreads.
      const std::size_t start = static_cast<std::size_t>(routing::hashKey64(hashKey) % n);
      for (std::size_t k = 0; k < n && !chosen; ++k)
        if (usable((start + k) % n)) chosen = (start + k) % n;
    }
    if (chosen) {
      index = *chosen;
      if (pool->balancer) pool->balancer->onStart(index);
      return pool;
    }
    if (pool->backupPool.empty()) break;
    auto it = table.pools.find(pool->backupPool);
    pool = it == table.pools.end() ? nullptr : it->second;
  }
  return nullptr;
}

// A completion request as its route's meter read it: either recognised by the cache-hit fast
// path (hitmemo.h: its bytes were answered from the cache before, so they are not decoded) or
// decoded.
struct CompletionInput {
  Clock::TimePoint arrived;
  std::shared_ptr<const HitMemoEntry> memo;
  CompletionRequest request;  // when memo is null
};

// What the fast path already did for a request it could not finish, so the full path does not
// count a second cache lookup.
struct MemoProbe {
  bool looked = false;
  cache::CacheKey key;
  cache::Value value;
};

// The fast path's meter: a body seen before as a hit, whose model's pool still has the version
// that answered it. Cache-Control may bypass or restrict the cache: such requests take the full path.
std::shared_ptr<const HitMemoEntry> recogniseMemo(const OpenAiService::Shared &shared, const HttpRequest &request,
                                                  bool chat) {
  if (!shared.memo || !shared.cache || request.hasHeader("cache-control")) return nullptr;
  auto entry = shared.memo->find(request.workerIndex, chat, request.body);
  if (!entry) return nullptr;
  const auto table = shared.table.load();
  const pool::ModelPool *pool = table->find(entry->model);
  // A new version never serves old entries; a model under a canary or shadow routes every request.
  if (pool == nullptr || pool->deployment || pool->version != entry->version) return nullptr;
  return entry;
}

// The cache-hit fast path, after admission. true when the request was answered from the local
// cache; false to continue on the full path with what `probe` says was already done.
bool serveMemoHit(OpenAiService::Shared &shared, const HitMemoEntry &entry, const Admission &admission,
                  const ResponderPtr &responder, Clock::TimePoint arrived, MemoProbe &probe) {
  probe.looked = true;
  probe.key = entry.key;
  probe.value = shared.cache->tiers().getLocal(entry.key, arrived);
  if (!probe.value || probe.value != entry.value) return false;
  admission.settle(0);  // served free
  char digits[16];
  const std::size_t n = newResponseIdDigits(digits);
  HttpResponse response;
  response.body = entry.renderBody({digits, n}, unixSecondsNow());
  response.headers.reserve(4);
  response.headers.emplace_back("Content-Type", "application/json");
  const Clock::Duration overhead = shared.clock.now() - arrived;
  appendGatewayHeaders(response.headers, "cache", "hit", overhead);
  responder->respond(std::move(response));
  const double seconds = std::chrono::duration<double>(overhead).count();
  if (entry.requests) entry.requests->inc();
  if (entry.duration) entry.duration->observe(seconds);
  if (entry.backendDuration) entry.backendDuration->observe(seconds);
  if (entry.overhead) entry.overhead->observe(seconds);
  return true;
}

// After a full-path cache hit: remembers how to answer the same bytes quickly next time.
void rememberHit(OpenAiService::Shared &shared, const CompletionContext &ctx, const Generated &g,
                 const cache::CacheKey &key, const cache::Value &value) {
  if (!shared.memo || ctx.request.stream || ctx.body.empty()) return;
  if (ctx.request.api != ApiKind::Completions && ctx.request.api != ApiKind::Chat) return;
  auto e = std::make_shared<HitMemoEntry>();
  e->chat = ctx.meta.chat;
  e->body = ctx.body;
  e->model = ctx.request.model;
  e->version = ctx.pool->version;
  e->estimatedTokens = ctx.admission.context().estimatedTokens;
  e->key = key;
  e->value = value;
  // Split the rendering at the id and the timestamp, and prove the split renders it back exactly.
  const std::string full = completionBody(ctx.meta, g);
  const std::string_view idPrefix = ctx.meta.chat ? "chatcmpl-" : "cmpl-";
  if (ctx.meta.id.size() < idPrefix.size()) return;
  e->idPrefix = std::string("{\"id\":\"").append(idPrefix);
  const std::string idDigits = ctx.meta.id.substr(idPrefix.size());
  const std::string created = "\"created\":" + std::to_string(ctx.meta.created);
  const std::size_t head = e->idPrefix.size() + idDigits.size();
  const std::size_t at = full.find(created, head);
  if (!full.starts_with(e->idPrefix) || at == std::string::npos) return;
  e->beforeCreated = full.substr(head, at + created.size() - std::to_string(ctx.meta.created).size() - head);
  e->afterCreated = full.substr(at + created.size());
  if (e->renderBody(idDigits, ctx.meta.created) != full) return;
  const auto &m = shared.metrics;
  if (m.requests) e->requests = &m.requests->withLabels({e->model, "cache", "200"});
  if (m.requestDuration) e->duration = &m.requestDuration->withLabels({e->model});
  if (m.backendDuration) e->backendDuration = &m.backendDuration->withLabels({"cache"});
  if (m.gatewayOverhead) e->overhead = &m.gatewayOverhead->withLabels({e->model});
  shared.memo->remember(ctx.workerIndex, std::move(e));
}

}  // namespace

std::string hashKeyOf(const pool::HashKeySource &source, const CompletionRequest &request, const HttpRequest &http) {
  using Kind = pool::HashKeySource::Kind;
  switch (source.kind) {
  case Kind::User: return request.user;
  case Kind::Header: return std::string(http.header(source.header));
  case Kind::PromptPrefix: return request.prompt.substr(0, source.prefixBytes);
  case Kind::Default: break;
  }
  return request.user.empty() ? request.prompt : request.user;
}

std::string poolHashKey(const pool::ModelPool &pool, const CompletionRequest &request, const HttpRequest &http) {
  return hashKeyOf(pool.hashKey, request, http);
}

void answerUnserved(CompletionContext &ctx, ApiError error) {
  auto &shared = *ctx.shared;
  if ((error.httpStatus == 503 || error.httpStatus == 429) && error.retryAfterSeconds == 0) error.retryAfterSeconds = 1;
  finishCache(ctx, Status::unavailable(error.message));
  ctx.admission.settle(0);
  recordRequest(shared, ctx.request.model, "", error.httpStatus, shared.clock.now() - ctx.arrived);
  recordVariant(ctx, error.httpStatus);
  ctx.responder->respond(toResponse(error));
}

void dispatchToBackend(CompletionContext ctx) {
  std::size_t index = 0;
  Status why = Status::unavailable("model '" + ctx.request.model + "' has no backend");
  int retryAfter = 0;
  auto pool = pickBackend(ctx.shared->clock, *ctx.table, ctx.pool, ctx.hashKey, ctx.tried, index, why, retryAfter);
  if (!pool) {
    // After a failed attempt with no backend left to retry on, the client hears that failure.
    ApiError e = ctx.attempt > 0 ? backendError(ctx.lastError)
                                 : fromStatus(Status::unavailable(why.message()), "model", "no_healthy_backend");
    if (e.httpStatus == 503 || e.httpStatus == 429) e.retryAfterSeconds = std::max(1, retryAfter);
    return answerUnserved(ctx, std::move(e));
  }
  if (ctx.forwarded && pool->routed)  // reached through a backup pool
    return answerUnserved(ctx,
                          fromStatus(Status::unavailable("model '" + ctx.request.model +
                                                         "': its backup pool routes to other members, and the "
                                                         "request was already forwarded: it is not forwarded again"),
                                     "model", "forwarding_loop"));
  if (ctx.attempt == 0 && pool->resilience) pool->resilience->retryBudget().onRequest();
  ctx.pool = std::move(pool);
  ctx.backendIndex = index;
  admitAndSend(std::move(ctx));
}

namespace {

// Answers from a cached value; false when the value does not decode (then the caller computes).
bool serveCached(CompletionContext &ctx, const cache::CacheKey &key, const cache::Value &value,
                 std::string_view state) {
  auto g = value ? Generated::decode(*value) : Result<Generated>(Status::dataLoss("empty cache value"));
  if (!g) return false;
  ctx.admission.settle(0);  // served free
  if (state == "coalesced" && ctx.shared->metrics.coalesced)
    ctx.shared->metrics.coalesced->withLabels({ctx.request.model}).inc();
  serveGenerated(ctx, *g, state, "cache");
  if (state == "hit") rememberHit(*ctx.shared, ctx, *g, key, value);
  return true;
}

// What the cache said about a completion (cache::ResponseCache::lookup; any thread).
void onLookup(const std::shared_ptr<CompletionContext> &ctx, const cache::CacheKey &key,
              const cache::ResponseCache::Lookup &found) {
  using Source = cache::ResponseCache::Source;
  ctx->cacheState = "miss";
  switch (found.source) {
  case Source::Hit:
    if (serveCached(*ctx, key, found.value, "hit")) return;
    break;  // undecodable: compute it, outside the flight
  case Source::Coalesced:
    if (found.error.isOk() && serveCached(*ctx, key, found.value, "coalesced")) return;
    {
      // The leader failed: report its error rather than silently retrying a failing backend.
      ApiError e = fromStatus(found.error.isOk() ? Status::internal("empty coalesced result") : found.error);
      ctx->responder->respond(toResponse(e));
      ctx->admission.settle(0);
      recordRequest(*ctx->shared, ctx->request.model, "", e.httpStatus, ctx->shared->clock.now() - ctx->arrived);
      recordVariant(*ctx, e.httpStatus);
    }
    return;
  case Source::Lead:
    ctx->key = key;
    ctx->leadsFlight = true;
    break;
  case Source::Alone: ctx->key = key; break;
  }
  ctx->body.clear();  // only a hit is remembered
  dispatchToBackend(std::move(*ctx));
}

}  // namespace

OpenAiService::OpenAiService(ServiceOptions options, observe::MetricsRegistry &registry, const Clock &clock)
    : m_registry(registry), m_shared(std::make_shared<Shared>(std::move(options), clock)) {
  // A shape clash is a programming error (tst_metricfamilies catches it); serve without metrics.
  auto metrics = registerRequestMetrics(registry);
  if (metrics) m_metrics = *metrics;
  auto cacheMetrics = cache::registerCacheMetrics(registry);
  if (cacheMetrics) m_cacheMetrics = *cacheMetrics;
  m_shared->metrics = m_metrics;
  if (m_shared->options.cacheEnabled) {
    m_cache = std::make_unique<cache::ResponseCache>(m_shared->options.cache, cache::SingleFlightOptions{}, clock,
                                                     &m_cacheMetrics);
    m_shared->cache = m_cache.get();
    if (m_shared->options.hitMemo) m_shared->memo = std::make_unique<HitMemo>();
  }
  m_shared->table.store(std::make_shared<const pool::ModelTable>());
  m_shared->flowTimer = std::make_shared<pool::FlowTimer>(clock, m_shared->options.flowTimerThread);
  m_shared->mirror = std::make_shared<Shared>(ServiceOptions{}, clock);
  m_shared->mirror->flowTimer = m_shared->flowTimer;
}

// Waiters still queued hold their pool (a cycle through the queue): cancelling them breaks it.
OpenAiService::~OpenAiService() { m_shared->flowTimer->stop(); }

void OpenAiService::sweepQueues() { m_shared->flowTimer->sweepNow(); }

void OpenAiService::setTable(std::shared_ptr<const pool::ModelTable> table) { m_shared->table.store(std::move(table)); }

void OpenAiService::tick() {
  if (!m_cache) return;
  m_cache->expireStale();
  m_cache->tiers().refreshMetrics();
}

std::shared_ptr<const pool::ModelTable> OpenAiService::table() const { return m_shared->table.load(); }

std::size_t OpenAiService::hitMemoSize() const { return m_shared->memo ? m_shared->memo->size() : 0; }

std::uint64_t OpenAiService::hitMemoFound() const { return m_shared->memo ? m_shared->memo->found() : 0; }

namespace {

using SharedPtr = std::shared_ptr<OpenAiService::Shared>;

void handleModels(const OpenAiService::Shared &shared, const ResponderPtr &responder) {
  const auto table = shared.table.load();
  JsonWriter w;
  w.beginObject().key("object").string("list").key("data").beginArray();
  for (const auto &[name, pool] : table->pools) {
    w.beginObject().key("id").string(name).key("object").string("model");
    w.key("created").integer(pool->created).key("owned_by").string("lmfront");
    w.key("description").string(pool->description).key("version").string(pool->version);
    w.key("backends").integer(static_cast<std::int64_t>(pool->backends.size())).endObject();
  }
  w.endArray().endObject();
  responder->respond(HttpResponse::json(200, w.take()));
}

// The completion routes' meter: the fast path's memo, else the decoded body; charges the model
// and an estimate of the tokens (the prompt's count is not known before tokenising: ~4 bytes a token).
std::optional<CompletionInput> meterCompletion(OpenAiService::Shared &shared, const HttpRequest &request,
                                               const ResponderPtr &responder, ApiKind api, AdmitContext &charge) {
  CompletionInput input;
  input.arrived = shared.clock.now();
  const bool chat = api == ApiKind::Chat;
  const bool memoable = api == ApiKind::Completions || api == ApiKind::Chat;
  if (memoable && (input.memo = recogniseMemo(shared, request, chat))) {
    charge.model = input.memo->model;
    charge.estimatedTokens = input.memo->estimatedTokens;
    return input;
  }
  auto parsed = api == ApiKind::Responses     ? parseResponsesRequest(request.body)
                : api == ApiKind::PassThrough ? parsePassThroughRequest(request.path, request.body)
                                              : parseCompletionRequest(request.body, chat);
  if (auto *error = std::get_if<ApiError>(&parsed)) {
    recordRequest(shared, "", "", error->httpStatus, shared.clock.now() - input.arrived);
    respondError(responder, *error);
    return std::nullopt;
  }
  input.request = std::move(std::get<CompletionRequest>(parsed));
  const CompletionRequest &r = input.request;
  std::size_t promptBytes = r.prompt.size() + r.body.size();
  for (std::size_t i = 1; i < r.batch.size(); ++i) promptBytes += r.batch[i].size();
  charge.model = r.model;
  charge.estimatedTokens =
      r.params.maxTokens * r.prompts() * std::max(r.n, r.bestOf) + static_cast<int>(promptBytes / 4) + 1;
  return input;
}

// A field the node does not interpret reaches URL backends unchanged; a pool with an engine
// replica refuses it rather than ignore it.
std::optional<ApiError> refuseUninterpreted(const CompletionRequest &r, const pool::ModelPool &pool) {
  if (r.api == ApiKind::PassThrough) {
    for (const auto &backend : pool.backends)
      if (!backend->passesThrough())
        return fromStatus(Status::invalidArgument("model '" + r.model + "' is served by the engine, which has no " +
                                                  r.path + " (an n-gram model only completes and scores text; " +
                                                  "route it to a pool of URL backends, see docs/pools.md)"),
                          "model", "unsupported_endpoint");
    return std::nullopt;
  }
  if (r.passThrough.empty()) return std::nullopt;
  for (const auto &backend : pool.backends) {
    if (backend->passesThrough()) continue;
    const std::string &field = r.passThrough.front().first;
    std::string why = field == "suffix" ? "an n-gram model continues text left to right: send the text before the "
                                          "insertion point as the prompt"
                                        : "the engine cannot honour it (see the field table in docs/http-api.md)";
    return fromStatus(Status::invalidArgument("'" + field + "' is not supported by model '" + r.model +
                                              "' (served by the engine): " + why),
                      field, "unsupported_parameter");
  }
  return std::nullopt;
}

// A request another node forwarded is never forwarded again (docs/cluster.md, "Routing between
// nodes"): members that each believed another one served the model would pass it round a circle.
// 503, so the forwarding node tries another member.
std::optional<ApiError> refuseForwardLoop(const pool::ModelPool &pool, const std::string &model,
                                          const HttpRequest &http) {
  if (!pool.routed) return std::nullopt;
  const std::string_view from = http.header(pool::kForwardedByHeader);
  if (from.empty()) return std::nullopt;
  return fromStatus(Status::unavailable("model '" + model + "' is not served on this node, and the request was " +
                                        "already forwarded by node '" + std::string(from) +
                                        "': a forwarded request is not forwarded again"),
                    "model", "forwarding_loop");
}

void handleCompletion(const SharedPtr &shared, HttpRequest &&request, CompletionInput &&input, Admission admission,
                      ResponderPtr responder, ApiKind api) {
  const bool chat = api == ApiKind::Chat;
  const auto arrived = input.arrived;
  MemoProbe probe;
  if (input.memo) {
    if (serveMemoHit(*shared, *input.memo, admission, responder, arrived, probe)) return;
    // The same bytes decoded when they were remembered; they decode the same now.
    auto parsed = parseCompletionRequest(request.body, chat);
    if (auto *error = std::get_if<ApiError>(&parsed)) {
      recordRequest(*shared, "", "", error->httpStatus, shared->clock.now() - arrived);
      return respondError(responder, *error);
    }
    input.request = std::move(std::get<CompletionRequest>(parsed));
  }
  CompletionContext ctx;
  ctx.request = std::move(input.request);
  ctx.admission = std::move(admission);
  const auto table = shared->table.load();
  auto poolIt = table->pools.find(ctx.request.model);
  if (poolIt == table->pools.end()) {
    ApiError e = fromStatus(Status::notFound("model '" + ctx.request.model + "' does not exist on this node"), "model",
                            "model_not_found");
    recordRequest(*shared, ctx.request.model, "", 404, shared->clock.now() - arrived);
    return respondError(responder, e);
  }
  auto refused = refuseUninterpreted(ctx.request, *poolIt->second);
  if (!refused) refused = refuseForwardLoop(*poolIt->second, ctx.request.model, request);
  if (refused) {
    recordRequest(*shared, ctx.request.model, "", refused->httpStatus, shared->clock.now() - arrived);
    ctx.admission.settle(0);
    return respondError(responder, *refused);
  }
  ctx.request.authorization = request.header("authorization");
  ctx.forwarded = request.hasHeader(pool::kForwardedByHeader);
  ctx.shared = shared;
  ctx.responder = responder;
  ctx.meta = newResponseMeta(ctx.request.model, api);
  ctx.meta.instructions = ctx.request.instructions;
  ctx.meta.maxOutputTokens = ctx.request.params.maxTokens;
  ctx.arrived = arrived;
  ctx.pool = poolIt->second;
  ctx.table = table;
  ctx.hashKey = poolHashKey(*ctx.pool, ctx.request, request);
  if (ctx.pool->deployment) routeToVariant(ctx, request);

  const auto control = cache::parseCacheControl(request.header("cache-control"));
  ctx.noStore = control.noStore;
  std::optional<cache::CacheKey> key;
  // Rich answers and the Responses API are not cached: the cache stores one plain text answer.
  // Of the pass-through routes, embeddings are deterministic (same input, same vectors).
  const bool cacheable = api == ApiKind::PassThrough ? ctx.request.path == "/v1/embeddings" && !ctx.request.stream
                                                     : !ctx.request.rich() && api != ApiKind::Responses &&
                                                           cache::isCacheable(outputParams(ctx.request.params));
  if (shared->cache && cacheable)
    if (auto made = cache::makeCacheKey(cacheRequest(ctx.request, *ctx.pool))) key = std::move(*made);
  if (!key || control.bypass) {
    // Bypass: the fresh answer is still stored unless no-store (docs/cache.md).
    ctx.key = std::move(key);
    return dispatchToBackend(std::move(ctx));
  }
  ctx.body = std::move(request.body);  // no longer needed but to remember a hit
  ctx.workerIndex = request.workerIndex;
  // The fast path's local lookup stands for this one when it was for the same key.
  const bool looked = probe.looked && probe.key == *key;
  if (looked && probe.value && serveCached(ctx, *key, probe.value, "hit")) return;
  auto pending = std::make_shared<CompletionContext>(std::move(ctx));
  shared->cache->lookup(
      *key, arrived,
      [pending, key = *key](const cache::ResponseCache::Lookup &found) { onLookup(pending, key, found); }, looked);
}

std::optional<ScoreRequest> meterScore(const HttpRequest &request, const ResponderPtr &responder,
                                       AdmitContext &charge) {
  auto parsed = parseScoreRequest(request.body);
  if (auto *error = std::get_if<ApiError>(&parsed)) {
    respondError(responder, *error);
    return std::nullopt;
  }
  ScoreRequest score = std::move(std::get<ScoreRequest>(parsed));
  charge.model = score.model;
  charge.estimatedTokens = static_cast<int>(score.text.size() / 4) + 1;
  return score;
}

void handleScore(const SharedPtr &shared, const HttpRequest &http, ScoreRequest &&score, ResponderPtr responder) {
  const auto table = shared->table.load();
  auto it = table->pools.find(score.model);
  if (it == table->pools.end())
    return respondError(responder, fromStatus(Status::notFound("model '" + score.model + "' does not exist"), "model",
                                              "model_not_found"));
  if (auto refused = refuseForwardLoop(*it->second, score.model, http)) return respondError(responder, *refused);
  score.authorization = http.header("authorization");
  std::size_t index = 0;
  Status why = Status::unavailable("no backend");
  int retryAfter = 0;
  auto pool = pickBackend(shared->clock, *table, it->second, {}, {}, index, why, retryAfter);
  if (!pool) {
    ApiError e = fromStatus(Status::unavailable(why.message()), "model", "no_healthy_backend");
    e.retryAfterSeconds = std::max(1, retryAfter);
    return respondError(responder, e);
  }
  scoreOnBackend(shared, std::move(pool), index, std::move(score), std::move(responder));
}

MeteredRoute<CompletionInput> completionRoute(const SharedPtr &shared, ApiKind api) {
  MeteredRoute<CompletionInput> route;
  route.meter = [shared, api](HttpRequest &request, const ResponderPtr &responder, AdmitContext &charge) {
    return meterCompletion(*shared, request, responder, api, charge);
  };
  route.refused = [shared](const CompletionInput &input, const ApiError &denied) {
    recordRequest(*shared, input.memo ? input.memo->model : input.request.model, "", denied.httpStatus,
                  shared->clock.now() - input.arrived);
  };
  route.handle = [shared, api](HttpRequest &&request, CompletionInput &&input, Admission admission,
                               ResponderPtr responder) {
    handleCompletion(shared, std::move(request), std::move(input), std::move(admission), std::move(responder), api);
  };
  return route;
}

}  // namespace

Status OpenAiService::addRoutes(Router &router) {
  RouteTable routes(router, &m_shared->options.admission);
  const SharedPtr &shared = m_shared;
  LMFRONT_RETURN_IF_ERROR(
      routes.route("GET", "/v1/models", RouteNeeds::role(Access::Read),
                   [shared](HttpRequest &&, Admission, ResponderPtr r) { handleModels(*shared, r); }));
  LMFRONT_RETURN_IF_ERROR(routes.metered("POST", "/v1/completions", RouteNeeds::metered(Access::Infer),
                                         completionRoute(shared, ApiKind::Completions)));
  LMFRONT_RETURN_IF_ERROR(routes.metered("POST", "/v1/chat/completions", RouteNeeds::metered(Access::Infer),
                                         completionRoute(shared, ApiKind::Chat)));
  LMFRONT_RETURN_IF_ERROR(routes.metered("POST", "/v1/responses", RouteNeeds::metered(Access::Infer),
                                         completionRoute(shared, ApiKind::Responses)));
  // Every other POST /v1/* (embeddings, moderations, …) goes to the model's URL backends as sent.
  LMFRONT_RETURN_IF_ERROR(routes.meteredPrefix("POST", "/v1/", RouteNeeds::metered(Access::Infer),
                                               completionRoute(shared, ApiKind::PassThrough)));
  MeteredRoute<ScoreRequest> score;
  score.meter = [](HttpRequest &request, const ResponderPtr &responder, AdmitContext &charge) {
    return meterScore(request, responder, charge);
  };
  score.handle = [shared](HttpRequest &&http, ScoreRequest &&request, Admission, ResponderPtr responder) {
    handleScore(shared, http, std::move(request), std::move(responder));
  };
  return routes.metered("POST", "/v1/score", RouteNeeds::metered(Access::Infer), std::move(score));
}

const AdmissionHooks *OpenAiService::admission() const { return &m_shared->options.admission; }

}  // namespace lmfront::gateway::openai
