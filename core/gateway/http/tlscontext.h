// TlsContext: one OpenSSL SSL_CTX with Mozilla's "intermediate" settings (TLS 1.2 and 1.3, ECDHE
// with AES-GCM or ChaCha20-Poly1305, no renegotiation, no compression). Two kinds:
// - server (load()): a certificate chain and its private key; stateless session tickets, no
//   server-side session cache;
// - client (client()): peers verified against the system's CAs plus an optional CA file, always
//   (there is no way to turn verification off); the host name check and SNI are per connection
//   (TlsStream::connect). Sessions that handshakes with it received are kept, one per peer, so
//   the next connection to that peer resumes instead of a full handshake.
//
// Immutable once loaded and shared by every data-plane worker: a connection's TLS session takes
// its own reference to the context, so replacing the server's context (certificate reload) leaves
// established connections on the one they started with. load() never half-succeeds: an error
// names the file and what OpenSSL found wrong with it.
// Thread safety: load()/client() from any thread; a context is thread-safe (the client's session
// store takes a mutex once per new connection).
#pragma once

#include "common/status.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

struct ssl_ctx_st;
struct ssl_st;
struct ssl_session_st;

namespace lmfront::gateway {

class TlsContext {
public:
  // certFile: PEM, the server certificate first, then any intermediates. keyFile: its PEM key.
  static Result<std::shared_ptr<const TlsContext>> load(const std::string &certFile, const std::string &keyFile);
  // caFile: PEM certificates trusted besides the system's (empty: the system's only). An error
  // names the file (missing, or holding no certificate).
  static Result<std::shared_ptr<const TlsContext>> client(const std::string &caFile);
  ~TlsContext();
  TlsContext(const TlsContext &) = delete;
  TlsContext &operator=(const TlsContext &) = delete;

  ssl_ctx_st *native() const { return m_ctx; }
  const std::string &certFile() const { return m_certFile; }
  const std::string &keyFile() const { return m_keyFile; }
  // The leaf certificate's serial number (hex) and subject, for logs and reload reports.
  const std::string &serial() const { return m_serial; }
  const std::string &subject() const { return m_subject; }
  const std::string &caFile() const { return m_caFile; }

  // Client side: offers the session last received from `peer` (host:port) on `ssl`, if any.
  void resumeSession(ssl_st *ssl, const std::string &peer) const;

private:
  TlsContext() = default;
  static int onNewSession(ssl_st *ssl, ssl_session_st *session);

  ssl_ctx_st *m_ctx = nullptr;
  std::string m_certFile, m_keyFile, m_serial, m_subject, m_caFile;
  mutable std::mutex m_mutex;
  mutable std::unordered_map<std::string, ssl_session_st *> m_sessions;  // guarded by m_mutex; owned
};

}  // namespace lmfront::gateway
