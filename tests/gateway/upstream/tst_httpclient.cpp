// HttpClient and UpstreamBackend against a scripted server on 127.0.0.1 (real sockets): chunked
// bodies delivered piece by piece as they arrive, keep-alive reuse, a stale pooled connection
// retried once, connect refused → Unavailable, a slow first byte → DeadlineExceeded, an SSE
// upstream mapped to sink calls, a JSON upstream, an upstream error status, and URL parsing.
#include "../../support/fakehttp.h"
#include "gateway/pool/upstreambackend.h"
#include "gateway/upstream/httpclient.h"
#include "upstreamrecorders.h"

#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace lmfront::gateway::upstream;
using namespace lmfront::gateway::upstream::recorders;
using namespace std::chrono_literals;

namespace {

// Accepts connections; for every request calls script(fd, requestIndex, request).
class ScriptServer {
public:
  using Script = std::function<void(int fd, int index, const std::string &request)>;
  explicit ScriptServer(Script script) : m_script(std::move(script)) {
    m_listen = lmfront::testing::listenOnLoopback(m_port, 16);
    m_thread = std::thread([this] {
      for (;;) {
        const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        ++connections;
        m_conns.emplace_back([this, fd] { serve(fd); });
      }
    });
  }
  ~ScriptServer() {
    ::shutdown(m_listen, SHUT_RDWR);
    ::close(m_listen);
    m_thread.join();
    for (auto &t : m_conns) t.join();
  }
  std::uint16_t port() const { return m_port; }
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};

  static void send(int fd, const std::string &s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

private:
  void serve(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in, request;
    for (;;) {
      if (!lmfront::testing::readHttpRequest(fd, in, request)) return (void)::close(fd);
      m_script(fd, requests++, request);
      if (m_closeAfter) break;
    }
    ::close(fd);
  }

  Script m_script;
  int m_listen = -1;
  std::uint16_t m_port = 0;
  bool m_closeAfter = false;
  std::thread m_thread;
  std::vector<std::thread> m_conns;
};

ClientRequest get(std::uint16_t port, std::string target = "/") {
  ClientRequest r;
  r.host = "127.0.0.1";
  r.port = port;
  r.target = std::move(target);
  return r;
}

}  // namespace

