#include "gateway/http/httpconnection.h"

#include "gateway/http/apierror.h"
#include "gateway/http/httpworker.h"
#include "gateway/http/tlstunnel.h"

#include <QtGlobal>

#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <charconv>
#include <exception>

namespace lmfront::gateway {

namespace {

// Reading pauses while this much output waits for a slow client; the connection is dropped when
// a stream piles up more than kMaxBufferedOutput (the client is not reading at all).
constexpr std::size_t kPauseReadingAt = 1024 * 1024;
constexpr std::size_t kMaxBufferedOutput = 64 * 1024 * 1024;
constexpr std::size_t kShrinkOutputAbove = 256 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr int kMaxReadsPerWakeup = 8;

void appendNumber(std::string &out, std::size_t n, int base = 10) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n, base);
  out.append(buf, r.ptr);
}

bool isServerManaged(std::string_view name) {
  return equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding") ||
         equalsIgnoreCase(name, "Connection") || equalsIgnoreCase(name, "Date");
}

bool safeHeaderText(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

HttpConnection::HttpConnection(HttpWorker *worker, int fd, std::string peer, std::unique_ptr<TlsStream> tls)
    : m_worker(worker),
      m_clock(worker->clock()),
      m_fd(fd),
      m_peer(std::move(peer)),
      m_tls(std::move(tls)),
      m_parser(RequestParser::Limits{worker->options().maxHeaderBytes, worker->options().maxBodyBytes}) {}

HttpConnection::~HttpConnection() {
  closeNow();
  if (m_fd >= 0) ::close(m_fd);  // -1 once handed to an upgrade route
}

void HttpConnection::start() {
  m_headerStart = m_lastActivity = m_clock.now();
  m_reading = true;
  if (!m_worker->addWatch(m_fd, this)) closeNow();
}

void HttpConnection::closeNow() {
  if (m_dead) return;
  m_dead = true;
  m_reading = false;
  m_writeWatch = false;
  if (m_fd >= 0) m_worker->unwatch(m_fd);
  WorkerStats &st = m_worker->stats();
  st.inFlight.fetch_sub(m_queue.size() + m_awaitingFlush, std::memory_order_relaxed);
  m_awaitingFlush = 0;
  for (auto &ex : m_queue) {
    ex->open.store(false, std::memory_order_relaxed);
    ex->conn = nullptr;
  }
  m_queue.clear();
  m_worker->scheduleReap(this);
}

// ---- input -------------------------------------------------------------------------------

void HttpConnection::onReadable() {
  if (m_dead) return;
  char *buf = m_worker->readBuffer();
  const std::size_t size = m_worker->readBufferSize();
  m_corked = true;
  for (int i = 0; i < kMaxReadsPerWakeup && m_reading && !m_dead; ++i) {
    const ssize_t n = m_tls ? m_tls->read(buf, size) : ::read(m_fd, buf, size);
    if (n > 0) {
      m_lastActivity = m_clock.now();
      const auto len = static_cast<std::size_t>(n);
      if (m_lingering || m_stopParsing) {
        // Nothing more will be answered; the bytes are only drained.
      } else if (m_in.empty()) {
        const std::size_t used = processInput(buf, len);
        if (used < len && !m_stopParsing && !m_dead) m_in.append(buf + used, len - used);
      } else {
        m_in.append(buf, len);
        processBuffered();
      }
      if (len < size) break;
      if (!m_lingering && !m_stopParsing && !canParse()) break;  // backpressure: leave it in the kernel
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN)) {
      if (m_tls && m_tls->wantWrite()) setWriteWatch(true);  // a handshake message waits for room
      break;
    }
    // EOF or a hard error. A client that closes while its request is being answered is gone
    // (as nginx sees it); the handler learns it through isOpen().
    closeNow();
    return;
  }
  m_corked = false;
  if (!m_dead && m_outOffset < m_out.size()) flush();
  if (!m_dead) updateReading();
}

void HttpConnection::processBuffered() {
  if (m_processing || m_in.empty()) return;
  const std::size_t used = processInput(m_in.data(), m_in.size());
  if (m_stopParsing || m_dead) {
    m_in.clear();
  } else {
    m_in.erase(0, used);
  }
}

