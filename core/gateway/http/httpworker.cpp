#include "gateway/http/httpworker.h"

#include "gateway/http/httpconnection.h"

#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include <algorithm>
#include <cstring>

namespace lmfront::gateway {

namespace {

constexpr std::size_t kReadBufferSize = 64 * 1024;
constexpr int kMaxAcceptsPerWakeup = 64;

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
}

void HttpWorker::start() {
  m_mailbox->setOwnerThread(std::this_thread::get_id());
  m_acceptNotifier = new QSocketNotifier(m_listenFd, QSocketNotifier::Read, this);
  connect(m_acceptNotifier, &QSocketNotifier::activated, this, [this] { onAcceptable(); });
  m_acceptRetry = new QTimer(this);
  m_acceptRetry->setSingleShot(true);
  connect(m_acceptRetry, &QTimer::timeout, this, [this] {
    if (m_acceptNotifier != nullptr) m_acceptNotifier->setEnabled(true);
  });
  // The tick decides every timeout, so its period bounds their precision: a quarter of the
  // shortest one, between 5 ms and 500 ms.
  const auto shortest = std::min(options().headerTimeout, options().idleTimeout);
  const auto period = std::clamp<std::chrono::milliseconds::rep>(shortest.count() / 4, 5, 500);
  m_tick = new QTimer(this);
  m_tick->setTimerType(Qt::PreciseTimer);
  connect(m_tick, &QTimer::timeout, this, [this] { onTick(); });
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

std::string_view HttpWorker::httpDate() {
  const std::time_t now = std::time(nullptr);
  if (now != m_dateSecond || m_date.empty()) {
    m_dateSecond = now;
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    m_date.assign(buf, n);
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
        m_acceptNotifier->setEnabled(false);
        m_acceptRetry->start(100);
      }
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_unique<HttpConnection>(this, fd, peerString(ss));
    conn->slot = m_connections.size();
    HttpConnection *raw = conn.get();
    m_connections.push_back(std::move(conn));
    m_stats->accepted.fetch_add(1, std::memory_order_relaxed);
    m_stats->open.fetch_add(1, std::memory_order_relaxed);
    raw->start();
  }
}

void HttpWorker::onTick() {
  const auto now = std::chrono::steady_clock::now();
  // Index loop: closing only schedules removal, so the list does not change under us.
  for (std::size_t i = 0; i < m_connections.size(); ++i) m_connections[i]->onTick(now);
}

void HttpWorker::scheduleReap(HttpConnection *connection) {
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
  delete m_acceptNotifier;
  m_acceptNotifier = nullptr;
  if (m_listenFd >= 0) ::close(m_listenFd);
  m_listenFd = -1;
}

void HttpWorker::beginDrain() {
  if (m_acceptNotifier != nullptr) {
    // Take what the kernel already accepted for us; those clients then get 503s, not resets.
    onAcceptable();
    closeListener();
  }
  for (std::size_t i = 0; i < m_connections.size(); ++i) m_connections[i]->beginDrain();
}

void HttpWorker::shutdown() {
  closeListener();
  if (m_tick != nullptr) m_tick->stop();
  m_mailbox->close();
  for (auto &c : m_connections) c->closeNow();
  m_graveyard.clear();
  m_stats->open.fetch_sub(m_connections.size(), std::memory_order_relaxed);
  m_connections.clear();
}

}  // namespace lmfront::gateway
