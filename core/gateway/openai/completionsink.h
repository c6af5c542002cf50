// CompletionSink: carries one generation from a backend's thread back to the client, as a
// single JSON response or as server-sent events flushed token by token, and on the way fills the
// response cache, completes the single flight, reports to the balancer and records metrics.
// Internal to OpenAiService. Thread-safe in the sense GenerationSink requires: one backend
// thread drives it; the Responder marshals to the connection's worker.
#pragma once

#include "gateway/cache/cachekey.h"
#include "gateway/http/httpserver.h"
#include "gateway/openai/hitmemo.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/openai/responses.h"
#include "gateway/pool/deployment.h"
#include "gateway/pool/flowtimer.h"
#include "gateway/pool/modeltable.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lmfront::gateway::openai {

struct OpenAiService::Shared {
  Shared(ServiceOptions o, const Clock &c) : options(std::move(o)), clock(c) {}
  ServiceOptions options;
  const Clock &clock;
  std::atomic<std::shared_ptr<const pool::ModelTable>> table;
  cache::ResponseCache *cache = nullptr;  // owned by the service; null when caching is off
  RequestMetrics metrics;
  std::unique_ptr<HitMemo> memo;               // null when caching or the fast path is off
  std::shared_ptr<pool::FlowTimer> flowTimer;  // ends admission-queue waits on time (flowtimer.h)
  // What requests mirrored to a shadow run with: the same clock and flow timer, but no cache and
  // no request metrics (a mirrored request is no client's request). Null in the mirror itself.
  std::shared_ptr<Shared> mirror;
};

// Everything about one completion request that outlives the handler call.
struct CompletionContext {
  std::shared_ptr<OpenAiService::Shared> shared;
  ResponderPtr responder;
  CompletionRequest request;
  ResponseMeta meta;
  Clock::TimePoint arrived;
  Clock::TimePoint dispatched;
  std::optional<cache::CacheKey> key;  // set when the answer goes to the cache (see finishCache)
  bool leadsFlight = false;            // key's single flight waits for this request
  std::string body;                    // the request's bytes, for the fast path's memo after a hit
  std::size_t workerIndex = 0;
  bool noStore = false;
  std::string cacheState = "bypass";  // miss | bypass (hit/coalesced are served elsewhere)
  std::shared_ptr<const pool::ModelPool> pool;
  std::size_t backendIndex = 0;
  Admission admission;  // who is charged, and the handle that settles the estimate
  // The table the request started on: retries and backup pools are looked up here, never in a
  // table swapped in meanwhile.
  std::shared_ptr<const pool::ModelTable> table;
  std::string hashKey;  // for consistent-hash pools
  int attempt = 0;      // 0 = first try
  Status lastError;     // why the previous attempt failed (reported when no backend is left)
  std::vector<std::pair<const pool::ModelPool *, std::size_t>> tried;  // backends that failed this request
  bool holdsSlot = false;  // this attempt holds a concurrency slot of pool->flow (release once)
  // Under a canary or shadow deployment: the series of the variant serving this request (in the
  // table's Deployment, which `table` keeps alive). Null on the plain path.
  const pool::VariantSeries *variant = nullptr;
  // Forwarded by another cluster member: never sent on through a routed pool (a backup's either).
  bool forwarded = false;
};

// Sends a request to a backend of its pool (or of a backup pool), honouring breakers and health;
// failing that, answers 503 with Retry-After and releases everything the request holds.
void dispatchToBackend(CompletionContext ctx);
// Ends what the request owes the cache, once: the flight it leads gets `result` (stored unless
// no-store), a request outside any flight stores a success unless no-store.
void finishCache(CompletionContext &ctx, const Result<cache::Value> &result);
// What the client hears when a backend's failure ends its request.
ApiError backendError(const Status &status);
// Answers a request that no backend served with `error` (Retry-After on a 503/429) and releases
// what it holds: its cache flight, its token estimate.
void answerUnserved(CompletionContext &ctx, ApiError error);

