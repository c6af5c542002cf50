// TlsStream: the server side of one TLS connection over a non-blocking socket, with the calling
// conventions of read(2) and send(2) so HttpConnection drives it exactly as it drives a plain
// socket. The handshake happens inside the first reads (OpenSSL's implicit accept), so it never
// blocks a worker and is bounded by the connection's header timeout like any slow client.
//
// read()/write() return the byte count, 0 for the peer's end of stream (read), or -1 with errno:
// EAGAIN when the socket must become readable or writable first (wantWrite() says which one a
// stalled read waits for), EPROTO when the TLS stream is broken (bad handshake, bad record).
// A plaintext HTTP request sent to the TLS port is answered with a plain-text 400 before the
// EPROTO, as nginx does, so a client that forgot https:// sees why instead of a reset.
// Owned by one connection on one worker thread; OpenSSL's error queue is left empty.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <memory>

struct ssl_st;

namespace lmfront::gateway {

class TlsContext;

class TlsStream {
public:
  // Null when OpenSSL cannot create the session (out of memory): the connection is refused.
  static std::unique_ptr<TlsStream> accept(const TlsContext &context, int fd);
  ~TlsStream();
  TlsStream(const TlsStream &) = delete;
  TlsStream &operator=(const TlsStream &) = delete;

  ssize_t read(char *buffer, std::size_t size);
  ssize_t write(const char *data, std::size_t size);
  // The last read stalled until the socket is writable (a handshake message did not fit).
  bool wantWrite() const { return m_readWantsWrite; }
  // Sends close_notify once (best effort, never blocks); nothing after a broken stream.
  void shutdown();
  bool handshakeDone() const;

private:
  explicit TlsStream(ssl_st *ssl, int fd) : m_ssl(ssl), m_fd(fd) {}
  ssize_t fail(int result, bool reading);

  ssl_st *m_ssl;
  int m_fd;
  bool m_broken = false;
  bool m_shutdown = false;
  bool m_readWantsWrite = false;
};

}  // namespace lmfront::gateway
