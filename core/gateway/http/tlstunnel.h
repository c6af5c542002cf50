// TlsTunnel: what becomes of a TLS connection upgraded through HttpServerOptions::upgrade. The
// route takes a plain descriptor (the ops server's QWebSocket reads it), but the client speaks
// TLS that this worker's OpenSSL session terminates; so the connection's socket and session move
// here, and the route gets one end of a local socket pair whose other end the tunnel copies to
// and from the TLS stream. Either side ending or failing ends both.
//
// Low-volume by design (ops traffic): driven by QSocketNotifiers on the worker's event loop, so
// the data plane's epoll dispatch carries no case for it. Bounded: each direction buffers at most
// kMaxBuffered bytes, then stops reading its source until the destination drains.
// Lives on its worker's thread; `finished` runs there, once, and must only schedule deletion.
#pragma once

#include "gateway/http/tlsstream.h"

#include <functional>
#include <memory>
#include <string>

class QSocketNotifier;

namespace lmfront::gateway {

class TlsTunnel {
public:
  static constexpr std::size_t kMaxBuffered = 256 * 1024;

  // Takes `fd` and `tls` on success and stores the route's end in *routeEnd; on failure (no
  // socket pair) returns null and leaves both with the caller.
  static std::unique_ptr<TlsTunnel> open(int fd, std::unique_ptr<TlsStream> &tls, int *routeEnd,
                                         std::function<void(TlsTunnel *)> finished);
  ~TlsTunnel();
  TlsTunnel(const TlsTunnel &) = delete;
  TlsTunnel &operator=(const TlsTunnel &) = delete;

  // Moves whatever can move now (the notifiers call it; the opener once, for bytes in flight).
  void pump();

private:
  TlsTunnel(int fd, std::unique_ptr<TlsStream> tls, int pipeFd, std::function<void(TlsTunnel *)> finished);
  bool pumpOnce();  // false: the tunnel is over
  void watch();
  void finish();

  int m_fd;
  std::unique_ptr<TlsStream> m_tls;
  int m_pipe;
  std::function<void(TlsTunnel *)> m_finished;
  std::string m_toRoute, m_toClient;  // pending bytes, each consumed from its front
  bool m_routeEnded = false;          // the route closed its end: flush to the client, then stop
  bool m_done = false;
  std::unique_ptr<QSocketNotifier> m_tcpRead, m_tcpWrite, m_pipeRead, m_pipeWrite;
};

}  // namespace lmfront::gateway
