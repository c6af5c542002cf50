#include "gateway/upstream/clientloop.h"

#include "gateway/http/tlscontext.h"
#include "gateway/http/tlsstream.h"

#include <http_parser.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace lmfront::gateway::upstream {

namespace {
using SteadyClock = std::chrono::steady_clock;
constexpr long kTickNs = 5'000'000;  // granularity of timeouts: 5 ms
constexpr std::size_t kMaxIdlePerUpstream = 256;
constexpr std::uint64_t kTimerId = 0;

std::string errnoText(int e) { return std::string(std::strerror(e)); }
std::uint64_t tokenOf(std::uint64_t id) { return (id << 1) | 1u; }
}  // namespace

struct Conn {
  enum class Phase { Connecting, Handshaking, Writing, Reading, Idle };
  int fd = -1;
  std::uint64_t id = 0;  // epoll's token: never reused, unlike the fd (a stale event must not hit a new connection)
  std::string key;       // host:port
  std::string tlsKey;    // https: the idle pool's key (host:port and the context)
  // The context outlives the stream: OpenSSL's session callback reaches it through the SSL.
  std::shared_ptr<const TlsContext> tlsContext;
  std::unique_ptr<TlsStream> tls;  // null: plain http
  Phase phase = Phase::Connecting;
  ClientRequest request;
  std::shared_ptr<ResponseHandler> handler;
  std::string out;
  std::size_t outOffset = 0;
  http_parser parser{};
  HeaderList headers;
  bool inValue = false;
  bool reused = false;
  bool gotByte = false;
  bool complete = false;
  bool failedCallback = false;
  bool watchingWrite = true;
  SteadyClock::time_point deadline{};
  SteadyClock::time_point totalDeadline{};
};

namespace {
const std::string &poolKey(const Conn *c) { return c->tls ? c->tlsKey : c->key; }

int onHeaderField(http_parser *p, const char *at, std::size_t len) {
  auto *c = static_cast<Conn *>(p->data);
  if (c->inValue || c->headers.empty()) c->headers.emplace_back();
  c->inValue = false;
  c->headers.back().first.append(at, len);
  return 0;
}
int onHeaderValue(http_parser *p, const char *at, std::size_t len) {
  auto *c = static_cast<Conn *>(p->data);
  if (c->headers.empty()) return 1;
  c->inValue = true;
  c->headers.back().second.append(at, len);
  return 0;
}
int onHeadersComplete(http_parser *p) {
  auto *c = static_cast<Conn *>(p->data);
  c->handler->onHead(static_cast<int>(p->status_code), c->headers);
  return 0;
}
int onBody(http_parser *p, const char *at, std::size_t len) {
  auto *c = static_cast<Conn *>(p->data);
  c->handler->onBody(std::string_view(at, len));
  return 0;
}
int onMessageComplete(http_parser *p) {
  auto *c = static_cast<Conn *>(p->data);
  c->complete = true;
  http_parser_pause(p, 1);  // stop here: anything after the message is not ours
  return 0;
}

const http_parser_settings &parserSettings() {
  static const http_parser_settings settings = [] {
    http_parser_settings s{};
    s.on_header_field = onHeaderField;
    s.on_header_value = onHeaderValue;
    s.on_headers_complete = onHeadersComplete;
    s.on_body = onBody;
    s.on_message_complete = onMessageComplete;
    return s;
  }();
  return settings;
}
}  // namespace

ClientLoop::ClientLoop(int epollFd) : m_epollFd(epollFd), m_buffer(64 * 1024) {
  m_timerFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tokenOf(kTimerId);
  ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_timerFd, &ev);
}

ClientLoop::~ClientLoop() {
  m_closing = true;
  std::vector<std::uint64_t> ids;
  for (auto &[id, c] : m_conns) ids.push_back(id);
  for (std::uint64_t id : ids) {
    const auto it = m_conns.find(id);
    if (it == m_conns.end()) continue;
    if (it->second->phase == Conn::Phase::Idle)
      close(it->second.get());
    else
      fail(it->second.get(), Status::cancelled("the HTTP client is shutting down"));
  }
  auto deferred = std::move(m_deferred);
  for (auto &[handler, status] : deferred) handler->onComplete(status);
  ::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, m_timerFd, nullptr);
  ::close(m_timerFd);
}

