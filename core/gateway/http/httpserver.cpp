#include "gateway/http/httpserver.h"

#include "gateway/http/httpworker.h"

#include <QThread>

#include <http_parser.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <thread>

namespace lmfront::gateway {

namespace {

std::string hostPort(const HttpServerOptions &o, std::uint16_t port) {
  const bool v6 = o.host.find(':') != std::string::npos;
  return (v6 ? '[' + o.host + ']' : o.host) + ':' + std::to_string(port);
}

Result<sockaddr_storage> resolve(const HttpServerOptions &o, socklen_t *len) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo *res = nullptr;
  const std::string service = std::to_string(o.port);
  const int rc = ::getaddrinfo(o.host.empty() ? nullptr : o.host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Status::invalidArgument("cannot listen on " + hostPort(o, o.port) + ": " + ::gai_strerror(rc));
  }
  sockaddr_storage ss{};
  std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  ::freeaddrinfo(res);
  return ss;
}

void setPort(sockaddr_storage &ss, std::uint16_t port) {
  if (ss.ss_family == AF_INET) reinterpret_cast<sockaddr_in *>(&ss)->sin_port = htons(port);
  if (ss.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port = htons(port);
}

// One listening socket. reusePort: join the SO_REUSEPORT group the workers share.
Result<int> openListener(const sockaddr_storage &ss, socklen_t len, bool reusePort, int backlog) {
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::fromErrno(errno, "socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reusePort && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::fromErrno(e, "SO_REUSEPORT");
  }
  if (::bind(fd, reinterpret_cast<const sockaddr *>(&ss), len) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::fromErrno(e, "bind");
  }
  if (backlog > 0 && ::listen(fd, backlog) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::fromErrno(e, "listen");
  }
  return fd;
}

std::uint16_t boundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
  return 0;
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(const Clock &c) : clock(c) {}
  const Clock &clock;
  HttpServerOptions options;
  std::uint16_t port = 0;
  std::unique_ptr<ServerShared> shared;
  std::vector<std::unique_ptr<WorkerStats>> stats;
  std::vector<QThread *> threads;
  std::vector<HttpWorker *> workers;
  bool running = false;
};

HttpServer::HttpServer(const Clock &clock) : d(std::make_unique<Impl>(clock)) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start(const HttpServerOptions &options, std::shared_ptr<const Router> router) {
  if (d->running) return Status::failedPrecondition("the HTTP server is already running");
  if (!router) return Status::invalidArgument("the HTTP server needs a router");
  if (options.workers < 0) return Status::invalidArgument("workers must be 0 (one per core) or more");
  if (options.maxPipelined == 0) return Status::invalidArgument("maxPipelined must be at least 1");
  if (options.headerTimeout.count() <= 0 || options.idleTimeout.count() <= 0) {
    return Status::invalidArgument("header and idle timeouts must be positive");
  }
  const int count = options.workers > 0 ? options.workers : std::max(1, QThread::idealThreadCount());

  socklen_t addrLen = 0;
  Result<sockaddr_storage> addr = resolve(options, &addrLen);
  if (!addr) return addr.status();
  // A probe without SO_REUSEPORT first: a REUSEPORT bind would silently share a port another
  // lmfront (or anything else using REUSEPORT) already listens on instead of failing.
  Result<int> probe = openListener(*addr, addrLen, false, 1);
  if (!probe) return probe.status().withContext("cannot listen on " + hostPort(options, options.port));
  const std::uint16_t port = boundPort(*probe);
  ::close(*probe);
  setPort(*addr, port);

  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    Result<int> fd = openListener(*addr, addrLen, true, std::max(1, options.backlog));
    if (!fd) {
      for (int f : fds) ::close(f);
      return fd.status().withContext("cannot listen on " + hostPort(options, port));
    }
    fds.push_back(*fd);
  }

