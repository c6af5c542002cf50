// Flow control on the request path (docs/gateway-policies.md), driven through OpenAiService's handlers
// with no sockets: a backend that holds every generation until the test finishes it, a
// ManualClock, and the flow timer's work run by hand (sweepQueues). Checks that a queued request
// starts when a slot frees, a full queue answers 503 + Retry-After at once, a wait past the
// deadline answers 504 without reaching the backend, every slot is released exactly once (success,
// failure, retry, client gone), cache hits take no slot, an adaptive limit comes down when the
// backend slows, and under concurrent load with the real flow timer every request gets one answer.
#include "gateway/openai/completionsink.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/poolmetrics.h"

#include <QtTest>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace lmfront::gateway::openai;
using namespace std::chrono_literals;

namespace {

// Keeps every generation until the test ends it.
class HeldBackend final : public Backend {
public:
  explicit HeldBackend(std::string id) : m_id(std::move(id)) {}
  const std::string &id() const override { return m_id; }
  void generate(const CompletionRequest &, std::shared_ptr<GenerationSink> sink) override {
    std::lock_guard lock(m_mutex);
    ++calls;
    m_sinks.push_back(std::move(sink));
  }
  void score(const ScoreRequest &, std::function<void(Result<ScoreResult>)> done) override {
    ++scores;
    ScoreResult r;
    r.tokens.push_back({"</s>", -1.0, 1, false});
    done(r);
  }
  std::size_t held() {
    std::lock_guard lock(m_mutex);
    return m_sinks.size();
  }
  // Ends the oldest held generation (outside the lock: ending it may start the next one here).
  void finishOldest(const Status &status = Status::ok()) {
    std::shared_ptr<GenerationSink> sink;
    {
      std::lock_guard lock(m_mutex);
      QVERIFY(!m_sinks.empty());
      sink = std::move(m_sinks.front());
      m_sinks.pop_front();
    }
    if (status.isOk()) {
      sink->onToken(" done");
      sink->onDone(FinishReason::Stop, {1, 1});
    } else {
      sink->onError(status);
    }
  }
  int calls = 0;
  int scores = 0;

private:
  std::string m_id;
  std::mutex m_mutex;
  std::deque<std::shared_ptr<GenerationSink>> m_sinks;
};

// Ends every generation on a thread of its own after `delay` (one at a time), like a real backend.
class AsyncBackend final : public Backend {
public:
  explicit AsyncBackend(std::chrono::milliseconds delay) : m_delay(delay), m_thread([this] { run(); }) {}
  ~AsyncBackend() override {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
  }
  const std::string &id() const override { return m_id; }
  void generate(const CompletionRequest &, std::shared_ptr<GenerationSink> sink) override {
    ++calls;
    std::lock_guard lock(m_mutex);
    m_sinks.push_back(std::move(sink));
    m_cv.notify_all();
  }
  void score(const ScoreRequest &, std::function<void(Result<ScoreResult>)> done) override {
    done(Status::unimplemented("no"));
  }
  std::atomic<int> calls{0};

private:
  void run() {
    for (;;) {
      std::shared_ptr<GenerationSink> sink;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_stop || !m_sinks.empty(); });
        if (m_sinks.empty()) return;
        sink = std::move(m_sinks.front());
        m_sinks.pop_front();
      }
      std::this_thread::sleep_for(m_delay);
      sink->onToken(" ok");
      sink->onDone(FinishReason::Stop, {1, 1});
    }
  }
  std::string m_id = "async";
  std::chrono::milliseconds m_delay;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::shared_ptr<GenerationSink>> m_sinks;
  bool m_stop = false;
  std::thread m_thread;
};

class Client final : public Responder {
public:
  void respond(HttpResponse r) override {
    if (!open) return;
    response = std::move(r);
    ++completions;
  }
  void beginStream(int status, HeaderList headers) override { response = {status, std::move(headers), {}}; }
  void writeChunk(std::string data) override { response.body += data; }
  void endStream() override { ++completions; }
  bool isOpen() const override { return open; }
  std::string header(std::string_view name) const {
    for (const auto &[k, v] : response.headers)
      if (equalsIgnoreCase(k, name)) return v;
    return {};
  }
  bool answered() const { return completions.load() > 0; }
  HttpResponse response;  // written before `completions` counts it
  std::atomic<int> completions{0};
  std::atomic<bool> open{true};
};

const std::string kRandom = R"({"model":"m","prompt":"hello","max_tokens":4,"temperature":1})";
const std::string kSeeded = R"({"model":"m","prompt":"hello","max_tokens":4,"seed":7})";

