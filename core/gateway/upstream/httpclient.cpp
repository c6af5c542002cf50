#include "gateway/upstream/httpclient.h"

#include "gateway/http/tlscontext.h"
#include "gateway/http/tlsstream.h"

#include <http_parser.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace lmfront::gateway::upstream {

namespace {
using SteadyClock = std::chrono::steady_clock;
constexpr int kTickMs = 5;  // granularity of timeouts
constexpr std::size_t kMaxIdlePerUpstream = 256;

std::string errnoText(int e) { return std::string(std::strerror(e)); }
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

struct HttpClient::Loop {
  std::thread thread;
  int epfd = -1;
  int evfd = -1;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::vector<std::pair<ClientRequest, std::shared_ptr<ResponseHandler>>> incoming;  // guarded by mutex
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns;                    // loop thread only
  std::uint64_t nextId = 1;                                                          // 0 is the eventfd
  std::unordered_map<std::string, std::vector<Conn *>> idle;
  std::vector<char> buffer = std::vector<char>(64 * 1024);
  http_parser_settings settings{};

  Loop();
  ~Loop();
  void post(ClientRequest request, std::shared_ptr<ResponseHandler> handler);
  void run();
  void start(ClientRequest request, std::shared_ptr<ResponseHandler> handler, bool allowReuse);
  void connected(Conn *c);
  void handshake(Conn *c);
  void begin(Conn *c);
  void onEvent(Conn *c, std::uint32_t events);
  void writeSome(Conn *c);
  void readSome(Conn *c);
  void onEof(Conn *c);
  void fail(Conn *c, const Status &status);
  void finish(Conn *c);
  void close(Conn *c);
  void watch(Conn *c, bool write);
  void checkDeadlines();
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
}  // namespace

HttpClient::Loop::Loop() {
  settings.on_header_field = onHeaderField;
  settings.on_header_value = onHeaderValue;
  settings.on_headers_complete = onHeadersComplete;
  settings.on_body = onBody;
  settings.on_message_complete = onMessageComplete;
  epfd = ::epoll_create1(EPOLL_CLOEXEC);
  evfd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  ::epoll_ctl(epfd, EPOLL_CTL_ADD, evfd, &ev);
  thread = std::thread([this] { run(); });
}

HttpClient::Loop::~Loop() {
  stopping.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(evfd, &one, sizeof one);
  if (thread.joinable()) thread.join();
  ::close(evfd);
  ::close(epfd);
}

void HttpClient::Loop::post(ClientRequest request, std::shared_ptr<ResponseHandler> handler) {
  {
    std::lock_guard lock(mutex);
    incoming.emplace_back(std::move(request), std::move(handler));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(evfd, &one, sizeof one);
}

void HttpClient::Loop::run() {
  blockSigpipeOnThisThread();  // https upstreams
  epoll_event events[64];
  auto nextCheck = SteadyClock::now();
  while (!stopping.load()) {
    const int n = ::epoll_wait(epfd, events, 64, kTickMs);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == 0) {
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(evfd, &v, sizeof v);
        std::vector<std::pair<ClientRequest, std::shared_ptr<ResponseHandler>>> batch;
        {
          std::lock_guard lock(mutex);
          batch.swap(incoming);
        }
        for (auto &[request, handler] : batch) start(std::move(request), std::move(handler), true);
        continue;
      }
      // The connection may have been closed by an earlier event in this batch.
      auto it = conns.find(events[i].data.u64);
      if (it != conns.end()) onEvent(it->second.get(), events[i].events);
    }
    const auto now = SteadyClock::now();
    if (now >= nextCheck) {
      checkDeadlines();
      nextCheck = now + std::chrono::milliseconds(kTickMs);
    }
  }
  std::vector<Conn *> all;
  for (auto &[id, c] : conns) all.push_back(c.get());
  for (Conn *c : all) {
    if (c->phase == Conn::Phase::Idle)
      close(c);
    else
      fail(c, Status::cancelled("the HTTP client is shutting down"));
  }
  std::lock_guard lock(mutex);
  for (auto &[request, handler] : incoming) handler->onComplete(Status::cancelled("the HTTP client is shutting down"));
  incoming.clear();
}

