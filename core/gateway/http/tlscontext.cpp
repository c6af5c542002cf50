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

}  // namespace

TlsContext::~TlsContext() { SSL_CTX_free(m_ctx); }

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
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Partial writes and a moving buffer: the connection retries from its output string, which may
  // have grown (and moved) since. Released buffers: idle keep-alive connections hold no 34 KB.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  // Resumption by tickets only: a server-side cache would be one lock shared by every worker.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_cipher_list(ctx, kCiphers12) != 1 || SSL_CTX_set1_groups_list(ctx, kGroups) != 1)
    return Status::internal("cannot set the TLS ciphers: " + opensslReason());
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

}  // namespace lmfront::gateway
