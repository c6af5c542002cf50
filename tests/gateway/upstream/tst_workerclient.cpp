// The upstream client on the data-plane workers' own event loops: a request sent from a worker's
// handler is written and answered on that worker's thread (real HttpServer front and upstream on
// 127.0.0.1), under many concurrent client connections with per-worker keep-alive pools; an
// upstream that resets mid-stream ends the relay with Unavailable and the worker serves on;
// timeouts fire on the worker's loop; a failure found inside send() is delivered after it
// returned; a worker stopping with a request in flight ends it with Cancelled.
#include "../../support/fakehttp.h"
#include "gateway/http/httpserver.h"
#include "gateway/upstream/httpclient.h"
#include "upstreamrecorders.h"

#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace lmfront::gateway::upstream;
using namespace lmfront::gateway::upstream::recorders;
using namespace std::chrono_literals;

namespace {

// Relays an upstream answer to the front's client, and checks every callback's thread.
class Relay final : public ResponseHandler {
public:
  Relay(ResponderPtr responder, std::atomic<int> *wrongThread, std::promise<Status> *outcome = nullptr)
      : m_responder(std::move(responder)),
        m_thread(std::this_thread::get_id()),
        m_wrongThread(wrongThread),
        m_outcome(outcome) {}
  void onHead(int status, const HeaderList &) override {
    check();
    m_status = status;
    m_responder->beginStream(status, {{"Content-Type", "text/plain"}});
  }
  void onBody(std::string_view data) override {
    check();
    m_responder->writeChunk(std::string(data));
  }
  void onComplete(const Status &status) override {
    check();
    if (m_outcome) m_outcome->set_value(status);
    if (m_status == 0) return m_responder->respond(HttpResponse::text(502, status.message()));
    if (!status.isOk()) m_responder->writeChunk("\n[relay: " + status.message() + "]");
    m_responder->endStream();
  }
  bool cancelled() const override { return !m_responder->isOpen(); }

private:
  void check() {
    if (std::this_thread::get_id() != m_thread) ++*m_wrongThread;
  }
  ResponderPtr m_responder;
  std::thread::id m_thread;
  std::atomic<int> *m_wrongThread;
  std::promise<Status> *m_outcome;
  int m_status = 0;
};

ClientRequest request(std::uint16_t port, std::string target) {
  ClientRequest r;
  r.host = "127.0.0.1";
  r.port = port;
  r.method = "POST";
  r.target = std::move(target);
  r.body = "{}";
  return r;
}

}  // namespace

class TstWorkerClient : public QObject {
  Q_OBJECT

  const Clock &m_clock = Clock::steady();
  HttpClient m_http{1};
  std::atomic<int> m_wrongThread{0};

  // A front whose POST /relay/PORT/PATH sends POST PATH to 127.0.0.1:PORT from the worker's
  // handler and relays the answer.
  std::unique_ptr<HttpServer> startFront(int workers, Timeouts timeouts = {}, std::promise<Status> *outcome = nullptr) {
    auto router = std::make_shared<Router>();
    router->prefix("POST", "/relay/", [this, timeouts, outcome](HttpRequest &&req, ResponderPtr responder) {
      const std::string rest = req.path.substr(7);
      const auto slash = rest.find('/');
      ClientRequest r = request(static_cast<std::uint16_t>(std::stoi(rest.substr(0, slash))), rest.substr(slash));
      r.timeouts = timeouts;
      r.body = std::move(req.body);
      auto relay = std::make_shared<Relay>(std::move(responder), &m_wrongThread, outcome);
      m_http.send(std::move(r), relay);
    });
    HttpServerOptions options;
    options.port = 0;
    options.workers = workers;
    auto server = std::make_unique<HttpServer>(m_clock);
    if (!server->start(options, router).isOk()) return nullptr;
    return server;
  }

private Q_SLOTS:
  void init() { m_wrongThread = 0; }

