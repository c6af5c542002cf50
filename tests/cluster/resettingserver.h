// A member that dies between accepting a request and answering it, for routing tests: a TCP
// server on 127.0.0.1 that reads each request's head and resets the connection (SO_LINGER 0)
// without a byte of answer. Counts the POSTs it dropped (health probes are GETs).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <QtGlobal>
#include <atomic>
#include <string>
#include <thread>

namespace lmfront::testing {

class ResettingServer {
public:
  ResettingServer() {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(m_fd, 64) != 0 ||
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &len) != 0)
      return;
    m_port = ntohs(a.sin_port);
    m_thread = std::thread([this] { run(); });
  }
  ~ResettingServer() {
    m_stop = true;
    ::shutdown(m_fd, SHUT_RDWR);
    if (m_thread.joinable()) m_thread.join();
    ::close(m_fd);
  }
  quint16 port() const { return m_port; }
  int posts() const { return m_posts; }

private:
  void run() {
    while (!m_stop) {
      const int c = ::accept(m_fd, nullptr, nullptr);
      if (c < 0) return;
      std::string head;
      char buf[4096];
      timeval tv{2, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        head.append(buf, static_cast<std::size_t>(n));
      }
      if (head.starts_with("POST ")) ++m_posts;
      linger l{1, 0};  // close with RST
      ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      ::close(c);
    }
  }
  int m_fd = -1;
  quint16 m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_posts{0};
  std::thread m_thread;
};

}  // namespace lmfront::testing
