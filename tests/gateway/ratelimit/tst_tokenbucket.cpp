// Exact token-bucket arithmetic on a ManualClock.
#include "gateway/ratelimit/tokenbucket.h"

#include <QTest>

using namespace lmfront;
using namespace lmfront::gateway::ratelimit;
using namespace std::chrono_literals;

namespace {
TokenBucketConfig perMinute(int64_t limit, int64_t burst = 0) {
  TokenBucketConfig c;
  c.limit = limit;
  c.period = 1min;
  c.burst = burst;
  return c;
}
}  // namespace

class TstTokenBucket : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void fullBucketAllowsExactlyTheLimit() {
    ManualClock clock;
    const auto config = perMinute(60);
    TokenBucket bucket(config, clock.now());
    for (int i = 0; i < 60; ++i) {
      const RateDecision d = bucket.take(config, 1, clock.now());
      QVERIFY(d.allowed);
      QCOMPARE(d.remaining, int64_t(59 - i));
    }
    const RateDecision denied = bucket.take(config, 1, clock.now());
    QVERIFY(!denied.allowed);
    QVERIFY(!denied.exceedsBurst);
    QCOMPARE(denied.retryAfter, Clock::Duration(1s));  // 60/min = one token a second
  }
  void refillIsExactToTheNanosecond() {
    ManualClock clock;
    const auto config = perMinute(100);  // a token every 600 ms
    TokenBucket bucket(config, clock.now());
    QVERIFY(bucket.take(config, 100, clock.now()).allowed);
    QCOMPARE(bucket.take(config, 1, clock.now()).retryAfter, Clock::Duration(600ms));
    clock.advance(599ms);
    RateDecision d = bucket.take(config, 1, clock.now());
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfter, Clock::Duration(1ms));
    clock.advance(1ms);
    QVERIFY(bucket.take(config, 1, clock.now()).allowed);
    QVERIFY(!bucket.take(config, 1, clock.now()).allowed);
    // Half a minute refills exactly half the limit, and a larger cost waits proportionally.
    clock.advance(30s);
    QCOMPARE(bucket.available(config, clock.now()), int64_t(50));
    d = bucket.take(config, 80, clock.now());
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfter, Clock::Duration(18s));                  // 30 tokens × 600 ms
    QCOMPARE(bucket.available(config, clock.now()), int64_t(50));  // a denial takes nothing
  }
  void burstAboveTheRate() {
    ManualClock clock;
    TokenBucketConfig config;
    config.limit = 10;
    config.period = 1s;
    config.burst = 20;
    TokenBucket bucket(config, clock.now());
    QVERIFY(bucket.take(config, 20, clock.now()).allowed);
    QVERIFY(!bucket.take(config, 1, clock.now()).allowed);
    clock.advance(100ms);
    QVERIFY(bucket.take(config, 1, clock.now()).allowed);
    clock.advance(10s);
    QCOMPARE(bucket.available(config, clock.now()), int64_t(20));  // capped at the burst
  }
  void costAboveBurstCanNeverPass() {
    ManualClock clock;
    const auto config = perMinute(1000);
    TokenBucket bucket(config, clock.now());
    const RateDecision d = bucket.take(config, 1001, clock.now());
    QVERIFY(!d.allowed);
    QVERIFY(d.exceedsBurst);
    QCOMPARE(bucket.available(config, clock.now()), int64_t(1000));
  }
  void estimateThenCorrection() {
    ManualClock clock;
    const auto config = perMinute(1000);  // tokens per minute
    TokenBucket bucket(config, clock.now());
    QVERIFY(bucket.take(config, 600, clock.now()).allowed);  // estimate
    bucket.adjust(config, -200, clock.now());                // the answer used 400: refund 200
    QCOMPARE(bucket.available(config, clock.now()), int64_t(600));
    bucket.adjust(config, 900, clock.now());  // a request that used 900 more than estimated: debt
    QCOMPARE(bucket.available(config, clock.now()), int64_t(0));
    const RateDecision d = bucket.take(config, 1, clock.now());
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfter, Clock::Duration(18060ms));  // 300 tokens of debt + 1, at 60 ms each
    // Refunds never overfill, debt never exceeds one burst.
    bucket.adjust(config, -100000, clock.now());
    QCOMPARE(bucket.available(config, clock.now()), int64_t(1000));
    bucket.adjust(config, 100000, clock.now());
    clock.advance(1min);
    QCOMPARE(bucket.available(config, clock.now()), int64_t(0));
    clock.advance(1min);
    QCOMPARE(bucket.available(config, clock.now()), int64_t(1000));
  }
  void longIdleDoesNotOverflow() {
    ManualClock clock;
    const auto config = perMinute(1'000'000'000 / 1000, 1'000'000);
    TokenBucket bucket(config, clock.now());
    QVERIFY(bucket.take(config, 1'000'000, clock.now()).allowed);
    clock.advance(std::chrono::hours(24 * 365));
    QCOMPARE(bucket.available(config, clock.now()), int64_t(1'000'000));
    QVERIFY(bucket.isFull(config, clock.now()));
  }
  void clockGoingBackwardsChangesNothing() {
    ManualClock clock;
    const auto config = perMinute(60);
    TokenBucket bucket(config, clock.now());
    QVERIFY(bucket.take(config, 60, clock.now()).allowed);
    clock.set(clock.now() - 10s);
    QVERIFY(!bucket.take(config, 1, clock.now()).allowed);
  }
  void retryAfterHeaderRoundsUp() {
    QCOMPARE(retryAfterSeconds(Clock::Duration::zero()), int64_t(1));
    QCOMPARE(retryAfterSeconds(600ms), int64_t(1));
    QCOMPARE(retryAfterSeconds(1s), int64_t(1));
    QCOMPARE(retryAfterSeconds(1001ms), int64_t(2));
    QCOMPARE(retryAfterSeconds(18060ms), int64_t(19));
  }
  void invalidConfigsAreRejected() {
    TokenBucketConfig c;
    QVERIFY(c.validate().isOk());
    c.limit = 0;
    QCOMPARE(c.validate().code(), StatusCode::InvalidArgument);
    c.limit = 10;
    c.period = 0s;
    QCOMPARE(c.validate().code(), StatusCode::InvalidArgument);
    c.period = 1h;
    c.burst = 1'000'000'000;  // × 3.6e9 µs > 1e14
    QCOMPARE(c.validate().code(), StatusCode::InvalidArgument);
    c.burst = -1;
    QCOMPARE(c.validate().code(), StatusCode::InvalidArgument);
  }
};

QTEST_APPLESS_MAIN(TstTokenBucket)
#include "tst_tokenbucket.moc"