  void proxiedRequestsRunOnTheAcceptingWorkerWithItsOwnPool() {
    auto upstreamRouter = std::make_shared<Router>();
    upstreamRouter->route("POST", "/echo", [](HttpRequest &&req, ResponderPtr responder) {
      responder->respond(HttpResponse::json(200, R"({"echo":)" + req.body + "}"));
    });
    HttpServer upstream(m_clock);
    HttpServerOptions options;
    options.port = 0;
    options.workers = 2;
    QVERIFY(upstream.start(options, upstreamRouter).isOk());
    auto front = startFront(2);
    QVERIFY(front);

    // 64 connections at once, 5 waves: the load client keeps its connections alive.
    HttpClient load(2);
    constexpr int kConcurrent = 64, kWaves = 5;
    for (int wave = 0; wave < kWaves; ++wave) {
      std::vector<std::shared_ptr<Recorder>> recorders;
      for (int i = 0; i < kConcurrent; ++i) {
        ClientRequest r = request(front->port(), "/relay/" + std::to_string(upstream.port()) + "/echo");
        r.body = std::to_string(wave * kConcurrent + i);
        recorders.push_back(std::make_shared<Recorder>());
        load.send(std::move(r), recorders.back());
      }
      for (int i = 0; i < kConcurrent; ++i) {
        QCOMPARE(wait(recorders[i]).code(), StatusCode::Ok);
        QCOMPARE(recorders[i]->status, 200);
        QCOMPARE(recorders[i]->body(), R"({"echo":)" + std::to_string(wave * kConcurrent + i) + "}");
      }
    }
    QCOMPARE(m_wrongThread.load(), 0);
    const auto served = upstream.stats();
    QCOMPARE(served.requests, std::uint64_t(kConcurrent * kWaves));
    // Each worker keeps its upstream connections alive: at most one per request in flight on it.
    QVERIFY2(served.connectionsAccepted <= std::uint64_t(2 * kConcurrent),
             std::to_string(served.connectionsAccepted).c_str());
    front->stop();
    upstream.stop();
  }

  void upstreamResetMidStreamEndsTheRelayAndTheWorkerServesOn() {
    std::uint16_t port = 0;
    const int listener = testing::listenOnLoopback(port);
    QVERIFY(listener >= 0);
    std::atomic<int> served{0};
    std::thread upstream([&] {
      for (;;) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        std::string pending, req;
        if (testing::readHttpRequest(fd, pending, req)) {
          const bool reset = req.find("POST /reset") == 0;
          std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
          out += "d\r\ndata: first\n\n\r\n";
          if (!reset) out += "0\r\n\r\n";
          ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
          if (reset) {
            std::this_thread::sleep_for(50ms);  // the first event reaches the client before the reset
            const linger hard{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
          } else {
            testing::readHttpRequest(fd, pending, req);  // the front keeps it alive: wait for its close
          }
        }
        ++served;
        ::close(fd);
      }
    });
    std::promise<Status> outcome;
    auto front = startFront(1, {}, &outcome);
    QVERIFY(front);
    const auto cut = testing::rawRequest(front->port(), "POST", "/relay/" + std::to_string(port) + "/reset", "{}");
    QCOMPARE(cut.status, 200);
    QVERIFY2(cut.body.find("data: first") != std::string::npos, cut.body.c_str());
    QVERIFY2(cut.body.find("closed the connection mid-response") != std::string::npos, cut.body.c_str());
    auto status = outcome.get_future();
    QCOMPARE(status.wait_for(5s), std::future_status::ready);
    QCOMPARE(status.get().code(), StatusCode::Unavailable);

    auto front2 = startFront(1);
    QVERIFY(front2);
    const auto whole = testing::rawRequest(front2->port(), "POST", "/relay/" + std::to_string(port) + "/ok", "{}");
    QCOMPARE(whole.status, 200);
    QVERIFY2(whole.body.find("data: first") != std::string::npos, whole.body.c_str());
    QVERIFY2(whole.body.find("[relay:") == std::string::npos, whole.body.c_str());
    QCOMPARE(m_wrongThread.load(), 0);
    front->stop();
    front2->stop();
    ::shutdown(listener, SHUT_RDWR);
    ::close(listener);
    upstream.join();
  }

