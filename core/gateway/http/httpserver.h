// HttpServer: lmfront's HTTP/1.1 data plane.
//
// Model (Envoy's): N worker threads, each with its own event loop and its own SO_REUSEPORT
// listening socket; the kernel spreads connections, and a connection lives on one worker for its
// whole life, so no lock is taken per request. Sockets are non-blocking and driven by
// QSocketNotifier; HTTP is parsed by libhttp-parser. Keep-alive, in-order pipelining, chunked
// request bodies, chunked and SSE streaming responses, header/body size limits, header and idle
// timeouts.
//
// Handlers are chosen from a Router snapshot (immutable; replaced atomically with setRouter()).
// A handler runs on the connection's worker thread and must not block it: a slow handler keeps
// the Responder and completes it later from any thread (calls are marshalled to the worker).
//
// A RequestFilter (HttpServerOptions::filter) sees every parsed request before routing: headers
// it adds go on whatever answer that request gets, so a cross-cutting header (CORS) has one place
// no response path can bypass; it may also answer the request itself (a CORS preflight).
//
// An UpgradeRoute (HttpServerOptions::upgrade) hands a protocol upgrade on one path (the node's
// WebSocket `/ops`) to another server: after the filter let the request through, the worker stops
// watching the socket and gives its descriptor away with the request's head and whatever followed
// it. Other requests pay one path comparison for it.
//
// TLS (HttpServerOptions::tls): OpenSSL on the same non-blocking sockets, in the same workers
// (TlsStream); a plain server pays one null check per read and write for it.
//
// Time: every timeout (header, idle, body progress, stalled write, linger) is measured on the Clock
// given to the constructor, read as often as before (on reads, writes and the worker's tick), so
// tests drive timeouts with a ManualClock and checkTimeouts() instead of sleeping.
//
// Thread safety: start/stop/beginDrain/setRouter/checkTimeouts from one controlling thread;
// Responder methods from any thread. A QCoreApplication must exist (the workers run Qt event loops).
// Behaviour, limits and timeouts in detail: docs/http-dataplane.md.
#pragma once

#include "common/status.h"
#include "gateway/http/httptypes.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace lmfront::gateway {

class TlsContext;

// Completes one request. Exactly one of respond() or (beginStream(), writeChunk()*, endStream())
// must happen; dropping the last reference without completing answers 500. After the client went
// away every call is a no-op and isOpen() turns false, so a generator can stop early.
class Responder {
public:
  virtual ~Responder() = default;
  virtual void respond(HttpResponse response) = 0;
  // Streaming: headers now, body as chunks (Transfer-Encoding: chunked) flushed as they come.
  virtual void beginStream(int status, HeaderList headers) = 0;
  virtual void writeChunk(std::string data) = 0;
  virtual void endStream() = 0;
  virtual bool isOpen() const = 0;
};
using ResponderPtr = std::shared_ptr<Responder>;

using Handler = std::function<void(HttpRequest &&request, ResponderPtr responder)>;

// Maps method + exact path (or a path prefix ending in '/') to a handler. Immutable once built.
class Router {
public:
  Router &route(std::string method, std::string path, Handler handler);
  Router &prefix(std::string method, std::string pathPrefix, Handler handler);
  Router &fallback(Handler handler);  // default: 404 JSON error
  // The handler for this request, or nullptr (then 404, or 405 when only the method differs).
  const Handler *find(std::string_view method, std::string_view path, bool *pathKnown) const;

private:
  struct Entry {
    std::string method, path;
    bool isPrefix = false;
    Handler handler;
  };
  std::vector<Entry> m_entries;
  Handler m_fallback;
};

// Runs on the connection's worker for every parsed request, before routing. Headers appended to
// `extra` are added to the request's answer whatever produces it: the handler's response or
// stream, or the server's own 404/405/500/503. A returned response answers the request at once,
// without routing. Must be thread-safe and cheap (it runs for every request); it must not throw.
using RequestFilter = std::function<std::optional<HttpResponse>(const HttpRequest &request, HeaderList &extra)>;