std::size_t HttpConnection::processInput(const char *data, std::size_t len) {
  m_processing = true;
  std::size_t total = 0;
  while (total < len && canParse() && !m_dead) {
    std::size_t used = 0;
    const RequestParser::Status st = m_parser.feed(data + total, len - total, &used);
    total += used;
    if (st == RequestParser::Status::Request) {
      m_parser.takeExpectContinue();
      const bool keepAlive = m_parser.keepAlive();
      const bool upgrade = m_parser.upgrade();
      dispatch(m_parser.takeRequest(), keepAlive, upgrade,
               upgrade ? std::string_view(data + total, len - total) : std::string_view());
      continue;
    }
    if (st == RequestParser::Status::Error) {
      failRequest(m_parser.errorStatus(), m_parser.errorMessage());
      total = len;
      break;
    }
    if (m_parser.takeExpectContinue() && m_queue.empty()) {
      m_out.append("HTTP/1.1 100 Continue\r\n\r\n");
    }
    break;  // NeedMore: everything was consumed
  }
  // Header timer: runs from the first byte of a request (or from accept, for the first one) until
  // its header is complete.
  if (m_parser.inHeaders()) {
    if (m_headerStart == Clock::TimePoint{}) m_headerStart = m_clock.now();
  } else if (m_requestCount > 0 || m_parser.midRequest()) {
    m_headerStart = Clock::TimePoint{};
  }
  m_processing = false;
  if (m_stopParsing) return len;
  return total;
}

bool HttpConnection::canParse() const {
  return !m_stopParsing && !m_lingering && m_queue.size() < m_worker->options().maxPipelined &&
         m_out.size() - m_outOffset < kPauseReadingAt;
}

void HttpConnection::updateReading() {
  // While parsing is possible we read; once no request will be parsed any more we still read (and
  // discard) so a client that goes away is noticed. Only backpressure stops reading.
  if (m_dead) return;
  if (!m_in.empty() && !m_processing && canParse()) {
    processBuffered();
    if (m_dead) return;
  }
  const bool want = m_lingering || m_stopParsing || canParse();
  if (want != m_reading) {
    m_reading = want;
    m_worker->modifyWatch(m_fd, this, m_reading, m_writeWatch);
  }
}

// ---- requests ----------------------------------------------------------------------------

std::shared_ptr<Exchange> HttpConnection::enqueue(bool keepAlive, bool head, bool http10) {
  auto ex = std::make_shared<Exchange>();
  ex->conn = this;
  ex->keepAlive = keepAlive;
  ex->head = head;
  ex->http10 = http10;
  m_queue.push_back(ex);
  m_worker->stats().inFlight.fetch_add(1, std::memory_order_relaxed);
  if (!keepAlive) m_stopParsing = true;
  return ex;
}

void HttpConnection::dispatch(HttpRequest &&request, bool keepAlive, bool upgrade, std::string_view rest) {
  ++m_requestCount;
  m_worker->stats().requests.fetch_add(1, std::memory_order_relaxed);
  const bool http10 = request.versionMajor == 1 && request.versionMinor == 0;
  const bool draining = m_worker->draining();
  auto ex = enqueue(keepAlive && !upgrade && !draining, request.method == "HEAD", http10);
  request.peerAddress = m_peer;
  request.workerIndex = m_worker->index();
  request.receivedAt = m_lastActivity;  // set by the read that completed the request
  // Before routing, so the filter's headers reach the 404/405/503 below as well.
  std::optional<HttpResponse> filtered;
  if (const RequestFilter &filter = m_worker->options().filter) filtered = filter(request, ex->extraHeaders);
  if (draining) {
    respondError(*ex, 503, "the server is shutting down");
    return;
  }
  if (filtered) {
    respond(*ex, std::move(*filtered));
    return;
  }
  if (const UpgradeRoute &route = m_worker->options().upgrade; !route.path.empty() && request.path == route.path) {
    upgradeRoute(*ex, request, upgrade, rest);
    return;
  }
  bool pathKnown = false;
  const Handler *handler = m_worker->router().find(request.method, request.path, &pathKnown);
  if (handler == nullptr) {
    if (pathKnown) {
      respondError(*ex, 405, "method " + request.method + " is not allowed on " + request.path);
    } else {
      respondError(*ex, 404, "no route for " + request.path);
    }
    return;
  }
  try {
    (*handler)(std::move(request), std::make_shared<ResponderImpl>(ex, m_worker->mailbox()));
  } catch (const std::exception &e) {
    qWarning("lmfront http: handler threw: %s", e.what());
    abandon(*ex);
  } catch (...) {
    qWarning("lmfront http: handler threw a non-standard exception");
    abandon(*ex);
  }
}

