// TlsStream: one TLS connection over a non-blocking socket, with the calling conventions of
// read(2) and send(2) so a connection drives it exactly as it drives a plain socket.
// - server side (accept()): HttpConnection's; the handshake happens inside the first reads
//   (OpenSSL's implicit accept), so it never blocks a worker and is bounded by the connection's
//   header timeout like any slow client;
// - client side (connect()): the upstream client's; the caller drives handshake() until it
//   completes (bounded by its connect timeout). The peer's chain is verified against the
//   context's CAs and its certificate must name `host` (a DNS name, also sent as SNI, or an IP
//   address); a failure says why (failure(): "certificate verify failed: Hostname mismatch").
//
// read()/write() return the byte count, 0 for the peer's end of stream (read), or -1 with errno:
// EAGAIN when the socket must become readable or writable first (wantWrite() says which one a
// stalled read waits for), EPROTO when the TLS stream is broken (bad handshake, bad record).
// A plaintext HTTP request sent to the TLS port is answered with a plain-text 400 before the
// EPROTO, as nginx does, so a client that forgot https:// sees why instead of a reset.
// Owned by one connection on one thread; OpenSSL's error queue is left empty.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <memory>
#include <string>

struct ssl_st;

namespace lmfront::gateway {

class TlsContext;

class TlsStream {
public:
  // Null when OpenSSL cannot create the session (out of memory): the connection is refused.
  static std::unique_ptr<TlsStream> accept(const TlsContext &context, int fd);
  // A client context (TlsContext::client()); `peer` ("host:port") picks the session to resume.
  static std::unique_ptr<TlsStream> connect(const TlsContext &context, int fd, const std::string &host,
                                            std::string peer);
  ~TlsStream();
  TlsStream(const TlsStream &) = delete;
  TlsStream &operator=(const TlsStream &) = delete;

  ssize_t read(char *buffer, std::size_t size);
  ssize_t write(const char *data, std::size_t size);
  // Client: 1 once the handshake is done, else -1 with errno as read() (EAGAIN: wantWrite()
  // says which way; EPROTO or a socket error: failure() says why), or 0 when the peer closed.
  int handshake();
  // The last read or handshake step stalled until the socket is writable.
  bool wantWrite() const { return m_readWantsWrite; }
  // The last write stalled until the socket is readable (the peer's handshake message first).
  bool writeWantsRead() const { return m_writeWantsRead; }
  // Why the stream broke, for the error the caller reports; empty while it is not broken.
  const std::string &failure() const { return m_failure; }
  bool resumed() const;
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
  bool m_writeWantsRead = false;
  std::string m_peer;  // client: the session store's key, referenced by the SSL
  std::string m_failure;
};

// OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a write to a peer that reset the
// connection raises SIGPIPE, whose default action ends the process. Every thread that drives
// TlsStreams calls this once; the write then fails with EPIPE and the connection is closed.
void blockSigpipeOnThisThread();

}  // namespace lmfront::gateway
