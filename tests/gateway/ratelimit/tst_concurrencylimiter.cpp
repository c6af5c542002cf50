// Adaptive concurrency limits: the limit shrinks when latency rises and grows back after.
#include "gateway/ratelimit/concurrencylimiter.h"

#include <QTest>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::ratelimit;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ConcurrencyLimiter> make(LimitAlgorithm algorithm, uint32_t initial) {
  ConcurrencyLimitConfig c;
  c.algorithm = algorithm;
  c.initialLimit = initial;
  c.maxLimit = 200;
  c.latencyThreshold = 50ms;
  auto r = ConcurrencyLimiter::create(c);
  if (!r) qFatal("%s", r.status().toString().c_str());
  return std::move(r).value();
}

// Saturates the limiter (every slot taken, as under load), then completes them all with `latency`.
void roundAtLatency(ConcurrencyLimiter &l, Clock::Duration latency, Outcome outcome = Outcome::Success) {
  uint32_t taken = 0;
  while (l.tryAcquire()) ++taken;
  for (uint32_t i = 0; i < taken; ++i) l.release(latency, outcome);
}

}  // namespace

class TstConcurrencyLimiter : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void neverAdmitsBeyondTheLimit() {
    auto l = make(LimitAlgorithm::Fixed, 3);
    QVERIFY(l->tryAcquire());
    QVERIFY(l->tryAcquire());
    QVERIFY(l->tryAcquire());
    QVERIFY(!l->tryAcquire());
    QCOMPARE(l->inflight(), 3u);
    l->release(1ms, Outcome::Success);
    QVERIFY(l->tryAcquire());
    for (int i = 0; i < 100; ++i) roundAtLatency(*l, 10s, Outcome::Dropped);
    QCOMPARE(l->limit(), 3u);  // fixed never moves
  }
  void gradientShrinksWhenLatencyRisesAndGrowsBack() {
    auto l = make(LimitAlgorithm::Gradient, 20);
    for (int i = 0; i < 20; ++i) roundAtLatency(*l, 10ms);
    const uint32_t healthy = l->limit();
    QVERIFY2(healthy > 40, qPrintable(QString::number(healthy)));  // steady latency: it probes upwards

    for (int i = 0; i < 10; ++i) roundAtLatency(*l, 100ms);  // the backend slows down 10×
    const uint32_t slow = l->limit();
    QVERIFY2(slow < healthy / 2, qPrintable(QStringLiteral("%1 -> %2").arg(healthy).arg(slow)));

    for (int i = 0; i < 20; ++i) roundAtLatency(*l, 10ms);  // and recovers
    const uint32_t recovered = l->limit();
    QVERIFY2(recovered > slow * 2, qPrintable(QStringLiteral("%1 -> %2").arg(slow).arg(recovered)));
  }
  void gradientDoesNotGrowWhenIdle() {
    auto l = make(LimitAlgorithm::Gradient, 20);
    for (int i = 0; i < 200; ++i) {
      QVERIFY(l->tryAcquire());
      l->release(10ms, Outcome::Success);  // one at a time: the limit is not being used
    }
    QCOMPARE(l->limit(), 20u);
  }
  void aimdAddsOneAndBacksOffOnDrops() {
    auto l = make(LimitAlgorithm::Aimd, 10);
    // 10 samples with 10, 9, 8, … in flight: +1 while in flight ≥ limit/2 (10→11→12→13→14).
    roundAtLatency(*l, 10ms);
    QCOMPARE(l->limit(), 14u);
    roundAtLatency(*l, 100ms);  // slower than the 50 ms threshold: ×0.9 per sample
    QVERIFY(l->limit() < 6u);
    const uint32_t low = l->limit();
    roundAtLatency(*l, 1ms, Outcome::Dropped);
    QVERIFY(l->limit() <= low);
    QVERIFY(l->limit() >= 1u);  // never below min
    for (int i = 0; i < 30; ++i) roundAtLatency(*l, 10ms);
    QVERIFY(l->limit() > 20u);
  }
  void ignoredOutcomesTeachNothing() {
    auto l = make(LimitAlgorithm::Aimd, 10);
    roundAtLatency(*l, 10s, Outcome::Ignored);
    QCOMPARE(l->limit(), 10u);
    QCOMPARE(l->inflight(), 0u);
  }
  void concurrentAcquireNeverOvershoots() {
    auto l = make(LimitAlgorithm::Fixed, 8);
    std::atomic<uint32_t> maxSeen{0};
    std::atomic<uint32_t> current{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 20000; ++i) {
          if (!l->tryAcquire()) continue;
          const uint32_t now = ++current;
          uint32_t seen = maxSeen.load();
          while (now > seen && !maxSeen.compare_exchange_weak(seen, now)) {
          }
          --current;
          l->release(1us, Outcome::Success);
        }
      });
    for (auto &th : threads) th.join();
    QVERIFY(maxSeen.load() <= 8u);
    QCOMPARE(l->inflight(), 0u);
  }
  void invalidConfigIsRejected() {
    ConcurrencyLimitConfig c;
    c.minLimit = 10;
    c.initialLimit = 5;
    QCOMPARE(ConcurrencyLimiter::create(c).status().code(), StatusCode::InvalidArgument);
    c = {};
    c.backoffRatio = 1.0;
    QCOMPARE(ConcurrencyLimiter::create(c).status().code(), StatusCode::InvalidArgument);
  }
};

QTEST_APPLESS_MAIN(TstConcurrencyLimiter)
#include "tst_concurrencylimiter.moc"
