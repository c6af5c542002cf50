#include "gateway/upstream/httpclient.h"

#include "gateway/http/tlsstream.h"
#include "gateway/upstream/clientloop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <mutex>
#include <optional>
#include <thread>

namespace lmfront::gateway::upstream {

// The client's own I/O thread: a ClientLoop on an epoll set of its own, fed through a queue.
struct HttpClient::Loop {
  std::thread thread;
  int epfd = -1;
  int evfd = -1;  // token 0 (even: not the ClientLoop's)
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::vector<std::pair<ClientRequest, std::shared_ptr<ResponseHandler>>> incoming;  // guarded by mutex

  Loop() {
    epfd = ::epoll_create1(EPOLL_CLOEXEC);
    evfd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, evfd, &ev);
    thread = std::thread([this] { run(); });
  }
  ~Loop() {
    stopping.store(true);
    wake();
    if (thread.joinable()) thread.join();
    ::close(evfd);
    ::close(epfd);
  }
  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(evfd, &one, sizeof one);
  }
  void post(ClientRequest request, std::shared_ptr<ResponseHandler> handler) {
    {
      std::lock_guard lock(mutex);
      incoming.emplace_back(std::move(request), std::move(handler));
    }
    wake();
  }
  void run() {
    blockSigpipeOnThisThread();  // https upstreams
    std::optional<ClientLoop> loop(std::in_place, epfd);
    epoll_event events[64];
    while (!stopping.load()) {
      const int n = ::epoll_wait(epfd, events, 64, -1);
      for (int i = 0; i < n; ++i) {
        if (WorkerLoop::isAttachmentToken(events[i].data.u64)) {
          loop->onEvent(events[i].data.u64, events[i].events);
          continue;
        }
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(evfd, &v, sizeof v);
        std::vector<std::pair<ClientRequest, std::shared_ptr<ResponseHandler>>> batch;
        {
          std::lock_guard lock(mutex);
          batch.swap(incoming);
        }
        for (auto &[request, handler] : batch) loop->send(std::move(request), std::move(handler));
      }
    }
    loop.reset();  // fails what is in flight
    std::lock_guard lock(mutex);
    for (auto &[request, handler] : incoming)
      handler->onComplete(Status::cancelled("the HTTP client is shutting down"));
    incoming.clear();
  }
};

HttpClient::HttpClient(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) m_loops.push_back(std::make_unique<Loop>());
}

HttpClient::~HttpClient() = default;

void HttpClient::send(ClientRequest request, std::shared_ptr<ResponseHandler> handler) {
  if (ClientLoop *own = ClientLoop::ofCurrentWorker()) return own->send(std::move(request), std::move(handler));
  const auto i = m_next.fetch_add(1, std::memory_order_relaxed) % m_loops.size();
  m_loops[i]->post(std::move(request), std::move(handler));
}

Result<ParsedUrl> parseHttpUrl(std::string_view url) {
  constexpr std::string_view http = "http://", https = "https://";
  ParsedUrl out;
  std::string_view rest;
  if (url.substr(0, http.size()) == http) {
    rest = url.substr(http.size());
  } else if (url.substr(0, https.size()) == https) {
    rest = url.substr(https.size());
    out.tls = true;
    out.port = 443;
  } else {
    return Status::invalidArgument("url '" + std::string(url) + "': only http:// and https:// are supported");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.basePath = std::string(rest.substr(slash));
  while (!out.basePath.empty() && out.basePath.back() == '/') out.basePath.pop_back();
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::invalidArgument("url '" + std::string(url) + "': bad IPv6");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Status::invalidArgument("url '" + std::string(url) + "': no host");
  out.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), value);
    if (r.ec != std::errc() || r.ptr != port.data() + port.size() || value == 0 || value > 65535)
      return Status::invalidArgument("url '" + std::string(url) + "': bad port");
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace lmfront::gateway::upstream
