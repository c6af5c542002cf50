// WorkerLoop: what a data-plane worker thread lends other parts of the gateway that want their
// sockets served by its event loop rather than by threads of their own (the upstream client, so a
// proxied request is sent and its answer read on the thread that accepted the client).
//
// Contract: a worker sets its WorkerLoop as current() on its thread when it starts and clears it
// when it shuts down; current() is null on every other thread. A LoopAttachment adds its
// descriptors to epollFd() with an odd epoll token (the worker's own tokens are pointers, always
// even) and the worker hands every odd-token event to the attachment, on its thread. The worker
// owns the attachment and destroys it on its thread during shutdown, after its connections are
// closed: the attachment ends its own work then. One attachment per worker. Not thread-safe: all
// of it belongs to the worker's thread.
#pragma once

#include <cstdint>
#include <memory>

namespace lmfront::gateway {

class LoopAttachment {
public:
  virtual ~LoopAttachment() = default;
  virtual void onEvent(std::uint64_t token, std::uint32_t events) = 0;
};

class WorkerLoop {
public:
  static WorkerLoop *current();
  static void setCurrent(WorkerLoop *loop);
  static bool isAttachmentToken(std::uint64_t token) { return (token & 1u) != 0; }

  explicit WorkerLoop(int epollFd) : m_epollFd(epollFd) {}
  int epollFd() const { return m_epollFd; }
  LoopAttachment *attachment() const { return m_attachment.get(); }
  void attach(std::unique_ptr<LoopAttachment> attachment) { m_attachment = std::move(attachment); }
  void dispatch(std::uint64_t token, std::uint32_t events) {
    if (m_attachment) m_attachment->onEvent(token, events);
  }
  void detach() { m_attachment.reset(); }

private:
  int m_epollFd;
  std::unique_ptr<LoopAttachment> m_attachment;
};

}  // namespace lmfront::gateway
