// Redis tier against a REAL redis-server started here (free port, no persistence): two nodes share
// entries; TTL reaches Redis; a killed or stalled Redis degrades to local-only with no error and
// no hang; reconnect after backoff on a ManualClock; full queues drop and count.
// redis-server missing is a FAILURE (Debian package redis-server, installed by scripts/setup.sh).
#include "../../support/redisserver.h"
#include "gateway/cache/cachemetrics.h"
#include "gateway/cache/tieredcache.h"
#include "observe/metricsregistry.h"

#include <signal.h>
#include <QElapsedTimer>
#include <QtTest>

#include <condition_variable>
#include <mutex>

using namespace lmfront::gateway::cache;
using namespace std::chrono_literals;

namespace {

// Waits (bounded, real time) for a callback fired on the Redis thread.
struct Awaited {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  Value value;
  bool wait(std::chrono::milliseconds bound = 5s) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, bound, [&] { return done; });
  }
  std::function<void(Value)> callback() {
    return [this](Value v) {
      std::lock_guard lock(mutex);
      value = std::move(v);
      done = true;
      cv.notify_all();
    };
  }
};

CacheKey key(const std::string &prompt) {
  const CacheRequest r{.model = "m",
                       .modelVersion = "v1",
                       .endpoint = EndpointKind::Completions,
                       .prompt = prompt,
                       .messages = {},
                       .params = {}};
  return *makeCacheKey(r);
}

Value val(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

TieredCacheOptions options(int port) {
  TieredCacheOptions o;
  o.local = {.byteBudget = 1 << 20, .shards = 4, .defaultTtl = 10min};
  RedisOptions r;
  r.port = port;
  r.keyPrefix = "lmfront:test:";
  o.redis = r;
  o.ttl = 10min;
  return o;
}

}  // namespace

class TstRedisCache : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void twoNodesShareEntries() {
    lmfront::testing::RedisServer redis;
    const QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    lmfront::ManualClock clock;
    lmfront::observe::MetricsRegistry registry;
    auto metrics = registerCacheMetrics(registry);
    QVERIFY(metrics.isOk());
    TieredCache nodeA(options(redis.port()), clock);
    TieredCache nodeB(options(redis.port()), clock, &*metrics);
    QVERIFY(nodeA.redis()->waitUntilUp(5s));  // both connect on their own threads at start
    QVERIFY(nodeB.redis()->waitUntilUp(5s));

    const std::string body("{\"choices\":[\0\xff binary-safe]}", 28);
    nodeA.put(key("p"), val(body), 90s);
    QVERIFY(nodeA.redis()->flush(5s));
    QCOMPARE(nodeA.redis()->stats().puts, 1u);

    QVERIFY(!nodeB.getLocal(key("p")));
    Awaited got;
    QVERIFY(nodeB.getRemote(key("p"), got.callback()));
    QVERIFY(got.wait());
    QVERIFY(got.value);
    QCOMPARE(*got.value, body);
    // The hit was copied into B's local tier, with Redis' remaining TTL (≤ 90 s), not 10 min.
    QVERIFY(nodeB.getLocal(key("p")));
    clock.advance(91s);
    QVERIFY(!nodeB.getLocal(key("p")));

    // The TTL reached Redis itself.
    const auto lookup = nodeB.redis()->get(key("p"));
    QVERIFY(lookup.value);
    QVERIFY(lookup.ttlLeft > 80s && lookup.ttlLeft <= 90s);

    // A miss is a miss, not an error.
    Awaited miss;
    QVERIFY(nodeB.getRemote(key("absent"), miss.callback()));
    QVERIFY(miss.wait());
    QVERIFY(!miss.value);
    QCOMPARE(nodeB.redis()->stats().getErrors, 0u);
    QVERIFY(nodeB.redis()->isUp());

