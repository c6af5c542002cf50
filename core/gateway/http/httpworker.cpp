#include "gateway/http/httpworker.h"

#include "gateway/http/httpconnection.h"
#include "gateway/http/tlscontext.h"
#include "gateway/http/tlsstream.h"
#include "gateway/http/tlstunnel.h"

#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace lmfront::gateway {

namespace {

constexpr std::size_t kReadBufferSize = 64 * 1024;
constexpr int kMaxAcceptsPerWakeup = 64;
constexpr int kEpollBatch = 128;

std::string peerString(const sockaddr_storage &ss) {
  char host[INET6_ADDRSTRLEN] = {0};
  unsigned port = 0;
  if (ss.ss_family == AF_INET) {
    const auto *a = reinterpret_cast<const sockaddr_in *>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
    return std::string(host) + ':' + std::to_string(port);
  }
  if (ss.ss_family == AF_INET6) {
    const auto *a = reinterpret_cast<const sockaddr_in6 *>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
    return '[' + std::string(host) + "]:" + std::to_string(port);
  }
  return "unknown";
}

}  // namespace

HttpWorker::HttpWorker(int index, int listenFd, ServerShared *shared, WorkerStats *stats)
    : m_index(index),
      m_listenFd(listenFd),
      m_shared(shared),
      m_stats(stats),
      m_mailbox(std::make_shared<Mailbox>(this)),
      m_readBuffer(kReadBufferSize) {}

HttpWorker::~HttpWorker() {
  m_mailbox->close();
  if (m_listenFd >= 0) ::close(m_listenFd);
  if (m_epollFd >= 0) ::close(m_epollFd);
}

void HttpWorker::start() {
  m_mailbox->setOwnerThread(std::this_thread::get_id());
  blockSigpipeOnThisThread();  // TLS connections
  m_epollFd = ::epoll_create1(EPOLL_CLOEXEC);
  if (m_epollFd < 0) {
    qWarning("lmfront http: worker %d cannot create epoll set: %s", m_index, std::strerror(errno));
    return;
  }
  m_loop = std::make_unique<WorkerLoop>(m_epollFd);
  WorkerLoop::setCurrent(m_loop.get());
  m_epollNotifier = new QSocketNotifier(m_epollFd, QSocketNotifier::Read, this);
  connect(m_epollNotifier, &QSocketNotifier::activated, this, [this] { onEpollReady(); });
  // The listener is the one entry whose tag is null.
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  m_accepting = ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_listenFd, &ev) == 0;
  m_acceptRetry = new QTimer(this);
  m_acceptRetry->setSingleShot(true);
  connect(m_acceptRetry, &QTimer::timeout, this, [this] {
    epoll_event again{};
    again.events = EPOLLIN;
    again.data.ptr = nullptr;
    if (m_listenFd >= 0 && !m_accepting) m_accepting = ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_listenFd, &again) == 0;
  });
  // The tick decides every timeout, so its period bounds their precision: a quarter of the
  // shortest one, between 5 ms and 500 ms.
  const auto shortest = std::min(options().headerTimeout, options().idleTimeout);
  const auto period = std::clamp<std::chrono::milliseconds::rep>(shortest.count() / 4, 5, 500);
  m_tick = new QTimer(this);
  m_tick->setTimerType(Qt::PreciseTimer);
  connect(m_tick, &QTimer::timeout, this, [this] { checkTimeouts(); });
  m_tick->start(std::chrono::milliseconds(period));
  if (draining()) beginDrain();
}

const Router &HttpWorker::router() {
  const std::uint64_t version = m_shared->routerVersion.load(std::memory_order_acquire);
  if (version != m_routerVersion) {
    std::lock_guard lock(m_shared->routerMutex);
    m_router = m_shared->router;
    m_routerVersion = version;
  }
  return *m_router;
}

const TlsContext *HttpWorker::tlsContext() {
  const std::uint64_t version = m_shared->tlsVersion.load(std::memory_order_acquire);
  if (version != m_tlsVersion) {
    std::lock_guard lock(m_shared->tlsMutex);
    m_tls = m_shared->tls;
    m_tlsVersion = version;
  }
  return m_tls.get();
}

std::string_view HttpWorker::httpDate() {
  const std::time_t now = std::time(nullptr);
  if (now != m_dateSecond || m_date.empty()) {
    m_dateSecond = now;
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    // By hand: strftime's %a/%b follow LC_TIME, which QCoreApplication sets from the environment.
    static constexpr const char *kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char *kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    const int n =
        std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7], tm.tm_mday,
                      kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    m_date.assign(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  }
  return m_date;
}

