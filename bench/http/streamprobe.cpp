#include "streamprobe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace lmfront::bench {

namespace {
std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void addStreamProbeRoute(gateway::Router &router) {
  router.route("GET", "/stream-probe", [](gateway::HttpRequest &&req, gateway::ResponderPtr res) {
    const int n = std::max(1, std::atoi(req.query.c_str()));
    res->beginStream(200, {{"Content-Type", "text/event-stream"}});
    std::thread([res, n] {
      for (int i = 0; i < n && res->isOpen(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        res->writeChunk("data: " + std::to_string(nowNs()) + "\n\n");
      }
      res->endStream();
    }).detach();
  });
}

int runStreamProbe(std::uint16_t port, int chunks) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    std::perror("stream probe: connect");
    return 1;
  }
  const std::string req = "GET /stream-probe?" + std::to_string(chunks) + " HTTP/1.1\r\nHost: probe\r\n\r\n";
  if (::send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) return 1;
  std::string buf;
  std::vector<double> latenciesUs;
  char tmp[16384];
  bool done = false;
  while (!done) {
    const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) break;
    const std::int64_t received = nowNs();
    buf.append(tmp, static_cast<std::size_t>(n));
    // Every "data: <ns>" that arrived in this read was received now.
    std::size_t pos;
    while ((pos = buf.find("data: ")) != std::string::npos) {
      const std::size_t end = buf.find("\n\n", pos);
      if (end == std::string::npos) break;
      const std::int64_t sent = std::stoll(buf.substr(pos + 6, end - pos - 6));
      latenciesUs.push_back(static_cast<double>(received - sent) / 1000.0);
      buf.erase(0, end + 2);
    }
    if (buf.find("\r\n0\r\n\r\n") != std::string::npos || static_cast<int>(latenciesUs.size()) >= chunks) done = true;
  }
  ::close(fd);
  if (latenciesUs.empty()) {
    std::fprintf(stderr, "stream probe: no chunks received\n");
    return 1;
  }
  std::sort(latenciesUs.begin(), latenciesUs.end());
  auto pct = [&](double p) {
    return latenciesUs[static_cast<std::size_t>(p * static_cast<double>(latenciesUs.size() - 1))];
  };
  std::printf("stream probe: %zu chunks, writeChunk->client read latency p50 %.1f us, p99 %.1f us, max %.1f us\n",
              latenciesUs.size(), pct(0.5), pct(0.99), latenciesUs.back());
  return 0;
}

}  // namespace lmfront::bench