pool::FlowConfig fixedOne() {
  pool::FlowConfig c;
  c.concurrency.algorithm = ratelimit::LimitAlgorithm::Fixed;
  c.concurrency.initialLimit = 1;
  c.concurrency.minLimit = 1;
  c.queue.maxWaiters = 1;
  c.queue.maxWait = 300ms;
  return c;
}

struct Fixture {
  // backends: how many; resilience: breakers + retries (needed for retry()).
  explicit Fixture(pool::FlowConfig flow = fixedOne(), int backends = 1, bool resilience = false) {
    ServiceOptions options;
    options.flowTimerThread = false;
    service = std::make_unique<OpenAiService>(std::move(options), registry, clock);
    QVERIFY(service->addRoutes(router).isOk());
    auto pool = std::make_shared<pool::ModelPool>();
    pool->name = std::string("m");
    pool->version = std::string("v1");
    std::vector<routing::Backend> members;
    std::vector<std::string> ids;
    for (int i = 0; i < backends; ++i) {
      auto b = std::make_shared<HeldBackend>("b" + std::to_string(i));
      held.push_back(b);
      pool->backends.push_back(b);
      members.push_back({b->id(), 1, true});
      ids.push_back(b->id());
    }
    auto balancer = routing::makeBalancer({}, members, clock);
    pool->balancer = std::move(balancer.value());
    if (resilience) {
      pool::ResilienceConfig rc;
      rc.breaker.consecutiveFailures = 0;
      pool->resilience =
          *pool::PoolResilience::create(rc, ids, std::vector<bool>(ids.size(), false), pool->balancer, nullptr, clock);
    }
    flowMetrics = pool::registerPoolMetrics(registry).value().flow;
    auto created = pool::PoolFlow::create(flow, "m", ids, &flowMetrics, clock);
    if (!created) qFatal("flow: %s", created.status().message().c_str());
    pool->flow = *created;
    flowPtr = pool->flow.get();
    auto table = std::make_shared<pool::ModelTable>();
    table->pools.emplace("m", pool);
    service->setTable(table);
  }
  std::shared_ptr<Client> post(const std::string &body, const std::string &path = "/v1/completions") {
    HttpRequest request;
    request.method = "POST";
    request.path = request.target = path;
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    auto client = std::make_shared<Client>();
    bool known = false;
    if (const Handler *h = router.find("POST", path, &known)) (*h)(std::move(request), client);
    return client;
  }
  double metric(const std::string &series) const {
    const std::string text = registry.exposition();
    const auto at = text.find(series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 1));
  }
  uint32_t inflight(std::size_t i = 0) const { return flowPtr->limiter(i).inflight(); }

  ManualClock clock;
  observe::MetricsRegistry registry;
  pool::FlowMetrics flowMetrics;
  std::unique_ptr<OpenAiService> service;
  Router router;
  std::vector<std::shared_ptr<HeldBackend>> held;
  pool::PoolFlow *flowPtr = nullptr;
};

}  // namespace

