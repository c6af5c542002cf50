// LocalRateLimiter: per-key buckets, sharding under threads, idle eviction, all-or-nothing checks.
#include "gateway/ratelimit/ratelimiter.h"

#include <QTest>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::ratelimit;
using namespace std::chrono_literals;

namespace {
std::unique_ptr<LocalRateLimiter> limiter(const Clock &clock, int64_t limit) {
  LocalRateLimiterConfig c;
  c.bucket.limit = limit;
  c.bucket.period = 1min;
  auto r = LocalRateLimiter::create(c, clock);
  if (!r) qFatal("%s", r.status().toString().c_str());
  return std::move(r).value();
}
std::string key(std::string_view prefix, long n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}
}  // namespace

class TstRateLimiter : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void keysAreIndependent() {
    ManualClock clock;
    auto rl = limiter(clock, 3);
    for (int i = 0; i < 3; ++i) QVERIFY(rl->acquire("alice", 1).allowed);
    QVERIFY(!rl->acquire("alice", 1).allowed);
    QVERIFY(rl->acquire("bob", 1).allowed);
    QCOMPARE(rl->available("bob"), int64_t(2));
    QCOMPARE(rl->available("carol"), int64_t(3));  // unknown key = full bucket, nothing stored
    QCOMPARE(rl->keyCount(), size_t(2));
  }
  void exactUnderConcurrentWorkers() {
    ManualClock clock;
    auto rl = limiter(clock, 1000);
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 600; ++i) {
          if (rl->acquire("shared", 1).allowed) ++allowed;
          rl->acquire(key("own", i % 50), 1);  // other keys in other shards meanwhile
        }
      });
    for (auto &th : threads) th.join();
    QCOMPARE(allowed.load(), 1000);
  }
  void idleFullBucketsAreEvicted() {
    ManualClock clock;
    auto rl = limiter(clock, 60);
    for (int i = 0; i < 1000; ++i) QVERIFY(rl->acquire(key("k", i), 1).allowed);
    QVERIFY(rl->acquire("busy", 60).allowed);
    QCOMPARE(rl->keyCount(), size_t(1001));
    QCOMPARE(rl->evictIdle(), size_t(0));  // nothing has refilled yet
    clock.advance(1s);                     // one token back: the 1-token buckets are full again
    QCOMPARE(rl->evictIdle(), size_t(1000));
    QCOMPARE(rl->keyCount(), size_t(1));
    QCOMPARE(rl->available("busy"), int64_t(1));  // the busy one kept its state
  }
  void acquireAllRollsBackOnDenial() {
    ManualClock clock;
    auto rpm = limiter(clock, 10);
    auto tpm = limiter(clock, 1000);
    QVERIFY(acquireAll({{rpm.get(), "key1", 1}, {tpm.get(), "key1", 800}}).allowed);
    const RateDecision d = acquireAll({{rpm.get(), "key1", 1}, {tpm.get(), "key1", 800}});
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfter, Clock::Duration(36s));  // 600 tokens missing at 60 ms each
    QCOMPARE(rpm->available("key1"), int64_t(9));  // the request-count token was refunded
    QCOMPARE(tpm->available("key1"), int64_t(200));
  }
  void invalidConfigIsRejected() {
    LocalRateLimiterConfig c;
    c.shards = 3;
    QCOMPARE(LocalRateLimiter::create(c, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    c.shards = 8;
    c.bucket.limit = -5;
    QCOMPARE(LocalRateLimiter::create(c, Clock::steady()).status().code(), StatusCode::InvalidArgument);
  }
};

QTEST_APPLESS_MAIN(TstRateLimiter)
#include "tst_ratelimiter.moc"
