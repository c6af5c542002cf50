#include "gateway/openai/openaiservice.h"

#include "gateway/cache/cachecontrol.h"
#include "gateway/openai/completionsink.h"
#include "gateway/openai/jsonwriter.h"

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
  return o;
}

cache::CacheRequest cacheRequest(const CompletionRequest &r, const ModelPool &pool) {
  cache::CacheRequest c;
  c.model = r.model;
  c.modelVersion = pool.version;
  c.endpoint = r.chat ? cache::EndpointKind::ChatCompletions : cache::EndpointKind::Completions;
  if (r.chat) {
    for (const auto &m : r.messages) c.messages.push_back({m.role, m.content, {}});
  } else {
    c.prompt = r.prompt;
  }
  c.params = outputParams(r.params);
  return c;
}

// Picks a backend of the pool, or of its backup pool when none is healthy.
std::shared_ptr<const ModelPool> pickBackend(const ModelTable &table, std::shared_ptr<const ModelPool> pool,
                                             std::string_view hashKey, std::size_t &index, Status &why) {
  for (int hop = 0; pool && hop < 4; ++hop) {
    if (pool->balancer) {
      auto picked = pool->balancer->pick({hashKey});
      if (picked) {
        index = *picked;
        pool->balancer->onStart(index);
        return pool;
      }
      why = picked.status();
    } else if (!pool->backends.empty()) {
      index = 0;
      return pool;
    }
    if (pool->backupPool.empty()) break;
    auto it = table.pools.find(pool->backupPool);
    pool = it == table.pools.end() ? nullptr : it->second;
  }
  return nullptr;
}

// Sends a request to a backend of its pool (any thread). Failing that, answers 503 and
// releases everything the request holds (flight, token estimate).
void dispatchToBackend(CompletionContext ctx, const ModelTable &table) {
  auto &shared = *ctx.shared;
  std::size_t index = 0;
  Status why = Status::unavailable("model '" + ctx.request.model + "' has no backend");
  const std::string_view hashKey = ctx.request.user.empty() ? std::string_view(ctx.request.prompt) : ctx.request.user;
  auto pool = pickBackend(table, ctx.pool, hashKey, index, why);
  if (!pool) {
    ApiError e = fromStatus(Status::unavailable(why.message()), "model", "no_healthy_backend");
    e.retryAfterSeconds = 1;
    if (ctx.key) shared.flights.complete(*ctx.key, Status::unavailable(why.message()));
    if (shared.options.settle) shared.options.settle(ctx.admit, 0);
    recordRequest(shared, ctx.request.model, "", 503, shared.clock.now() - ctx.arrived);
    ctx.responder->respond(toResponse(e));
    return;
  }
  ctx.pool = std::move(pool);
  ctx.backendIndex = index;
  ctx.dispatched = shared.clock.now();
  auto backend = ctx.pool->backends[index];
  CompletionRequest request = ctx.request;
  backend->generate(request, std::make_shared<CompletionSink>(std::move(ctx)));
}

}  // namespace

OpenAiService::OpenAiService(ServiceOptions options, observe::MetricsRegistry &registry, const Clock &clock)
    : m_registry(registry), m_shared(std::make_shared<Shared>(std::move(options), clock)) {
  auto metrics = observe::registerStandardMetrics(registry);
  if (metrics) m_metrics = *metrics;  // a shape clash is a programming error; serve without metrics
  m_shared->metrics = m_metrics;
  if (m_shared->options.cacheEnabled) {
    m_cache = std::make_unique<cache::TieredCache>(m_shared->options.cache, clock, &m_metrics);
    m_shared->cache = m_cache.get();
  }
  m_shared->table.store(std::make_shared<const ModelTable>());
}

OpenAiService::~OpenAiService() = default;

void OpenAiService::setTable(std::shared_ptr<const ModelTable> table) { m_shared->table.store(std::move(table)); }

std::shared_ptr<const ModelTable> OpenAiService::table() const { return m_shared->table.load(); }

void OpenAiService::addRoutes(Router &router) {
  router.route("GET", "/v1/models",
               [this](HttpRequest &&rq, ResponderPtr r) { handleModels(std::move(rq), std::move(r)); });
  router.route("POST", "/v1/completions",
               [this](HttpRequest &&rq, ResponderPtr r) { handleCompletion(std::move(rq), std::move(r), false); });
  router.route("POST", "/v1/chat/completions",
               [this](HttpRequest &&rq, ResponderPtr r) { handleCompletion(std::move(rq), std::move(r), true); });
  router.route("POST", "/v1/score",
               [this](HttpRequest &&rq, ResponderPtr r) { handleScore(std::move(rq), std::move(r)); });
  router.route("GET", "/metrics",
               [this](HttpRequest &&rq, ResponderPtr r) { handleMetrics(std::move(rq), std::move(r)); });
}

