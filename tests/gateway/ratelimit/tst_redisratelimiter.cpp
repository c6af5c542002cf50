// The distributed limit against a real redis-server: two limiter instances ("nodes") sharing one
// key allow exactly the limit between them; Redis killed mid-test → the documented fallback,
// fast, no crash; Redis back → shared again.
#include "../../support/redisserver.h"
#include "gateway/ratelimit/redisratelimiter.h"

#include <QTest>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::ratelimit;
using namespace std::chrono_literals;

namespace {

RedisRateLimiterConfig config(int port, int64_t limit, Clock::Duration period, bool serverTime) {
  RedisRateLimiterConfig c;
  c.bucket.limit = limit;
  c.bucket.period = period;
  c.port = port;
  c.keyPrefix = "test:rpm:";
  c.useServerTime = serverTime;
  c.fallback = RedisFallback::Local;
  c.fallbackShare = 0.5;  // two nodes: each keeps half the limit while Redis is away
  return c;
}

std::unique_ptr<RedisRateLimiter> node(const RedisRateLimiterConfig &c, const Clock &clock) {
  auto r = RedisRateLimiter::create(c, clock);
  if (!r) qFatal("%s", r.status().toString().c_str());
  return std::move(r).value();
}

}  // namespace

class TstRedisRateLimiter : public QObject {
  Q_OBJECT
  lmfront::testing::RedisServer m_redis;

private Q_SLOTS:
  void initTestCase() {
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
  }

  void twoNodesShareOneExactLimit() {
    ManualClock clock;  // time stands still: exactly 100 tokens exist
    const auto c = config(m_redis.port(), 100, 1min, false);
    auto a = node(c, clock);
    auto b = node(c, clock);
    int allowed = 0;
    for (int i = 0; i < 150; ++i) {
      allowed += a->acquire("key-1", 1).allowed ? 1 : 0;
      allowed += b->acquire("key-1", 1).allowed ? 1 : 0;
    }
    QCOMPARE(allowed, 100);
    QCOMPARE(a->fallbackCount() + b->fallbackCount(), uint64_t(0));
    const RateDecision d = a->acquire("key-1", 1);
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfter, Clock::Duration(600ms));  // the same refill arithmetic as TokenBucket

