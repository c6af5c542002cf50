// The "pools" section: strict validation naming the key path, and the table it builds (engine
// pools replaced by a configured pool of the same name, URL backends, backups, resilience state).
#include "gateway/pool/poolbuilder.h"

#include <QJsonDocument>
#include <QtTest>

using namespace lmfront;
using namespace lmfront::gateway::pool;

namespace {
// JSON written with single quotes (moc 6.4 loses a class whose body holds JSON raw strings).
QJsonObject json(const char *text) { return QJsonDocument::fromJson(QByteArray(text).replace('\'', '"')).object(); }

std::string errorOf(const char *text) {
  auto pools = parsePools(json(text));
  return pools.isOk() ? std::string("ok") : pools.status().message();
}

// A stand-in engine backend: the table builder only needs its id.
class FakeBackend final : public gateway::openai::Backend {
public:
  explicit FakeBackend(std::string id) : m_id(std::move(id)) {}
  const std::string &id() const override { return m_id; }
  void generate(const gateway::openai::CompletionRequest &, std::shared_ptr<gateway::openai::GenerationSink>) override {
  }
  void score(const gateway::openai::ScoreRequest &,
             std::function<void(Result<gateway::openai::ScoreResult>)>) override {}

private:
  std::string m_id;
};

gateway::pool::ModelTable engines() {
  gateway::pool::ModelTable t;
  auto pool = std::make_shared<gateway::pool::ModelPool>();
  pool->name = "english";
  pool->version = "sha-english";
  pool->backends.push_back(std::make_shared<FakeBackend>("engine:english"));
  t.pools["english"] = pool;
  return t;
}
}  // namespace

class TstPoolSpec : public QObject {
  Q_OBJECT
  ManualClock m_clock;
  gateway::upstream::HttpClient m_http{1};  // URL backends are built, never sent through
private Q_SLOTS:
  void validPools() {
    auto pools =
        parsePools(json("{'english':{'balancer':'consistent_hash','hash_key':'header:X-User',"
                        "'backends':[{'engine':'english'},{'url':'http:/"
                        "/127.0.0.1:9001','model':'en',"
                        "'weight':2,'kind':'lmfront'}],'backup':'spare',"
                        "'breaker':{'consecutive_failures':2,'cool_down_ms':500},'retry':{'max_attempts':2},"
                        "'health_check':{'path':'/health','interval_ms':1000,'timeout_ms':100},"
                        "'timeouts':{'connect_ms':300}},"
                        "'spare':{'backends':[{'url':'http:/"
                        "/127.0.0.1:9002'}]}}"));
    QVERIFY2(pools.isOk(), pools.status().message().c_str());
    QCOMPARE(pools->size(), std::size_t{2});
    const PoolSpec &p = pools->front();
    QCOMPARE(p.name, std::string("english"));
    QVERIFY(p.hashKey.kind == gateway::pool::HashKeySource::Kind::Header);
    QCOMPARE(p.hashKey.header, std::string("x-user"));
    QCOMPARE(p.backends[1].weight, 2u);
    QCOMPARE(p.resilience.breaker.consecutiveFailures, 2u);
    QCOMPARE(p.resilience.retry.maxRetries, 1u);
    QVERIFY(p.resilience.healthChecks);
    QCOMPARE(p.resilience.healthPath, std::string("/health"));
    QCOMPARE(p.timeouts.connect.count(), 300);

    auto table = buildModelTable(engines(), *pools, m_clock, m_http, nullptr);
    QVERIFY2(table.isOk(), table.status().message().c_str());
    const auto *english = (*table)->find("english");
    QVERIFY(english);
    QCOMPARE(english->backends.size(), std::size_t{2});  // the configured pool replaced the engine's
    QCOMPARE(english->backends[0]->id(), std::string("engine:english"));
    QCOMPARE(english->backends[1]->id(), std::string("http://127.0.0.1:9001"));
    QCOMPARE(english->backupPool, std::string("spare"));
    QVERIFY(english->resilience && english->balancer);
    QVERIFY(english->version != "sha-english");  // a mixed pool gets its own cache space
    QVERIFY((*table)->find("spare"));
  }