ClientLoop *ClientLoop::ofCurrentWorker() {
  WorkerLoop *worker = WorkerLoop::current();
  if (worker == nullptr) return nullptr;
  // A worker's one attachment is this client's loop (workerloop.h).
  if (worker->attachment() == nullptr) worker->attach(std::make_unique<ClientLoop>(worker->epollFd()));
  return static_cast<ClientLoop *>(worker->attachment());
}

void ClientLoop::send(ClientRequest request, std::shared_ptr<ResponseHandler> handler) {
  if (m_closing) return handler->onComplete(Status::cancelled("the HTTP client is shutting down"));
  const bool outer = !m_inSend;
  m_inSend = true;
  start(std::move(request), std::move(handler), true);
  if (outer) m_inSend = false;
}

void ClientLoop::complete(std::shared_ptr<ResponseHandler> handler, const Status &status) {
  if (!m_inSend || m_closing) return handler->onComplete(status);
  m_deferred.emplace_back(std::move(handler), status);
  armTimer(true);
}

void ClientLoop::armTimer(bool soon) {
  if (m_timerArmed && !soon) return;
  itimerspec spec{};
  spec.it_interval.tv_nsec = kTickNs;
  spec.it_value.tv_nsec = soon ? 1 : kTickNs;
  ::timerfd_settime(m_timerFd, 0, &spec, nullptr);
  m_timerArmed = true;
}

void ClientLoop::onEvent(std::uint64_t token, std::uint32_t events) {
  const std::uint64_t id = token >> 1;
  if (id == kTimerId) return onTimer();
  // The connection may have been closed by an earlier event in this batch.
  const auto it = m_conns.find(id);
  if (it != m_conns.end()) onConnEvent(it->second.get(), events);
}

void ClientLoop::onTimer() {
  std::uint64_t expirations = 0;
  [[maybe_unused]] auto n = ::read(m_timerFd, &expirations, sizeof expirations);
  auto deferred = std::move(m_deferred);
  m_deferred.clear();
  for (auto &[handler, status] : deferred) handler->onComplete(status);
  checkDeadlines();
  if (m_active == 0 && m_deferred.empty() && m_timerArmed) {
    const itimerspec off{};
    ::timerfd_settime(m_timerFd, 0, &off, nullptr);
    m_timerArmed = false;
  }
}

void ClientLoop::start(ClientRequest request, std::shared_ptr<ResponseHandler> handler, bool allowReuse) {
  const std::string key = request.host + ':' + std::to_string(request.port);
  std::string tlsKey;
  if (request.tls) tlsKey = key + '|' + std::to_string(reinterpret_cast<std::uintptr_t>(request.tls.get()));
  if (allowReuse) {
    auto it = m_idle.find(request.tls ? tlsKey : key);
    if (it != m_idle.end() && !it->second.empty()) {
      Conn *c = it->second.back();
      it->second.pop_back();
      c->request = std::move(request);
      c->handler = std::move(handler);
      c->reused = true;
      c->totalDeadline = SteadyClock::now() + c->request.timeouts.total;
      ++m_active;
      armTimer(false);
      begin(c);
      return;
    }
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo *res = nullptr;
  const std::string port = std::to_string(request.port);
  if (::getaddrinfo(request.host.c_str(), port.c_str(), &hints, &res) != 0 || !res)
    return complete(std::move(handler), Status::unavailable("cannot resolve upstream host '" + request.host + "'"));
  const int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(res);
    return complete(std::move(handler), Status::unavailable("socket: " + errnoText(errno)));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
  const int err = errno;
  ::freeaddrinfo(res);
  if (rc != 0 && err != EINPROGRESS) {
    ::close(fd);
    return complete(std::move(handler), Status::unavailable("connect to " + key + ": " + errnoText(err)));
  }
  auto owned = std::make_unique<Conn>();
  Conn *c = owned.get();
  c->fd = fd;
  c->id = m_nextId++;
  c->key = key;
  if (request.tls) {
    c->tlsKey = std::move(tlsKey);
    c->tlsContext = request.tls;
    c->tls = TlsStream::connect(*request.tls, fd, request.host, key);
    if (!c->tls) {
      ::close(fd);
      return complete(std::move(handler),
                      Status::unavailable("upstream https://" + key + ": cannot create a TLS session"));
    }
  }
  c->request = std::move(request);
  c->handler = std::move(handler);
  const auto now = SteadyClock::now();
  c->totalDeadline = now + c->request.timeouts.total;
  c->deadline = now + c->request.timeouts.connect;  // the TLS handshake included
  m_conns.emplace(c->id, std::move(owned));
  ++m_active;
  armTimer(false);
  epoll_event ev{};
  ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = tokenOf(c->id);
  ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev);
  if (rc == 0) {
    connected(c);
  } else {
    c->phase = Conn::Phase::Connecting;
  }
}