// flowdispatch.cpp — after the balancer picked ctx.backendIndex of ctx.pool: takes a concurrency
// slot of that backend (waiting in its admission queue when none is free) and sends the request;
// a full queue answers 503 + Retry-After at once, a wait past max_wait_ms 504.
void admitAndSend(CompletionContext ctx);
// Returns the attempt's slot (if it holds one) with its latency and what `status` says about load.
void releaseSlot(CompletionContext &ctx, const Status &status);
// /v1/score on backend `index` of `pool`, under the same per-backend limits.
void scoreOnBackend(const std::shared_ptr<OpenAiService::Shared> &shared, std::shared_ptr<const pool::ModelPool> pool,
                    std::size_t index, ScoreRequest score, ResponderPtr responder);

// The hash key a pool's balancer sees for this request, and the key `source` takes from it.
std::string poolHashKey(const pool::ModelPool &pool, const CompletionRequest &request, const HttpRequest &http);
std::string hashKeyOf(const pool::HashKeySource &source, const CompletionRequest &request, const HttpRequest &http);

// variantdispatch.cpp — a request for a model with a Deployment (ctx.pool->deployment set):
// a canary's share moves to the canary's pool; a shadow's share is also mirrored to the shadow
// (non-streamed completions and chats), its answer compared with the one the client gets.
void routeToVariant(CompletionContext &ctx, const HttpRequest &http);
// Counts the request's answer for its variant (no-op on the plain path).
void recordVariant(const CompletionContext &ctx, int httpStatus);

class CompletionSink final : public GenerationSink {
public:
  explicit CompletionSink(CompletionContext context) : m_ctx(std::move(context)) {}
  ~CompletionSink() override;

  void onToken(std::string_view text) override;
  void onChoiceToken(int index, std::string_view text, const TokenLogprob *logprob) override;
  void onChoiceDone(int index, FinishReason reason) override;
  void onRawBegin(std::string_view contentType) override;
  void onRawBytes(std::string_view bytes) override;
  void onDone(FinishReason reason, Usage usage) override;
  void onError(const Status &status) override;
  bool cancelled() const override { return !m_ctx.responder->isOpen(); }
  const CompletionRequest &request() const { return m_ctx.request; }

private:
  void beginStreamIfNeeded();
  void countToken();
  ChoiceOutput &choice(int index);
  void finish(int httpStatus, const Status &status);
  bool retry(const Status &status);

  CompletionContext m_ctx;
  std::string m_text;
  std::vector<ChoiceOutput> m_choices;         // rich answers (CompletionRequest::rich())
  std::vector<bool> m_choiceOpened;            // chat streams: the choice's role chunk was sent
  int m_sequence = 0;                          // Responses streams: the next event's sequence_number
  std::string m_rawType = "application/json";  // pass-through: the upstream's content type
  bool m_rawStream = false;                    // pass-through: relayed as it arrives (SSE)
  int m_tokens = 0;
  bool m_streamBegun = false;
  bool m_finished = false;
  Clock::TimePoint m_firstToken{};
};

// Headers every gateway response carries.
HeaderList gatewayHeaders(std::string_view backend, std::string_view cacheState, Clock::Duration overhead);
// The same, appended in place (one allocation fewer per header list on the hit path).
void appendGatewayHeaders(HeaderList &headers, std::string_view backend, std::string_view cacheState,
                          Clock::Duration overhead);

// Serves a finished generation (cache hit or coalesced follower) as JSON or as an SSE replay.
void serveGenerated(const CompletionContext &ctx, const Generated &g, std::string_view cacheState,
                    std::string_view backend);

void recordRequest(const OpenAiService::Shared &shared, std::string_view model, std::string_view backend,
                   int httpStatus, Clock::Duration total);

}  // namespace lmfront::gateway::openai