  void timeoutsFireOnTheWorkersLoop() {
    std::uint16_t port = 0;
    const int listener = testing::listenOnLoopback(port);  // accepts (backlog) and never answers
    QVERIFY(listener >= 0);
    Timeouts timeouts;
    timeouts.firstByte = 150ms;
    std::promise<Status> outcome;
    auto front = startFront(1, timeouts, &outcome);
    QVERIFY(front);
    const auto began = std::chrono::steady_clock::now();
    const auto r = testing::rawRequest(front->port(), "POST", "/relay/" + std::to_string(port) + "/slow", "{}");
    const auto took = std::chrono::steady_clock::now() - began;
    QCOMPARE(r.status, 502);
    QVERIFY2(r.body.find("timeout waiting for the first byte") != std::string::npos, r.body.c_str());
    QCOMPARE(outcome.get_future().get().code(), StatusCode::DeadlineExceeded);
    QVERIFY(took >= 150ms);
    QCOMPARE(m_wrongThread.load(), 0);
    front->stop();
    ::close(listener);
  }

  void aFailureFoundInsideSendArrivesAfterItReturned() {
    std::uint16_t port = 0;
    ::close(testing::listenOnLoopback(port));  // nobody listens there now
    auto router = std::make_shared<Router>();
    std::atomic<int> early{0};
    router->route("POST", "/refused", [&](HttpRequest &&, ResponderPtr responder) {
      struct Check final : ResponseHandler {
        bool returned = false;
        std::atomic<int> *early = nullptr;
        ResponderPtr responder;
        void onHead(int, const HeaderList &) override {}
        void onBody(std::string_view) override {}
        void onComplete(const Status &s) override {
          if (!returned) ++*early;
          responder->respond(HttpResponse::text(502, s.message()));
        }
      };
      auto check = std::make_shared<Check>();
      check->early = &early;
      check->responder = std::move(responder);
      m_http.send(request(port, "/"), check);
      check->returned = true;
    });
    HttpServer front(m_clock);
    HttpServerOptions options;
    options.port = 0;
    options.workers = 1;
    QVERIFY(front.start(options, router).isOk());
    for (int i = 0; i < 3; ++i) {
      const auto r = testing::rawRequest(front.port(), "POST", "/refused", "{}");
      QCOMPARE(r.status, 502);
      QVERIFY2(r.body.find("connect to 127.0.0.1:" + std::to_string(port)) != std::string::npos, r.body.c_str());
    }
    QCOMPARE(early.load(), 0);
    front.stop();
  }

  void aStoppingWorkerCancelsItsRequestsInFlight() {
    std::uint16_t port = 0;
    const int listener = testing::listenOnLoopback(port);  // never answers
    QVERIFY(listener >= 0);
    std::promise<Status> outcome;
    auto front = startFront(1, {}, &outcome);
    QVERIFY(front);
    std::thread client(
        [&] { testing::rawRequest(front->port(), "POST", "/relay/" + std::to_string(port) + "/", "{}", 5000); });
    // The request reaches the upstream's backlog: then stop the front.
    for (int i = 0; i < 200 && front->stats().inFlight == 0; ++i) std::this_thread::sleep_for(5ms);
    QCOMPARE(front->stats().inFlight, std::uint64_t(1));
    front->stop();
    auto status = outcome.get_future();
    QCOMPARE(status.wait_for(5s), std::future_status::ready);
    QCOMPARE(status.get().code(), StatusCode::Cancelled);
    client.join();
    ::close(listener);
  }
};

QTEST_GUILESS_MAIN(TstWorkerClient)
#include "tst_workerclient.moc"