    QCOMPARE(metrics->hits->withLabels({"redis"}).value(), 1u);
    QCOMPARE(metrics->misses->withLabels({"redis"}).value(), 1u);
    QCOMPARE(metrics->hits->withLabels({"local"}).value(), 1u);
    QCOMPARE(metrics->redisUp->withLabels({}).value(), 1.0);
  }

  void killedRedisDegradesToLocalThenRecovers() {
    lmfront::testing::RedisServer redis;
    QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    const int port = redis.port();
    lmfront::ManualClock clock;
    TieredCache node(options(port), clock);
    QVERIFY(node.redis()->waitUntilUp(5s));
    node.put(key("before"), val("cached"));
    QVERIFY(node.redis()->flush(5s));
    QVERIFY(node.redis()->isUp());

    redis.stop();  // SIGKILL mid-test

    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 50; ++i) {
      // Local hits keep working; remote lookups and writes neither fail the caller nor block it.
      QVERIFY(node.getLocal(key("before")));
      node.put(key("after" + std::to_string(i)), val("v"));
      Awaited got;
      if (node.getRemote(key("remote" + std::to_string(i)), got.callback())) {
        QVERIFY(got.wait(2s));
        QVERIFY(!got.value);
      }
    }
    QVERIFY(node.redis()->flush(5s));
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QStringLiteral("took %1 ms").arg(timer.elapsed())));
    QVERIFY(!node.redis()->isUp());
    const auto s = node.redis()->stats();
    QVERIFY(s.getErrors + s.getDropped >= 50);  // every lookup accounted for
    QCOMPARE(s.putErrors + s.putDropped, 50u);
    QVERIFY(s.getDropped > 0);  // after the first failure, the backoff skips Redis entirely
    QCOMPARE(s.hits + s.misses, 0u);

    // Redis comes back; once the backoff has passed (ManualClock), the tier reconnects.
    err = redis.start(port);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    clock.advance(10s);  // > backoffMax
    node.put(key("again"), val("shared"));
    QVERIFY(node.redis()->flush(5s));
    QCOMPARE(node.redis()->stats().puts, 2u);  // "before" and "again"
    clock.advance(10s);
    const auto again = node.redis()->get(key("again"));
    QVERIFY(again.value);
    QCOMPARE(*again.value, std::string("shared"));
    QVERIFY(node.redis()->isUp());
  }

  void stalledRedisTimesOut() {
    lmfront::testing::RedisServer redis;
    const QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    lmfront::ManualClock clock;
    RedisOptions o;
    o.port = redis.port();
    RedisCache cache(o, clock);
    QVERIFY(cache.putAsync(key("x"), val("1"), 1min));
    QVERIFY(cache.flush(5s));
    redis.signal(SIGSTOP);  // accepts bytes, never answers
    QElapsedTimer timer;
    timer.start();
    const auto r = cache.get(key("x"));
    const qint64 ms = timer.elapsed();
    redis.signal(SIGCONT);
    QVERIFY(!r.value);
    QVERIFY2(ms < 1000, qPrintable(QStringLiteral("get blocked %1 ms on a stalled Redis").arg(ms)));
    QCOMPARE(cache.stats().getErrors, 1u);
    QVERIFY(!cache.isUp());
  }

  void noRedisAtAll() {
    const int port = lmfront::testing::freeLoopbackPort();  // nothing listens here
    lmfront::ManualClock clock;
    TieredCache node(options(port), clock);
    QElapsedTimer timer;
    timer.start();
    Awaited got;
    if (node.getRemote(key("k"), got.callback())) QVERIFY(got.wait(2s));
    QVERIFY(!got.value);
    node.put(key("k"), val("v"));
    QVERIFY(node.getLocal(key("k")));
    QVERIFY(node.redis()->flush(5s));
    QVERIFY(timer.elapsed() < 2000);
    QVERIFY(!node.redis()->isUp());
  }

  void fullQueueDropsAndCounts() {
    lmfront::testing::RedisServer redis;
    const QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    lmfront::ManualClock clock;
    RedisOptions o;
    o.port = redis.port();
    o.putQueueCapacity = 1;
    o.maxBatch = 1;
    o.maxValueBytes = 100;
    RedisCache cache(o, clock);
    QVERIFY(!cache.putAsync(key("big"), val(std::string(101, 'x')), 1min));  // too large to share
    redis.signal(SIGSTOP);  // the writer stalls on its first SET for the I/O timeout
    int accepted = 0;
    for (int i = 0; i < 10; ++i) accepted += cache.putAsync(key(std::to_string(i)), val("v"), 1min) ? 1 : 0;
    QVERIFY(cache.flush(5s));
    redis.signal(SIGCONT);
    const auto s = cache.stats();
    // One write in flight + at most one queued; the rest refused at once. A queued write that
    // finds the lane backing off is dropped too, so dropped >= refused.
    QVERIFY2(accepted >= 1 && accepted <= 2, qPrintable(QString::number(accepted)));
    QVERIFY(s.putDropped >= 1u + 10u - static_cast<unsigned>(accepted));
    QVERIFY(s.putErrors >= 1u);                          // the stalled SET timed out
    QCOMPARE(s.puts + s.putErrors + s.putDropped, 11u);  // every write accounted for exactly once
  }
};

QTEST_APPLESS_MAIN(TstRedisCache)
#include "tst_rediscache.moc"
