// LocalCache: exact byte budget, LRU order, TTL on a ManualClock, stats, concurrency.
#include "gateway/cache/cachemetrics.h"
#include "gateway/cache/localcache.h"
#include "gateway/cache/tieredcache.h"

#include <QtTest>
#include <thread>

using namespace lmfront::gateway::cache;
using namespace std::chrono_literals;

namespace {

CacheKey key(int i) {
  // Designated initialisers: GCC 12's -Wrestrict misfires on `r.model = "m"` under ASan.
  const CacheRequest r{.model = "m",
                       .modelVersion = "v1",
                       .endpoint = EndpointKind::Completions,
                       .prompt = std::to_string(i),
                       .messages = {},
                       .params = {}};
  return *makeCacheKey(r);
}

Value val(std::size_t bytes, char c = 'x') { return std::make_shared<const std::string>(bytes, c); }

}  // namespace

class TstLocalCache : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void budgetIsExactAndEvictionIsLru() {
    lmfront::ManualClock clock;
    const std::size_t entry = LocalCache::entrySize(100);
    LocalCache cache({.byteBudget = 3 * entry, .shards = 1, .defaultTtl = 1h}, clock);
    QVERIFY(cache.put(key(1), val(100)));
    QVERIFY(cache.put(key(2), val(100)));
    QVERIFY(cache.put(key(3), val(100)));
    QCOMPARE(cache.stats().bytes, 3 * entry);  // exactly at budget: no eviction
    QCOMPARE(cache.stats().evictions, 0u);
    QVERIFY(cache.get(key(1)));  // 1 becomes most recent: LRU order is now 2, 3, 1
    QVERIFY(cache.put(key(4), val(100)));
    QCOMPARE(cache.stats().evictions, 1u);
    QVERIFY(!cache.get(key(2)));  // the least recently used went first
    QVERIFY(cache.get(key(3)) && cache.get(key(1)) && cache.get(key(4)));
    // Eviction frees exactly enough: an entry costing two slots pushes out the two oldest (3, 1).
    QVERIFY(cache.put(key(5), val(100 + entry)));
    QCOMPARE(LocalCache::entrySize(100 + entry), 2 * entry);
    QCOMPARE(cache.stats().evictions, 3u);
    QCOMPARE(cache.stats().entries, 2u);
    QCOMPARE(cache.stats().bytes, 3 * entry);
    QVERIFY(!cache.get(key(3)) && !cache.get(key(1)));
    QVERIFY(cache.get(key(4)) && cache.get(key(5)));
    // A one-slot entry pushes out exactly one: 4, read before 5, is the least recent.
    QVERIFY(cache.put(key(6), val(100)));
    QCOMPARE(cache.stats().evictions, 4u);
    QCOMPARE(cache.stats().entries, 2u);
    QCOMPARE(cache.stats().bytes, 3 * entry);
    QVERIFY(!cache.get(key(4)));
    QVERIFY(cache.get(key(5)) && cache.get(key(6)));
  }

  void replaceAccountsBytes() {
    lmfront::ManualClock clock;
    LocalCache cache({.byteBudget = 10000, .shards = 1, .defaultTtl = 1h}, clock);
    QVERIFY(cache.put(key(1), val(100)));
    QVERIFY(cache.put(key(1), val(300, 'y')));
    QCOMPARE(cache.stats().entries, 1u);
    QCOMPARE(cache.stats().bytes, LocalCache::entrySize(300));
    QCOMPARE(*cache.get(key(1)), std::string(300, 'y'));
    QVERIFY(cache.erase(key(1)));
    QCOMPARE(cache.stats().bytes, 0u);
  }

  void refusesWhatCannotFit() {
    lmfront::ManualClock clock;
    LocalCache cache({.byteBudget = 4000, .shards = 4, .defaultTtl = 1h}, clock);
    QCOMPARE(cache.shardBudget(), 1000u);
    QVERIFY(!cache.put(key(1), val(1000)));  // > a shard's budget once overhead is added
    QVERIFY(!cache.put(key(2), nullptr));
    QVERIFY(!cache.put(key(3), val(1), 0s));
    QCOMPARE(cache.stats().rejected, 3u);
    QCOMPARE(cache.stats().entries, 0u);
  }

  void ttlExpiresOnTheClock() {
    lmfront::ManualClock clock;
    LocalCache cache({.byteBudget = 1 << 20, .shards = 2, .defaultTtl = 10s}, clock);
    QVERIFY(cache.put(key(1), val(10)));
    QVERIFY(cache.put(key(2), val(10), 30s));
    clock.advance(9999ms);
    QVERIFY(cache.get(key(1)));
    clock.advance(1ms);  // exactly at expiry: gone
    QVERIFY(!cache.get(key(1)));
    QVERIFY(cache.get(key(2)));
    clock.advance(20s);
    QVERIFY(!cache.get(key(2)));
    const auto s = cache.stats();
    QCOMPARE(s.expirations, 2u);
    QCOMPARE(s.hits, 2u);
    QCOMPARE(s.misses, 2u);
    QCOMPARE(s.entries, 0u);
    QCOMPARE(s.bytes, 0u);
  }

  void concurrentUseKeepsAccountingExact() {
    lmfront::ManualClock clock;
    const std::size_t entry = LocalCache::entrySize(64);
    LocalCache cache({.byteBudget = 8 * 50 * entry, .shards = 8, .defaultTtl = 1h}, clock);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 5000; ++i) {
          const CacheKey k = key((i * 7 + t) % 1000);
          if (!cache.get(k)) cache.put(k, val(64));
        }
      });
    }
    for (auto &t : threads) t.join();
    const auto s = cache.stats();
    QCOMPARE(s.hits + s.misses, 20000u);
    QCOMPARE(s.bytes, s.entries * entry);
    QVERIFY(s.bytes <= 8 * 50 * entry);
    QVERIFY(s.insertions - s.evictions >= s.entries);  // > when two threads raced to fill one key
    cache.clear();
    QCOMPARE(cache.stats().bytes, 0u);
  }

  void tieredLocalOnlyKeepsMetrics() {
    lmfront::ManualClock clock;
    lmfront::observe::MetricsRegistry registry;
    auto m = registerCacheMetrics(registry);
    QVERIFY(m.isOk());
    const std::size_t entry = LocalCache::entrySize(10);
    TieredCacheOptions o;
    o.local = {.byteBudget = 2 * entry, .shards = 1, .defaultTtl = 1h};
    o.ttl = 1min;
    TieredCache cache(o, clock, &*m);
    QVERIFY(!cache.redis());
    QVERIFY(!cache.getRemote(key(1), [](Value) { QFAIL("no remote tier: never called"); }));
    cache.put(key(1), val(10));
    cache.put(key(2), val(10));
    cache.put(key(3), val(10));  // evicts 1
    QVERIFY(!cache.getLocal(key(1)));
    QVERIFY(cache.getLocal(key(3)));
    clock.advance(1min);  // the tiered default TTL applies to local puts
    QVERIFY(!cache.getLocal(key(2)));
    QCOMPARE(m->evictions->withLabels({"local"}).value(), 1u);
    QCOMPARE(m->hits->withLabels({"local"}).value(), 1u);
    QCOMPARE(m->misses->withLabels({"local"}).value(), 2u);
    QCOMPARE(m->misses->withLabels({"redis"}).value(), 1u);                             // "not asked" counts as a miss
    QCOMPARE(m->bytes->withLabels({"local"}).value(), static_cast<double>(2 * entry));  // as of the last put
    cache.refreshMetrics();                                                             // the 1 s tick
    QCOMPARE(m->bytes->withLabels({"local"}).value(), static_cast<double>(entry));
    QCOMPARE(m->evictions->withLabels({"local"}).value(), 1u);  // forwarded once, not again
  }
};

QTEST_APPLESS_MAIN(TstLocalCache)
#include "tst_localcache.moc"
