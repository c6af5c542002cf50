// Cache push against a REAL redis-server started here: a fill on one node arrives in the other's
// local tier with its TTL; a node ignores its own messages; namespaces keep clusters apart;
// malformed messages and oversized values are counted and dropped; a restarted Redis is
// re-subscribed and the push resumes. The message format round-trips and rejects bad bytes.
#include "../../support/redisserver.h"
#include "gateway/cache/cachemetrics.h"
#include "gateway/cache/cachepush.h"
#include "gateway/cache/tieredcache.h"
#include "observe/metricsregistry.h"

#include <QElapsedTimer>
#include <QtTest>

#include <thread>

using namespace lmfront::gateway::cache;
using namespace std::chrono_literals;

namespace {

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

TieredCacheOptions options(int port, const std::string &ns = "default") {
  TieredCacheOptions o;
  o.local = {.byteBudget = 1 << 20, .shards = 4, .defaultTtl = 10min};
  RedisOptions r;
  r.port = port;
  r.keyPrefix = "lmfront:test:";
  r.push = true;
  r.pushNamespace = ns;
  r.backoffInitial = 50ms;
  r.backoffMax = 400ms;
  o.redis = r;
  o.ttl = 10min;
  return o;
}

// Polls (real time, bounded) until `ready`.
template <typename F>
bool eventually(F ready, std::chrono::milliseconds bound = 5s) {
  QElapsedTimer timer;
  timer.start();
  while (!ready()) {
    if (timer.elapsed() > bound.count()) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// PUBLISH through a plain socket, as any Redis client could; returns the reply line (":N").
std::string publishRaw(int port, const std::string &channel, const std::string &payload) {
  return lmfront::testing::redisInline(port, "PUBLISH " + channel + " " + payload);
}

}  // namespace

class TstCachePush : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void messageRoundTripsAndBadBytesAreRejected() {
    const NodeTag tag = randomNodeTag();
    QVERIFY(tag != randomNodeTag());
    const std::string value("binary\0\xff value", 15);
    const std::string bytes = encodePush(tag, key("k"), 1500ms, value);
    QCOMPARE(bytes.size(), kPushHeaderBytes + value.size());
    const auto m = decodePush(bytes);
    QVERIFY(m.has_value());
    QVERIFY(m->origin == tag);
    QVERIFY(m->key == key("k"));
    QCOMPARE(m->ttl, lmfront::Clock::Duration(1500ms));
    QCOMPARE(std::string(m->value), value);

    QVERIFY(!decodePush(""));
    QVERIFY(!decodePush("garbage"));
    QVERIFY(!decodePush(bytes.substr(0, bytes.size() - 1)));  // truncated value
    QVERIFY(!decodePush(bytes + "x"));                        // trailing bytes
    std::string badMagic = bytes;
    badMagic[0] = 'X';
    QVERIFY(!decodePush(badMagic));
    std::string zeroTtl = encodePush(tag, key("k"), 1ms, value);
    std::fill(zeroTtl.begin() + 52, zeroTtl.begin() + 60, '\0');
    QVERIFY(!decodePush(zeroTtl));
    std::string hugeTtl = zeroTtl;
    std::fill(hugeTtl.begin() + 52, hugeTtl.begin() + 60, '\xff');
    QVERIFY(!decodePush(hugeTtl));
    QVERIFY(decodePush(encodePush(tag, key("empty"), 1s, "")).has_value());  // an empty body is an answer too
  }

  void aFillOnOneNodeIsLocalOnTheOther() {
    lmfront::testing::RedisServer redis;
    const QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    lmfront::ManualClock clock;
    lmfront::observe::MetricsRegistry registry;
    auto metrics = registerCacheMetrics(registry);
    QVERIFY(metrics.isOk());
    TieredCache nodeA(options(redis.port()), clock);
    TieredCache nodeB(options(redis.port()), clock, &*metrics);
    QVERIFY(nodeA.push() && nodeB.push());
    QVERIFY(nodeA.push()->waitUntilSubscribed(5s));
    QVERIFY(nodeB.push()->waitUntilSubscribed(5s));
    QCOMPARE(nodeB.push()->channel(), std::string("lmfront:test:push:default"));
    QCOMPARE(metrics->pushUp->withLabels({}).value(), 1.0);

    const std::string body("{\"choices\":[\0\xff binary-safe]}", 28);
    QVERIFY(!nodeB.getLocal(key("p")));
    nodeA.put(key("p"), val(body), 30s);
    QVERIFY(eventually([&] { return nodeB.local().get(key("p")) != nullptr; }));
    QCOMPARE(*nodeB.getLocal(key("p")), body);
    QCOMPARE(nodeB.push()->stats().received, 1u);
    QCOMPARE(metrics->pushReceived->withLabels({}).value(), 1u);
    // The sender saw its own message and left its tier alone.
    QVERIFY(eventually([&] { return nodeA.push()->stats().own == 1; }));
    QCOMPARE(nodeA.push()->stats().received, 0u);
    QVERIFY(nodeA.redis()->flush(5s));  // counted when PUBLISH's reply is read, maybe after delivery
    QCOMPARE(nodeA.redis()->stats().pushPublished, 1u);
    // B never asked Redis: the hit is local.
    QCOMPARE(nodeB.redis()->stats().hits + nodeB.redis()->stats().misses, 0u);
    QCOMPARE(metrics->hits->withLabels({"redis"}).value(), 0u);
    // The entry keeps the TTL it was written with, not B's 10 minutes.
    clock.advance(31s);
    QVERIFY(!nodeB.getLocal(key("p")));

    // Both ways.
    nodeB.put(key("q"), val("from b"));
    QVERIFY(eventually([&] { return nodeA.local().get(key("q")) != nullptr; }));
    QVERIFY(nodeB.redis()->flush(5s));
    QCOMPARE(metrics->pushPublished->withLabels({}).value(), 1u);
  }

  void namespacesKeepClustersApart() {
    lmfront::testing::RedisServer redis;
    const QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    lmfront::ManualClock clock;
    TieredCache a(options(redis.port(), "blue"), clock);
    TieredCache other1(options(redis.port(), "green"), clock);
    TieredCache other2(options(redis.port(), "green"), clock);
    for (TieredCache *c : {&a, &other1, &other2}) QVERIFY(c->push()->waitUntilSubscribed(5s));
    a.put(key("blue"), val("b"));
    QVERIFY(a.redis()->flush(5s));
    other2.put(key("green"), val("g"));
    // The green message was published after the blue one: had blue reached green nodes, it
    // would have arrived first.
    QVERIFY(eventually([&] { return other1.local().get(key("green")) != nullptr; }));
    QVERIFY(!other1.local().get(key("blue")));
    QCOMPARE(other1.push()->stats().received, 1u);
    QCOMPARE(a.push()->stats().received, 0u);
  }

  void malformedAndOversizedAreCountedAndDropped() {
    lmfront::testing::RedisServer redis;
    const QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    lmfront::ManualClock clock;
    lmfront::observe::MetricsRegistry registry;
    auto metrics = registerCacheMetrics(registry);
    QVERIFY(metrics.isOk());
    auto small = options(redis.port());
    small.redis->pushMaxValueBytes = 100;
    TieredCache a(small, clock, &*metrics);
    TieredCache b(options(redis.port()), clock);
    QVERIFY(a.push()->waitUntilSubscribed(5s));
    QVERIFY(b.push()->waitUntilSubscribed(5s));

    // Two subscribers heard it; both count it as malformed and carry on.
    QCOMPARE(publishRaw(redis.port(), "lmfront:test:push:default", "garbage"), std::string(":2"));
    QVERIFY(eventually([&] { return b.push()->stats().malformed == 1 && a.push()->stats().malformed == 1; }));
    QCOMPARE(metrics->pushDropped->withLabels({"malformed"}).value(), 1u);
    QCOMPARE(b.local().stats().entries, 0u);
    QVERIFY(b.push()->isSubscribed());

    // Too large to push: stays in Redis, where B finds it on a miss; the next small one is pushed.
    a.put(key("large"), val(std::string(101, 'x')));
    a.put(key("small"), val(std::string(100, 'y')));
    QVERIFY(eventually([&] { return b.local().get(key("small")) != nullptr; }));
    QVERIFY(!b.local().get(key("large")));
    QVERIFY(a.redis()->flush(5s));
    QCOMPARE(a.redis()->stats().pushTooLarge, 1u);
    QCOMPARE(metrics->pushDropped->withLabels({"too_large"}).value(), 1u);
    QVERIFY(b.redis()->get(key("large")).value);

    // Larger than B's local tier takes (a shard holds 256 KiB here): refused, counted.
    auto tiny = options(redis.port());
    tiny.local.byteBudget = 4 * 1024;  // 1 KiB per shard
    TieredCache c(tiny, clock);
    QVERIFY(c.push()->waitUntilSubscribed(5s));
    b.put(key("too big for c"), val(std::string(2000, 'z')));
    QVERIFY(eventually([&] { return c.push()->stats().refused == 1; }));
    QVERIFY(!c.local().get(key("too big for c")));
  }

  void redisRestartedPushResumes() {
    lmfront::testing::RedisServer redis;
    QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    const int port = redis.port();
    // Real time: reconnect backoffs run on the clock, and there is no one to advance it here.
    TieredCache a(options(port), lmfront::Clock::steady());
    TieredCache b(options(port), lmfront::Clock::steady());
    QVERIFY(a.push()->waitUntilSubscribed(5s));
    QVERIFY(b.push()->waitUntilSubscribed(5s));

    redis.stop();  // SIGKILL
    QVERIFY(eventually([&] { return !b.push()->isSubscribed() && !a.push()->isSubscribed(); }));
    // The local tier keeps working without Redis.
    a.put(key("while down"), val("v"));
    QVERIFY(a.getLocal(key("while down")));

    err = redis.start(port);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    QVERIFY(b.push()->waitUntilSubscribed(10s));
    QVERIFY(b.push()->stats().subscribes >= 2);
    // A's write lane finds its old connection broken on first use: that write is lost and counted
    // (docs/cache.md, Redis outage); the push carries on with the next.
    int sent = 0;
    bool arrived = false;
    for (; sent < 5 && !arrived; ++sent) {
      const CacheKey k = key("after restart " + std::to_string(sent));
      a.put(k, val("v"));
      arrived = eventually([&] { return b.local().get(k) != nullptr; }, 2s);
    }
    QVERIFY(arrived);
    const auto s = a.redis()->stats();
    QCOMPARE(s.putErrors + s.putDropped, static_cast<std::uint64_t>(sent));  // "while down" + each lost one
    QCOMPARE(b.push()->stats().received, 1u);
  }
};

QTEST_GUILESS_MAIN(TstCachePush)
#include "tst_cachepush.moc"
