// ClientLoop: the upstream client's connections of one thread — keep-alive pools per upstream
// (host:port, and the TLS context for https), requests written and responses parsed
// (libhttp-parser) as their sockets become ready, timeouts. Internal to HttpClient (httpclient.h,
// whose top comment is the behaviour callers see).
//
// It does not own a thread or wait for events itself: its sockets and a timerfd (armed while a
// request is in flight: the timeouts' tick) join the epoll set it is given, with odd tokens, and
// whoever waits on that set hands it their events (onEvent). Two owners do: a data-plane worker
// (WorkerLoop attachment: requests sent from that worker's thread run on it, no hop), and
// HttpClient's own I/O thread for requests sent from any other thread (health probes, alerts).
// Everything runs on the owner's thread; nothing here locks.
//
// send() never completes the handler before it returns (a failure found at once — refused,
// unresolvable — is delivered on the next turn of the loop), so a caller may hold its own state
// across the call; callbacks arriving from onEvent may call send() again.
#pragma once

#include "gateway/http/workerloop.h"
#include "gateway/upstream/httpclient.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lmfront::gateway::upstream {

struct Conn;

class ClientLoop final : public LoopAttachment {
public:
  explicit ClientLoop(int epollFd);
  ~ClientLoop() override;  // pending handlers get onComplete(Cancelled); connections close
  ClientLoop(const ClientLoop &) = delete;
  ClientLoop &operator=(const ClientLoop &) = delete;

  // The calling worker's loop (created on its first request); null off the data-plane workers.
  static ClientLoop *ofCurrentWorker();

  void send(ClientRequest request, std::shared_ptr<ResponseHandler> handler);
  void onEvent(std::uint64_t token, std::uint32_t events) override;

private:
  void start(ClientRequest request, std::shared_ptr<ResponseHandler> handler, bool allowReuse);
  void connected(Conn *c);
  void handshake(Conn *c);
  void begin(Conn *c);
  void onConnEvent(Conn *c, std::uint32_t events);
  void writeSome(Conn *c);
  void readSome(Conn *c);
  void onEof(Conn *c);
  void fail(Conn *c, const Status &status);
  void finish(Conn *c);
  void close(Conn *c);
  void watch(Conn *c, bool write);
  void complete(std::shared_ptr<ResponseHandler> handler, const Status &status);
  void onTimer();
  void armTimer(bool soon);
  void checkDeadlines();

  int m_epollFd;
  int m_timerFd = -1;
  bool m_timerArmed = false;
  bool m_inSend = false;
  bool m_closing = false;
  std::size_t m_active = 0;  // connections not idle in a pool
  std::uint64_t m_nextId = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> m_conns;
  std::unordered_map<std::string, std::vector<Conn *>> m_idle;
  // Failures found inside send(), delivered from the next timer event.
  std::vector<std::pair<std::shared_ptr<ResponseHandler>, Status>> m_deferred;
  std::vector<char> m_buffer;
};

}  // namespace lmfront::gateway::upstream