class TstHttpClient : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void chunkedPiecesArriveAsWrittenAndConnectionsAreReused() {
    std::mutex gate;
    std::condition_variable cv;
    bool release = false;
    ScriptServer server([&](int fd, int index, const std::string &) {
      if (index == 0) {
        ScriptServer::send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
        std::unique_lock lock(gate);
        cv.wait_for(lock, 5s, [&] { return release; });  // the client must see "first" before this
        ScriptServer::send(fd, "6\r\nsecond\r\n0\r\n\r\n");
      } else {
        ScriptServer::send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      }
    });
    HttpClient client(1);
    auto first = std::make_shared<Recorder>();
    client.send(get(server.port()), first);
    QVERIFY(first->waitPieces(1));
    QCOMPARE(first->pieces[0], std::string("first"));
    {
      std::lock_guard lock(gate);
      release = true;
    }
    cv.notify_all();
    QVERIFY(wait(first).isOk());
    QCOMPARE(first->status, 200);
    QCOMPARE(first->pieces.back(), std::string("second"));
    for (int i = 0; i < 3; ++i) {
      auto next = std::make_shared<Recorder>();
      client.send(get(server.port()), next);
      QVERIFY(wait(next).isOk());
      QCOMPARE(next->pieces.at(0), std::string("ok"));
    }
    QCOMPARE(server.connections.load(), 1);  // keep-alive: one connection for four requests
  }

  void staleKeepAliveConnectionIsRetriedOnce() {
    // The server answers, then closes the connection without saying so.
    ScriptServer server([](int fd, int, const std::string &) {
      ScriptServer::send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      ::shutdown(fd, SHUT_RDWR);
    });
    HttpClient client(1);
    for (int i = 0; i < 3; ++i) {
      auto r = std::make_shared<Recorder>();
      client.send(get(server.port()), r);
      const Status s = wait(r);
      QVERIFY2(s.isOk(), s.message().c_str());
    }
  }

  void connectRefusedIsUnavailable() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    const std::uint16_t port = ntohs(a.sin_port);
    ::close(fd);  // bound, never listened: nothing accepts on it
    HttpClient client(1);
    auto r = std::make_shared<Recorder>();
    client.send(get(port), r);
    QCOMPARE(wait(r).code(), StatusCode::Unavailable);
  }

  void slowFirstByteIsDeadlineExceeded() {
    ScriptServer server([](int fd, int, const std::string &) {
      std::this_thread::sleep_for(600ms);
      ScriptServer::send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    });
    HttpClient client(1);
    auto r = std::make_shared<Recorder>();
    auto request = get(server.port());
    request.timeouts.firstByte = 150ms;
    const auto t0 = std::chrono::steady_clock::now();
    client.send(request, r);
    const Status s = wait(r);
    QCOMPARE(s.code(), StatusCode::DeadlineExceeded);
    QVERIFY(std::chrono::steady_clock::now() - t0 < 550ms);
  }

  void sseUpstreamMapsToSinkCalls() {
    std::string seenBody;
    ScriptServer server([&](int fd, int, const std::string &request) {
      seenBody = request.substr(request.find("\r\n\r\n") + 4);
      ScriptServer::send(fd,
                         "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      const std::string events[] = {
          "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
          "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\ndata: {\"choices\":[{\"delta\":",
          "{\"content\":\"lo\"},\"finish_reason\":\"length\"}]}\n\n",
          "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n"};
      for (const auto &e : events) {
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", e.size());
        ScriptServer::send(fd, size + e + "\r\n");
      }
      ScriptServer::send(fd, "0\r\n\r\n");
    });
    HttpClient client(1);
    auto backend = pool::UpstreamBackend::create(
        {"http://127.0.0.1:" + std::to_string(server.port()), "llama", {}, {}, {}, {}}, client);
    QVERIFY(backend.isOk());
    openai::CompletionRequest request;
    request.chat = true;
    request.model = "public-name";
    request.messages = {{"user", "hi"}};
    auto sink = std::make_shared<SinkRecorder>();
    (*backend)->generate(request, sink);
    auto f = sink->done.get_future();
    QVERIFY(f.wait_for(10s) == std::future_status::ready);
    QVERIFY(f.get().isOk());
    QCOMPARE(sink->tokens, (std::vector<std::string>{"Hel", "lo"}));
    QVERIFY(sink->finish == openai::FinishReason::Length);
    QCOMPARE(sink->usage.promptTokens, 3);
    QCOMPARE(sink->usage.completionTokens, 2);
    QVERIFY2(seenBody.find("\"model\":\"llama\"") != std::string::npos, seenBody.c_str());
    QVERIFY(seenBody.find("\"stream\":true") != std::string::npos);
    QVERIFY(seenBody.find("public-name") == std::string::npos);
  }

  // Fields the node does not interpret reach the upstream as sent, with n and logprobs; the
  // upstream's choices come back by index with their log-probabilities.
  void richRequestsPassThroughByChoice() {
    std::string seenBody;
    ScriptServer server([&](int fd, int, const std::string &request) {
      seenBody = request.substr(request.find("\r\n\r\n") + 4);
      ScriptServer::send(fd,
                         "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      const std::string events[] = {
          "data: {\"choices\":[{\"index\":1,\"text\":\" b\",\"logprobs\":{\"tokens\":[\" b\"],"
          "\"token_logprobs\":[-0.25],\"top_logprobs\":[{\" b\":-0.25}],\"text_offset\":[0]}}]}\n\n",
          "data: {\"choices\":[{\"index\":0,\"text\":\" a\",\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n",
          "data: [DONE]\n\n"};
      for (const auto &e : events) {
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", e.size());
        ScriptServer::send(fd, size + e + "\r\n");
      }
      ScriptServer::send(fd, "0\r\n\r\n");
    });
    HttpClient client(1);
    auto backend = pool::UpstreamBackend::create(
        {"http://127.0.0.1:" + std::to_string(server.port()), "m", {}, {}, {}, {}}, client);
    QVERIFY(backend.isOk());
    QVERIFY((*backend)->passesThrough());
    openai::CompletionRequest request;
    request.prompt = "p";
    request.n = 2;
    request.logprobs = 1;
    request.params.presencePenalty = 0.5;
    request.passThrough = {{"suffix", "\"end\""}, {"tools", "[{\"type\":\"function\"}]"}};
    auto sink = std::make_shared<SinkRecorder>();
    (*backend)->generate(request, sink);
    auto f = sink->done.get_future();
    QVERIFY(f.wait_for(10s) == std::future_status::ready && f.get().isOk());
    for (const char *field : {"\"n\":2", "\"logprobs\":1", "\"presence_penalty\":0.5", "\"suffix\":\"end\"",
                              "\"tools\":[{\"type\":\"function\"}]"})
      QVERIFY2(seenBody.find(field) != std::string::npos, (std::string(field) + " in " + seenBody).c_str());
    QCOMPARE(sink->choiceTokens, (std::vector<std::string>{"1: b@-0.250000", "0: a"}));
    QCOMPARE(sink->choicesDone, (std::vector<int>{0}));
  }

  void jsonUpstreamAndErrorStatus() {
    ScriptServer server([](int fd, int index, const std::string &) {
      const std::string body =
          index == 0
              ? R"({"choices":[{"text":" whole answer","finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}})"
              : R"({"error":{"message":"overloaded"}})";
      ScriptServer::send(fd, std::string(index == 0 ? "HTTP/1.1 200 OK" : "HTTP/1.1 503 Service Unavailable") +
                                 "\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body);
    });
    HttpClient client(1);
    auto backend = pool::UpstreamBackend::create(
        {"http://127.0.0.1:" + std::to_string(server.port()), "m", {}, {}, {}, {}}, client);
    QVERIFY(backend.isOk());
    openai::CompletionRequest request;
    request.prompt = "p";
    auto ok = std::make_shared<SinkRecorder>();
    (*backend)->generate(request, ok);
    auto f1 = ok->done.get_future();
    QVERIFY(f1.wait_for(10s) == std::future_status::ready && f1.get().isOk());
    QCOMPARE(ok->tokens, (std::vector<std::string>{" whole answer"}));
    auto failed = std::make_shared<SinkRecorder>();
    (*backend)->generate(request, failed);
    auto f2 = failed->done.get_future();
    QVERIFY(f2.wait_for(10s) == std::future_status::ready);
    const Status s = f2.get();
    QCOMPARE(s.code(), StatusCode::Unavailable);
    QVERIFY(s.message().find("overloaded") != std::string::npos);
    // score() is only for lmfront upstreams.
    std::promise<Status> scored;
    (*backend)->score({"m", "text"}, [&](Result<openai::ScoreResult> r) { scored.set_value(r.status()); });
    QCOMPARE(scored.get_future().get().code(), StatusCode::Unimplemented);
  }

  void urls() {
    auto u = parseHttpUrl("http://127.0.0.1:9001/proxy/");
    QVERIFY(u.isOk());
    QCOMPARE(u->host, std::string("127.0.0.1"));
    QCOMPARE(int(u->port), 9001);
    QCOMPARE(u->basePath, std::string("/proxy"));
    auto v6 = parseHttpUrl("http://[::1]:8080");
    QVERIFY(v6.isOk() && v6->host == "::1" && v6->port == 8080);
    QCOMPARE(parseHttpUrl("http://example.org")->port, std::uint16_t{80});
    QVERIFY(!parseHttpUrl("ftp://x").isOk());
    QVERIFY(!parseHttpUrl("x:80").isOk());
    auto tls = parseHttpUrl("https://example.org/v1-prefix");
    QVERIFY(tls.isOk() && tls->tls && tls->port == 443 && tls->basePath == "/v1-prefix");
    QVERIFY(!parseHttpUrl("http://example.org")->tls);
    QVERIFY(!parseHttpUrl("http://x:70000").isOk());
    QVERIFY(!parseHttpUrl("http://:80").isOk());
  }
};

QTEST_APPLESS_MAIN(TstHttpClient)
#include "tst_httpclient.moc"
