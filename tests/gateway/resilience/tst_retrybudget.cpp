// Retry budget (≤ 20 % extra load plus a floor, sliding window) and the retry policy.
#include "gateway/resilience/retrybudget.h"
#include "gateway/resilience/retrypolicy.h"

#include <QTest>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::resilience;
using namespace std::chrono_literals;

class TstRetryBudget : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void retriesStayWithinTwentyPercentPlusTheFloor() {
    ManualClock clock;
    RetryBudgetConfig c;  // 20 %, 3/s over 10 s = a floor of 30
    RetryBudget b(c, clock);
    for (int i = 0; i < 1000; ++i) b.onRequest();
    int allowed = 0;
    for (int i = 0; i < 1000; ++i) allowed += b.tryRetry() ? 1 : 0;
    QCOMPARE(allowed, 230);  // 0.2 × 1000 + 30
    QCOMPARE(b.deniedCount(), uint64_t(770));
  }
  void aQuietPoolStillGetsTheFloor() {
    ManualClock clock;
    RetryBudgetConfig c;
    c.minRetriesPerSecond = 1;
    c.window = 10s;
    RetryBudget b(c, clock);
    int allowed = 0;
    for (int i = 0; i < 50; ++i) allowed += b.tryRetry() ? 1 : 0;
    QCOMPARE(allowed, 10);
  }
  void theWindowSlides() {
    ManualClock clock;
    RetryBudgetConfig c;
    c.retryRatio = 0.2;
    c.minRetriesPerSecond = 0;
    c.window = 10s;
    RetryBudget b(c, clock);
    for (int i = 0; i < 100; ++i) b.onRequest();
    for (int i = 0; i < 20; ++i) QVERIFY(b.tryRetry());
    QVERIFY(!b.tryRetry());
    clock.advance(5s);
    QVERIFY(!b.tryRetry());  // still inside the window
    for (int i = 0; i < 50; ++i) b.onRequest();
    for (int i = 0; i < 10; ++i) QVERIFY(b.tryRetry());  // 150 requests → 30 retries
    QVERIFY(!b.tryRetry());
    clock.advance(6s);  // the first 100 requests and 20 retries have left the window
    QCOMPARE(b.requestsInWindow(), uint64_t(50));
    QCOMPARE(b.retriesInWindow(), uint64_t(10));
    QVERIFY(!b.tryRetry());  // 50 × 0.2 = 10 already used
    clock.advance(10s);
    QCOMPARE(b.requestsInWindow(), uint64_t(0));
  }
  void concurrentUseStaysNearTheBudget() {
    ManualClock clock;
    RetryBudgetConfig c;
    c.minRetriesPerSecond = 0;
    RetryBudget b(c, clock);
    for (int i = 0; i < 10000; ++i) b.onRequest();
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 2000; ++i) allowed += b.tryRetry() ? 1 : 0;
      });
    for (auto &th : threads) th.join();
    QVERIFY(allowed.load() >= 2000 && allowed.load() <= 2004);  // ≤ one extra per concurrent caller
  }
  void policyNeverRetriesAfterTheFirstByte() {
    RetryPolicy p({});
    const RetryDecision d = p.decide(0, AttemptOutcome::ConnectFailure, 1, nullptr);
    QVERIFY(!d.retry);
    QCOMPARE(d.reason, std::string_view("response already started"));
    QVERIFY(p.decide(0, AttemptOutcome::ConnectFailure, 0, nullptr).retry);
  }
  void policyRetriesOnlyWhatMayHelp() {
    RetryPolicyConfig c;
    RetryPolicy p(c);
    QVERIFY(p.decide(0, AttemptOutcome::Http5xx, 0, nullptr).retry);
    QVERIFY(p.decide(0, AttemptOutcome::Http429, 0, nullptr).retry);
    QVERIFY(!p.decide(0, AttemptOutcome::Timeout, 0, nullptr).retry);  // off by default
    QVERIFY(!p.decide(0, AttemptOutcome::Http4xx, 0, nullptr).retry);
    QVERIFY(!p.decide(0, AttemptOutcome::Http5xxOther, 0, nullptr).retry);
    QVERIFY(!p.decide(0, AttemptOutcome::Success, 0, nullptr).retry);
    QVERIFY(p.decide(1, AttemptOutcome::Http5xx, 0, nullptr).retry);
    QCOMPARE(p.decide(2, AttemptOutcome::Http5xx, 0, nullptr).reason, std::string_view("max retries reached"));
    c.retryOnTimeout = true;
    QVERIFY(RetryPolicy(c).decide(0, AttemptOutcome::Timeout, 0, nullptr).retry);
  }
  void policyConsultsTheBudget() {
    ManualClock clock;
    RetryBudgetConfig bc;
    bc.minRetriesPerSecond = 0;
    RetryBudget budget(bc, clock);
    for (int i = 0; i < 10; ++i) budget.onRequest();
    RetryPolicy p({});
    QVERIFY(p.decide(0, AttemptOutcome::ConnectFailure, 0, &budget).retry);
    QVERIFY(p.decide(0, AttemptOutcome::ConnectFailure, 0, &budget).retry);
    const RetryDecision d = p.decide(0, AttemptOutcome::ConnectFailure, 0, &budget);
    QVERIFY(!d.retry);
    QCOMPARE(d.reason, std::string_view("retry budget exhausted"));
  }
  void backoffGrowsWithJitterWithinBounds() {
    RetryPolicyConfig c;
    c.maxRetries = 10;
    c.baseBackoff = 20ms;
    c.maxBackoff = 100ms;
    RetryPolicy p(c);
    for (uint32_t n = 0; n < 6; ++n) {
      const auto ceiling = std::min<Clock::Duration>(100ms, Clock::Duration(20ms) * (1 << n));
      for (int i = 0; i < 50; ++i) {
        const auto b = p.decide(n, AttemptOutcome::Http5xx, 0, nullptr).backoff;
        QVERIFY(b >= ceiling / 2 && b <= ceiling);
      }
    }
  }
};

QTEST_APPLESS_MAIN(TstRetryBudget)
#include "tst_retrybudget.moc"
