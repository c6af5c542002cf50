// Deployments through the one door (ServingState) over real sockets: an OpenAiService on an
// HttpServer at 127.0.0.1:0 serving in-process engine models trained for the test, the door on
// this thread (the test's thread plays the node thread), clients on plain POSIX sockets from
// other threads. Time that matters (the canary guard's window) is a ManualClock.
#include "../support/fakehttp.h"
#include "../support/nodeparts.h"
#include "../support/tinymodel.h"
#include "common/eventsink.h"
#include "gateway/http/httpserver.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/healthprober.h"
#include "gateway/pool/poolbuilder.h"
#include "gateway/upstream/httpclient.h"
#include "node/modelloader.h"
#include "node/servingstate.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

using namespace lmfront;
using namespace lmfront::node;
using namespace lmfront::testing;

namespace {

const char *const kOtherCorpus =
    "a bird flew over the hill\nthe bird sang in the tree\na fox ran under the tree\n"
    "the hill was green and the tree was tall\nthe fox saw the bird and the bird saw the fox\n";

std::string completion(const std::string &prompt, bool seeded = false, const std::string &user = {}) {
  std::string body = R"({"model":"m","prompt":")" + prompt + R"(","max_tokens":4)";
  if (seeded) body += R"(,"seed":7)";
  if (!user.empty()) body += R"(,"user":")" + user + "\"";
  return body + "}";
}

// Requests from `threads` client threads until stopped (bounded: at most `limit` each); every
// answer's status and backend is kept, with the phase (mark()) its request started in.
class Load {
public:
  Load(std::uint16_t port, int threads, int limit = 5000) {
    for (int t = 0; t < threads; ++t)
      m_threads.emplace_back([this, port, t, limit] {
        for (int i = 0; i < limit && !m_stop.load(); ++i) {
          const int phase = m_phase.load();
          const RawReply r = rawRequest(port, "POST", "/v1/completions",
                                        completion("the cat " + std::to_string(t) + "x" + std::to_string(i)));
          std::lock_guard lock(m_mutex);
          m_answers.push_back({r.status, r.header("x-lmfront-backend"), phase});
        }
      });
  }
  ~Load() { stop(); }
  void stop() {
    m_stop = true;
    for (auto &t : m_threads)
      if (t.joinable()) t.join();
  }
  std::size_t count() const {
    std::lock_guard lock(m_mutex);
    return m_answers.size();
  }
  struct Answer {
    int status;
    std::string backend;
    int phase;
  };
  // Requests started from now on belong to the next phase.
  void mark() { ++m_phase; }
  std::vector<Answer> answers() const {
    std::lock_guard lock(m_mutex);
    return m_answers;
  }
  // Waits (pumping this thread's events) until `more` further answers arrived.
  bool waitFor(std::size_t more) {
    const std::size_t target = count() + more;
    for (QDeadlineTimer deadline(20000); !deadline.hasExpired(); QTest::qWait(5))
      if (count() >= target) return true;
    return false;
  }

private:
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_phase{0};
  std::vector<std::thread> m_threads;
  mutable std::mutex m_mutex;
  std::vector<Answer> m_answers;  // GUARDED_BY(m_mutex)
};

}  // namespace

