// HttpWorker: one data-plane worker — a QObject living on its own QThread with its own
// SO_REUSEPORT listening socket, the connections it accepted, a tick timer for timeouts and a
// Mailbox for calls from other threads. Sockets are watched by one level-triggered epoll set per
// worker; Qt's event loop watches only the epoll descriptor (one QSocketNotifier), so a wakeup
// costs O(ready sockets), not O(open sockets) as one notifier per connection would under poll(). The same epoll set
// serves the worker's WorkerLoop attachment (the upstream client's connections, workerloop.h). Everything here runs
// on that thread, except the constructor (controlling thread) and the ServerShared fields it reads. Internal.
#pragma once

#include "gateway/http/exchange.h"
#include "gateway/http/httpserver.h"
#include "gateway/http/workerloop.h"

#include <QObject>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

class QSocketNotifier;
class QTimer;

namespace lmfront::gateway {

class HttpConnection;
class TlsTunnel;

// Counters one worker writes and anyone reads (relaxed); on their own cache line.
struct alignas(64) WorkerStats {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> inFlight{0};
  std::atomic<std::uint64_t> badRequests{0};
};

// State the controlling thread shares with every worker.
struct ServerShared {
  explicit ServerShared(const Clock &c) : clock(c) {}
  const Clock &clock;
  HttpServerOptions options;
  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> routerVersion{0};
  std::mutex routerMutex;
  std::shared_ptr<const Router> router;  // guarded by routerMutex
  // TLS: set at start when options.tls is; replaced by HttpServer::setTlsContext().
  std::atomic<std::uint64_t> tlsVersion{0};
  std::mutex tlsMutex;
  std::shared_ptr<const TlsContext> tls;  // guarded by tlsMutex
};

class HttpWorker : public QObject {
public:
  HttpWorker(int index, int listenFd, ServerShared *shared, WorkerStats *stats);
  ~HttpWorker() override;

  // On the worker thread.
  void start();
  void beginDrain();
  void shutdown();
  // Runs the timeout sweep now (the tick timer runs it periodically).
  void checkTimeouts();
  // True once shutdown() finished. Acquire-loaded by the controlling thread after joining, so
  // the hand-off is visible to ThreadSanitizer (QThread::wait() is not: Qt is not instrumented).
  bool isShutDown() const { return m_shutDown.load(std::memory_order_acquire); }

  // For connections.
  int index() const { return m_index; }
  const HttpServerOptions &options() const { return m_shared->options; }
  const Clock &clock() const { return m_shared->clock; }
  bool draining() const { return m_shared->draining.load(std::memory_order_relaxed); }
  WorkerStats &stats() { return *m_stats; }
  const Router &router();
  // The TLS context new connections use; null for plain HTTP.
  const TlsContext *tlsContext();
  const std::shared_ptr<Mailbox> &mailbox() const { return m_mailbox; }
  std::string_view httpDate();  // "Date" header value, cached per second
  char *readBuffer() { return m_readBuffer.data(); }
  std::size_t readBufferSize() const { return m_readBuffer.size(); }
  void scheduleReap(HttpConnection *connection);
  bool addWatch(int fd, HttpConnection *connection);
  void modifyWatch(int fd, HttpConnection *connection, bool read, bool write);
  void unwatch(int fd);
  // Keeps an upgraded TLS connection's tunnel until it ends (or the worker shuts down).
  void adoptTunnel(std::unique_ptr<TlsTunnel> tunnel);
  void endTunnel(TlsTunnel *tunnel);

private:
  void onAcceptable();
  void onEpollReady();
  void reap();
  void closeListener();

  int m_index;
  int m_listenFd;
  ServerShared *m_shared;
  WorkerStats *m_stats;
  std::shared_ptr<Mailbox> m_mailbox;
  int m_epollFd = -1;
  std::unique_ptr<WorkerLoop> m_loop;
  QSocketNotifier *m_epollNotifier = nullptr;
  bool m_accepting = false;
  QTimer *m_tick = nullptr;
  QTimer *m_acceptRetry = nullptr;
  std::vector<std::unique_ptr<HttpConnection>> m_connections;
  std::vector<HttpConnection *> m_graveyard;
  std::vector<std::unique_ptr<TlsTunnel>> m_tunnels;
  bool m_reapScheduled = false;
  bool m_shuttingDown = false;
  std::atomic<bool> m_shutDown{false};
  std::shared_ptr<const Router> m_router;
  std::uint64_t m_routerVersion = ~std::uint64_t{0};
  std::shared_ptr<const TlsContext> m_tls;
  std::uint64_t m_tlsVersion = 0;
  std::vector<char> m_readBuffer;
  std::time_t m_dateSecond = 0;
  std::string m_date;
};

}  // namespace lmfront::gateway