void HttpConnection::upgradeRoute(Exchange &ex, const HttpRequest &request, bool upgrade, std::string_view rest) {
  const UpgradeRoute &route = m_worker->options().upgrade;
  if (request.method != "GET") {
    respondError(ex, 405,
                 "method " + request.method + " is not allowed on " + request.path +
                     ": use GET with Upgrade: " + route.protocol);
    return;
  }
  if (!upgrade || !equalsIgnoreCase(request.header("upgrade"), route.protocol)) {
    HttpResponse refusal =
        toResponse(httpError(426, request.path + " speaks " + route.protocol + " only: send GET " + request.path +
                                      " with Connection: Upgrade and Upgrade: " + route.protocol));
    refusal.headers.emplace_back("Upgrade", route.protocol);
    respond(ex, std::move(refusal));
    return;
  }
  // The socket can change hands only once every earlier answer on it is out.
  if (m_queue.size() == 1) flush();
  if (m_dead) return;
  if (m_queue.size() != 1 || m_outOffset < m_out.size()) {
    respondError(ex, 400, "a protocol upgrade must not follow unanswered pipelined requests");
    return;
  }
  std::string head;
  head.reserve(256 + rest.size());
  head += request.method;
  head += ' ';
  head += request.target;
  head += " HTTP/1.1\r\n";
  for (const auto &[name, value] : request.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "\r\n";
  head.append(rest.data(), rest.size());
  if (m_tls) {
    upgradeThroughTunnel(ex, std::move(head));
    return;
  }
  // Stop watching first: from the next line on, another thread owns the descriptor.
  m_worker->unwatch(m_fd);
  const int fd = m_fd;
  m_fd = -1;
  closeNow();  // settles the in-flight count; the connection is reaped like a closed one
  route.adopt(fd, std::move(head));
}

void HttpConnection::upgradeThroughTunnel(Exchange &ex, std::string head) {
  int routeEnd = -1;
  HttpWorker *worker = m_worker;
  auto tunnel = TlsTunnel::open(m_fd, m_tls, &routeEnd, [worker](TlsTunnel *done) {
    QMetaObject::invokeMethod(
        worker, [worker, done] { worker->endTunnel(done); }, Qt::QueuedConnection);
  });
  if (!tunnel) {
    respondError(ex, 503, "cannot take the upgrade now (out of descriptors)");
    return;
  }
  m_worker->unwatch(m_fd);
  m_fd = -1;
  closeNow();
  m_worker->adoptTunnel(std::move(tunnel));
  m_worker->options().upgrade.adopt(routeEnd, std::move(head));
}

void HttpConnection::failRequest(int status, std::string_view message) {
  m_worker->stats().badRequests.fetch_add(1, std::memory_order_relaxed);
  auto ex = enqueue(false, false, false);
  respondError(*ex, status, message);
}

void HttpConnection::respondError(Exchange &ex, int status, std::string_view message) {
  if (status >= 400 && status != 404 && status != 405 && status < 500) ex.keepAlive = false;
  respond(ex, toResponse(httpError(status, std::string(message))));
}

// ---- responses ---------------------------------------------------------------------------

std::string &HttpConnection::outputFor(Exchange &ex) {
  return (!m_queue.empty() && m_queue.front().get() == &ex) ? m_out : ex.buffered;
}

void HttpConnection::writeHead(Exchange &ex, std::string &out, int status, const HeaderList &headers,
                               std::size_t contentLength, bool chunked) {
  if (status < 100 || status > 999) status = 500;
  const bool last = !m_queue.empty() && m_queue.back().get() == &ex && m_in.empty();
  ex.closeAfter = !ex.keepAlive || (m_worker->draining() && last) || ex.closeDelimited;
  if (ex.closeAfter) m_stopParsing = true;
  out += "HTTP/1.1 ";
  appendNumber(out, static_cast<std::size_t>(status));
  out += ' ';
  out += reasonPhrase(status);
  out += "\r\nDate: ";
  out += m_worker->httpDate();
  out += "\r\n";
  const HeaderList *lists[] = {&headers, &ex.extraHeaders};  // the handler's, then the RequestFilter's
  for (const HeaderList *list : lists) {
    for (const auto &[name, value] : *list) {
      if (isServerManaged(name) || !safeHeaderText(name) || !safeHeaderText(value) || name.empty()) continue;
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    }
  }
  const bool noBody = (status >= 100 && status < 200) || status == 204 || status == 304;
  if (chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  } else if (!noBody && !ex.closeDelimited) {
    out += "Content-Length: ";
    appendNumber(out, contentLength);
    out += "\r\n";
  }
  if (ex.closeAfter) {
    out += "Connection: close\r\n";
  } else if (ex.http10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
}

void HttpConnection::respond(Exchange &ex, HttpResponse &&response) {
  if (m_dead || ex.state != Exchange::State::Waiting) return;
  std::string &out = outputFor(ex);
  const bool noBody = response.status == 204 || response.status == 304 || response.status < 200;
  writeHead(ex, out, response.status, response.headers, response.body.size(), false);
  if (!ex.head && !noBody) out += response.body;
  ex.state = Exchange::State::Done;
  advance();
}

void HttpConnection::beginStream(Exchange &ex, int status, HeaderList &&headers) {
  if (m_dead || ex.state != Exchange::State::Waiting) return;
  ex.closeDelimited = ex.http10;  // no chunked encoding for HTTP/1.0: the body ends at close
  writeHead(ex, outputFor(ex), status, headers, 0, !ex.http10);
  ex.state = Exchange::State::Streaming;
  if (&outputFor(ex) == &m_out && !m_corked) flush();
}

void HttpConnection::writeChunk(Exchange &ex, std::string &&data) {
  if (m_dead || ex.state != Exchange::State::Streaming || data.empty() || ex.head) return;
  std::string &out = outputFor(ex);
  if (ex.closeDelimited) {
    out += data;
  } else {
    appendNumber(out, data.size(), 16);
    out += "\r\n";
    out += data;
    out += "\r\n";
  }
  if (m_out.size() - m_outOffset > kMaxBufferedOutput) {
    qWarning("lmfront http: dropping %s: client is not reading its stream", m_peer.c_str());
    closeNow();
    return;
  }
  if (&out == &m_out && !m_corked) flush();
}

void HttpConnection::endStream(Exchange &ex) {
  if (m_dead) return;
  if (ex.state == Exchange::State::Waiting) {
    respondError(ex, 500, "handler ended a stream it never began");
    return;
  }
  if (ex.state != Exchange::State::Streaming) return;
  if (!ex.closeDelimited && !ex.head) outputFor(ex) += "0\r\n\r\n";
  ex.state = Exchange::State::Done;
  advance();
}

void HttpConnection::abandon(Exchange &ex) {
  if (m_dead) return;
  if (ex.state == Exchange::State::Waiting) {
    respondError(ex, 500, "the request handler failed without an answer");
  } else if (ex.state == Exchange::State::Streaming) {
    // A cut stream must not look complete: no terminating chunk, drop the connection.
    if (m_queue.front().get() == &ex) {
      flush();
      closeNow();
    } else {
      ex.state = Exchange::State::Done;
      ex.closeAfter = true;
      ex.closeDelimited = true;
      advance();
    }
  }
}

void HttpConnection::advance() {
  bool popped = false;
  while (!m_queue.empty() && m_queue.front()->state == Exchange::State::Done) {
    std::shared_ptr<Exchange> done = std::move(m_queue.front());
    m_queue.pop_front();
    popped = true;
    done->conn = nullptr;
    if (m_outOffset < m_out.size()) {
      ++m_awaitingFlush;
    } else {
      m_worker->stats().inFlight.fetch_sub(1, std::memory_order_relaxed);
    }
    if (done->closeAfter) {
      m_closeAfterFlush = true;
      m_stopParsing = true;
      for (auto &rest : m_queue) {
        rest->open.store(false, std::memory_order_relaxed);
        rest->conn = nullptr;
      }
      m_worker->stats().inFlight.fetch_sub(m_queue.size(), std::memory_order_relaxed);
      m_queue.clear();
      break;
    }
    if (!m_queue.empty()) {
      Exchange &next = *m_queue.front();
      m_out += next.buffered;
      std::string().swap(next.buffered);
    }
  }
  if (m_queue.empty() && m_worker->draining() && !m_parser.midRequest() && m_in.empty()) m_closeAfterFlush = true;
  if (!m_corked) flush();
  if (popped && !m_dead && !m_processing) updateReading();
}

void HttpConnection::flush() {
  // Read before sending: once the peer can see the bytes, the activity stamp must already be no
  // later than that (a test that advances a ManualClock after reading must not race the stamp).
  const Clock::TimePoint now = m_clock.now();
  while (!m_dead && m_outOffset < m_out.size()) {
    const char *data = m_out.data() + m_outOffset;
    const std::size_t size = m_out.size() - m_outOffset;
    const ssize_t n = m_tls ? m_tls->write(data, size) : ::send(m_fd, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      m_outOffset += static_cast<std::size_t>(n);
      m_lastActivity = now;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN)) {
      setWriteWatch(true);
      return;
    }
    closeNow();
    return;
  }
  if (m_dead) return;
  m_out.clear();
  m_outOffset = 0;
  if (m_out.capacity() > kShrinkOutputAbove) std::string().swap(m_out);
  if (m_awaitingFlush > 0) {
    m_worker->stats().inFlight.fetch_sub(m_awaitingFlush, std::memory_order_relaxed);
    m_awaitingFlush = 0;
  }
  setWriteWatch(false);
  if (m_queue.empty()) m_lastActivity = now;
  if (m_closeAfterFlush) finishClose();
}

void HttpConnection::onWritable() {
  if (m_dead) return;
  flush();
  if (m_tls && m_tls->wantWrite() && !m_dead) onReadable();  // the stalled handshake goes on
  if (!m_dead) updateReading();
}

void HttpConnection::setWriteWatch(bool on) {
  if (on == m_writeWatch || m_dead) return;
  m_writeWatch = on;
  m_worker->modifyWatch(m_fd, this, m_reading, m_writeWatch);
}

void HttpConnection::onEvents(bool readable, bool writable, bool hangup) {
  if (m_dead) return;
  if (readable || hangup) {
    // A hang-up while reading is paused cannot be read away; level-triggered epoll would repeat it.
    if (m_reading) {
      onReadable();
    } else if (hangup) {
      closeNow();
    }
  }
  if (writable && !m_dead) onWritable();
}

void HttpConnection::finishClose() {
  if (m_lingering || m_dead) return;
  // Half-close and read until the client closes: closing with unread input would send a RST that
  // can destroy the response we just sent before the client reads it.
  if (m_tls) m_tls->shutdown();
  ::shutdown(m_fd, SHUT_WR);
  m_lingering = true;
  m_lingerDeadline = m_clock.now() + kLingerTime;
  m_in.clear();
  updateReading();
}

void HttpConnection::beginDrain() {
  if (m_dead) return;
  auto idle = [this] {
    return m_queue.empty() && m_outOffset >= m_out.size() && !m_parser.midRequest() && m_in.empty();
  };
  if (!idle()) return;
  // A request may already sit in the socket (e.g. on a connection accepted just now): answer it
  // (503) rather than close under it.
  if (m_reading) onReadable();
  if (!m_dead && idle()) closeNow();
}

void HttpConnection::onTick(Clock::TimePoint now) {
  if (m_dead) return;
  const HttpServerOptions &opt = m_worker->options();
  if (m_lingering) {
    if (now >= m_lingerDeadline) closeNow();
    return;
  }
  if (m_outOffset < m_out.size()) {
    if (now - m_lastActivity > opt.idleTimeout) closeNow();  // the client stopped reading
    return;
  }
  if (m_stopParsing) return;
  if (m_headerStart != Clock::TimePoint{} && now - m_headerStart > opt.headerTimeout) {
    m_headerStart = Clock::TimePoint{};
    if (m_requestCount == 0 && !m_parser.midRequest()) {
      closeNow();  // connected and never said anything: no one to answer
      return;
    }
    failRequest(408, "the request header did not arrive in time");
    return;
  }
  if (m_parser.midRequest() && !m_parser.inHeaders() && now - m_lastActivity > opt.idleTimeout) {
    failRequest(408, "the request body stalled");
    return;
  }
  if (m_queue.empty() && !m_parser.midRequest() && m_requestCount > 0 && now - m_lastActivity > opt.idleTimeout) {
    closeNow();  // idle keep-alive connection
  }
}

}  // namespace lmfront::gateway