class TstDeployments : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QString m_v1, m_v2;  // two different models
  NodeBasics m_parts;
  ManualClock &m_clock = m_parts.clock;
  observe::MetricsRegistry &m_registry = m_parts.metrics;
  RecordingEventSink &m_events = m_parts.events;
  gateway::upstream::HttpClient &m_http = m_parts.http;
  QThreadPool &m_inference = m_parts.inference;
  QThreadPool m_loader;
  gateway::pool::PoolMetrics m_poolMetrics;
  std::unique_ptr<gateway::openai::OpenAiService> m_service;
  std::unique_ptr<gateway::pool::HealthProber> m_prober;
  std::unique_ptr<gateway::HttpServer> m_server;
  std::unique_ptr<ServingState> m_serving;
  std::uint16_t m_port = 0;

  Status deployAndWait(DeployRequest request) {
    std::optional<Status> result;
    m_serving->deploy(std::move(request), [&](Status s) { result = std::move(s); });
    for (QDeadlineTimer deadline(20000); !result && !deadline.hasExpired(); QTest::qWait(5)) {
    }
    return result.value_or(Status::deadlineExceeded("the deploy did not report back"));
  }
  static DeployRequest request(DeployStrategy strategy, const std::string &version, const QString &path,
                               double percent = 0) {
    DeployRequest r;
    r.model = "m";
    r.version = version;
    r.path = path;
    r.strategy = strategy;
    r.percent = percent;
    return r;
  }
  std::string backendOf(const std::string &body) {
    return rawRequest(m_port, "POST", "/v1/completions", body).header("x-lmfront-backend");
  }
  std::uint64_t metric(const std::string &series) const {
    const std::string text = m_registry.exposition();
    const auto at = text.find(series + ' ');
    return at == std::string::npos ? 0 : std::stoull(text.substr(at + series.size() + 1));
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(m_dir.filePath(u"v2"_qs)));
    m_v1 = trainTinyModel(m_dir.path());
    m_v2 = trainTinyModel(m_dir.filePath(u"v2"_qs), kOtherCorpus);
    QVERIFY(!m_v1.isEmpty() && !m_v2.isEmpty());
    m_loader.setMaxThreadCount(1);
    m_inference.setMaxThreadCount(4);
  }

  // A fresh door serving the first model as "m" (its catalog file: backend engine:m).
  void init() {
    gateway::openai::ServiceOptions options;
    options.flowTimerThread = false;
    m_service = std::make_unique<gateway::openai::OpenAiService>(std::move(options), m_registry, m_clock);
    m_prober = std::make_unique<gateway::pool::HealthProber>(m_http);
    auto router = std::make_shared<gateway::Router>();
    QVERIFY(m_service->addRoutes(*router).isOk());
    m_server = std::make_unique<gateway::HttpServer>(m_clock);
    gateway::HttpServerOptions http;
    http.port = 0;
    http.workers = 2;
    QVERIFY(m_server->start(http, router).isOk());
    m_port = m_server->port();
    auto deployments = gateway::pool::registerDeploymentMetrics(m_registry);
    QVERIFY(deployments.isOk());
    m_serving = std::make_unique<ServingState>(
        ServingState::Parts{
            *m_service, *m_prober, m_clock, m_http, nullptr, {}, m_events, *deployments, &m_loader, &m_inference},
        std::vector<gateway::pool::PoolSpec>{}, 1);
    registry::CatalogEntry entry;
    entry.name = u"m"_qs;
    entry.path = m_v1;
    auto pool = loadEnginePool(entry, &m_inference, nullptr, m_clock);
    QVERIFY(pool.isOk());
    m_serving->modelLoaded(entry, *pool);
    QVERIFY(m_serving->loadingFinished().isOk());
  }
  void cleanup() {
    m_server->stop();
    m_inference.waitForDone();
    m_loader.waitForDone();
    QTest::qWait(0);  // the loader's last posted job
    m_serving.reset();
    m_server.reset();
    m_service.reset();
  }

  void replaceUnderLoadDropsNoRequest() {
    Load load(m_port, 4);
    QVERIFY(load.waitFor(40));
    QVERIFY(deployAndWait(request(DeployStrategy::Replace, "2", m_v2)).isOk());
    load.mark();
    QVERIFY(load.waitFor(40));
    load.stop();
    int after = 0;
    for (const auto &a : load.answers()) {
      QCOMPARE(a.status, 200);
      // Every request started after the swap is answered by the new version.
      if (a.phase == 1) {
        QCOMPARE(a.backend, std::string("engine:m@2"));
        ++after;
      }
    }
    QVERIFY(after > 0);
    const auto info = m_serving->deployments();
    QCOMPARE(info.size(), std::size_t(1));
    QCOMPARE(info[0].stableVersion, std::string("2"));
    QVERIFY(!info[0].previousSha256.empty());  // the old version is kept warm for rollback
  }

  void rollbackUnderLoadServesTheOldVersionAtOnce() {
    QVERIFY(deployAndWait(request(DeployStrategy::Replace, "2", m_v2)).isOk());
    Load load(m_port, 4);
    QVERIFY(load.waitFor(40));
    QElapsedTimer took;
    took.start();
    QVERIFY(m_serving->rollback("m").isOk());
    load.mark();
    // The very next request already goes to the old version: a table swap, no load.
    QCOMPARE(backendOf(completion("after the rollback")), std::string("engine:m"));
    QVERIFY2(took.elapsed() < 1000, qPrintable(QString::number(took.elapsed())));
    QVERIFY(load.waitFor(40));
    load.stop();
    int after = 0;
    for (const auto &a : load.answers()) {
      QCOMPARE(a.status, 200);
      if (a.phase == 1) {
        QCOMPARE(a.backend, std::string("engine:m"));
        ++after;
      }
    }
    QVERIFY(after > 0);
    QCOMPARE(m_serving->rollback("m").code(), StatusCode::FailedPrecondition);  // nothing left to undo
  }

  void canaryTakesItsShareWithinABinomialBound() {
    QVERIFY(deployAndWait(request(DeployStrategy::Canary, "2", m_v2, 20)).isOk());
    constexpr int kRequests = 400;
    int canary = 0;
    for (int i = 0; i < kRequests; ++i) {
      const std::string backend = backendOf(completion("the dog " + std::to_string(i)));
      QVERIFY(backend == "engine:m" || backend == "engine:m@2");
      canary += backend == "engine:m@2";
    }
    // 20 % of 400 = 80, sd = 8: five standard deviations either side.
    QVERIFY2(std::abs(canary - 80) <= 40, qPrintable(QString::number(canary)));
    // Counted just after the answer went out.
    QTRY_COMPARE(metric(R"(lmfront_deployment_requests_total{model="m",variant="canary"})"), std::uint64_t(canary));
    QTRY_COMPARE(metric(R"(lmfront_deployment_requests_total{model="m",variant="stable"})"),
                 std::uint64_t(kRequests - canary));
    QVERIFY(m_serving->promote("m").isOk());
    QCOMPARE(backendOf(completion("promoted")), std::string("engine:m@2"));
    QCOMPARE(m_serving->deployments()[0].stableVersion, std::string("2"));
  }

  void stickyCanaryKeepsAUserOnOneVariant() {
    DeployRequest r = request(DeployStrategy::Canary, "2", m_v2, 30);
    r.sticky = true;
    r.key.kind = gateway::pool::HashKeySource::Kind::User;
    QVERIFY(deployAndWait(std::move(r)).isOk());
    std::map<std::string, int> users;  // user → requests that went to the canary
    for (int u = 0; u < 40; ++u)
      for (int i = 0; i < 5; ++i) {
        const std::string user = "user-" + std::to_string(u);
        users[user] += backendOf(completion("prompt " + std::to_string(i), false, user)) == "engine:m@2";
      }
    int onCanary = 0;
    for (const auto &[user, canary] : users) {
      QVERIFY2(canary == 0 || canary == 5, user.c_str());  // all or nothing
      onCanary += canary == 5;
    }
    QVERIFY2(onCanary > 0 && onCanary < 40, qPrintable(QString::number(onCanary)));
  }

  void shadowAnswersFromStableAndComparesTheShadow() {
    // The shadow is the same artifact loaded again: every deterministic answer must agree.
    DeployRequest same = request(DeployStrategy::Shadow, "1b", m_v1, 50);
    QVERIFY(deployAndWait(std::move(same)).isOk());
    for (int i = 0; i < 60; ++i) QCOMPARE(backendOf(completion("the cat " + std::to_string(i), true)), "engine:m");
    const auto shadowed = R"(lmfront_deployment_requests_total{model="m",variant="shadow"})";
    QTRY_VERIFY(metric(shadowed) > 0 && metric(R"(lmfront_shadow_requests_total{model="m"})") == metric(shadowed));
    QVERIFY(metric(shadowed) < 60);  // a share, not all
    QTRY_COMPARE(metric(R"(lmfront_shadow_agreement_total{model="m"})"),
                 metric(R"(lmfront_shadow_requests_total{model="m"})"));
    QVERIFY(m_serving->rollback("m").isOk());

    // A different model as the shadow: the client still hears only the stable version, and the
    // comparison notices the shadow answers differently.
    const std::uint64_t before = metric(R"(lmfront_shadow_requests_total{model="m"})");
    const std::uint64_t agreedBefore = metric(R"(lmfront_shadow_agreement_total{model="m"})");
    QVERIFY(deployAndWait(request(DeployStrategy::Shadow, "2", m_v2, 100)).isOk());
    for (int i = 0; i < 20; ++i) QCOMPARE(backendOf(completion("the dog " + std::to_string(i), true)), "engine:m");
    QTRY_COMPARE(metric(R"(lmfront_shadow_requests_total{model="m"})"), before + 20);
    QVERIFY(metric(R"(lmfront_shadow_agreement_total{model="m"})") - agreedBefore < 20);
  }

  void aFailingCanaryRollsItselfBack() {
    // A URL backend on a port nothing listens on: every request the canary takes fails.
    std::uint16_t deadPort = 0;
    const int fd = listenOnLoopback(deadPort);
    QVERIFY(fd >= 0);
    ::close(fd);
    auto specs = gateway::pool::parsePools(
        QJsonDocument::fromJson(
            uR"({"m":{"backends":[{"url":"http://127.0.0.1:%1"}],"retry":{"max_attempts":1}}})"_qs.arg(deadPort)
                .toUtf8())
            .object());
    QVERIFY(specs.isOk());
    auto table = gateway::pool::buildModelTable({}, *specs, m_clock, m_http, nullptr);
    QVERIFY(table.isOk());
    DeployRequest r = request(DeployStrategy::Canary, "3", {}, 50);
    r.pool = (*table)->pools.at("m");
    r.limits.maxErrorRate = 0.5;
    r.limits.minRequests = 20;
    std::vector<CanaryBreach> breaches;
    m_serving->setCanaryBreachHandler([&](const CanaryBreach &b) { breaches.push_back(b); });
    QVERIFY(deployAndWait(std::move(r)).isOk());

    const auto canarySeries = R"(lmfront_deployment_requests_total{model="m",variant="canary"})";
    const std::uint64_t canaryBefore = metric(canarySeries);  // earlier tests' canaries
    int failed = 0;
    for (int i = 0; i < 10; ++i) failed += rawRequest(m_port, "POST", "/v1/completions", completion("x")).status != 200;
    m_clock.advance(std::chrono::seconds(1));
    m_serving->evaluateCanaries();
    QVERIFY(breaches.empty());  // fewer than min_requests: no verdict yet
    for (int i = 0; i < 60; ++i) failed += rawRequest(m_port, "POST", "/v1/completions", completion("x")).status != 200;
    QVERIFY(failed >= 20);
    // Every failure is the canary's (the stable version answers); counted just after the answer.
    QTRY_COMPARE(metric(canarySeries), canaryBefore + std::uint64_t(failed));
    m_clock.advance(std::chrono::seconds(1));
    m_serving->evaluateCanaries();

    QCOMPARE(breaches.size(), std::size_t(1));
    const CanaryBreach &b = breaches[0];
    QCOMPARE(b.model, std::string("m"));
    QCOMPARE(b.version, std::string("3"));
    QCOMPARE(b.limit, std::string("max_error_rate"));
    QCOMPARE(b.limitValue, 0.5);
    QCOMPARE(b.measured, 1.0);
    QCOMPARE(b.measures.requests, std::uint64_t(failed));
    QCOMPARE(metric(R"(lmfront_canary_rollbacks_total{model="m"})"), std::uint64_t(1));
    QVERIFY(!m_serving->deployments()[0].variant);
    for (int i = 0; i < 20; ++i) QCOMPARE(rawRequest(m_port, "POST", "/v1/completions", completion("y")).status, 200);
    bool heard = false;
    for (const auto &e : m_events.events())
      heard |= e.component == "deploy" && e.level == EventLevel::Warning && e.field("limit") &&
               *e.field("limit") == "max_error_rate";
    QVERIFY(heard);
  }

  void twoDeploysOfOneModelSerialise() {
    std::optional<Status> first, second;
    m_serving->deploy(request(DeployStrategy::Replace, "2", m_v2), [&](Status s) { first = s; });
    m_serving->deploy(request(DeployStrategy::Replace, "3", m_v1), [&](Status s) { second = s; });
    QVERIFY(second.has_value());  // refused at once, while the first loads
    QCOMPARE(second->code(), StatusCode::FailedPrecondition);
    QVERIFY2(second->message().find("version 2") != std::string::npos, second->message().c_str());
    QTRY_VERIFY_WITH_TIMEOUT(first.has_value(), 20000);
    QVERIFY(first->isOk());
    QCOMPARE(backendOf(completion("now")), std::string("engine:m@2"));
    // Once the first has finished, the next one goes through.
    QVERIFY(deployAndWait(request(DeployStrategy::Replace, "3", m_v1)).isOk());
    QCOMPARE(backendOf(completion("later")), std::string("engine:m@3"));
  }

  void aVersionThatFailsToLoadChangesNothing() {
    const Status failed = deployAndWait(request(DeployStrategy::Replace, "9", m_dir.filePath(u"missing.arpa"_qs)));
    QVERIFY(!failed.isOk());
    QVERIFY2(failed.message().find("missing.arpa") != std::string::npos, failed.message().c_str());
    QCOMPARE(backendOf(completion("unchanged")), std::string("engine:m"));
    QVERIFY(m_serving->deployments().empty());
    QVERIFY(deployAndWait(request(DeployStrategy::Replace, "2", m_v2)).isOk());  // not stuck "in progress"
  }

  void rollbackCancelsADeployStillLoading() {
    std::optional<Status> loading;
    m_serving->deploy(request(DeployStrategy::Replace, "2", m_v2), [&](Status s) { loading = s; });
    QVERIFY(m_serving->rollback("m").isOk());
    QTRY_VERIFY_WITH_TIMEOUT(loading.has_value(), 20000);
    QCOMPARE(loading->code(), StatusCode::Cancelled);
    QCOMPARE(backendOf(completion("still")), std::string("engine:m"));
  }

  void aDeployOverTheMemoryBudgetIsRefusedNamingTheSizes() {
    const std::uint64_t held = m_serving->loadedModelBytes();
    QVERIFY(held > 0);
    m_serving->setModelMemoryBudget(held + 1);
    const Status refused = deployAndWait(request(DeployStrategy::Replace, "2", m_v2));
    QCOMPARE(refused.code(), StatusCode::FailedPrecondition);
    for (const std::string &part : {std::string("model 'm' version 2 needs "), std::to_string(held) + " of the node",
                                    std::to_string(held + 1) + " bytes (engine.memory_budget_bytes)"})
      QVERIFY2(refused.message().find(part) != std::string::npos, refused.message().c_str());
    QCOMPARE(backendOf(completion("unchanged")), std::string("engine:m"));
    QVERIFY(m_serving->deployments().empty());
    QCOMPARE(m_serving->loadedModelBytes(), held);
    // Room for both versions (the old one stays loaded for rollback): the same deploy goes through.
    m_serving->setModelMemoryBudget(held * 4);
    QVERIFY(deployAndWait(request(DeployStrategy::Replace, "2", m_v2)).isOk());
    QCOMPARE(backendOf(completion("after")), std::string("engine:m@2"));
    QVERIFY(m_serving->loadedModelBytes() > held);
  }

  void aCatalogModelOverTheMemoryBudgetIsReportedFailed() {
    const std::uint64_t held = m_serving->loadedModelBytes();
    m_serving->setModelMemoryBudget(held);  // full
    registry::CatalogEntry other;
    other.name = u"other"_qs;
    other.path = m_v2;
    auto pool = loadEnginePool(other, &m_inference, nullptr, m_clock);
    QVERIFY(pool.isOk());
    m_serving->modelLoaded(other, *pool);
    const auto report = m_serving->report();
    QCOMPARE(report->failed.size(), std::size_t{1});
    QCOMPARE(report->failed[0].model, std::string("other"));
    QVERIFY2(report->failed[0].reason.find("(engine.memory_budget_bytes)") != std::string::npos,
             report->failed[0].reason.c_str());
    QCOMPARE(m_serving->loadedModelBytes(), held);
    QCOMPARE(backendOf(R"({"model":"other","prompt":"a","max_tokens":2})"), std::string());  // not served
    QCOMPARE(backendOf(completion("still")), std::string("engine:m"));
  }
};

QTEST_GUILESS_MAIN(TstDeployments)
#include "tst_deployments.moc"
