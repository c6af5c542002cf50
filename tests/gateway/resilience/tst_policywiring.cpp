// The policies wired the way the request path is meant to use them (docs/gateway-policies.md):
// outlier ejection and active health checks drive Balancer::setHealthy, failed attempts are
// retried on another backend under the budget, never after the first byte, and rate limits are
// settled with the real token count.
#include "gateway/ratelimit/ratelimiter.h"
#include "gateway/resilience/circuitbreaker.h"
#include "gateway/resilience/healthstate.h"
#include "gateway/resilience/outlierdetector.h"
#include "gateway/resilience/retrypolicy.h"
#include "gateway/routing/balancer.h"

#include <QTest>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace std::chrono_literals;

namespace {

// A pool as the lead would hold it: one balancer, one detector, per-backend health and breaker.
struct Pool {
  explicit Pool(const Clock &clock) : m_clock(clock) {
    routing::BalancerConfig bc;
    bc.kind = routing::BalancerKind::RoundRobin;
    balancer = std::move(routing::makeBalancer(bc, {{"a", 1, true}, {"b", 1, true}, {"c", 1, true}}, clock)).value();
    resilience::OutlierDetectorConfig oc;
    oc.maxEjectionPercent = 50;
    outliers = std::make_unique<resilience::OutlierDetector>(3, oc, clock, [this](size_t i, bool) { refresh(i); });
    resilience::HealthCheckConfig hc;
    hc.interval = 5s;
    hc.timeout = 1s;
    for (int i = 0; i < 3; ++i) {
      health.push_back(std::make_unique<resilience::HealthState>(hc, clock));
      breakers.push_back(std::make_unique<resilience::CircuitBreaker>(resilience::CircuitBreakerConfig{}, clock));
    }
  }
  // In rotation = passing active checks and not ejected.
  void refresh(size_t i) { balancer->setHealthy(i, health[i]->healthy() && !outliers->isEjected(i)); }
  void probe(size_t i, bool ok) {
    if (health[i]->record(ok)) refresh(i);
  }

  // One client request: pick, try, record; retry elsewhere while the policy allows.
  // `fails(i)` says whether backend i fails; `bytesBeforeFailure` simulates a stream cut midway.
  std::pair<bool, std::vector<size_t>> serve(const std::function<bool(size_t)> &fails,
                                             uint64_t bytesBeforeFailure = 0) {
    std::vector<size_t> tried;
    budget.onRequest();
    for (uint32_t retries = 0;; ++retries) {
      auto picked = balancer->pick();
      if (!picked) return {false, tried};
      const size_t i = *picked;
      tried.push_back(i);
      if (!breakers[i]->allow()) continue;
      balancer->onStart(i);
      const bool failed = fails(i);
      balancer->onFinish(i, 5ms, !failed);
      if (!failed) {
        breakers[i]->onSuccess();
        outliers->record(i, resilience::Observation::Success);
        return {true, tried};
      }
      breakers[i]->onFailure();
      outliers->record(i, resilience::Observation::GatewayFailure);
      const auto d =
          retryPolicy.decide(retries, resilience::AttemptOutcome::ConnectFailure, bytesBeforeFailure, &budget);
      if (!d.retry) return {false, tried};
    }
  }

  const Clock &m_clock;
  std::unique_ptr<routing::Balancer> balancer;
  std::unique_ptr<resilience::OutlierDetector> outliers;
  std::vector<std::unique_ptr<resilience::HealthState>> health;
  std::vector<std::unique_ptr<resilience::CircuitBreaker>> breakers;
  resilience::RetryBudget budget{resilience::RetryBudgetConfig{}, m_clock};
  resilience::RetryPolicy retryPolicy{resilience::RetryPolicyConfig{}};
};

}  // namespace

class TstPolicyWiring : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void aDeadBackendIsRetriedAroundThenEjectedThenReadmitted() {
    ManualClock clock;
    Pool pool(clock);
    auto bDown = [](size_t i) { return i == 1; };
    int ok = 0;
    for (int r = 0; r < 30; ++r) ok += pool.serve(bDown).first ? 1 : 0;
    QCOMPARE(ok, 30);  // every request landing on b was retried on another backend
    QVERIFY(pool.outliers->isEjected(1));
    QVERIFY(!pool.balancer->isHealthy(1));
    for (int r = 0; r < 30; ++r) {
      auto [served, tried] = pool.serve(bDown);
      QVERIFY(served);
      QCOMPARE(tried.size(), size_t(1));  // b is out of rotation: no wasted attempt
      QVERIFY(tried[0] != 1);
    }
    clock.advance(30s);
    pool.outliers->tick();
    QVERIFY(pool.balancer->isHealthy(1));  // back after the ejection time
  }
  void activeChecksAndEjectionBothGateRotation() {
    ManualClock clock;
    Pool pool(clock);
    for (int k = 0; k < 3; ++k) pool.probe(2, false);
    QVERIFY(!pool.balancer->isHealthy(2));
    pool.probe(2, true);
    pool.probe(2, true);
    QVERIFY(pool.balancer->isHealthy(2));
  }
  void aStreamCutAfterTheFirstByteIsNotRetried() {
    ManualClock clock;
    Pool pool(clock);
    auto [served, tried] = pool.serve([](size_t) { return true; }, 128);
    QVERIFY(!served);
    QCOMPARE(tried.size(), size_t(1));
  }
  void tokenEstimateSettledAfterTheAnswer() {
    ManualClock clock;
    ratelimit::LocalRateLimiterConfig rpmC, tpmC;
    rpmC.bucket.limit = 100;
    tpmC.bucket.limit = 10000;
    ratelimit::LocalRateLimiter rpm(rpmC, clock), tpm(tpmC, clock);
    const int64_t estimate = 4000;  // prompt + max_tokens
    QVERIFY(ratelimit::acquireAll({{&rpm, "key", 1}, {&tpm, "key", estimate}}).allowed);
    QVERIFY(ratelimit::acquireAll({{&rpm, "key", 1}, {&tpm, "key", estimate}}).allowed);
    const auto denied = ratelimit::acquireAll({{&rpm, "key", 1}, {&tpm, "key", estimate}});
    QVERIFY(!denied.allowed);
    QCOMPARE(ratelimit::retryAfterSeconds(denied.retryAfter), int64_t(12));  // 2000 tokens at 6 ms
    tpm.adjust("key", 900 - estimate);                                       // the first answer used 900 tokens
    tpm.adjust("key", 1200 - estimate);
    QVERIFY(ratelimit::acquireAll({{&rpm, "key", 1}, {&tpm, "key", estimate}}).allowed);
    QCOMPARE(rpm.available("key"), int64_t(97));
  }
};

QTEST_APPLESS_MAIN(TstPolicyWiring)
#include "tst_policywiring.moc"
