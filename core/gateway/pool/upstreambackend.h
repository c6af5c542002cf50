// UpstreamBackend: a member of a model's pool that is another OpenAI-compatible HTTP server
// (llama.cpp server, vLLM, Ollama, or another lmfront node). See docs/pools.md.
//
// generate() sends /v1/completions or /v1/chat/completions with the client's parameters, `model`
// rewritten to the upstream's model name and `stream: true` always, reads the upstream's
// server-sent events and forwards each delta to the sink the moment its bytes are parsed (no
// buffering). An upstream that answers with one JSON body instead works too. Usage and
// finish_reason are mapped; missing usage is estimated (one token per delta).
// score() forwards /v1/score to lmfront upstreams (kind Lmfront) and is Unimplemented otherwise.
//
// Errors as Status: connect refused/reset → Unavailable; timeouts → DeadlineExceeded; an upstream
// 5xx → Unavailable ("upstream answered 503"); 429 → ResourceExhausted; 400 → InvalidArgument;
// 404 → NotFound. The backend id is the URL. Thread-safe; the sink is called on the thread that
// called generate() when it is a data-plane worker (httpclient.h), else on the client's own thread.
//
// An https:// URL is reached over TLS with a client context made once at create(): the system's
// CAs plus UpstreamOptions::caFile (create() fails naming the file when it cannot be read).
#pragma once

#include "gateway/openai/backend.h"
#include "gateway/upstream/httpclient.h"

namespace lmfront::gateway::pool {

enum class UpstreamKind { OpenAi, Lmfront };

struct UpstreamOptions {
  std::string url;    // "http://127.0.0.1:9001" (a path prefix such as "/proxy" is kept)
  std::string model;  // the model name the upstream knows
  UpstreamKind kind = UpstreamKind::OpenAi;
  std::string apiKey;  // sent as "Authorization: Bearer" when set
  upstream::Timeouts timeouts;
  std::string caFile;  // https: PEM certificates trusted besides the system's
};

class UpstreamBackend final : public openai::Backend {
public:
  static Result<std::shared_ptr<UpstreamBackend>> create(UpstreamOptions options, upstream::HttpClient &client);

  const std::string &id() const override { return m_options.url; }
  bool passesThrough() const override { return true; }
  void generate(const openai::CompletionRequest &request, std::shared_ptr<openai::GenerationSink> sink) override;
  void score(const openai::ScoreRequest &request, std::function<void(Result<openai::ScoreResult>)> done) override;

  const upstream::ParsedUrl &target() const { return m_target; }
  // The request every call to this upstream starts from (host, port, TLS, timeouts).
  upstream::ClientRequest baseRequest(std::string path, std::string body) const;
  const UpstreamOptions &options() const { return m_options; }

  // Cluster routing, set before the backend is shared: every request names node `id` in
  // x-lmfront-forwarded-by and carries the client's own Authorization (unless apiKey is set).
  void setForwardedBy(std::string id) { m_forwardedBy = std::move(id); }
  // Adds those headers to a request sent for a client (nothing when not forwarding).
  void addForwarding(upstream::ClientRequest &r, const std::string &authorization) const;

  // The body sent upstream for a request (exposed for tests).
  std::string requestBody(const openai::CompletionRequest &request) const;

private:
  UpstreamBackend(UpstreamOptions options, upstream::ParsedUrl target, std::shared_ptr<const TlsContext> tls,
                  upstream::HttpClient &client)
      : m_options(std::move(options)), m_target(std::move(target)), m_tls(std::move(tls)), m_client(client) {}

  UpstreamOptions m_options;
  upstream::ParsedUrl m_target;
  std::shared_ptr<const TlsContext> m_tls;  // https only
  std::string m_forwardedBy;
  upstream::HttpClient &m_client;
};

// Status for an upstream's HTTP error answer (status code and its body's error message).
Status statusForHttpError(int httpStatus, std::string_view body);

}  // namespace lmfront::gateway::pool
