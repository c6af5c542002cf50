#include "gateway/http/tlscontext.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509err.h>

#include <cerrno>
#include <cstdio>

namespace lmfront::gateway {

namespace {

// Mozilla's intermediate configuration (v5.7) for TLS 1.2, without the DHE suites (they need a
// DH parameter file; every current client offers ECDHE). TLS 1.3's suites are OpenSSL's default,
// which is the same list.
constexpr const char *kCiphers12 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char *kGroups = "X25519:prime256v1:secp384r1";

// The most specific reason OpenSSL queued (the last one), and clears the queue.
std::string opensslReason() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  const char *reason = ERR_reason_error_string(last);
  return reason != nullptr ? std::string(reason) : std::string(buf);
}

// A readable file, or an error naming it and the errno reason (OpenSSL's own says "system lib").
Status checkReadable(const std::string &what, const std::string &file) {
  std::FILE *f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) return Status::fromErrno(errno, "TLS " + what + " " + file);
  std::fclose(f);
  return Status::ok();
}

std::string serialHex(X509 *cert) {
  const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
  BIGNUM *bn = ASN1_INTEGER_to_BN(serial, nullptr);
  if (bn == nullptr) return {};
  char *hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string subjectLine(X509 *cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

// What both kinds share: versions, options, ciphers and groups.
Status configure(SSL_CTX *ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Partial writes and a moving buffer: the connection retries from its output string, which may
  // have grown (and moved) since. Released buffers: idle keep-alive connections hold no 34 KB.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(ctx, kCiphers12) != 1 || SSL_CTX_set1_groups_list(ctx, kGroups) != 1)
    return Status::internal("cannot set the TLS ciphers: " + opensslReason());
  return Status::ok();
}

// The client's session store finds a handshake's peer through this slot of its SSL.
int peerIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

constexpr std::size_t kMaxSessions = 64;

}  // namespace

TlsContext::~TlsContext() {
  for (auto &[peer, session] : m_sessions) SSL_SESSION_free(session);
  SSL_CTX_free(m_ctx);
}

Result<std::shared_ptr<const TlsContext>> TlsContext::load(const std::string &certFile, const std::string &keyFile) {
  if (certFile.empty() || keyFile.empty())
    return Status::invalidArgument("TLS needs both a certificate file and a key file");
  LMFRONT_RETURN_IF_ERROR(checkReadable("certificate", certFile));
  LMFRONT_RETURN_IF_ERROR(checkReadable("key", keyFile));
  ERR_clear_error();
  std::shared_ptr<TlsContext> out(new TlsContext);
  out->m_certFile = certFile;
  out->m_keyFile = keyFile;
  out->m_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX *ctx = out->m_ctx;
  if (ctx == nullptr) return Status::internal("cannot create a TLS context: " + opensslReason());
  LMFRONT_RETURN_IF_ERROR(configure(ctx));
  // Resumption by tickets only: a server-side cache would be one lock shared by every worker.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(ctx, certFile.c_str()) != 1)
    return Status::invalidArgument("TLS certificate " + certFile + ": " + opensslReason());
  const auto mismatch = [&] {
    return Status::invalidArgument("TLS key " + keyFile + " does not belong to the certificate " + certFile + " (" +
                                   opensslReason() + ")");
  };
  if (SSL_CTX_use_PrivateKey_file(ctx, keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) return mismatch();
    return Status::invalidArgument("TLS key " + keyFile + ": " + opensslReason());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return mismatch();
  X509 *leaf = SSL_CTX_get0_certificate(ctx);
  if (leaf != nullptr) {
    out->m_serial = serialHex(leaf);
    out->m_subject = subjectLine(leaf);
  }
  return std::shared_ptr<const TlsContext>(std::move(out));
}

Result<std::shared_ptr<const TlsContext>> TlsContext::client(const std::string &caFile) {
  if (!caFile.empty()) LMFRONT_RETURN_IF_ERROR(checkReadable("CA file", caFile));
  ERR_clear_error();
  std::shared_ptr<TlsContext> out(new TlsContext);
  out->m_caFile = caFile;
  out->m_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX *ctx = out->m_ctx;
  if (ctx == nullptr) return Status::internal("cannot create a TLS context: " + opensslReason());
  LMFRONT_RETURN_IF_ERROR(configure(ctx));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // A machine without a system store still verifies against caFile; without either every
  // handshake fails with "unable to get local issuer certificate", which names the problem.
  (void)SSL_CTX_set_default_verify_paths(ctx);
  ERR_clear_error();
  if (!caFile.empty() && SSL_CTX_load_verify_locations(ctx, caFile.c_str(), nullptr) != 1)
    return Status::invalidArgument("TLS CA file " + caFile + ": " + opensslReason());
  SSL_CTX_set_app_data(ctx, out.get());
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, &TlsContext::onNewSession);
  return std::shared_ptr<const TlsContext>(std::move(out));
}

void TlsContext::resumeSession(SSL *ssl, const std::string &peer) const {
  SSL_set_ex_data(ssl, peerIndex(), const_cast<std::string *>(&peer));
  std::lock_guard lock(m_mutex);
  const auto it = m_sessions.find(peer);
  if (it == m_sessions.end()) return;
  // The connection gets its own copy, for the reason onNewSession() keeps one.
  if (SSL_SESSION *copy = SSL_SESSION_dup(it->second)) {
    SSL_set_session(ssl, copy);
    SSL_SESSION_free(copy);
  }
}

int TlsContext::onNewSession(SSL *ssl, SSL_SESSION *session) {
  auto *self = static_cast<TlsContext *>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const auto *peer = static_cast<const std::string *>(SSL_get_ex_data(ssl, peerIndex()));
  if (self == nullptr || peer == nullptr || SSL_SESSION_is_resumable(session) != 1) return 0;
  // A copy: OpenSSL marks the connection's own object not resumable when that connection ends
  // without close_notify (an upstream that just closes), which would spoil it for the next one.
  session = SSL_SESSION_dup(session);
  if (session == nullptr) return 0;
  std::lock_guard lock(self->m_mutex);
  auto [it, added] = self->m_sessions.try_emplace(*peer, session);
  if (!added) {
    SSL_SESSION_free(it->second);
    it->second = session;
  } else if (self->m_sessions.size() > kMaxSessions) {
    // Many peers on one context is unusual (one context serves one backend): start afresh.
    std::erase_if(self->m_sessions, [&](const auto &entry) {
      if (entry.second == session) return false;
      SSL_SESSION_free(entry.second);
      return true;
    });
  }
  return 0;  // OpenSSL keeps its reference; the copy is ours
}

}  // namespace lmfront::gateway