void ClientLoop::connected(Conn *c) {
  if (!c->tls) return begin(c);
  c->phase = Conn::Phase::Handshaking;
  handshake(c);
}

void ClientLoop::handshake(Conn *c) {
  const int r = c->tls->handshake();
  if (r > 0) return begin(c);
  if (r < 0 && errno == EAGAIN) return watch(c, c->tls->wantWrite());
  fail(c, Status::unavailable("upstream https://" + c->key + ": TLS handshake failed: " + c->tls->failure()));
}

void ClientLoop::begin(Conn *c) {
  const ClientRequest &r = c->request;
  c->out.clear();
  c->out.reserve(r.body.size() + 256);
  c->out.append(r.method).append(" ").append(r.target).append(" HTTP/1.1\r\nHost: ").append(c->key);
  c->out.append("\r\nConnection: keep-alive\r\n");
  for (const auto &[name, value] : r.headers) c->out.append(name).append(": ").append(value).append("\r\n");
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT")
    c->out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  c->out.append("\r\n").append(r.body);
  c->outOffset = 0;
  http_parser_init(&c->parser, HTTP_RESPONSE);
  c->parser.data = c;
  c->headers.clear();
  c->inValue = false;
  c->gotByte = false;
  c->complete = false;
  c->failedCallback = false;
  c->phase = Conn::Phase::Writing;
  c->deadline = SteadyClock::now() + r.timeouts.firstByte;
  writeSome(c);
}

void ClientLoop::watch(Conn *c, bool write) {
  c->watchingWrite = write;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (write ? EPOLLOUT : 0u);
  ev.data.u64 = tokenOf(c->id);
  ::epoll_ctl(m_epollFd, EPOLL_CTL_MOD, c->fd, &ev);
}

void ClientLoop::onConnEvent(Conn *c, std::uint32_t events) {
  if (c->phase == Conn::Phase::Idle) {
    // The server closed (or wrote to) a connection it owes us nothing on: drop it.
    close(c);
    return;
  }
  if (c->phase == Conn::Phase::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail(c, Status::unavailable("connect to " + c->key + ": " + errnoText(err)));
    if (!(events & (EPOLLOUT | EPOLLIN))) return;
    connected(c);
    return;
  }
  if (c->phase == Conn::Phase::Handshaking) return handshake(c);
  if (c->phase == Conn::Phase::Writing && ((events & EPOLLOUT) || (c->tls && c->tls->writeWantsRead()))) {
    writeSome(c);
    return;
  }
  // A TLS read may wait for the socket to become writable (watched then): any event resumes it.
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) || c->tls) readSome(c);
}

void ClientLoop::writeSome(Conn *c) {
  while (c->outOffset < c->out.size()) {
    const char *data = c->out.data() + c->outOffset;
    const std::size_t size = c->out.size() - c->outOffset;
    const ssize_t n = c->tls ? c->tls->write(data, size) : ::send(c->fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c->outOffset += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      const bool wantWrite = !(c->tls && c->tls->writeWantsRead());
      if (wantWrite != c->watchingWrite) watch(c, wantWrite);
      return;
    }
    if (n < 0 && errno == EINTR) continue;
    return onEof(c);  // reset while sending: a reused connection the server closed
  }
  c->phase = Conn::Phase::Reading;
  if (c->watchingWrite) watch(c, false);
}

