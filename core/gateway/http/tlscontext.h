// TlsContext: a server certificate chain and its private key, loaded into one OpenSSL SSL_CTX
// with Mozilla's "intermediate" settings (TLS 1.2 and 1.3, ECDHE with AES-GCM or ChaCha20-Poly1305,
// no renegotiation, no compression, stateless session tickets, no server-side session cache).
//
// Immutable once loaded and shared by every data-plane worker: a connection's TLS session takes
// its own reference to the context, so replacing the server's context (certificate reload) leaves
// established connections on the one they started with. load() never half-succeeds: an error
// names the file and what OpenSSL found wrong with it.
// Thread safety: load() from any thread; a loaded context is read-only and thread-safe.
#pragma once

#include "common/status.h"

#include <memory>
#include <string>

struct ssl_ctx_st;

namespace lmfront::gateway {

class TlsContext {
public:
  // certFile: PEM, the server certificate first, then any intermediates. keyFile: its PEM key.
  static Result<std::shared_ptr<const TlsContext>> load(const std::string &certFile, const std::string &keyFile);
  ~TlsContext();
  TlsContext(const TlsContext &) = delete;
  TlsContext &operator=(const TlsContext &) = delete;

  ssl_ctx_st *native() const { return m_ctx; }
  const std::string &certFile() const { return m_certFile; }
  const std::string &keyFile() const { return m_keyFile; }
  // The leaf certificate's serial number (hex) and subject, for logs and reload reports.
  const std::string &serial() const { return m_serial; }
  const std::string &subject() const { return m_subject; }

private:
  TlsContext() = default;
  ssl_ctx_st *m_ctx = nullptr;
  std::string m_certFile, m_keyFile, m_serial, m_subject;
};

}  // namespace lmfront::gateway
