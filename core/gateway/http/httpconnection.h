// HttpConnection: one accepted TCP connection's state machine, on its worker thread only.
//
// Bytes are read with ::read when the worker's epoll says so, parsed by RequestParser, and each
// complete request becomes an Exchange queued in arrival order. Responses leave in that order:
// only the front exchange writes to the socket; later ones buffer until it is done (a stream
// therefore holds back pipelined responses until it ends). Output goes out with ::send at once
// (TCP_NODELAY), except while a read batch is being processed, when it is gathered and sent once
// at the end. EAGAIN arms a write notifier; reading pauses while too much is queued.
// Timeouts are checked by the worker's tick against the server's injected Clock: header (408),
// body progress (408), idle keep-alive (silent close), stalled writes (close). Closing is deferred: the worker deletes
// dead connections from its event loop, never from inside one of their callbacks. A connection
// upgraded through HttpServerOptions::upgrade gives its descriptor away and is reaped like a closed one.
#pragma once

#include "common/clock.h"
#include "gateway/http/exchange.h"
#include "gateway/http/httprequestparser.h"
#include "gateway/http/tlsstream.h"

#include <chrono>
#include <deque>
#include <memory>
#include <string>

namespace lmfront::gateway {

class HttpWorker;

class HttpConnection {
public:
  // tls: the connection's TLS session (null: plain HTTP).
  HttpConnection(HttpWorker *worker, int fd, std::string peer, std::unique_ptr<TlsStream> tls = nullptr);
  ~HttpConnection();
  HttpConnection(const HttpConnection &) = delete;
  HttpConnection &operator=(const HttpConnection &) = delete;

  void start();
  void onEvents(bool readable, bool writable, bool hangup);  // from the worker's epoll
  void onTick(Clock::TimePoint now);
  void beginDrain();
  void closeNow();  // drops the connection; exchanges see isOpen() == false
  bool dead() const { return m_dead; }
  std::size_t slot = 0;  // index in the worker's connection list

  // Responder operations, on the worker thread.
  void respond(Exchange &ex, HttpResponse &&response);
  void beginStream(Exchange &ex, int status, HeaderList &&headers);
  void writeChunk(Exchange &ex, std::string &&data);
  void endStream(Exchange &ex);
  void abandon(Exchange &ex);

private:
  void onReadable();
  void onWritable();
  std::size_t processInput(const char *data, std::size_t len);
  void processBuffered();
  // `rest`: the input after this request's head (an upgraded connection's first bytes).
  void dispatch(HttpRequest &&request, bool keepAlive, bool upgrade, std::string_view rest);
  void upgradeRoute(Exchange &ex, const HttpRequest &request, bool upgrade, std::string_view rest);
  // Over TLS the route gets a local socket and a TlsTunnel carries the bytes (tlstunnel.h).
  void upgradeThroughTunnel(Exchange &ex, std::string head);
  std::shared_ptr<Exchange> enqueue(bool keepAlive, bool head, bool http10);
  void failRequest(int status, std::string_view message);
  void respondError(Exchange &ex, int status, std::string_view message);
  void writeHead(Exchange &ex, std::string &out, int status, const HeaderList &headers, std::size_t contentLength,
                 bool chunked);
  void emitBytes(Exchange &ex, std::string_view bytes);
  std::string &outputFor(Exchange &ex);
  void advance();
  void flush();
  void finishClose();
  bool canParse() const;
  void updateReading();
  void setWriteWatch(bool on);

  HttpWorker *m_worker;
  const Clock &m_clock;  // the server's; read where steady_clock::now() was, no more often
  int m_fd;
  std::string m_peer;
  std::unique_ptr<TlsStream> m_tls;
  RequestParser m_parser;
  std::deque<std::shared_ptr<Exchange>> m_queue;
  std::string m_in;  // unparsed input kept while parsing is paused
  std::string m_out;
  std::size_t m_outOffset = 0;
  std::size_t m_awaitingFlush = 0;  // finished exchanges whose bytes are still in m_out
  std::uint64_t m_requestCount = 0;
  Clock::TimePoint m_headerStart{};  // epoch: no header in progress
  Clock::TimePoint m_lastActivity{};
  Clock::TimePoint m_lingerDeadline{};
  bool m_dead = false;
  bool m_corked = false;
  bool m_processing = false;
  bool m_stopParsing = false;  // no further request will be read (close requested, error)
  bool m_closeAfterFlush = false;
  bool m_lingering = false;  // write side shut; discarding input until EOF or deadline
  bool m_reading = false;
  bool m_writeWatch = false;
};

}  // namespace lmfront::gateway