// Takes over a connection whose upgrade request was read: `fd` (non-blocking; the callee owns it
// now and must close it) and `alreadyRead` (the request's head, re-serialised, then the bytes
// the client sent after it). Runs on the worker: must not block (hand the work to another thread).
using UpgradeHandler = std::function<void(int fd, std::string alreadyRead)>;

struct UpgradeRoute {
  std::string path;      // exact path; empty: no route
  std::string protocol;  // the `Upgrade` token taken, case-insensitive ("websocket")
  UpgradeHandler adopt;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";                   // address to bind; "0.0.0.0" or "::" for all
  std::uint16_t port = 8080;                        // 0 picks a free port (see HttpServer::port())
  int workers = 0;                                  // 0: one per core
  int backlog = 4096;                               // listen(2) backlog; Qt's 50 drops bursts (QT64-NOTES)
  std::size_t maxHeaderBytes = 64 * 1024;           // request line + headers; over it: 431
  std::size_t maxBodyBytes = 8 * 1024 * 1024;       // over it: 413
  std::chrono::milliseconds headerTimeout{10'000};  // whole header must arrive in this; else 408
  std::chrono::milliseconds idleTimeout{60'000};    // keep-alive connection with no request
  std::size_t maxPipelined = 64;                    // queued requests per connection before reading pauses
  RequestFilter filter;                             // null: none
  // `GET path` with `Connection: upgrade` and `Upgrade: protocol`, alone on its connection: handed
  // to adopt. Any other request on that path: 426 (naming the protocol), 405 for another method,
  // 400 when the upgrade follows unanswered pipelined requests. After the filter, before routing.
  UpgradeRoute upgrade;
  // HTTPS (and WSS through `upgrade`) on this port instead of plain HTTP; null: plain. The
  // handshake counts against headerTimeout. Details: docs/http-dataplane.md "TLS".
  std::shared_ptr<const TlsContext> tls;
};

struct HttpServerStats {
  std::uint64_t connectionsAccepted = 0;
  std::uint64_t connectionsOpen = 0;
  std::uint64_t requests = 0;
  std::uint64_t inFlight = 0;
  std::uint64_t badRequests = 0;  // malformed or over a limit
};

class HttpServer {
public:
  explicit HttpServer(const Clock &clock);  // the clock must outlive the server
  ~HttpServer();                            // stops
  HttpServer(const HttpServer &) = delete;
  HttpServer &operator=(const HttpServer &) = delete;

  // Binds every worker's listener and starts the threads. Fails (IoError naming host:port)
  // when the address is in use or cannot be bound; then nothing keeps running.
  Status start(const HttpServerOptions &options, std::shared_ptr<const Router> router);
  std::uint16_t port() const;  // the bound port (useful with port 0)
  const HttpServerOptions &options() const;

  void setRouter(std::shared_ptr<const Router> router);
  // Certificate reload: connections accepted from now on use `context`; established ones keep
  // theirs. FailedPrecondition unless the server runs with TLS (a plain port stays plain).
  Status setTlsContext(std::shared_ptr<const TlsContext> context);

  // Graceful stop, first half: stop accepting, answer new requests on open connections with 503
  // + Connection: close, let in-flight requests finish.
  void beginDrain();
  // Waits until no request is in flight or the timeout passes; true when drained.
  bool waitDrained(std::chrono::milliseconds timeout);
  // Closes everything and joins the workers.
  void stop();

  HttpServerStats stats() const;

  // Runs every worker's timeout sweep now and returns when all have run (the workers' ticks run
  // it every quarter of the shortest timeout anyway): after advancing a ManualClock, a test
  // calls this instead of waiting for the next tick.
  void checkTimeouts();

private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace lmfront::gateway