    clock.advance(30s);  // half a minute: exactly 50 more, wherever they are asked for
    allowed = 0;
    for (int i = 0; i < 100; ++i) allowed += (i % 2 ? a : b)->acquire("key-1", 1).allowed ? 1 : 0;
    QCOMPARE(allowed, 50);
  }

  void exactUnderConcurrentNodes() {
    ManualClock clock;
    const auto c = config(m_redis.port(), 100, 1min, false);
    auto a = node(c, clock);
    auto b = node(c, clock);
    std::atomic<int> allowed{0};
    std::thread ta([&] {
      for (int i = 0; i < 120; ++i) allowed += a->acquire("key-2", 1).allowed ? 1 : 0;
    });
    std::thread tb([&] {
      for (int i = 0; i < 120; ++i) allowed += b->acquire("key-2", 1).allowed ? 1 : 0;
    });
    ta.join();
    tb.join();
    QCOMPARE(allowed.load(), 100);
  }

  void serverTimeModeIsExactToo() {
    // Redis's clock runs during the test; 100 per hour refills < 1 token in the test's second.
    const auto c = config(m_redis.port(), 100, 1h, true);
    auto a = node(c, Clock::steady());
    auto b = node(c, Clock::steady());
    int allowed = 0;
    for (int i = 0; i < 120; ++i) {
      allowed += a->acquire("key-3", 1).allowed ? 1 : 0;
      allowed += b->acquire("key-3", 1).allowed ? 1 : 0;
    }
    QCOMPARE(allowed, 100);
  }

  void tokenEstimateIsCorrectedAcrossNodes() {
    ManualClock clock;
    auto c = config(m_redis.port(), 1000, 1min, false);
    c.keyPrefix = "test:tpm:";
    auto a = node(c, clock);
    auto b = node(c, clock);
    QVERIFY(a->acquire("key-4", 600).allowed);  // estimate on node a
    a->adjust("key-4", -350);                   // it used 250
    RateDecision d = b->acquire("key-4", 750);  // node b sees the refund
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, int64_t(0));
    d = b->acquire("key-4", 2000);
    QVERIFY(d.exceedsBurst);
  }

  void redisDownFallsBackThenRecovers() {
    ManualClock clock;
    auto c = config(m_redis.port(), 100, 1min, false);
    c.reconnectBackoff = 1s;
    auto a = node(c, clock);
    for (int i = 0; i < 4; ++i) QVERIFY(a->acquire("key-5", 1).allowed);  // opens all 4 pooled connections
    QCOMPARE(a->fallbackCount(), uint64_t(0));

    m_redis.stop();  // mid-test, like a crash
    const auto started = std::chrono::steady_clock::now();
    int allowed = 0;
    for (int i = 0; i < 100; ++i) {
      const RateDecision d = a->acquire("key-5", 1);
      QVERIFY(d.fallback);
      allowed += d.allowed ? 1 : 0;
    }
    const auto took = std::chrono::steady_clock::now() - started;
    QCOMPARE(allowed, 50);  // Local fallback: limit × fallbackShare on this node
    QCOMPARE(a->fallbackCount(), uint64_t(100));
    QVERIFY(a->redisErrorCount() >= 1);
    // One refused connect, then the backoff skips Redis: no hang, no per-request timeout.
    QVERIFY2(took < 2s, "fallback decisions must be fast while Redis is down");
    QVERIFY(!a->lastError().empty());
    a->adjust("key-5", -10);  // adjust also works (locally) while Redis is down
    QVERIFY(a->acquire("key-5", 10).allowed);
    // Every pooled connection still holds a socket Redis reset: each is tried after a backoff,
    // fails cleanly (no SIGPIPE) and falls back.
    for (int i = 0; i < 6; ++i) {
      clock.advance(1s);
      QVERIFY(a->acquire("key-5", 0).fallback);
    }

    // Redis is back on the same port; after the backoff the shared bucket is used again.
    const QString error = m_redis.start(m_redis.port());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(a->acquire("key-5", 1).fallback);  // still inside the backoff window
    clock.advance(1s);
    const RateDecision d = a->acquire("key-5", 1);
    QVERIFY(!d.fallback);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, int64_t(99));                                     // a fresh Redis: the key starts full
    for (int i = 0; i < 8; ++i) QVERIFY(!a->acquire("key-5", 1).fallback);  // every connection reconnected
  }

  void scriptsFlushedByRedisAreReloaded() {
    ManualClock clock;
    auto a = node(config(m_redis.port(), 10, 1min, false), clock);
    QVERIFY(a->acquire("key-6", 1).allowed);
    QCOMPARE(lmfront::testing::redisInline(m_redis.port(), "SCRIPT FLUSH"), std::string("+OK"));
    const RateDecision d = a->acquire("key-6", 1);  // NOSCRIPT → SCRIPT LOAD → EVALSHA again
    QVERIFY(!d.fallback);
    QCOMPARE(d.remaining, int64_t(8));
  }

  void closedAndOpenFallbacks() {
    ManualClock clock;
    const int deadPort = lmfront::testing::freeLoopbackPort();  // nobody listens here
    auto c = config(deadPort, 10, 1min, false);
    c.fallback = RedisFallback::Closed;
    auto closed = node(c, clock);
    RateDecision d = closed->acquire("k", 1);
    QVERIFY(!d.allowed && d.fallback);
    QVERIFY(d.retryAfter > Clock::Duration::zero());
    c.fallback = RedisFallback::Open;
    auto open = node(c, clock);
    for (int i = 0; i < 50; ++i) QVERIFY(open->acquire("k", 1).allowed);
  }

  void invalidConfigIsRejected() {
    auto c = config(0, 10, 1min, false);
    QCOMPARE(RedisRateLimiter::create(c, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    c.port = 6379;
    c.fallbackShare = 0;
    QCOMPARE(RedisRateLimiter::create(c, Clock::steady()).status().code(), StatusCode::InvalidArgument);
  }

  void cleanupTestCase() { m_redis.stop(); }
};

QTEST_APPLESS_MAIN(TstRedisRateLimiter)
#include "tst_redisratelimiter.moc"