  // http_parser's own header cap is process-wide; keep it above every server's limit so ours
  // decides (431). Only ever raised, so another server starting later cannot lower it.
  static std::mutex capMutex;
  static std::uint32_t cap = 80 * 1024;
  {
    std::lock_guard lock(capMutex);
    const std::size_t wanted = std::min<std::size_t>(options.maxHeaderBytes + 1024, 0x7fffffff);
    if (wanted > cap) cap = static_cast<std::uint32_t>(wanted);
    http_parser_set_max_header_size(cap);
  }

  d->options = options;
  d->options.workers = count;
  d->port = port;
  d->shared = std::make_unique<ServerShared>(d->clock);
  d->shared->options = d->options;
  d->shared->router = std::move(router);
  d->shared->routerVersion.store(1);
  d->shared->tls = d->options.tls;
  d->shared->tlsVersion.store(1);
  d->stats.clear();
  for (int i = 0; i < count; ++i) {
    d->stats.push_back(std::make_unique<WorkerStats>());
    auto *thread = new QThread;
    thread->setObjectName(QStringLiteral("lmfront-http-%1").arg(i));
    auto *worker = new HttpWorker(i, fds[static_cast<std::size_t>(i)], d->shared.get(), d->stats.back().get());
    worker->moveToThread(thread);
    QObject::connect(thread, &QThread::started, worker, [worker] { worker->start(); });
    d->threads.push_back(thread);
    d->workers.push_back(worker);
  }
  for (QThread *t : d->threads) t->start();
  d->running = true;
  return Status::ok();
}

std::uint16_t HttpServer::port() const { return d->port; }

const HttpServerOptions &HttpServer::options() const { return d->options; }

void HttpServer::setRouter(std::shared_ptr<const Router> router) {
  if (!router || !d->shared) return;
  std::lock_guard lock(d->shared->routerMutex);
  d->shared->router = std::move(router);
  d->shared->routerVersion.fetch_add(1, std::memory_order_release);
}

Status HttpServer::setTlsContext(std::shared_ptr<const TlsContext> context) {
  if (!d->running || !d->options.tls) return Status::failedPrecondition("the HTTP server does not run TLS");
  if (!context) return Status::invalidArgument("a TLS server needs a TLS context");
  std::lock_guard lock(d->shared->tlsMutex);
  d->shared->tls = std::move(context);
  d->shared->tlsVersion.fetch_add(1, std::memory_order_release);
  return Status::ok();
}

void HttpServer::beginDrain() {
  if (!d->running) return;
  d->shared->draining.store(true);
  for (HttpWorker *w : d->workers)
    QMetaObject::invokeMethod(
        w, [w] { w->beginDrain(); }, Qt::QueuedConnection);
}

bool HttpServer::waitDrained(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (stats().inFlight == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void HttpServer::stop() {
  if (!d->running) return;
  for (std::size_t i = 0; i < d->workers.size(); ++i) {
    HttpWorker *w = d->workers[i];
    // quit() from inside the worker's loop, after shutdown(): a quit() from here could end the
    // loop before the shutdown event runs.
    QMetaObject::invokeMethod(
        w,
        [w] {
          w->shutdown();
          QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
  }
  for (QThread *t : d->threads) t->wait();
  for (HttpWorker *w : d->workers) {
    if (!w->isShutDown()) qWarning("lmfront http: worker %d ended without shutting down", w->index());
    delete w;
  }
  for (QThread *t : d->threads) delete t;
  d->workers.clear();
  d->threads.clear();
  d->running = false;
}

void HttpServer::checkTimeouts() {
  if (!d->running) return;
  for (HttpWorker *w : d->workers)
    QMetaObject::invokeMethod(
        w, [w] { w->checkTimeouts(); }, Qt::BlockingQueuedConnection);
}

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  for (const auto &w : d->stats) {
    s.connectionsAccepted += w->accepted.load(std::memory_order_relaxed);
    s.connectionsOpen += w->open.load(std::memory_order_relaxed);
    s.requests += w->requests.load(std::memory_order_relaxed);
    s.inFlight += w->inFlight.load(std::memory_order_relaxed);
    s.badRequests += w->badRequests.load(std::memory_order_relaxed);
  }
  return s;
}

}  // namespace lmfront::gateway
