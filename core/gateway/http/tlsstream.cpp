#include "gateway/http/tlsstream.h"

#include "gateway/http/tlscontext.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <string_view>

namespace lmfront::gateway {

namespace {

constexpr std::string_view kPlainHttpAnswer =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 48\r\nConnection: close\r\n\r\n"
    "This port speaks HTTPS: use https:// (or wss://)";

int clampSize(std::size_t size) { return size > INT_MAX ? INT_MAX : static_cast<int>(size); }

bool isAddress(const std::string &host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::unique_ptr<TlsStream> TlsStream::accept(const TlsContext &context, int fd) {
  SSL *ssl = SSL_new(context.native());
  if (ssl == nullptr) {
    ERR_clear_error();
    return nullptr;
  }
  if (SSL_set_fd(ssl, fd) != 1) {
    ERR_clear_error();
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::unique_ptr<TlsStream>(new TlsStream(ssl, fd));
}

std::unique_ptr<TlsStream> TlsStream::connect(const TlsContext &context, int fd, const std::string &host,
                                              std::string peer) {
  SSL *ssl = SSL_new(context.native());
  if (ssl == nullptr) {
    ERR_clear_error();
    return nullptr;
  }
  std::unique_ptr<TlsStream> out(new TlsStream(ssl, fd));
  out->m_peer = std::move(peer);
  // RFC 6066: SNI carries names only; an address is checked against the IP subjectAltNames.
  const bool address = isAddress(host);
  const bool named = address
                         ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1
                         : SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
  if (!named || SSL_set_fd(ssl, fd) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  context.resumeSession(ssl, out->m_peer);
  SSL_set_connect_state(ssl);
  return out;
}

TlsStream::~TlsStream() { SSL_free(m_ssl); }

bool TlsStream::handshakeDone() const { return SSL_is_init_finished(m_ssl) == 1; }

bool TlsStream::resumed() const { return SSL_session_reused(m_ssl) == 1; }

int TlsStream::handshake() {
  m_readWantsWrite = false;
  const int n = SSL_do_handshake(m_ssl);
  if (n == 1) return 1;
  return static_cast<int>(fail(n, true));
}

ssize_t TlsStream::read(char *buffer, std::size_t size) {
  m_readWantsWrite = false;
  const int n = SSL_read(m_ssl, buffer, clampSize(size));
  if (n > 0) return n;
  return fail(n, true);
}

ssize_t TlsStream::write(const char *data, std::size_t size) {
  m_writeWantsRead = false;
  const int n = SSL_write(m_ssl, data, clampSize(size));
  if (n > 0) return n;
  return fail(n, false);
}

ssize_t TlsStream::fail(int result, bool reading) {
  const int error = SSL_get_error(m_ssl, result);
  switch (error) {
  case SSL_ERROR_WANT_READ:
    m_writeWantsRead = !reading;
    errno = EAGAIN;
    return -1;
  case SSL_ERROR_WANT_WRITE:
    m_readWantsWrite = reading;
    errno = EAGAIN;
    return -1;
  case SSL_ERROR_ZERO_RETURN: return 0;  // close_notify: a clean end of stream
  case SSL_ERROR_SYSCALL:
    // errno is the socket's; no errno and nothing queued is an EOF without close_notify, which
    // HTTP/1.1 delimits itself (the peer just went away).
    if (ERR_peek_error() == 0 && (result == 0 || errno == 0)) {
      m_broken = true;
      m_failure = "the peer closed the connection";
      return 0;
    }
    break;
  default: break;
  }
  const int savedErrno = errno;
  const unsigned long reason = ERR_peek_last_error();
  if (error == SSL_ERROR_SSL && ERR_GET_REASON(reason) == SSL_R_HTTP_REQUEST)
    (void)::send(m_fd, kPlainHttpAnswer.data(), kPlainHttpAnswer.size(), MSG_NOSIGNAL);
  // The verification's own words ("certificate has expired", "Hostname mismatch") say more than
  // the error queue's "certificate verify failed".
  if (const long verify = SSL_get_verify_result(m_ssl); verify != X509_V_OK)
    m_failure = std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  else if (error == SSL_ERROR_SYSCALL && reason == 0)
    m_failure = std::strerror(savedErrno);
  else if (const char *text = ERR_reason_error_string(reason))
    m_failure = text;
  else
    m_failure = "TLS error " + std::to_string(reason);
  ERR_clear_error();
  m_broken = true;
  errno = savedErrno;
  if (error != SSL_ERROR_SYSCALL || errno == 0) errno = EPROTO;
  return -1;
}

void TlsStream::shutdown() {
  if (m_broken || m_shutdown || !handshakeDone()) return;
  m_shutdown = true;
  (void)SSL_shutdown(m_ssl);
  ERR_clear_error();
}

void blockSigpipeOnThisThread() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
}

}  // namespace lmfront::gateway
