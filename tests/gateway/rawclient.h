// RawClient: a blocking HTTP/1.1 test client over a plain ::socket with deadlines, so tests control
// every byte sent and see every byte received (framing, chunk boundaries, close). Test-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // de-chunked
  std::vector<std::string> chunks;
  std::string header(const std::string &name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawClient {
public:
  using Clock = std::chrono::steady_clock;
  RawClient() = default;
  ~RawClient() { close(); }
  RawClient(const RawClient &) = delete;
  RawClient &operator=(const RawClient &) = delete;

  bool connect(std::uint16_t port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return ::connect(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
  }
  void close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }
  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Status line + headers.
  std::optional<RawResponse> readHead(int timeoutMs = 5000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    std::size_t end;
    while ((end = m_buf.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    RawResponse r;
    const std::string head = m_buf.substr(0, end);
    m_buf.erase(0, end + 4);
    std::size_t pos = head.find("\r\n");
    const std::string statusLine = head.substr(0, pos);
    if (statusLine.size() < 12 || statusLine.rfind("HTTP/1.", 0) != 0) return std::nullopt;
    r.status = std::stoi(statusLine.substr(9, 3));
    while (pos != std::string::npos) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[name] = value;
      }
      pos = next;
    }
    return r;
  }

  // Next chunk of a chunked body: its data, "" for the terminating chunk, nullopt on timeout.
  std::optional<std::string> readChunk(int timeoutMs = 5000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    std::size_t eol;
    while ((eol = m_buf.find("\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    const std::size_t size = std::stoul(m_buf.substr(0, eol), nullptr, 16);
    while (m_buf.size() < eol + 2 + size + 2) {
      if (!fill(deadline)) return std::nullopt;
    }
    std::string data = m_buf.substr(eol + 2, size);
    m_buf.erase(0, eol + 2 + size + 2);
    return data;
  }

  std::optional<std::string> readExactly(std::size_t n, int timeoutMs = 5000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (m_buf.size() < n) {
      if (!fill(deadline)) return std::nullopt;
    }
    std::string out = m_buf.substr(0, n);
    m_buf.erase(0, n);
    return out;
  }

  // One whole response, following Content-Length, chunked encoding or close.
  std::optional<RawResponse> readResponse(int timeoutMs = 5000) {
    auto r = readHead(timeoutMs);
    if (!r) return std::nullopt;
    if (r->header("transfer-encoding") == "chunked") {
      for (;;) {
        auto c = readChunk(timeoutMs);
        if (!c) return std::nullopt;
        if (c->empty()) break;
        r->chunks.push_back(*c);
        r->body += *c;
      }
    } else if (!r->header("content-length").empty()) {
      auto b = readExactly(std::stoul(r->header("content-length")), timeoutMs);
      if (!b) return std::nullopt;
      r->body = *b;
    } else if (r->status >= 200 && r->status != 204 && r->status != 304) {
      const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
      while (fill(deadline)) {
      }
      if (!m_eof) return std::nullopt;
      r->body = m_buf;
      m_buf.clear();
    }
    return r;
  }

  // True when the server closed (EOF or reset) within the timeout; unread bytes are dropped.
  bool waitClosed(int timeoutMs = 5000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (!m_eof) {
      if (!fill(deadline) && !m_eof) return false;
    }
    return true;
  }
  bool eof() const { return m_eof; }
  const std::string &buffered() const { return m_buf; }

private:
  bool fill(Clock::time_point deadline) {
    if (m_eof) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{m_fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) return true;
      m_eof = true;
      return false;
    }
    m_buf.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int m_fd = -1;
  std::string m_buf;
  bool m_eof = false;
};

}  // namespace lmfront::test
