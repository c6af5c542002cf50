// HttpServerFixture: a 2-worker HttpServer on 127.0.0.1:0 with the routes the data-plane tests
// use (echo, slow, streams, SSE, throwing/dropping handlers, ...), plus helpers. Test-only.
// The server runs on a ManualClock: no timeout fires unless a test advances m_clock (then
// m_server.checkTimeouts() applies it at once).
#pragma once

#include "common/clock.h"
#include "gateway/http/httpserver.h"
#include "rawclient.h"

#include <QtTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace lmfront::test {

using namespace lmfront::gateway;
using namespace std::chrono_literals;

// Threads that complete responders later; joined at cleanup so none outlives a test.
class Jobs {
public:
  template <typename F>
  void run(F &&f) {
    std::lock_guard lock(m_mutex);
    m_threads.emplace_back(std::forward<F>(f));
  }
  void joinAll() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(m_mutex);
      threads.swap(m_threads);
    }
    for (auto &t : threads) t.join();
  }

private:
  std::mutex m_mutex;
  std::vector<std::thread> m_threads;
};

// A one-shot latch with a deadline (no unbounded waits in tests).
class Gate {
public:
  void open() {
    std::lock_guard lock(m_mutex);
    m_open = true;
    m_cv.notify_all();
  }
  void reset() {
    std::lock_guard lock(m_mutex);
    m_open = false;
  }
  bool wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [this] { return m_open; });
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_open = false;
};

inline std::string get(const std::string &path, const std::string &extra = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

class HttpServerFixture {
protected:
  lmfront::ManualClock m_clock;
  HttpServer m_server{m_clock};
  Jobs m_jobs;
  Gate m_streamGate;
  std::atomic<bool> m_foreverSawClosed{false};
  std::atomic<bool> m_foreverStarted{false};

  std::shared_ptr<Router> makeRouter() {
    auto r = std::make_shared<Router>();
    r->route("GET", "/hello",
             [](HttpRequest &&, ResponderPtr res) { res->respond(HttpResponse::json(200, R"({"ok":true})")); });
    r->route("POST", "/echo", [](HttpRequest &&req, ResponderPtr res) {
      HttpResponse out = HttpResponse::text(200, req.body);
      out.headers.emplace_back("X-Method", req.method);
      res->respond(std::move(out));
    });
    r->route("GET", "/slow", [this](HttpRequest &&req, ResponderPtr res) {
      const int ms = std::stoi(std::string(req.query.empty() ? "100" : req.query));
      m_jobs.run([res, ms] {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        res->respond(HttpResponse::text(200, "slow"));
      });
    });
    r->route("GET", "/stream", [this](HttpRequest &&, ResponderPtr res) {
      res->beginStream(200, {{"Content-Type", "text/plain"}});
      res->writeChunk("first");
      m_jobs.run([this, res] {
        if (!m_streamGate.wait(5s)) return;  // the test opens it once it has the first chunk
        res->writeChunk("second");
        res->endStream();
      });
    });
    r->route("GET", "/sse", [this](HttpRequest &&, ResponderPtr res) {
      m_jobs.run([res] {
        res->beginStream(200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}});
        for (int i = 0; i < 3; ++i) res->writeChunk("data: {\"n\":" + std::to_string(i) + "}\n\n");
        res->writeChunk("data: [DONE]\n\n");
        res->endStream();
      });
    });
    r->route("GET", "/forever", [this](HttpRequest &&, ResponderPtr res) {
      res->beginStream(200, {{"Content-Type", "text/event-stream"}});
      m_jobs.run([this, res] {
        m_foreverStarted = true;
        for (int i = 0; i < 1000 && res->isOpen(); ++i) {
          res->writeChunk("data: tick\n\n");
          std::this_thread::sleep_for(5ms);
        }
        m_foreverSawClosed = !res->isOpen();
        res->endStream();  // a no-op once the client is gone
      });
    });
    r->route("GET", "/throw", [](HttpRequest &&, ResponderPtr) { throw std::runtime_error("boom"); });
    r->route("GET", "/drop", [](HttpRequest &&, ResponderPtr) {});
    r->route("POST", "/only-post",
             [](HttpRequest &&, ResponderPtr res) { res->respond(HttpResponse::text(200, "p")); });
    r->route("GET", "/worker", [](HttpRequest &&req, ResponderPtr res) {
      res->respond(HttpResponse::text(200, std::to_string(req.workerIndex)));
    });
    r->route("GET", "/age", [this](HttpRequest &&req, ResponderPtr res) {
      const auto age = m_clock.now() - req.receivedAt;
      const bool sane = req.receivedAt.time_since_epoch().count() != 0 && age >= 0ns && age < 1s;
      res->respond(HttpResponse::text(200, sane ? "sane" : "insane"));
    });
    r->route("GET", "/big", [](HttpRequest &&req, ResponderPtr res) {
      const std::size_t n = std::stoul(std::string(req.query.empty() ? "4194304" : req.query));
      std::string body(n, 'x');
      for (std::size_t i = 0; i < n; i += 4096) body[i] = static_cast<char>('a' + (i / 4096) % 26);
      res->respond(HttpResponse::text(200, std::move(body)));
    });
    r->route("GET", "/count", [this](HttpRequest &&req, ResponderPtr res) {
      const int n = std::stoi(std::string(req.query));
      m_jobs.run([res, n] {
        res->beginStream(200, {{"Content-Type", "text/plain"}});
        for (int i = 0; i < n; ++i) res->writeChunk(std::to_string(i) + "\n");
        res->endStream();
      });
    });
    r->prefix("GET", "/files/", [](HttpRequest &&req, ResponderPtr res) {
      res->respond(HttpResponse::text(200, req.path + "|" + req.query));
    });
    return r;
  }

  void restart(HttpServerOptions o) {
    m_server.stop();
    m_jobs.joinAll();
    o.host = "127.0.0.1";
    o.port = 0;
    if (o.workers == 0) o.workers = 2;
    const lmfront::Status st = m_server.start(o, makeRouter());
    QVERIFY2(st.isOk(), st.toString().c_str());
  }

  HttpServerOptions defaults() {
    HttpServerOptions o;
    o.headerTimeout = 3000ms;
    o.idleTimeout = 3000ms;
    return o;
  }

  void connectClient(RawClient &c) { QVERIFY(c.connect(m_server.port())); }

  // Call from the test class's init()/cleanup() slots.
  void startFresh() {
    m_streamGate.reset();
    m_foreverSawClosed = false;
    m_foreverStarted = false;
    restart(defaults());
  }
  void stopAll() {
    m_streamGate.open();
    m_server.stop();
    m_jobs.joinAll();
  }
};

}  // namespace lmfront::test
