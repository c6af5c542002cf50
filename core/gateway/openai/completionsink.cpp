#include "gateway/openai/completionsink.h"

#include <algorithm>
#include <charconv>

namespace lmfront::gateway::openai {

namespace {
double seconds(Clock::Duration d) { return std::chrono::duration<double>(d).count(); }

std::string milliseconds(Clock::Duration d) {
  // "1.234": whole microseconds, rounded, printed with integers (a double's to_chars costs more
  // than the rest of a cached answer's headers).
  const auto ns = d.count();
  const std::uint64_t magnitude = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  const std::uint64_t us = magnitude / 1000 + (magnitude % 1000 >= 500 ? 1 : 0);
  char buf[32];
  char *p = buf;
  if (ns < 0 && us > 0) *p++ = '-';
  p = std::to_chars(p, buf + 24, us / 1000).ptr;
  const auto frac = static_cast<unsigned>(us % 1000);
  *p++ = '.';
  *p++ = static_cast<char>('0' + frac / 100);
  *p++ = static_cast<char>('0' + frac / 10 % 10);
  *p++ = static_cast<char>('0' + frac % 10);
  return std::string(buf, p);
}

HeaderList streamHeaders(std::string_view backend, std::string_view cacheState, Clock::Duration overhead) {
  HeaderList h = gatewayHeaders(backend, cacheState, overhead);
  h.emplace_back("Content-Type", "text/event-stream; charset=utf-8");
  h.emplace_back("Cache-Control", "no-cache");
  h.emplace_back("X-Accel-Buffering", "no");  // proxies in front must not buffer the stream either
  return h;
}
}  // namespace

HeaderList gatewayHeaders(std::string_view backend, std::string_view cacheState, Clock::Duration overhead) {
  HeaderList h;
  appendGatewayHeaders(h, backend, cacheState, overhead);
  return h;
}

void appendGatewayHeaders(HeaderList &headers, std::string_view backend, std::string_view cacheState,
                          Clock::Duration overhead) {
  headers.reserve(headers.size() + 3);
  headers.emplace_back("x-lmfront-backend", backend);
  headers.emplace_back("x-lmfront-cache", cacheState);
  headers.emplace_back("x-lmfront-overhead-ms", milliseconds(overhead));
}

void finishCache(CompletionContext &ctx, const Result<cache::Value> &result) {
  if (!ctx.key || !ctx.shared->cache) return;
  if (ctx.leadsFlight)
    ctx.shared->cache->complete(*ctx.key, result, !ctx.noStore);
  else if (result.isOk() && *result && !ctx.noStore)
    ctx.shared->cache->put(*ctx.key, *result);
  ctx.key.reset();
  ctx.leadsFlight = false;
}

ApiError backendError(const Status &status) {
  return fromStatus(status, {}, status.code() == StatusCode::Unavailable ? "backend_unavailable" : "");
}

void recordRequest(const OpenAiService::Shared &shared, std::string_view model, std::string_view backend,
                   int httpStatus, Clock::Duration total) {
  const auto &m = shared.metrics;
  char code[8];
  auto r = std::to_chars(code, code + sizeof code, httpStatus);
  const std::string_view codeView(code, static_cast<std::size_t>(r.ptr - code));
  if (m.requests) m.requests->withLabels({model, backend, codeView}).inc();
  if (m.requestDuration) m.requestDuration->withLabels({model}).observe(seconds(total));
  if (m.backendDuration && !backend.empty()) m.backendDuration->withLabels({backend}).observe(seconds(total));
}

void serveGenerated(const CompletionContext &ctx, const Generated &g, std::string_view cacheState,
                    std::string_view backend) {
  const Clock::Duration overhead = ctx.shared->clock.now() - ctx.arrived;
  if (ctx.request.api == ApiKind::PassThrough) {  // the upstream's own answer, as it was
    HttpResponse response = HttpResponse::json(200, g.text);
    for (auto &h : gatewayHeaders(backend, cacheState, overhead)) response.headers.push_back(std::move(h));
    ctx.responder->respond(std::move(response));
  } else if (ctx.request.stream) {
    ctx.responder->beginStream(200, streamHeaders(backend, cacheState, overhead));
    if (ctx.meta.chat) ctx.responder->writeChunk(streamRoleEvent(ctx.meta));
    if (!g.text.empty()) ctx.responder->writeChunk(streamTokenEvent(ctx.meta, g.text));
    ctx.responder->writeChunk(streamFinishEvent(ctx.meta, g.finish));
    if (ctx.request.includeUsage) ctx.responder->writeChunk(streamUsageEvent(ctx.meta, g.usage));
    ctx.responder->writeChunk(std::string(kStreamDone));
    ctx.responder->endStream();
  } else {
    HttpResponse response = HttpResponse::json(200, completionBody(ctx.meta, g));
    for (auto &h : gatewayHeaders(backend, cacheState, overhead)) response.headers.push_back(std::move(h));
    ctx.responder->respond(std::move(response));
  }
  recordRequest(*ctx.shared, ctx.request.model, backend, 200, overhead);
  recordVariant(ctx, 200);
  if (ctx.shared->metrics.gatewayOverhead)
    ctx.shared->metrics.gatewayOverhead->withLabels({ctx.request.model}).observe(seconds(overhead));
}

CompletionSink::~CompletionSink() {
  // A backend that dropped its sink without finishing must not strand the client or followers.
  if (!m_finished) onError(Status::internal("the backend ended the generation without a result"));
}

void CompletionSink::beginStreamIfNeeded() {
  if (m_streamBegun || !m_ctx.request.stream) return;
  m_streamBegun = true;
  const auto &backend = m_ctx.pool->backends[m_ctx.backendIndex]->id();
  m_ctx.responder->beginStream(200, streamHeaders(backend, m_ctx.cacheState, m_ctx.dispatched - m_ctx.arrived));
  if (m_ctx.request.api == ApiKind::Responses)
    m_ctx.responder->writeChunk(responsesCreatedEvents(m_ctx.meta, m_sequence));
  else if (m_ctx.meta.chat && !m_ctx.request.rich())
    m_ctx.responder->writeChunk(streamRoleEvent(m_ctx.meta));
}

void CompletionSink::countToken() {
  if (m_tokens++ == 0) {
    m_firstToken = m_ctx.shared->clock.now();
    if (m_ctx.shared->metrics.timeToFirstToken)
      m_ctx.shared->metrics.timeToFirstToken->withLabels({m_ctx.request.model})
          .observe(seconds(m_firstToken - m_ctx.arrived));
  }
}

void CompletionSink::onToken(std::string_view text) {
  if (m_finished) return;
  countToken();
  m_text.append(text);
  if (m_ctx.request.stream) {
    beginStreamIfNeeded();
    if (m_ctx.request.api == ApiKind::Responses)
      m_ctx.responder->writeChunk(responsesDeltaEvent(m_ctx.meta, text, m_sequence));
    else
      m_ctx.responder->writeChunk(streamTokenEvent(m_ctx.meta, text));
  }
}

ChoiceOutput &CompletionSink::choice(int index) {
  const auto i = static_cast<std::size_t>(std::max(0, index));
  if (m_choices.size() <= i) {
    m_choices.resize(i + 1);
    m_choiceOpened.resize(i + 1, false);
  }
  if (m_ctx.request.stream && m_ctx.meta.chat && !m_choiceOpened[i]) {
    beginStreamIfNeeded();
    m_choiceOpened[i] = true;
    m_ctx.responder->writeChunk(choiceRoleEvent(m_ctx.meta, index));
  }
  return m_choices[i];
}

void CompletionSink::onChoiceToken(int index, std::string_view text, const TokenLogprob *logprob) {
  if (m_finished) return;
  if (!m_ctx.request.rich()) return onToken(text);
  countToken();
  ChoiceOutput &c = choice(index);
  const std::int64_t offset = c.characters;
  c.characters += characterCount(text);
  if (m_ctx.request.stream) {
    beginStreamIfNeeded();
    m_ctx.responder->writeChunk(choiceTokenEvent(m_ctx.meta, index, text, logprob, offset));
    return;
  }
  c.text.append(text);
  if (logprob != nullptr) {
    c.logprobs.push_back(*logprob);
    c.offsets.push_back(offset);
  }
}

void CompletionSink::onRawBegin(std::string_view contentType) {
  if (m_finished) return;
  m_rawType = std::string(contentType);
  m_rawStream = m_rawType.find("text/event-stream") != std::string::npos;
  if (m_rawStream) {
    m_streamBegun = true;
    const auto &backend = m_ctx.pool->backends[m_ctx.backendIndex]->id();
    m_ctx.responder->beginStream(200, streamHeaders(backend, m_ctx.cacheState, m_ctx.dispatched - m_ctx.arrived));
  }
}

void CompletionSink::onRawBytes(std::string_view bytes) {
  if (m_finished) return;
  countToken();
  if (m_rawStream)
    m_ctx.responder->writeChunk(std::string(bytes));
  else
    m_text.append(bytes);
}

void CompletionSink::onChoiceDone(int index, FinishReason reason) {
  if (m_finished || !m_ctx.request.rich()) return;
  choice(index).finish = reason;
  if (m_ctx.request.stream) {
    beginStreamIfNeeded();
    m_ctx.responder->writeChunk(choiceFinishEvent(m_ctx.meta, index, reason));
  }
}

void CompletionSink::onDone(FinishReason reason, Usage usage) {
  if (m_finished) return;
  Generated g;
  g.text = std::move(m_text);
  g.finish = reason;
  g.usage = usage;
  const auto now = m_ctx.shared->clock.now();
  const auto &backend = m_ctx.pool->backends[m_ctx.backendIndex]->id();
  // Stored and the flight closed before the client sees the end: a client that repeats the request
  // as soon as it has the answer must find a hit, not join a flight that is already over.
  if (m_ctx.key) finishCache(m_ctx, cache::Value(std::make_shared<const std::string>(g.encode())));
  const bool rich = m_ctx.request.rich();
  const bool responses = m_ctx.request.api == ApiKind::Responses;
  if (m_ctx.request.api == ApiKind::PassThrough) {
    if (m_rawStream) {
      m_ctx.responder->endStream();
    } else {
      HttpResponse response;
      response.body = std::move(g.text);
      response.headers.emplace_back("Content-Type", m_rawType);
      for (auto &h : gatewayHeaders(backend, m_ctx.cacheState, m_ctx.dispatched - m_ctx.arrived))
        response.headers.push_back(std::move(h));
      m_ctx.responder->respond(std::move(response));
    }
  } else if (m_ctx.request.stream) {
    beginStreamIfNeeded();
    if (responses) {
      m_ctx.responder->writeChunk(responsesDoneEvents(m_ctx.meta, g.text, reason, usage, m_sequence));
    } else {
      if (!rich) m_ctx.responder->writeChunk(streamFinishEvent(m_ctx.meta, reason));
      if (m_ctx.request.includeUsage) m_ctx.responder->writeChunk(streamUsageEvent(m_ctx.meta, usage));
      m_ctx.responder->writeChunk(std::string(kStreamDone));
    }
    m_ctx.responder->endStream();
  } else {
    // Overhead: before dispatch, plus rendering after the backend finished (~0 here).
    HttpResponse response =
        HttpResponse::json(200, responses ? responsesBody(m_ctx.meta, g.text, reason, usage)
                                : rich ? richCompletionBody(m_ctx.meta, m_choices, usage, m_ctx.request.logprobs >= 0)
                                       : completionBody(m_ctx.meta, g));
    const Clock::Duration overhead = (m_ctx.dispatched - m_ctx.arrived) + (m_ctx.shared->clock.now() - now);
    for (auto &h : gatewayHeaders(backend, m_ctx.cacheState, overhead)) response.headers.push_back(std::move(h));
    m_ctx.responder->respond(std::move(response));
  }
  const auto &m = m_ctx.shared->metrics;
  if (m.tokensIn) m.tokensIn->withLabels({m_ctx.request.model}).inc(static_cast<std::uint64_t>(usage.promptTokens));
  if (m.tokensOut)
    m.tokensOut->withLabels({m_ctx.request.model}).inc(static_cast<std::uint64_t>(usage.completionTokens));
  if (m.gatewayOverhead)
    m.gatewayOverhead->withLabels({m_ctx.request.model}).observe(seconds(m_ctx.dispatched - m_ctx.arrived));
  m_ctx.admission.settle(usage.promptTokens + usage.completionTokens);
  finish(200, Status::ok());
}

bool CompletionSink::retry(const Status &status) {
  if (!m_ctx.pool->resilience || !m_ctx.responder->isOpen()) return false;
  auto &res = *m_ctx.pool->resilience;
  // The pool's RetryPolicy decides what is retryable, how often, under the pool's RetryBudget,
  // never once a byte reached the client (a stream's headers count), and after what backoff.
  const auto decision =
      res.retryPolicy().decide(static_cast<std::uint32_t>(m_ctx.attempt), pool::attemptOutcome(status),
                               m_streamBegun ? 1 : 0, &res.retryBudget());
  if (!decision.retry) return false;
  // The failed attempt's slot goes back before the next attempt queues for one.
  releaseSlot(m_ctx, status);
  res.report(m_ctx.backendIndex, status);
  const auto now = m_ctx.shared->clock.now();
  if (m_ctx.pool->balancer) m_ctx.pool->balancer->onFinish(m_ctx.backendIndex, now - m_ctx.dispatched, false);
  recordRequest(*m_ctx.shared, m_ctx.request.model, m_ctx.pool->backends[m_ctx.backendIndex]->id(),
                fromStatus(status).httpStatus, now - m_ctx.arrived);
  m_finished = true;
  auto next = std::make_shared<CompletionContext>(std::move(m_ctx));
  next->tried.emplace_back(next->pool.get(), next->backendIndex);
  ++next->attempt;
  next->lastError = status;
  // The backoff is waited on the flow timer, not on this backend's thread.
  next->shared->flowTimer->after(now + decision.backoff, [next](bool stopping) {
    if (stopping) return answerUnserved(*next, backendError(next->lastError));
    dispatchToBackend(std::move(*next));
  });
  return true;
}

void CompletionSink::onError(const Status &status) {
  if (m_finished) return;
  if (retry(status)) return;
  ApiError error = backendError(status);
  // Overload and unavailability tell the client when to come back, as every 429/503 here does.
  if ((error.httpStatus == 429 || error.httpStatus == 503) && error.retryAfterSeconds == 0) error.retryAfterSeconds = 1;
  const auto &backend = m_ctx.pool->backends[m_ctx.backendIndex]->id();
  if (m_streamBegun) {
    // Headers (200) are gone: report in-band, as OpenAI does, and close the stream cleanly.
    m_ctx.responder->writeChunk(errorEvent(error));
    m_ctx.responder->writeChunk(std::string(kStreamDone));
    m_ctx.responder->endStream();
  } else {
    HttpResponse response = toResponse(error);
    for (auto &h : gatewayHeaders(backend, m_ctx.cacheState, m_ctx.dispatched - m_ctx.arrived))
      response.headers.push_back(std::move(h));
    m_ctx.responder->respond(std::move(response));
  }
  finishCache(m_ctx, status);
  m_ctx.admission.settle(0);
  finish(error.httpStatus, status);
}

void CompletionSink::finish(int httpStatus, const Status &status) {
  m_finished = true;
  const auto now = m_ctx.shared->clock.now();
  if (m_ctx.pool->balancer) m_ctx.pool->balancer->onFinish(m_ctx.backendIndex, now - m_ctx.dispatched, status.isOk());
  if (m_ctx.pool->resilience)
    m_ctx.pool->resilience->report(m_ctx.backendIndex, m_ctx.responder->isOpen() ? status : Status::cancelled("gone"));
  recordRequest(*m_ctx.shared, m_ctx.request.model, m_ctx.pool->backends[m_ctx.backendIndex]->id(), httpStatus,
                now - m_ctx.arrived);
  recordVariant(m_ctx, httpStatus);
  // Last: handing the slot on may start the next waiter's generation on this thread.
  releaseSlot(m_ctx, status);
}

}  // namespace lmfront::gateway::openai
