// The socket plumbing of the hand-written HTTP servers some tests run in-process: upstreams that
// hold, trickle, fail or script their answers on purpose — behaviour no real server offers on
// demand. Each test keeps its own answering logic; only listening and request framing are here.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace lmfront::testing {

// A listening socket on 127.0.0.1 at a free port (written to `port`); -1 on failure.
inline int listenOnLoopback(std::uint16_t &port, int backlog = 64) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
    ::close(fd);
    return -1;
  }
  port = ntohs(a.sin_port);
  return fd;
}

// Reads the next request on fd (head, then Content-Length bytes of body) into `request`; bytes
// of a pipelined next request stay in `pending` for the next call. false when the peer closed or
// the read timed out (SO_RCVTIMEO).
inline bool readHttpRequest(int fd, std::string &pending, std::string &request) {
  char buf[8192];
  auto readMore = [&] {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos)
    if (!readMore()) return false;
  std::size_t length = 0;
  if (const auto cl = pending.find("Content-Length: "); cl != std::string::npos && cl < end)
    length = std::stoul(pending.substr(cl + 16));
  while (pending.size() < end + 4 + length)
    if (!readMore()) return false;
  request = pending.substr(0, end + 4 + length);
  pending.erase(0, end + 4 + length);
  return true;
}

}  // namespace lmfront::testing