  void errorsNameTheKey_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown pool key") << "{'a':{'backends':[{'engine':'x'}],'balancr':'random'}}"
                                      << "pools.a: unknown key 'balancr'";
    QTest::newRow("unknown backend key") << "{'a':{'backends':[{'engine':'x','wieght':1}]}}"
                                         << "pools.a.backends[0]: unknown key 'wieght'";
    QTest::newRow("both engine and url") << "{'a':{'backends':[{'engine':'x','url':'http:/"
                                            "/h"
                                            "'}]}}"
                                         << "exactly one of 'engine' or 'url'";
    QTest::newRow("weight type") << "{'a':{'backends':[{'engine':'x','weight':'2'}]}}"
                                 << "pools.a.backends[0].weight";
    QTest::newRow("weight range") << "{'a':{'backends':[{'engine':'x','weight':0}]}}"
                                  << "pools.a.backends[0].weight";
    QTest::newRow("no backends") << "{'a':{'backends':[]}}"
                                 << "pools.a.backends: must be a non-empty array";
    QTest::newRow("bad balancer") << "{'a':{'backends':[{'engine':'x'}],'balancer':'fastest'}}"
                                  << "pools.a.balancer";
    QTest::newRow("bad hash key") << "{'a':{'backends':[{'engine':'x'}],'hash_key':'cookie'}}"
                                  << "pools.a.hash_key";
    QTest::newRow("scheme") << "{'a':{'backends':[{'url':'ftp:/"
                               "/h"
                               "'}]}}"
                            << "pools.a.backends[0].url: url 'ftp:/"
                               "/h': only http:/"
                               "/ and https:/"
                               "/ are supported";
    QTest::newRow("ca_file on http") << "{'a':{'backends':[{'url':'http:/"
                                        "/h','ca_file':'/ca.pem'}]}}"
                                     << "pools.a.backends[0].ca_file: applies to https:/"
                                        "/ URLs only";
    QTest::newRow("ca_file on engine") << "{'a':{'backends':[{'engine':'x','ca_file':'/ca.pem'}]}}"
                                       << "'ca_file' apply to 'url' backends only";
    QTest::newRow("breaker key") << "{'a':{'backends':[{'engine':'x'}],'breaker':{'cooldown':1}}}"
                                 << "pools.a.breaker: unknown key 'cooldown'";
    QTest::newRow("ratio") << "{'a':{'backends':[{'engine':'x'}],'breaker':{'failure_ratio':2}}}"
                           << "pools.a.breaker.failure_ratio";
    QTest::newRow("attempts") << "{'a':{'backends':[{'engine':'x'}],'retry':{'max_attempts':0}}}"
                              << "pools.a.retry.max_attempts";
    QTest::newRow("health path") << "{'a':{'backends':[{'engine':'x'}],'health_check':{'path':'healthz'}}}"
                                 << "pools.a.health_check.path";
    QTest::newRow("timeout zero") << "{'a':{'backends':[{'engine':'x'}],'timeouts':{'idle_ms':0}}}"
                                  << "pools.a.timeouts.idle_ms";
    QTest::newRow("backup itself") << "{'a':{'backends':[{'engine':'x'}],'backup':'a'}}"
                                   << "pools.a.backup";
    QTest::newRow("model on engine") << "{'a':{'backends':[{'engine':'x','model':'y'}]}}"
                                     << "apply to 'url' backends only";
    QTest::newRow("flow algorithm") << u"{'a':{'backends':[{'engine':'english'}],'concurrency':{'algorithm':'x'}}}"_qs
                                    << u"pools.a.concurrency.algorithm: must be gradient, aimd or fixed"_qs;
    QTest::newRow("flow tolerance") << u"{'a':{'backends':[{'engine':'english'}],'concurrency':{'tolerance':0.5}}}"_qs
                                    << u"pools.a.concurrency: tolerance must be in [1, 10]"_qs;
    QTest::newRow("flow backoff") << u"{'a':{'backends':[{'engine':'english'}],'concurrency':{'backoff_ratio':1}}}"_qs
                                  << u"pools.a.concurrency: backoff_ratio"_qs;
    QTest::newRow("flow limits") << u"{'a':{'backends':[{'engine':'english'}],'concurrency':{'max_limit':0}}}"_qs
                                 << u"pools.a.concurrency.max_limit"_qs;
    QTest::newRow("queue wait") << u"{'a':{'backends':[{'engine':'english'}],'queue':{'max_wait_ms':0}}}"_qs
                                << u"pools.a.queue.max_wait_ms: must be > 0"_qs;
    QTest::newRow("queue key") << u"{'a':{'backends':[{'engine':'english'}],'queue':{'depth':1}}}"_qs
                               << u"pools.a.queue: unknown key 'depth'"_qs;
  }
  void errorsNameTheKey() {
    QFETCH(QString, config);
    QFETCH(QString, expected);
    const std::string error = errorOf(config.toUtf8().constData());
    QVERIFY2(error.find(expected.toStdString()) != std::string::npos, error.c_str());
  }

  void anHttpsBackendsCaFileIsReadWhenItsPoolIsBuilt() {
    auto specs =
        parsePools(json("{'a':{'backends':[{'url':'https:/"
                        "/127.0.0.1:9443','ca_file':'/nonexistent/ca.pem'}]}}"));
    QVERIFY2(specs.isOk(), specs.status().message().c_str());
    QCOMPARE(specs->front().backends.front().caFile, std::string("/nonexistent/ca.pem"));
    auto table = buildModelTable(engines(), *specs, m_clock, m_http, nullptr);
    QVERIFY(!table.isOk());
    const std::string error = table.status().message();
    QVERIFY2(error.find("pools.a.backends[0]") != std::string::npos, error.c_str());
    QVERIFY2(error.find("/nonexistent/ca.pem") != std::string::npos, error.c_str());
    // Without a CA file the system's CAs verify it: the pool builds.
    auto system =
        parsePools(json("{'a':{'backends':[{'url':'https:/"
                        "/127.0.0.1:9443'}]}}"));
    QVERIFY(system.isOk());
    auto built = buildModelTable(engines(), *system, m_clock, m_http, nullptr);
    QVERIFY2(built.isOk(), built.status().message().c_str());
    QCOMPARE((*built)->pools["a"]->backends.front()->id(), std::string("https://127.0.0.1:9443"));
  }

  void unchangedPoolsKeepTheirState() {
    auto specs =
        parsePools(json("{'a':{'backends':[{'url':'http:/"
                        "/127.0.0.1:9001'}]},"
                        "'b':{'backends':[{'engine':'english'}]}}"));
    QVERIFY(specs.isOk());
    auto first = buildModelTable(engines(), *specs, m_clock, m_http, nullptr);
    QVERIFY(first.isOk());
    auto again = buildModelTable(engines(), *specs, m_clock, m_http, nullptr, first->get());
    QVERIFY(again.isOk());
    QCOMPARE((*again)->pools["a"].get(), (*first)->pools["a"].get());  // same object: same breakers
    QCOMPARE((*again)->pools["b"].get(), (*first)->pools["b"].get());
    auto changed =
        parsePools(json("{'a':{'backends':[{'url':'http:/"
                        "/127.0.0.1:9002'}]},"
                        "'b':{'backends':[{'engine':'english'}]}}"));
    QVERIFY(changed.isOk());
    auto third = buildModelTable(engines(), *changed, m_clock, m_http, nullptr, again->get());
    QVERIFY(third.isOk());
    QVERIFY((*third)->pools["a"].get() != (*again)->pools["a"].get());
    QCOMPARE((*third)->pools["b"].get(), (*again)->pools["b"].get());
    // A new version of an engine rebuilds the pools that use it.
    auto newer = engines();
    auto pool = std::make_shared<gateway::pool::ModelPool>(*newer.pools["english"]);
    pool->version = "sha-english-2";
    newer.pools["english"] = pool;
    auto fourth = buildModelTable(newer, *changed, m_clock, m_http, nullptr, third->get());
    QVERIFY(fourth.isOk());
    QVERIFY((*fourth)->pools["b"].get() != (*third)->pools["b"].get());
    QCOMPARE((*fourth)->pools["a"].get(), (*third)->pools["a"].get());
  }

  void flowKeysMapToTheConfig() {
    using gateway::ratelimit::LimitAlgorithm;
    auto specs = parsePools(
        json("{'plain':{'backends':[{'engine':'english'}]},"
             "'tuned':{'backends':[{'engine':'english'},{'url':'http:/"
             "/127.0.0.1:9001'}],"
             "'concurrency':{'algorithm':'aimd','initial_limit':8,'min_limit':2,'max_limit':50,'backoff_ratio':0.75,"
             "'latency_threshold_ms':250,'tolerance':2,'long_window':100,'queue_size':3,'smoothing':0.5},"
             "'queue':{'max_waiters':5,'max_wait_ms':1500}},"
             "'big':{'backends':[{'engine':'english'}],'concurrency':{'algorithm':'fixed','initial_limit':2000}},"
             "'adaptive':{'backends':[{'engine':'english'}],'concurrency':{'algorithm':'gradient'}}}"));
    QVERIFY2(specs.isOk(), specs.status().message().c_str());
    std::map<std::string, gateway::pool::FlowConfig> flows;
    for (const auto &spec : *specs) flows[spec.name] = spec.flow;
    const auto &plain = flows["plain"];  // the pool default: fixed and generous
    QVERIFY(plain.concurrency.algorithm == LimitAlgorithm::Fixed);
    QCOMPARE(plain.concurrency.initialLimit, 1000u);
    QCOMPARE(plain.concurrency.maxLimit, 1000u);
    QCOMPARE(plain.queue.maxWaiters, 64u);
    QVERIFY(plain.queue.maxWait == std::chrono::seconds(30));
    const auto &t = flows["tuned"];
    QVERIFY(t.concurrency.algorithm == LimitAlgorithm::Aimd);
    QCOMPARE(t.concurrency.initialLimit, 8u);
    QCOMPARE(t.concurrency.minLimit, 2u);
    QCOMPARE(t.concurrency.maxLimit, 50u);
    QCOMPARE(t.concurrency.backoffRatio, 0.75);
    QVERIFY(t.concurrency.latencyThreshold == std::chrono::milliseconds(250));
    QCOMPARE(t.concurrency.tolerance, 2.0);
    QCOMPARE(t.concurrency.longWindow, 100u);
    QCOMPARE(t.concurrency.queueSize, 3u);
    QCOMPARE(t.concurrency.smoothing, 0.5);
    QCOMPARE(t.queue.maxWaiters, 5u);
    QVERIFY(t.queue.maxWait == std::chrono::milliseconds(1500));
    QCOMPARE(flows["big"].concurrency.maxLimit, 2000u);  // initial_limit alone widens the bounds
    const auto &adaptive = flows["adaptive"];            // an adaptive algorithm starts from the library's
    QVERIFY(adaptive.concurrency.algorithm == LimitAlgorithm::Gradient);
    QCOMPARE(adaptive.concurrency.initialLimit, 20u);
    QCOMPARE(adaptive.concurrency.minLimit, 1u);
    QCOMPARE(adaptive.concurrency.maxLimit, 1000u);
    // The built pool has a limiter and a queue per backend, kept when the pool is unchanged.
    auto table = buildModelTable(engines(), *specs, m_clock, m_http, nullptr);
    QVERIFY2(table.isOk(), table.status().message().c_str());
    const auto &tuned = (*table)->pools["tuned"];
    QVERIFY(tuned->flow);
    QCOMPARE(tuned->flow->size(), std::size_t{2});
    QCOMPARE(tuned->flow->limiter(1).limit(), 8u);
    auto again = buildModelTable(engines(), *specs, m_clock, m_http, nullptr, table->get());
    QVERIFY(again.isOk());
    QCOMPARE((*again)->pools["tuned"]->flow.get(), tuned->flow.get());
  }

  void tableErrors() {
    auto unknownEngine = parsePools(json("{'a':{'backends':[{'engine':'french'}]}}"));
    QVERIFY(unknownEngine.isOk());
    auto t1 = buildModelTable(engines(), *unknownEngine, m_clock, m_http, nullptr);
    QVERIFY(!t1.isOk());
    QVERIFY2(t1.status().message().find("pools.a.backends[0].engine: no loaded model 'french'") != std::string::npos,
             t1.status().message().c_str());
    auto missingBackup = parsePools(json("{'a':{'backends':[{'engine':'english'}],'backup':'nowhere'}}"));
    QVERIFY(missingBackup.isOk());
    QVERIFY(!buildModelTable(engines(), *missingBackup, m_clock, m_http, nullptr).isOk());
    auto duplicate = parsePools(json("{'a':{'backends':[{'engine':'english'},{'engine':'english'}]}}"));
    QVERIFY(duplicate.isOk());
    auto t3 = buildModelTable(engines(), *duplicate, m_clock, m_http, nullptr);
    QVERIFY(!t3.isOk());
    QVERIFY(t3.status().message().find("duplicates") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TstPoolSpec)
#include "tst_poolspec.moc"
