// Raw-socket HTTP for tests. Servers: the plumbing of the hand-written upstreams some tests run
// in-process (they hold, trickle, fail or script answers on purpose — behaviour no real server
// offers on demand); each test keeps its own answering logic. Client: one request per connection
// in plain POSIX, usable from any thread (Qt sockets are not), for load from many threads.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
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

struct RawReply {
  int status = 0;
  std::string head;
  std::string body;
  std::string header(const std::string &name) const {
    std::string lower = head;
    for (auto &c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\n" + name + ":");
    if (at == std::string::npos) return {};
    auto start = at + 3 + name.size();
    while (start < head.size() && head[start] == ' ') ++start;
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

inline int connectTo(std::uint16_t port, int timeoutMs) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One request, Connection: close, read to EOF. Thread-safe (plain POSIX sockets).
inline RawReply rawRequest(std::uint16_t port, const std::string &method, const std::string &path,
                           const std::string &body = {}, int timeoutMs = 20000, const std::string &extraHeaders = {}) {
  RawReply r;
  const int fd = connectTo(port, timeoutMs);
  if (fd < 0) return r;
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extraHeaders;
  req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return r;
  }
  std::string all;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto end = all.find("\r\n\r\n");
  if (all.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return r;
  r.status = std::atoi(all.c_str() + 9);
  r.head = all.substr(0, end + 2);
  r.body = all.substr(end + 4);
  return r;
}

// The value of `name{backend="BACKEND"}` in the node's /metrics, or -1 when it is not there.
inline double backendMetric(std::uint16_t port, const std::string &name, const std::string &backend) {
  const RawReply r = rawRequest(port, "GET", "/metrics", {});
  const std::string key = name + "{backend=\"" + backend + "\"} ";
  const auto at = r.body.find(key);
  return at == std::string::npos ? -1 : std::atof(r.body.c_str() + at + key.size());
}

}  // namespace lmfront::testing
