// HttpClient: a small non-blocking HTTP/1.1 client for talking to upstream model servers
// (llama.cpp server, vLLM, Ollama, other lmfront nodes). See docs/pools.md.
//
// Model: send() returns at once and the request runs on an event loop with its own keep-alive
// connection pool per upstream (host:port). Called on a data-plane worker's thread (a proxied
// request), it runs on that worker's own epoll loop (ClientLoop attached to its WorkerLoop): the
// request is written, and its answer read and handed to the handler, on the thread that accepted
// the client, with no hop between threads and no lock; each worker has its own pools. Called on
// any other thread (health probes, alert webhooks, tests), it goes round robin to one of the
// client's own I/O threads (the constructor's count, at least 1), each with its own pools. The
// handler's callbacks run on that loop's thread, in order: onHead() once, then onBody() for every
// piece of (de-chunked) body as it arrives — no buffering, so a streamed token is forwarded the
// moment its bytes are read — then exactly one onComplete(), never before send() returned.
// Responses are parsed by libhttp-parser (HTTP_RESPONSE mode), never by hand.
//
// HTTPS: a request carrying a client TlsContext goes over TLS (TlsStream): the chain is verified
// against the context's CAs and the certificate must name the request's host (sent as SNI when it
// is a name); verification cannot be skipped. The connect timeout bounds the TCP connect and the
// handshake together. Pooled connections are per host:port and context, each its own TLS session;
// a new one resumes the context's last session with that peer when the server allows. A plain
// request pays one null check per read and write for this.
//
// Errors: connect refused / reset / EOF before a complete response → Unavailable; a failed TLS
// handshake → Unavailable naming the upstream and the reason ("upstream https://127.0.0.1:9443:
// TLS handshake failed: certificate verify failed: Hostname mismatch"); a timeout (connect or
// handshake, first byte, idle between reads, total) → DeadlineExceeded; an unparsable response →
// Unavailable. A request on a reused keep-alive connection that the server had closed
// meanwhile (no byte received) is retried once on a fresh connection; nothing else is retried.
// A handler whose cancelled() turns true has its connection closed at the next read.
#pragma once

#include "common/status.h"
#include "gateway/http/httptypes.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::gateway {
class TlsContext;
}

namespace lmfront::gateway::upstream {

struct Timeouts {
  std::chrono::milliseconds connect{2'000};
  std::chrono::milliseconds firstByte{60'000};  // request sent → first response byte
  std::chrono::milliseconds idle{60'000};       // between two reads of the response
  std::chrono::milliseconds total{600'000};
};

struct ClientRequest {
  std::string host;  // numeric IPv4/IPv6 address or a name resolved once per connection
  std::uint16_t port = 80;
  std::string method = "GET";
  std::string target = "/";
  HeaderList headers;  // Host, Content-Length and Connection are added
  std::string body;
  Timeouts timeouts;
  std::shared_ptr<const TlsContext> tls;  // a client context (TlsContext::client()): https; null: http
};

class ResponseHandler {
public:
  virtual ~ResponseHandler() = default;
  virtual void onHead(int status, const HeaderList &headers) = 0;
  virtual void onBody(std::string_view data) = 0;
  virtual void onComplete(const Status &status) = 0;
  virtual bool cancelled() const { return false; }
};

class HttpClient {
public:
  explicit HttpClient(int threads = 2);
  // Closes its own threads' connections; their pending handlers get onComplete(Cancelled). A
  // worker's connections end with the worker (its pending handlers get Cancelled then).
  ~HttpClient();
  HttpClient(const HttpClient &) = delete;
  HttpClient &operator=(const HttpClient &) = delete;

  void send(ClientRequest request, std::shared_ptr<ResponseHandler> handler);

  struct Loop;

private:
  std::vector<std::unique_ptr<Loop>> m_loops;
  std::atomic<std::uint64_t> m_next{0};
};

// "http://host:port/prefix" or "https://host:port/prefix" → parts (ports default to 80 and 443).
struct ParsedUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string basePath;  // without a trailing '/', may be empty
  bool tls = false;      // https://
};
Result<ParsedUrl> parseHttpUrl(std::string_view url);

}  // namespace lmfront::gateway::upstream