void HttpClient::Loop::start(ClientRequest request, std::shared_ptr<ResponseHandler> handler, bool allowReuse) {
  const std::string key = request.host + ':' + std::to_string(request.port);
  std::string tlsKey;
  if (request.tls) tlsKey = key + '|' + std::to_string(reinterpret_cast<std::uintptr_t>(request.tls.get()));
  if (allowReuse) {
    auto it = idle.find(request.tls ? tlsKey : key);
    if (it != idle.end() && !it->second.empty()) {
      Conn *c = it->second.back();
      it->second.pop_back();
      c->request = std::move(request);
      c->handler = std::move(handler);
      c->reused = true;
      c->totalDeadline = SteadyClock::now() + c->request.timeouts.total;
      begin(c);
      return;
    }
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo *res = nullptr;
  const std::string port = std::to_string(request.port);
  if (::getaddrinfo(request.host.c_str(), port.c_str(), &hints, &res) != 0 || !res) {
    handler->onComplete(Status::unavailable("cannot resolve upstream host '" + request.host + "'"));
    return;
  }
  const int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(res);
    handler->onComplete(Status::unavailable("socket: " + errnoText(errno)));
    return;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
  const int err = errno;
  ::freeaddrinfo(res);
  if (rc != 0 && err != EINPROGRESS) {
    ::close(fd);
    handler->onComplete(Status::unavailable("connect to " + key + ": " + errnoText(err)));
    return;
  }
  auto owned = std::make_unique<Conn>();
  Conn *c = owned.get();
  c->fd = fd;
  c->id = nextId++;
  c->key = key;
  if (request.tls) {
    c->tlsKey = std::move(tlsKey);
    c->tlsContext = request.tls;
    c->tls = TlsStream::connect(*request.tls, fd, request.host, key);
    if (!c->tls) {
      ::close(fd);
      handler->onComplete(Status::unavailable("upstream https://" + key + ": cannot create a TLS session"));
      return;
    }
  }
  c->request = std::move(request);
  c->handler = std::move(handler);
  const auto now = SteadyClock::now();
  c->totalDeadline = now + c->request.timeouts.total;
  c->deadline = now + c->request.timeouts.connect;  // the TLS handshake included
  conns.emplace(c->id, std::move(owned));
  epoll_event ev{};
  ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = c->id;
  ::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  if (rc == 0) {
    connected(c);
  } else {
    c->phase = Conn::Phase::Connecting;
  }
}

void HttpClient::Loop::connected(Conn *c) {
  if (!c->tls) return begin(c);
  c->phase = Conn::Phase::Handshaking;
  handshake(c);
}

void HttpClient::Loop::handshake(Conn *c) {
  const int r = c->tls->handshake();
  if (r > 0) return begin(c);
  if (r < 0 && errno == EAGAIN) return watch(c, c->tls->wantWrite());
  fail(c, Status::unavailable("upstream https://" + c->key + ": TLS handshake failed: " + c->tls->failure()));
}

void HttpClient::Loop::begin(Conn *c) {
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

void HttpClient::Loop::watch(Conn *c, bool write) {
  c->watchingWrite = write;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (write ? EPOLLOUT : 0u);
  ev.data.u64 = c->id;
  ::epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

void HttpClient::Loop::onEvent(Conn *c, std::uint32_t events) {
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

void HttpClient::Loop::writeSome(Conn *c) {
  while (c->outOffset < c->out.size()) {
    const char *data = c->out.data() + c->outOffset;
    const std::size_t size = c->out.size() - c->outOffset;
    const ssize_t n = c->tls ? c->tls->write(data, size) : ::send(c->fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c->outOffset += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      watch(c, !(c->tls && c->tls->writeWantsRead()));
      return;
    }
    if (n < 0 && errno == EINTR) continue;
    return onEof(c);  // reset while sending: a reused connection the server closed
  }
  c->phase = Conn::Phase::Reading;
  watch(c, false);
}

void HttpClient::Loop::readSome(Conn *c) {
  for (;;) {
    const ssize_t n =
        c->tls ? c->tls->read(buffer.data(), buffer.size()) : ::recv(c->fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0) {
      c->gotByte = true;
      c->deadline = SteadyClock::now() + c->request.timeouts.idle;
      const auto parsed = http_parser_execute(&c->parser, &settings, buffer.data(), static_cast<std::size_t>(n));
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

void HttpClient::Loop::onEof(Conn *c) {
  if (c->phase == Conn::Phase::Reading && c->gotByte) {
    http_parser_execute(&c->parser, &settings, nullptr, 0);  // a close-delimited body ends here
    if (c->complete) {
      c->parser.http_major = 1;
      c->parser.http_minor = 0;  // not reusable
      c->handler->onComplete(Status::ok());
      c->failedCallback = true;
      close(c);
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

void HttpClient::Loop::fail(Conn *c, const Status &status) {
  if (!c->failedCallback && c->handler) {
    c->failedCallback = true;
    c->handler->onComplete(status);
  }
  close(c);
}

void HttpClient::Loop::finish(Conn *c) {
  const bool keepAlive = http_should_keep_alive(&c->parser) != 0;
  auto handler = std::move(c->handler);
  c->failedCallback = true;
  if (keepAlive && !stopping.load()) {
    auto &list = idle[poolKey(c)];
    if (list.size() < kMaxIdlePerUpstream) {
      c->phase = Conn::Phase::Idle;
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

void HttpClient::Loop::close(Conn *c) {
  if (c->phase == Conn::Phase::Idle) {
    auto &list = idle[poolKey(c)];
    for (auto it = list.begin(); it != list.end(); ++it)
      if (*it == c) {
        list.erase(it);
        break;
      }
  }
  ::epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, nullptr);
  if (c->tls) c->tls->shutdown();
  ::close(c->fd);
  conns.erase(c->id);  // destroys c
}

void HttpClient::Loop::checkDeadlines() {
  const auto now = SteadyClock::now();
  std::vector<std::pair<Conn *, Status>> expired;
  for (auto &[id, c] : conns) {
    if (c->phase == Conn::Phase::Idle) continue;
    if (now >= c->totalDeadline) {
      expired.emplace_back(c.get(), Status::deadlineExceeded("upstream " + c->key + ": total timeout"));
    } else if (now >= c->deadline) {
      const char *what = c->phase == Conn::Phase::Connecting    ? "connect timeout"
                         : c->phase == Conn::Phase::Handshaking ? "TLS handshake timeout"
                         : c->gotByte                           ? "idle timeout between chunks"
                                                                : "timeout waiting for the first byte";
      expired.emplace_back(
          c.get(), Status::deadlineExceeded((c->tls ? "upstream https://" : "upstream ") + c->key + ": " + what));
    } else if (c->handler && c->handler->cancelled()) {
      expired.emplace_back(c.get(), Status::cancelled("the client went away"));
    }
  }
  for (auto &[c, status] : expired) fail(c, status);
}

HttpClient::HttpClient(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) m_loops.push_back(std::make_unique<Loop>());
}

HttpClient::~HttpClient() = default;

void HttpClient::send(ClientRequest request, std::shared_ptr<ResponseHandler> handler) {
  const auto i = m_next.fetch_add(1, std::memory_order_relaxed) % m_loops.size();
  m_loops[i]->post(std::move(request), std::move(handler));
}

Result<ParsedUrl> parseHttpUrl(std::string_view url) {
  constexpr std::string_view http = "http://", https = "https://";
  ParsedUrl out;
  std::string_view rest;
  if (url.substr(0, http.size()) == http) {
    rest = url.substr(http.size());
  } else if (url.substr(0, https.size()) == https) {
    rest = url.substr(https.size());
    out.tls = true;
    out.port = 443;
  } else {
    return Status::invalidArgument("url '" + std::string(url) + "': only http:// and https:// are supported");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.basePath = std::string(rest.substr(slash));
  while (!out.basePath.empty() && out.basePath.back() == '/') out.basePath.pop_back();
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::invalidArgument("url '" + std::string(url) + "': bad IPv6");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Status::invalidArgument("url '" + std::string(url) + "': no host");
  out.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), value);
    if (r.ec != std::errc() || r.ptr != port.data() + port.size() || value == 0 || value > 65535)
      return Status::invalidArgument("url '" + std::string(url) + "': bad port");
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace lmfront::gateway::upstream
