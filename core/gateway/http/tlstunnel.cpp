#include "gateway/http/tlstunnel.h"

#include <QSocketNotifier>

#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

namespace lmfront::gateway {

namespace {
constexpr std::size_t kChunk = 16 * 1024;  // one TLS record
}

std::unique_ptr<TlsTunnel> TlsTunnel::open(int fd, std::unique_ptr<TlsStream> &tls, int *routeEnd,
                                           std::function<void(TlsTunnel *)> finished) {
  int pair[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) return nullptr;
  *routeEnd = pair[1];
  return std::unique_ptr<TlsTunnel>(new TlsTunnel(fd, std::move(tls), pair[0], std::move(finished)));
}

TlsTunnel::TlsTunnel(int fd, std::unique_ptr<TlsStream> tls, int pipeFd, std::function<void(TlsTunnel *)> finished)
    : m_fd(fd), m_tls(std::move(tls)), m_pipe(pipeFd), m_finished(std::move(finished)) {
  auto make = [this](int which, QSocketNotifier::Type type) {
    auto n = std::make_unique<QSocketNotifier>(which, type);
    QObject::connect(n.get(), &QSocketNotifier::activated, n.get(), [this] { pump(); });
    n->setEnabled(false);
    return n;
  };
  m_tcpRead = make(m_fd, QSocketNotifier::Read);
  m_tcpWrite = make(m_fd, QSocketNotifier::Write);
  m_pipeRead = make(m_pipe, QSocketNotifier::Read);
  m_pipeWrite = make(m_pipe, QSocketNotifier::Write);
}

TlsTunnel::~TlsTunnel() {
  m_tcpRead.reset();
  m_tcpWrite.reset();
  m_pipeRead.reset();
  m_pipeWrite.reset();
  m_tls.reset();
  ::close(m_fd);
  ::close(m_pipe);
}

void TlsTunnel::pump() {
  if (m_done) return;
  if (!pumpOnce()) {
    finish();
    return;
  }
  watch();
}

bool TlsTunnel::pumpOnce() {
  char buf[kChunk];
  // Client → route.
  while (!m_routeEnded && m_toRoute.size() < kMaxBuffered) {
    const ssize_t n = m_tls->read(buf, sizeof buf);
    if (n > 0) {
      m_toRoute.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0 && errno == EINTR) continue;
    // The client ended (or broke) its stream: hand on what it said, then end the route's input.
    while (!m_toRoute.empty()) {
      const ssize_t w = ::send(m_pipe, m_toRoute.data(), m_toRoute.size(), MSG_NOSIGNAL);
      if (w <= 0) break;
      m_toRoute.erase(0, static_cast<std::size_t>(w));
    }
    return false;
  }
  while (!m_toRoute.empty()) {
    const ssize_t n = ::send(m_pipe, m_toRoute.data(), m_toRoute.size(), MSG_NOSIGNAL);
    if (n > 0) {
      m_toRoute.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    return false;  // the route closed its end
  }
  // Route → client.
  while (!m_routeEnded && m_toClient.size() < kMaxBuffered) {
    const ssize_t n = ::read(m_pipe, buf, sizeof buf);
    if (n > 0) {
      m_toClient.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    m_routeEnded = true;  // EOF or error: what it wrote before still goes out
  }
  while (!m_toClient.empty()) {
    const ssize_t n = m_tls->write(m_toClient.data(), m_toClient.size());
    if (n > 0) {
      m_toClient.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    return false;
  }
  if (m_routeEnded && m_toClient.empty()) {
    m_tls->shutdown();
    return false;
  }
  return true;
}

void TlsTunnel::watch() {
  m_tcpRead->setEnabled(!m_routeEnded && m_toRoute.size() < kMaxBuffered);
  m_tcpWrite->setEnabled(!m_toClient.empty() || m_tls->wantWrite());
  m_pipeRead->setEnabled(!m_routeEnded && m_toClient.size() < kMaxBuffered);
  m_pipeWrite->setEnabled(!m_toRoute.empty());
}

void TlsTunnel::finish() {
  m_done = true;
  m_tcpRead->setEnabled(false);
  m_tcpWrite->setEnabled(false);
  m_pipeRead->setEnabled(false);
  m_pipeWrite->setEnabled(false);
  if (m_finished) m_finished(this);
}

}  // namespace lmfront::gateway
