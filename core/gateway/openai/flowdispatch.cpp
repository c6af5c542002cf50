// The request path's use of flow control (poolflow.h): between the balancer's pick and the
// backend, a request takes a concurrency slot of the chosen backend, or waits for one in its
// bounded queue, or is refused at once. Cache hits never come here: they take no slot.
#include "gateway/openai/completionsink.h"

namespace lmfront::gateway::openai {

namespace {

constexpr int kOverloadRetryAfterSeconds = 1;

long long millis(Clock::Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

void sendToBackend(CompletionContext ctx) {
  ctx.dispatched = ctx.shared->clock.now();
  auto backend = ctx.pool->backends[ctx.backendIndex];
  // The request is read from the sink's context (no copy per request): the sink lives until
  // generate() returns, and backends read the request before they hand the sink anything.
  auto sink = std::make_shared<CompletionSink>(std::move(ctx));
  const CompletionRequest &request = sink->request();
  backend->generate(request, std::move(sink));
}

// Ends a request that never reached the backend (queue full, waited too long, client gone):
// answers, closes its cache flight, refunds its token estimate, counts it.
void refuse(CompletionContext &ctx, const ApiError &error, Clock::Duration waited) {
  auto &shared = *ctx.shared;
  const auto &backend = ctx.pool->backends[ctx.backendIndex]->id();
  // The balancer counted the request as outstanding at its pick; a refusal is a failure to it,
  // so load-aware policies (peak_ewma, least_outstanding) steer away from a saturated backend.
  if (ctx.pool->balancer) ctx.pool->balancer->onFinish(ctx.backendIndex, waited, false);
  finishCache(ctx, Status::unavailable(error.message));
  ctx.admission.settle(0);
  const auto now = shared.clock.now();
  HttpResponse response = toResponse(error);
  for (auto &h : gatewayHeaders(backend, ctx.cacheState, now - ctx.arrived)) response.headers.push_back(std::move(h));
  ctx.responder->respond(std::move(response));
  recordRequest(shared, ctx.request.model, backend, error.httpStatus, now - ctx.arrived);
  recordVariant(ctx, error.httpStatus);
}

ApiError overloaded(const pool::ModelPool &pool, std::size_t i, const Status &why) {
  ApiError e =
      fromStatus(Status::unavailable("model '" + pool.name + "' is overloaded: backend " + pool.backends[i]->id() +
                                     " is at its concurrency limit and " + why.message()),
                 {}, "overloaded");
  e.retryAfterSeconds = kOverloadRetryAfterSeconds;
  return e;
}

ApiError waitedTooLong(const pool::ModelPool &pool, std::size_t i, Clock::Duration waited) {
  return fromStatus(Status::deadlineExceeded("waited " + std::to_string(millis(waited)) +
                                             " ms for a free slot on backend " + pool.backends[i]->id() +
                                             " of model '" + pool.name + "' (the pool's queue.max_wait_ms is " +
                                             std::to_string(millis(pool.flow->config().queue.maxWait)) + ")"),
                    {}, "queue_timeout");
}

// What follows admission, granted or not: the backend gets the request, or the client an answer.
void admitted(CompletionContext c, Status status, Clock::TimePoint queuedAt) {
  const Clock::Duration waited = c.shared->clock.now() - queuedAt;
  if (status.isOk()) {
    c.holdsSlot = true;
    if (c.responder->isOpen()) return sendToBackend(std::move(c));
    status = Status::cancelled("the client went away while the request was queued");
    c.dispatched = c.shared->clock.now();
    releaseSlot(c, status);
  }
  if (status.code() == StatusCode::DeadlineExceeded)
    return refuse(c, waitedTooLong(*c.pool, c.backendIndex, waited), waited);
  ApiError e = fromStatus(status);
  if (e.httpStatus == 503) e.retryAfterSeconds = kOverloadRetryAfterSeconds;
  refuse(c, e, waited);
}

}  // namespace

void admitAndSend(CompletionContext ctx) {
  pool::PoolFlow *flow = ctx.pool->flow.get();
  if (!flow) return sendToBackend(std::move(ctx));
  pool::FlowTimer *timer = ctx.shared->flowTimer.get();
  const auto queuedAt = ctx.shared->clock.now();
  const std::size_t index = ctx.backendIndex;
  // A free slot: no waiter, no callback, no context moved to the heap.
  if (flow->tryAdmitNow(index)) return admitted(std::move(ctx), Status::ok(), queuedAt);
  auto holder = std::make_shared<CompletionContext>(std::move(ctx));
  const ResponderPtr responder = holder->responder;
  Status result = flow->admit(index, responder, timer, [holder, queuedAt](Status status) {
    admitted(std::move(*holder), std::move(status), queuedAt);
  });
  if (result.isOk()) return;
  // Not admitted, so the callback never ran and the context is still in the holder.
  CompletionContext &c = *holder;
  if (result.code() == StatusCode::ResourceExhausted) return refuse(c, overloaded(*c.pool, index, result), {});
  ApiError e = result.code() == StatusCode::DeadlineExceeded ? waitedTooLong(*c.pool, index, {}) : fromStatus(result);
  refuse(c, e, {});
}

void releaseSlot(CompletionContext &ctx, const Status &status) {
  if (!ctx.holdsSlot) return;
  ctx.holdsSlot = false;
  if (ctx.pool->flow)
    ctx.pool->flow->release(ctx.backendIndex, ctx.shared->clock.now() - ctx.dispatched,
                            pool::flowOutcome(status, ctx.responder->isOpen()));
}

void scoreOnBackend(const std::shared_ptr<OpenAiService::Shared> &shared, std::shared_ptr<const pool::ModelPool> pool,
                    std::size_t index, ScoreRequest score, ResponderPtr responder) {
  auto send = [shared, pool, index, responder](ScoreRequest request, bool holdsSlot) {
    const auto started = shared->clock.now();
    auto backend = pool->backends[index];
    const std::string model = request.model;
    backend->score(request, [responder, pool, index, started, shared, model, holdsSlot](Result<ScoreResult> result) {
      const bool ok = result.isOk();
      const auto latency = shared->clock.now() - started;
      if (holdsSlot) pool->flow->release(index, latency, pool::flowOutcome(result.status(), responder->isOpen()));
      if (pool->balancer) pool->balancer->onFinish(index, latency, ok);
      if (pool->resilience) pool->resilience->report(index, result.status());
      if (!ok) return responder->respond(toResponse(fromStatus(result.status())));
      HttpResponse response = HttpResponse::json(200, scoreBody(model, *result));
      for (auto &h : gatewayHeaders(pool->backends[index]->id(), "bypass", Clock::Duration::zero()))
        response.headers.push_back(std::move(h));
      responder->respond(std::move(response));
    });
  };
  if (!pool->flow) return send(std::move(score), false);
  const auto queuedAt = shared->clock.now();
  auto request = std::make_shared<ScoreRequest>(std::move(score));
  Status admitted = pool->flow->admit(
      index, responder, shared->flowTimer.get(),
      [send, request, pool, index, responder, shared, queuedAt](Status status) {
        const Clock::Duration waited = shared->clock.now() - queuedAt;
        if (status.isOk()) {
          if (responder->isOpen()) return send(std::move(*request), true);
          pool->flow->release(index, Clock::Duration::zero(), ratelimit::Outcome::Ignored);
          status = Status::cancelled("the client went away while the request was queued");
        }
        if (pool->balancer) pool->balancer->onFinish(index, waited, false);
        ApiError e =
            status.code() == StatusCode::DeadlineExceeded ? waitedTooLong(*pool, index, waited) : fromStatus(status);
        if (e.httpStatus == 503) e.retryAfterSeconds = kOverloadRetryAfterSeconds;
        responder->respond(toResponse(e));
      });
  if (admitted.isOk()) return;
  if (pool->balancer) pool->balancer->onFinish(index, {}, false);
  responder->respond(toResponse(admitted.code() == StatusCode::ResourceExhausted ? overloaded(*pool, index, admitted)
                                                                                 : fromStatus(admitted)));
}

}  // namespace lmfront::gateway::openai