void OpenAiService::handleModels(HttpRequest &&request, ResponderPtr responder) {
  AdmitContext admit{Access::Read, {}, 0, {}};
  if (m_shared->options.admit)
    if (auto denied = m_shared->options.admit(request, admit)) return respondError(responder, *denied);
  const auto table = m_shared->table.load();
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

void OpenAiService::handleCompletion(HttpRequest &&request, ResponderPtr responder, bool chat) {
  const auto arrived = m_shared->clock.now();
  auto parsed = parseCompletionRequest(request.body, chat);
  if (auto *error = std::get_if<ApiError>(&parsed)) {
    recordRequest(*m_shared, "", "", error->httpStatus, m_shared->clock.now() - arrived);
    return respondError(responder, *error);
  }
  CompletionContext ctx;
  ctx.request = std::move(std::get<CompletionRequest>(parsed));
  if (m_shared->options.admit) {
    // The prompt's token count is not known before tokenising: ~4 bytes a token is the estimate.
    const int estimate = ctx.request.params.maxTokens + static_cast<int>(ctx.request.prompt.size() / 4) + 1;
    ctx.admit = AdmitContext{Access::Infer, ctx.request.model, estimate, {}};
    if (auto denied = m_shared->options.admit(request, ctx.admit)) {
      recordRequest(*m_shared, ctx.request.model, "", denied->httpStatus, m_shared->clock.now() - arrived);
      return respondError(responder, *denied);
    }
  }
  const auto table = m_shared->table.load();
  auto poolIt = table->pools.find(ctx.request.model);
  if (poolIt == table->pools.end()) {
    ApiError e = fromStatus(Status::notFound("model '" + ctx.request.model + "' does not exist on this node"), "model",
                            "model_not_found");
    recordRequest(*m_shared, ctx.request.model, "", 404, m_shared->clock.now() - arrived);
    return respondError(responder, e);
  }
  ctx.shared = m_shared;
  ctx.responder = responder;
  ctx.meta = newResponseMeta(ctx.request.model, chat);
  ctx.arrived = arrived;
  ctx.pool = poolIt->second;

  const auto control = cache::parseCacheControl(request.header("cache-control"));
  ctx.noStore = control.noStore;
  const bool cacheable = m_shared->cache && !control.bypass && cache::isCacheable(outputParams(ctx.request.params));
  if (cacheable) {
    auto key = cache::makeCacheKey(cacheRequest(ctx.request, *ctx.pool));
    if (key) {
      if (auto value = m_shared->cache->getLocal(*key)) {
        if (auto g = Generated::decode(*value)) {
          if (m_shared->options.settle) m_shared->options.settle(ctx.admit, 0);  // served free
          return serveGenerated(ctx, *g, "hit", "cache");
        }
      }
      ctx.cacheState = "miss";
      auto follower = std::make_shared<CompletionContext>(ctx);
      const auto role = m_shared->flights.join(*key, [follower](const Result<cache::Value> &result) {
        if (follower->shared->options.settle) follower->shared->options.settle(follower->admit, 0);
        if (result.isOk() && *result) {
          if (auto g = Generated::decode(**result)) return serveGenerated(*follower, *g, "coalesced", "cache");
        }
        // The leader failed: report its error rather than silently retrying a failing backend.
        ApiError e = fromStatus(result.isOk() ? Status::internal("empty coalesced result") : result.status());
        follower->responder->respond(toResponse(e));
        recordRequest(*follower->shared, follower->request.model, "", e.httpStatus,
                      follower->shared->clock.now() - follower->arrived);
      });
      if (role == decltype(role)::Follower) return;
      if (role == decltype(role)::Leader) ctx.key = *key;
    }
  }

  if (ctx.key) {
    // Leader of a local miss: ask the shared tier before paying for a generation.
    auto pending = std::make_shared<CompletionContext>(std::move(ctx));
    const bool asked = m_shared->cache->getRemote(*pending->key, [pending, table](cache::Value value) {
      if (value) {
        if (auto g = Generated::decode(*value)) {
          pending->shared->flights.complete(*pending->key, value);
          if (pending->shared->options.settle) pending->shared->options.settle(pending->admit, 0);
          return serveGenerated(*pending, *g, "hit", "cache");
        }
      }
      dispatchToBackend(std::move(*pending), *table);
    });
    if (asked) return;
    ctx = std::move(*pending);
  }
  dispatchToBackend(std::move(ctx), *table);
}

void OpenAiService::handleScore(HttpRequest &&request, ResponderPtr responder) {
  auto parsed = parseScoreRequest(request.body);
  if (auto *error = std::get_if<ApiError>(&parsed)) return respondError(responder, *error);
  ScoreRequest score = std::move(std::get<ScoreRequest>(parsed));
  AdmitContext admit{Access::Infer, score.model, static_cast<int>(score.text.size() / 4) + 1, {}};
  if (m_shared->options.admit)
    if (auto denied = m_shared->options.admit(request, admit)) return respondError(responder, *denied);
  const auto table = m_shared->table.load();
  auto it = table->pools.find(score.model);
  if (it == table->pools.end())
    return respondError(responder, fromStatus(Status::notFound("model '" + score.model + "' does not exist"), "model",
                                              "model_not_found"));
  std::size_t index = 0;
  Status why = Status::unavailable("no backend");
  auto pool = pickBackend(*table, it->second, {}, index, why);
  if (!pool) return respondError(responder, fromStatus(Status::unavailable(why.message()), "model"));
  auto backend = pool->backends[index];
  const auto started = m_shared->clock.now();
  auto shared = m_shared;
  backend->score(score, [responder, pool, index, started, shared, model = score.model](Result<ScoreResult> result) {
    const bool ok = result.isOk();
    if (pool->balancer) pool->balancer->onFinish(index, shared->clock.now() - started, ok);
    if (!ok) return responder->respond(toResponse(fromStatus(result.status())));
    HttpResponse response = HttpResponse::json(200, scoreBody(model, *result));
    for (auto &h : gatewayHeaders(pool->backends[index]->id(), "bypass", Clock::Duration::zero()))
      response.headers.push_back(std::move(h));
    responder->respond(std::move(response));
  });
}

void OpenAiService::handleMetrics(HttpRequest &&request, ResponderPtr responder) {
  AdmitContext admit{Access::Read, {}, 0, {}};
  if (m_shared->options.admit)
    if (auto denied = m_shared->options.admit(request, admit)) return respondError(responder, *denied);
  HttpResponse response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.body = m_registry.exposition();
  responder->respond(std::move(response));
}

}  // namespace lmfront::gateway::openai
