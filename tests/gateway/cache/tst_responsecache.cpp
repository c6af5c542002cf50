// ResponseCache: the request's cache flow end to end — hit, lead + complete, coalesced followers
// (value and failure), overflow, and a Redis hit across two nodes (a real redis-server).
#include "../../support/redisserver.h"
#include "gateway/cache/responsecache.h"

#include <QtTest>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace lmfront::gateway::cache;
using namespace std::chrono_literals;
using Source = ResponseCache::Source;

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

// Collects lookups delivered on any thread; waits with a real-time bound.
struct Outcomes {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<ResponseCache::Lookup> got;
  ResponseCache::Done done() {
    return [this](const ResponseCache::Lookup &l) {
      std::lock_guard lock(mutex);
      got.push_back(l);
      cv.notify_all();
    };
  }
  bool waitFor(std::size_t n, std::chrono::milliseconds bound = 5s) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, bound, [&] { return got.size() >= n; });
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return got.size();
  }
};

TieredCacheOptions localOnly() {
  TieredCacheOptions o;
  o.local = {.byteBudget = 1 << 20, .shards = 4, .defaultTtl = 10min};
  return o;
}

}  // namespace

class TstResponseCache : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void leadThenCoalescedThenHit() {
    lmfront::ManualClock clock;
    ResponseCache cache(localOnly(), {}, clock);
    Outcomes leader, followers, later;
    cache.lookup(key("p"), clock.now(), leader.done());
    QCOMPARE(leader.size(), 1u);  // no Redis tier: decided synchronously
    QCOMPARE(leader.got[0].source, Source::Lead);
    for (int i = 0; i < 5; ++i) cache.lookup(key("p"), clock.now(), followers.done());
    QCOMPARE(followers.size(), 0u);  // waiting on the leader, nobody blocked
    QCOMPARE(cache.complete(key("p"), val("answer")), 5u);
    QCOMPARE(followers.size(), 5u);
    for (const auto &l : followers.got) {
      QCOMPARE(l.source, Source::Coalesced);
      QCOMPARE(*l.value, std::string("answer"));
    }
    cache.lookup(key("p"), clock.now(), later.done());
    QCOMPARE(later.size(), 1u);
    QCOMPARE(later.got[0].source, Source::Hit);
    QCOMPARE(*later.got[0].value, std::string("answer"));
  }

  void failureReachesFollowersAndIsNotStored() {
    lmfront::ManualClock clock;
    ResponseCache cache(localOnly(), {}, clock);
    Outcomes a, b, c;
    cache.lookup(key("p"), clock.now(), a.done());
    cache.lookup(key("p"), clock.now(), b.done());
    QCOMPARE(cache.complete(key("p"), lmfront::Status::unavailable("backend down")), 1u);
    QCOMPARE(b.got.size(), 1u);
    QCOMPARE(b.got[0].source, Source::Coalesced);
    QVERIFY(!b.got[0].value);
    QCOMPARE(b.got[0].error.code(), lmfront::StatusCode::Unavailable);
    cache.lookup(key("p"), clock.now(), c.done());
    QCOMPARE(c.got[0].source, Source::Lead);  // nothing was stored
  }

  void noStoreServesFollowersButKeepsNothing() {
    lmfront::ManualClock clock;
    ResponseCache cache(localOnly(), {}, clock);
    Outcomes a, b, c;
    cache.lookup(key("p"), clock.now(), a.done());
    cache.lookup(key("p"), clock.now(), b.done());
    QCOMPARE(cache.complete(key("p"), val("x"), /*store=*/false), 1u);
    QCOMPARE(*b.got[0].value, std::string("x"));
    cache.lookup(key("p"), clock.now(), c.done());
    QCOMPARE(c.got[0].source, Source::Lead);
    QVERIFY(cache.complete(key("p"), val("x")) == 0u);
  }

  void overflowComputesAlone() {
    lmfront::ManualClock clock;
    ResponseCache cache(localOnly(), {.maxWaitersPerKey = 1, .shards = 1, .leaderTimeout = 1min}, clock);
    Outcomes o;
    cache.lookup(key("p"), clock.now(), o.done());
    cache.lookup(key("p"), clock.now(), o.done());
    cache.lookup(key("p"), clock.now(), o.done());
    QCOMPARE(o.size(), 2u);  // the leader and the overflow; the follower still waits
    QCOMPARE(o.got[1].source, Source::Alone);
    QCOMPARE(cache.complete(key("p"), val("x")), 1u);
  }

  void concurrentLookupsOneLeader() {
    ResponseCache cache(localOnly(), {}, lmfront::Clock::steady());
    Outcomes o;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i) cache.lookup(key("hot"), lmfront::Clock::steady().now(), o.done());
      });
    for (auto &t : threads) t.join();
    QCOMPARE(o.size(), 1u);  // only the leader has an answer yet
    QCOMPARE(o.got[0].source, Source::Lead);
    QCOMPARE(cache.complete(key("hot"), val("v")), 99u);
    QVERIFY(o.waitFor(100));
  }

  void redisHitAcrossNodesServesFollowersToo() {
    lmfront::testing::RedisServer redis;
    const QString err = redis.start();
    QVERIFY2(err.isEmpty(), qPrintable(err));
    lmfront::ManualClock clock;
    TieredCacheOptions o = localOnly();
    RedisOptions r;
    r.port = redis.port();
    r.keyPrefix = "lmfront:test-rc:";
    o.redis = r;
    ResponseCache nodeA(o, {}, clock), nodeB(o, {}, clock);

    Outcomes a;
    nodeA.lookup(key("p"), clock.now(), a.done());
    QVERIFY(a.waitFor(1));
    QCOMPARE(a.got[0].source, Source::Lead);  // a Redis miss, on the Redis thread
    QCOMPARE(nodeA.complete(key("p"), val("shared")), 0u);
    QVERIFY(nodeA.tiers().redis()->flush(5s));

    Outcomes b;
    nodeB.lookup(key("p"), clock.now(), b.done());
    nodeB.lookup(key("p"), clock.now(), b.done());  // joins B's flight while Redis answers (or hits locally)
    QVERIFY(b.waitFor(2));
    for (const auto &l : b.got) {
      QVERIFY(l.source == Source::Hit || l.source == Source::Coalesced);
      QCOMPARE(*l.value, std::string("shared"));
    }
    QCOMPARE(nodeB.inFlight(), 0u);
  }
};

QTEST_APPLESS_MAIN(TstResponseCache)
#include "tst_responsecache.moc"