void HttpWorker::onAcceptable() {
  for (int i = 0; i < kMaxAcceptsPerWakeup && m_listenFd >= 0; ++i) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd = ::accept4(m_listenFd, reinterpret_cast<sockaddr *>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting briefly rather than spin on a full backlog.
        qWarning("lmfront http: accept failed (%s); pausing accepts for 100 ms", std::strerror(errno));
        if (m_accepting) ::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, m_listenFd, nullptr);
        m_accepting = false;
        m_acceptRetry->start(100);
      }
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::unique_ptr<TlsStream> tls;
    if (const TlsContext *context = tlsContext()) {
      tls = TlsStream::accept(*context, fd);
      if (!tls) {
        ::close(fd);
        continue;
      }
    }
    auto conn = std::make_unique<HttpConnection>(this, fd, peerString(ss), std::move(tls));
    conn->slot = m_connections.size();
    HttpConnection *raw = conn.get();
    m_connections.push_back(std::move(conn));
    raw->start();  // before counting it: whoever sees the count sees the header timer running
    m_stats->accepted.fetch_add(1, std::memory_order_relaxed);
    m_stats->open.fetch_add(1, std::memory_order_relaxed);
  }
}

void HttpWorker::onEpollReady() {
  epoll_event events[kEpollBatch];
  for (int round = 0; round < 4; ++round) {
    const int n = ::epoll_wait(m_epollFd, events, kEpollBatch, 0);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      const std::uint32_t e = events[i].events;
      if (WorkerLoop::isAttachmentToken(events[i].data.u64)) {
        m_loop->dispatch(events[i].data.u64, e);
        continue;
      }
      auto *conn = static_cast<HttpConnection *>(events[i].data.ptr);
      if (conn == nullptr) {
        onAcceptable();
        continue;
      }
      // A connection closed earlier in this batch is still allocated (reaping is deferred).
      conn->onEvents((e & EPOLLIN) != 0, (e & EPOLLOUT) != 0, (e & (EPOLLERR | EPOLLHUP)) != 0);
    }
    if (n < kEpollBatch) return;
  }
}

bool HttpWorker::addWatch(int fd, HttpConnection *connection) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = connection;
  return ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void HttpWorker::modifyWatch(int fd, HttpConnection *connection, bool read, bool write) {
  epoll_event ev{};
  ev.events = (read ? EPOLLIN : 0u) | (write ? EPOLLOUT : 0u);
  ev.data.ptr = connection;
  ::epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &ev);
}

void HttpWorker::unwatch(int fd) { ::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr); }

void HttpWorker::adoptTunnel(std::unique_ptr<TlsTunnel> tunnel) {
  TlsTunnel *raw = tunnel.get();
  m_tunnels.push_back(std::move(tunnel));
  raw->pump();  // bytes may already wait on either side
}

void HttpWorker::endTunnel(TlsTunnel *tunnel) {
  const auto it =
      std::find_if(m_tunnels.begin(), m_tunnels.end(), [tunnel](const auto &t) { return t.get() == tunnel; });
  if (it != m_tunnels.end()) m_tunnels.erase(it);
}

void HttpWorker::checkTimeouts() {
  const auto now = m_shared->clock.now();
  // Index loop: closing only schedules removal, so the list does not change under us.
  for (std::size_t i = 0; i < m_connections.size(); ++i) m_connections[i]->onTick(now);
}

void HttpWorker::scheduleReap(HttpConnection *connection) {
  if (m_shuttingDown) return;  // shutdown() deletes every connection itself
  m_graveyard.push_back(connection);
  if (m_reapScheduled) return;
  m_reapScheduled = true;
  QMetaObject::invokeMethod(
      this, [this] { reap(); }, Qt::QueuedConnection);
}

void HttpWorker::reap() {
  m_reapScheduled = false;
  std::vector<HttpConnection *> dead;
  dead.swap(m_graveyard);
  for (HttpConnection *c : dead) {
    const std::size_t slot = c->slot;
    if (slot >= m_connections.size() || m_connections[slot].get() != c) continue;
    std::unique_ptr<HttpConnection> doomed = std::move(m_connections[slot]);
    if (slot + 1 != m_connections.size()) {
      m_connections[slot] = std::move(m_connections.back());
      m_connections[slot]->slot = slot;
    }
    m_connections.pop_back();
    m_stats->open.fetch_sub(1, std::memory_order_relaxed);
  }
}

void HttpWorker::closeListener() {
  if (m_listenFd < 0) return;
  if (m_accepting) ::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, m_listenFd, nullptr);
  m_accepting = false;
  ::close(m_listenFd);
  m_listenFd = -1;
}

void HttpWorker::beginDrain() {
  if (m_listenFd >= 0) {
    // Take what the kernel already accepted for us; those clients then get 503s, not resets.
    onAcceptable();
    closeListener();
  }
  for (std::size_t i = 0; i < m_connections.size(); ++i) m_connections[i]->beginDrain();
}

void HttpWorker::shutdown() {
  m_shuttingDown = true;
  closeListener();
  if (m_tick != nullptr) m_tick->stop();
  m_mailbox->close();
  for (auto &c : m_connections) c->closeNow();
  m_graveyard.clear();
  m_stats->open.fetch_sub(m_connections.size(), std::memory_order_relaxed);
  m_connections.clear();
  m_tunnels.clear();  // here, on the worker thread that owns their notifiers
  if (m_loop) {
    // Not current first: a handler ending with Cancelled that sends again goes elsewhere.
    WorkerLoop::setCurrent(nullptr);
    m_loop->detach();
  }
  delete m_epollNotifier;
  m_epollNotifier = nullptr;
  m_shutDown.store(true, std::memory_order_release);
}

}  // namespace lmfront::gateway
