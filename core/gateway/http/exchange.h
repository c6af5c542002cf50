// Exchange and ResponderImpl: one request/response pair on a connection, and the thread-safe
// handle a handler completes it through. Internal to the data plane.
//
// The Exchange is owned jointly by its connection's pipeline queue and by the ResponderImpl; all of
// its fields except `open` are touched only on the owning worker thread. ResponderImpl methods may
// run on any thread: on the worker they act at once, elsewhere they are posted through the
// worker's Mailbox (FIFO, so one thread's calls keep their order).
#pragma once

#include "gateway/http/httpserver.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lmfront::gateway {

class HttpConnection;

struct Exchange {
  enum class State { Waiting, Streaming, Done };
  HttpConnection *conn = nullptr;  // nulled when the connection goes away
  std::atomic<bool> open{true};    // false once the client is gone (read from any thread)
  State state = State::Waiting;
  bool keepAlive = true;        // the request allows another one after it
  bool closeAfter = false;      // decided when the head is written
  bool head = false;            // HEAD: no body bytes
  bool http10 = false;          // HTTP/1.0: no chunked encoding
  bool closeDelimited = false;  // streaming to an HTTP/1.0 client: the body ends with the connection
  std::string buffered;         // output produced while an earlier exchange still owns the socket
  HeaderList extraHeaders;      // from the server's RequestFilter: go on whatever answer is sent
};

// Runs closures on one worker thread. post() is safe from any thread; after close() (worker
// shutdown) posts are dropped.
class Mailbox {
public:
  explicit Mailbox(QObject *target) : m_target(target) {}
  void setOwnerThread(std::thread::id id) { m_owner = id; }
  bool onOwnerThread() const { return std::this_thread::get_id() == m_owner; }
  void post(std::function<void()> fn);
  void runPending();  // owner thread
  void close();       // owner thread

private:
  std::mutex m_mutex;
  std::vector<std::function<void()>> m_queue;  // guarded by m_mutex
  QObject *m_target;                           // guarded by m_mutex; null after close()
  std::thread::id m_owner;
};

class ResponderImpl final : public Responder {
public:
  ResponderImpl(std::shared_ptr<Exchange> exchange, std::shared_ptr<Mailbox> mailbox)
      : m_exchange(std::move(exchange)), m_mailbox(std::move(mailbox)) {}
  ~ResponderImpl() override;
  ResponderImpl(const ResponderImpl &) = delete;
  ResponderImpl &operator=(const ResponderImpl &) = delete;

  void respond(HttpResponse response) override;
  void beginStream(int status, HeaderList headers) override;
  void writeChunk(std::string data) override;
  void endStream() override;
  bool isOpen() const override { return m_exchange->open.load(std::memory_order_relaxed); }

private:
  template <typename F>
  void run(F &&fn);

  std::shared_ptr<Exchange> m_exchange;
  std::shared_ptr<Mailbox> m_mailbox;
  std::atomic<bool> m_finished{false};
};

}  // namespace lmfront::gateway