class TstPoolFlow : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void queuedRequestStartsWhenASlotFrees() {
    Fixture f;
    auto first = f.post(kRandom);
    auto second = f.post(kRandom);
    QCOMPARE(f.held[0]->calls, 1);  // the second waits for the only slot
    QVERIFY(!second->answered());
    QCOMPARE(f.metric("lmfront_queue_depth{model=\"m\"}"), 1.0);
    QCOMPARE(f.metric("lmfront_backend_inflight{backend=\"b0\"}"), 1.0);
    QCOMPARE(f.metric("lmfront_backend_concurrency_limit{backend=\"b0\"}"), 1.0);
    f.held[0]->finishOldest();
    QCOMPARE(first->response.status, 200);
    QCOMPARE(f.held[0]->calls, 2);  // the slot went straight to the waiter
    QCOMPARE(f.metric("lmfront_queue_depth{model=\"m\"}"), 0.0);
    f.held[0]->finishOldest();
    QCOMPARE(second->response.status, 200);
    QCOMPARE(second->header("x-lmfront-backend"), std::string("b0"));
    QCOMPARE(f.inflight(), 0u);
    QCOMPARE(f.metric("lmfront_backend_inflight{backend=\"b0\"}"), 0.0);
  }

  void fullQueueAnswers503WithRetryAfterAtOnce() {
    Fixture f;
    auto first = f.post(kRandom);
    auto second = f.post(kRandom);
    auto third = f.post(kRandom);
    QVERIFY(third->answered());
    QCOMPARE(third->response.status, 503);
    QCOMPARE(third->header("retry-after"), std::string("1"));
    QVERIFY(third->response.body.find("\"code\":\"overloaded\"") != std::string::npos);
    QVERIFY(third->response.body.find("overloaded") != std::string::npos);
    QCOMPARE(f.held[0]->calls, 1);
    QCOMPARE(f.metric("lmfront_requests_total{model=\"m\",backend=\"b0\",code=\"503\"}"), 1.0);
    f.held[0]->finishOldest();
    f.held[0]->finishOldest();
    QCOMPARE(second->response.status, 200);
    QCOMPARE(f.inflight(), 0u);
  }

  void waitPastTheDeadlineAnswers504AndNeverReachesTheBackend() {
    Fixture f;
    auto first = f.post(kRandom);
    auto second = f.post(kRandom);
    f.clock.advance(299ms);
    f.service->sweepQueues();
    QVERIFY(!second->answered());
    f.clock.advance(2ms);
    f.service->sweepQueues();
    QCOMPARE(second->response.status, 504);
    QVERIFY(second->response.body.find("\"code\":\"queue_timeout\"") != std::string::npos);
    QVERIFY(second->response.body.find("max_wait_ms is 300") != std::string::npos);
    QCOMPARE(f.metric("lmfront_queue_depth{model=\"m\"}"), 0.0);
    f.held[0]->finishOldest();
    QCOMPARE(first->response.status, 200);
    QCOMPARE(f.held[0]->calls, 1);  // the expired request was never sent
    QCOMPARE(f.held[0]->held(), std::size_t(0));
    QCOMPARE(f.inflight(), 0u);
  }

  void slotReleasedOnceOnSuccessAndFailure() {
    Fixture f;
    auto ok = f.post(kRandom);
    f.held[0]->finishOldest();
    QCOMPARE(ok->response.status, 200);
    QCOMPARE(f.inflight(), 0u);
    auto failed = f.post(kRandom);
    f.held[0]->finishOldest(Status::invalidArgument("the backend refused the prompt"));
    QCOMPARE(failed->response.status, 400);
    QCOMPARE(f.inflight(), 0u);  // an unsigned count: a second release would wrap around
    // And the slot is really free again: the next request goes straight through.
    auto next = f.post(kRandom);
    QCOMPARE(f.held[0]->calls, 3);
    f.held[0]->finishOldest();
    QCOMPARE(next->response.status, 200);
    QCOMPARE(f.inflight(), 0u);
  }

  void retryReleasesTheFailedAttemptsSlotFirst() {
    Fixture f(fixedOne(), 2, true);
    auto client = f.post(kRandom);
    // Round robin picked b0 first; it fails before any byte: the retry goes to b1.
    QCOMPARE(f.held[0]->calls + f.held[1]->calls, 1);
    const std::size_t firstIndex = f.held[0]->calls == 1 ? 0 : 1;
    const std::size_t other = 1 - firstIndex;
    QCOMPARE(f.inflight(firstIndex), 1u);
    f.held[firstIndex]->finishOldest(Status::unavailable("upstream answered 503"));
    QCOMPARE(f.held[other]->calls, 0);  // the retry waits its backoff on the flow timer
    f.clock.advance(25ms);              // the first retry's backoff is at most base_backoff
    f.service->sweepQueues();
    QCOMPARE(f.held[other]->calls, 1);
    QCOMPARE(f.inflight(firstIndex), 0u);  // released before the retry queued
    QCOMPARE(f.inflight(other), 1u);
    f.held[other]->finishOldest();
    QCOMPARE(client->response.status, 200);
    QCOMPARE(f.inflight(0), 0u);
    QCOMPARE(f.inflight(1), 0u);
  }

  // The pool's RetryPolicy decides, not the request path: a timed-out attempt is not retried
  // (the backend may still be generating) unless the pool says "on_timeout".
  void timeoutIsNotRetriedByDefault() {
    Fixture f(fixedOne(), 2, true);
    auto client = f.post(kRandom);
    const std::size_t firstIndex = f.held[0]->calls == 1 ? 0 : 1;
    f.held[firstIndex]->finishOldest(Status::deadlineExceeded("timeout waiting for the first byte"));
    f.clock.advance(1s);
    f.service->sweepQueues();
    QCOMPARE(f.held[1 - firstIndex]->calls, 0);
    QCOMPARE(client->response.status, 504);
    QCOMPARE(f.inflight(firstIndex), 0u);
  }

  void clientGoneWhileQueuedCancelsItsTicket() {
    Fixture f;
    auto first = f.post(kRandom);
    auto second = f.post(kRandom);
    QCOMPARE(f.flowPtr->waiting(), std::size_t(1));
    second->open = false;
    f.service->sweepQueues();
    QCOMPARE(f.flowPtr->waiting(), std::size_t(0));
    QCOMPARE(f.metric("lmfront_queue_depth{model=\"m\"}"), 0.0);
    QCOMPARE(f.metric("lmfront_requests_total{model=\"m\",backend=\"b0\",code=\"499\"}"), 1.0);
    // Its place is free: a new request queues behind the first instead of being refused.
    auto third = f.post(kRandom);
    QVERIFY(!third->answered());
    f.held[0]->finishOldest();
    f.held[0]->finishOldest();
    QCOMPARE(third->response.status, 200);
    QCOMPARE(f.held[0]->calls, 2);  // the cancelled request never reached the backend
    QCOMPARE(f.inflight(), 0u);
  }

  void clientGoneWhileRunningReleasesOnce() {
    Fixture f;
    auto first = f.post(kRandom);
    first->open = false;
    f.held[0]->finishOldest(Status::cancelled("the client went away"));
    QCOMPARE(f.inflight(), 0u);
    // Granted to a waiter whose client left before the grant: released at once, never sent.
    auto a = f.post(kRandom);
    auto b = f.post(kRandom);
    b->open = false;
    f.held[0]->finishOldest();
    QCOMPARE(a->response.status, 200);
    QCOMPARE(f.held[0]->calls, 2);
    QCOMPARE(f.inflight(), 0u);
  }

  void cacheHitsTakeNoSlot() {
    Fixture f;
    auto miss = f.post(kSeeded);
    f.held[0]->finishOldest();
    QCOMPARE(miss->header("x-lmfront-cache"), std::string("miss"));
    auto busy = f.post(kRandom);     // holds the only slot
    auto waiting = f.post(kRandom);  // fills the queue
    for (int i = 0; i < 3; ++i) {
      auto hit = f.post(kSeeded);
      QCOMPARE(hit->response.status, 200);
      QCOMPARE(hit->header("x-lmfront-cache"), std::string("hit"));
    }
    QCOMPARE(f.inflight(), 1u);
    QCOMPARE(f.flowPtr->waiting(), std::size_t(1));
    QCOMPARE(f.held[0]->calls, 2);
    f.held[0]->finishOldest();
    f.held[0]->finishOldest();
    QCOMPARE(waiting->response.status, 200);
  }

  void aimdLimitComesDownWhenTheBackendSlows() {
    pool::FlowConfig c;
    c.concurrency.algorithm = ratelimit::LimitAlgorithm::Aimd;
    c.concurrency.initialLimit = 10;
    c.concurrency.latencyThreshold = 100ms;
    Fixture f(c);
    for (int i = 0; i < 5; ++i) {  // fast: the limit holds (not used enough to grow)
      auto r = f.post(kRandom);
      f.clock.advance(10ms);
      f.held[0]->finishOldest();
      QCOMPARE(r->response.status, 200);
    }
    QCOMPARE(f.flowPtr->limiter(0).limit(), 10u);
    for (int i = 0; i < 5; ++i) {  // slow: each sample backs off by 0.9
      auto r = f.post(kRandom);
      f.clock.advance(500ms);
      f.held[0]->finishOldest();
    }
    QCOMPARE(f.flowPtr->limiter(0).limit(), 6u);  // 10 × 0.9^5 = 5.9
    QCOMPARE(f.metric("lmfront_backend_concurrency_limit{backend=\"b0\"}"), 6.0);
  }

  void gradientLimitComesDownWhenTheBackendSlows() {
    pool::FlowConfig c;
    c.concurrency = ratelimit::ConcurrencyLimitConfig{};  // the library's: gradient, starting at 20
    Fixture f(c);
    auto round = [&](int concurrent, Clock::Duration latency) {
      std::vector<std::shared_ptr<Client>> clients;
      for (int i = 0; i < concurrent; ++i) clients.push_back(f.post(kRandom));
      f.clock.advance(latency);
      for (int i = 0; i < concurrent; ++i) f.held[0]->finishOldest();
      for (const auto &cl : clients) QCOMPARE(cl->response.status, 200);
    };
    for (int i = 0; i < 20; ++i) round(12, 10ms);
    const uint32_t before = f.flowPtr->limiter(0).limit();
    QVERIFY2(before >= 20, std::to_string(before).c_str());
    for (int i = 0; i < 10; ++i) round(10, 200ms);
    const uint32_t after = f.flowPtr->limiter(0).limit();
    QVERIFY2(after < before / 2, (std::to_string(before) + " -> " + std::to_string(after)).c_str());
    QCOMPARE(f.inflight(), 0u);
  }

  void scoreTakesASlotToo() {
    Fixture f;
    auto busy = f.post(kRandom);
    auto waiting = f.post(R"({"model":"m","text":"the cat"})", "/v1/score");
    QVERIFY(!waiting->answered());
    QCOMPARE(f.held[0]->scores, 0);
    auto refused = f.post(R"({"model":"m","text":"the cat"})", "/v1/score");
    QCOMPARE(refused->response.status, 503);
    QCOMPARE(refused->header("retry-after"), std::string("1"));
    f.held[0]->finishOldest();
    QCOMPARE(f.held[0]->scores, 1);
    QCOMPARE(waiting->response.status, 200);
    QCOMPARE(f.inflight(), 0u);
  }

  // Real threads and the real flow timer: many clients against a slow backend with a small limit
  // and queue. Every request is answered exactly once (200, 503 or 504), nothing stays queued or
  // holds a slot, and only admitted requests reach the backend.
  void everyRequestIsAnsweredOnceUnderConcurrentLoad() {
    observe::MetricsRegistry registry;
    ServiceOptions options;
    options.cacheEnabled = false;
    OpenAiService service(std::move(options), registry, Clock::steady());  // real time: real waits
    Router router;
    QVERIFY(service.addRoutes(router).isOk());
    auto backend = std::make_shared<AsyncBackend>(2ms);
    auto pool = std::make_shared<pool::ModelPool>();
    pool->name = std::string("m");
    pool->backends = {backend};
    pool::FlowConfig c = fixedOne();
    c.concurrency.initialLimit = 2;
    c.queue.maxWaiters = 4;
    c.queue.maxWait = 15ms;
    const auto poolMetrics = pool::registerPoolMetrics(registry).value();
    pool->flow = pool::PoolFlow::create(c, "m", {backend->id()}, &poolMetrics.flow, Clock::steady()).value();
    auto table = std::make_shared<pool::ModelTable>();
    table->pools.emplace("m", pool);
    service.setTable(table);
    constexpr int kThreads = 4, kEach = 40;
    std::vector<std::shared_ptr<Client>> clients;
    std::mutex clientsMutex;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < kEach; ++i) {
          HttpRequest request;
          request.method = "POST";
          request.path = request.target = "/v1/completions";
          request.body = kRandom;
          auto client = std::make_shared<Client>();
          {
            std::lock_guard lock(clientsMutex);
            clients.push_back(client);
          }
          bool known = false;
          (*router.find("POST", "/v1/completions", &known))(std::move(request), client);
          std::this_thread::sleep_for(std::chrono::microseconds(300 * (i % 3)));
        }
      });
    for (auto &t : threads) t.join();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    auto allAnswered = [&] {
      return std::all_of(clients.begin(), clients.end(), [](const auto &cl) { return cl->answered(); });
    };
    while (!allAnswered() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    QVERIFY(allAnswered());
    std::map<int, int> byStatus;
    for (const auto &cl : clients) {
      QCOMPARE(cl->completions.load(), 1);
      ++byStatus[cl->response.status];
    }
    QCOMPARE(byStatus[200] + byStatus[503] + byStatus[504], kThreads * kEach);
    QVERIFY(byStatus[200] > 0);
    QVERIFY(byStatus[503] + byStatus[504] > 0);  // the load really exceeded limit + queue
    QCOMPARE(backend->calls.load(), byStatus[200]);
    QCOMPARE(pool->flow->limiter(0).inflight(), 0u);
    QCOMPARE(pool->flow->waiting(), std::size_t(0));
  }

  void stoppingTheServiceAnswersWaiters() {
    auto f = std::make_unique<Fixture>();
    auto first = f->post(kRandom);
    auto second = f->post(kRandom);
    auto backend = f->held[0];
    f->service.reset();
    QCOMPARE(second->response.status, 503);
    backend->finishOldest();  // the running one still ends normally
    QCOMPARE(first->response.status, 200);
  }
};

QTEST_APPLESS_MAIN(TstPoolFlow)
#include "tst_poolflow.moc"