void ClientLoop::readSome(Conn *c) {
  for (;;) {
    const ssize_t n = c->tls ? c->tls->read(m_buffer.data(), m_buffer.size())
                             : ::recv(c->fd, m_buffer.data(), m_buffer.size(), MSG_DONTWAIT);
    if (n > 0) {
      c->gotByte = true;
      c->deadline = SteadyClock::now() + c->request.timeouts.idle;
      const auto parsed =
          http_parser_execute(&c->parser, &parserSettings(), m_buffer.data(), static_cast<std::size_t>(n));
      if (c->complete) return finish(c);
      if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || parsed != static_cast<std::size_t>(n))
        return fail(c, Status::unavailable("bad HTTP response from " + c->key + ": " +
                                           http_errno_description(HTTP_PARSER_ERRNO(&c->parser))));
      if (c->handler->cancelled()) return fail(c, Status::cancelled("the client went away"));
      continue;
    }
    if (n == 0) return onEof(c);
    if (errno == EAGAIN) {
      if (c->tls && c->tls->wantWrite() != c->watchingWrite) watch(c, c->tls->wantWrite());
      return;
    }
    if (errno == EINTR) continue;
    if (c->tls && errno == EPROTO)
      return fail(c, Status::unavailable("upstream https://" + c->key + ": TLS: " + c->tls->failure()));
    return onEof(c);
  }
}

void ClientLoop::onEof(Conn *c) {
  if (c->phase == Conn::Phase::Reading && c->gotByte) {
    http_parser_execute(&c->parser, &parserSettings(), nullptr, 0);  // a close-delimited body ends here
    if (c->complete) {
      auto handler = std::move(c->handler);
      c->failedCallback = true;
      close(c);
      handler->onComplete(Status::ok());
      return;
    }
  }
  if (c->reused && !c->gotByte) {
    // A stale keep-alive connection: the request never reached a live server; send it afresh.
    ClientRequest request = std::move(c->request);
    auto handler = std::move(c->handler);
    c->failedCallback = true;
    close(c);
    start(std::move(request), std::move(handler), false);
    return;
  }
  fail(c, Status::unavailable(c->gotByte ? "upstream " + c->key + " closed the connection mid-response"
                                         : "upstream " + c->key + " closed the connection"));
}

void ClientLoop::fail(Conn *c, const Status &status) {
  std::shared_ptr<ResponseHandler> handler;
  if (!c->failedCallback && c->handler) {
    c->failedCallback = true;
    handler = std::move(c->handler);
  }
  // Closed first: the handler may send again (a retry) and must not find this connection.
  close(c);
  if (handler) complete(std::move(handler), status);
}

void ClientLoop::finish(Conn *c) {
  const bool keepAlive = http_should_keep_alive(&c->parser) != 0;
  auto handler = std::move(c->handler);
  c->failedCallback = true;
  if (keepAlive && !m_closing) {
    auto &list = m_idle[poolKey(c)];
    if (list.size() < kMaxIdlePerUpstream) {
      c->phase = Conn::Phase::Idle;
      --m_active;
      c->request.body.clear();
      c->out.clear();
      list.push_back(c);
      handler->onComplete(Status::ok());
      return;
    }
  }
  close(c);
  handler->onComplete(Status::ok());
}

void ClientLoop::close(Conn *c) {
  if (c->phase == Conn::Phase::Idle) {
    auto &list = m_idle[poolKey(c)];
    for (auto it = list.begin(); it != list.end(); ++it)
      if (*it == c) {
        list.erase(it);
        break;
      }
  } else {
    --m_active;
  }
  ::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, c->fd, nullptr);
  if (c->tls) c->tls->shutdown();
  ::close(c->fd);
  m_conns.erase(c->id);  // destroys c
}

void ClientLoop::checkDeadlines() {
  const auto now = SteadyClock::now();
  std::vector<std::pair<std::uint64_t, Status>> expired;
  for (auto &[id, c] : m_conns) {
    if (c->phase == Conn::Phase::Idle) continue;
    if (now >= c->totalDeadline) {
      expired.emplace_back(id, Status::deadlineExceeded("upstream " + c->key + ": total timeout"));
    } else if (now >= c->deadline) {
      const char *what = c->phase == Conn::Phase::Connecting    ? "connect timeout"
                         : c->phase == Conn::Phase::Handshaking ? "TLS handshake timeout"
                         : c->gotByte                           ? "idle timeout between chunks"
                                                                : "timeout waiting for the first byte";
      expired.emplace_back(
          id, Status::deadlineExceeded((c->tls ? "upstream https://" : "upstream ") + c->key + ": " + what));
    } else if (c->handler && c->handler->cancelled()) {
      expired.emplace_back(id, Status::cancelled("the client went away"));
    }
  }
  // By id: a handler failed here may send again, which must not meet a stale pointer.
  for (auto &[id, status] : expired) {
    const auto it = m_conns.find(id);
    if (it != m_conns.end()) fail(it->second.get(), status);
  }
}

}  // namespace lmfront::gateway::upstream
