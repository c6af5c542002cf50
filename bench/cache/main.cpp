// bench_cache: nanoseconds per call of the response cache's and the metrics' hot-path operations,
// with references measured in the same run (a mutex-guarded unordered_map lookup, a bare atomic
// increment, a raw hiredis GET round trip). One line per case: name, median ns/op over 5
// repetitions (CPU time for in-process cases, wall time for Redis), ratio to its reference. Not a test:
// bench/cache/run.sh runs it.
//
// Usage: bench_cache [--redis-port P]   (Redis cases only with a port)
#include "gateway/cache/cachekey.h"
#include "gateway/cache/localcache.h"
#include "gateway/cache/rediscache.h"
#include "gateway/openai/requestmetrics.h"
#include "gateway/pool/poolmetrics.h"
#include "observe/metricsregistry.h"

#include <hiredis.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

using namespace lmfront;
using namespace lmfront::gateway::cache;

namespace {

volatile std::uint64_t g_sink = 0;

double cpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Median over 5 repetitions of time / iterations, `body(i)` run on `threads` threads at once.
// The machine is shared and loaded: in-process cases count CPU time of this process (immune to
// preemption; per operation across all threads); Redis cases count wall time (latency is the point).
enum class Time { Cpu, Wall };
template <typename Body>
double measure(std::int64_t iterations, Body body, int threads = 1, Time time = Time::Cpu) {
  std::vector<double> reps;
  for (int rep = 0; rep < 5; ++rep) {
    const auto wallStart = std::chrono::steady_clock::now();
    const double cpuStart = cpuNs();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (std::int64_t i = 0; i < iterations; ++i) body(i + t * iterations);
      });
    for (auto &th : pool) th.join();
    const double elapsed =
        time == Time::Cpu
            ? (cpuNs() - cpuStart) / threads
            : std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - wallStart).count();
    reps.push_back(elapsed / static_cast<double>(iterations));
  }
  std::sort(reps.begin(), reps.end());
  return reps[reps.size() / 2];
}

void report(const char *name, double ns, double ref) {
  std::printf("%-34s %10.1f ns/op   %6.2fx ref\n", name, ns, ref > 0 ? ns / ref : 0.0);
}

std::vector<CacheKey> makeKeys(std::size_t n) {
  std::vector<CacheKey> keys;
  keys.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    CacheRequest r;
    r.model = "kjv";
    r.modelVersion = "sha256:0123";
    r.prompt = "prompt " + std::to_string(i);
    keys.push_back(*makeCacheKey(r));
  }
  return keys;
}

}  // namespace

int main(int argc, char **argv) {
  int redisPort = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--redis-port") == 0) redisPort = std::atoi(argv[i + 1]);

  constexpr std::size_t kEntries = 100000;
  const auto keys = makeKeys(kEntries);
  // Access in a fixed random order: in insertion order, the nodes would be visited in allocation
  // order and the prefetcher would flatter whichever structure allocates least.
  std::vector<std::size_t> order(kEntries);
  for (std::size_t i = 0; i < kEntries; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
  const auto at = [&](std::int64_t i) -> const CacheKey & {
    return keys[order[static_cast<std::size_t>(i) % kEntries]];
  };
  const auto body = std::make_shared<const std::string>(512, 'x');  // a typical small completion body

  // Reference: one std::mutex + std::unordered_map lookup (what a naive cache does).
  std::mutex refMutex;
  std::unordered_map<CacheKey, Value, CacheKeyHash> refMap;
  for (const auto &k : keys) refMap.emplace(k, body);
  const double refGet = measure(2000000, [&](std::int64_t i) {
    std::lock_guard lock(refMutex);
    g_sink = g_sink + refMap.find(at(i))->second->size();
  });
  report("ref_mutex_unordered_map_get", refGet, refGet);

  LocalCache cache({.byteBudget = 512u << 20, .shards = 16, .defaultTtl = std::chrono::hours(1)}, Clock::steady());
  for (const auto &k : keys) cache.put(k, body);
  report("local_get_hit", measure(2000000, [&](std::int64_t i) { g_sink = g_sink + cache.get(at(i))->size(); }),
         refGet);
  // A hot set (1000 keys, fits in CPU caches): the common case when a few prompts repeat.
  const double refHot = measure(2000000, [&](std::int64_t i) {
    std::lock_guard lock(refMutex);
    g_sink = g_sink + refMap.find(keys[order[static_cast<std::size_t>(i) % 1000]])->second->size();
  });
  report("ref_mutex_unordered_map_get_hot1k", refHot, refHot);
  report("local_get_hit_hot1k",
         measure(2000000,
                 [&](std::int64_t i) {
                   g_sink = g_sink + cache.get(keys[order[static_cast<std::size_t>(i) % 1000]])->size();
                 }),
         refHot);
  const auto requestTime = Clock::steady().now();  // the request path passes its arrival time
  report("local_get_hit_hot1k_caller_now",
         measure(2000000,
                 [&](std::int64_t i) {
                   g_sink = g_sink + cache.get(keys[order[static_cast<std::size_t>(i) % 1000]], requestTime)->size();
                 }),
         refHot);
  const double clockNs = measure(2000000, [&](std::int64_t) {
    g_sink = g_sink + static_cast<std::uint64_t>(Clock::steady().now().time_since_epoch().count());
  });
  report("clock_steady_now", clockNs, refHot);
  const auto missKeys = makeKeys(1000);
  std::vector<CacheKey> absent;
  for (auto k : missKeys) {
    k.bytes[31] ^= 0xFF;
    absent.push_back(k);
  }
  report("local_get_miss",
         measure(2000000,
                 [&](std::int64_t i) {
                   g_sink = g_sink + (cache.get(absent[static_cast<std::size_t>(i) % absent.size()]) ? 1 : 0);
                 }),
         refGet);
  report("local_put_replace", measure(1000000, [&](std::int64_t i) { cache.put(at(i), body); }), refGet);
  report("local_get_hit_2threads",
         measure(
             1000000, [&](std::int64_t i) { g_sink = g_sink + cache.get(at(i * 7))->size(); }, 2),
         refGet);

  CacheRequest req;
  req.model = "kjv";
  req.modelVersion = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  req.endpoint = EndpointKind::ChatCompletions;
  req.messages = {{"system", "You are terse.", ""}, {"user", std::string(200, 'q'), ""}};
  req.params.temperature = 0.0;
  req.params.maxTokens = 64;
  req.params.stop = {"\n\n"};
  report("make_cache_key_chat_250B",
         measure(200000, [&](std::int64_t) { g_sink = g_sink + makeCacheKey(req)->bytes[0]; }), refGet);

  // Metrics.
  std::atomic<std::uint64_t> refAtomic{0};
  const double refInc = measure(20000000, [&](std::int64_t) { refAtomic.fetch_add(1, std::memory_order_relaxed); });
  report("ref_atomic_fetch_add", refInc, refInc);
  observe::MetricsRegistry registry;
  auto m = gateway::openai::registerRequestMetrics(registry);
  auto pools = gateway::pool::registerPoolMetrics(registry);
  if (!m || !pools) {
    std::fprintf(stderr, "%s\n", (m ? pools.status() : m.status()).message().c_str());
    return 1;
  }
  observe::Counter &requests = m->requests->withLabels({"kjv", "engine-0", "200"});
  report("counter_inc", measure(20000000, [&](std::int64_t) { requests.inc(); }), refInc);
  report("counter_inc_2threads_same",
         measure(
             5000000, [&](std::int64_t) { requests.inc(); }, 2),
         refInc);
  report("counter_inc_with_label_lookup",
         measure(1000000,
                 [&](std::int64_t) {
                   m->requests->withLabels({"kjv", "engine-0", "200"}).inc();
                 }),
         refInc);
  observe::Histogram &latency = m->requestDuration->withLabels({"kjv"});
  report("histogram_observe",
         measure(10000000, [&](std::int64_t i) { latency.observe(0.0001 * static_cast<double>(i % 4000)); }), refInc);
  observe::Gauge &depth = pools->flow.queueDepth->withLabels({"kjv"});
  report("gauge_set", measure(20000000, [&](std::int64_t i) { depth.set(static_cast<double>(i & 7)); }), refInc);
  for (int i = 0; i < 10; ++i) {
    const std::string model = "model-" + std::to_string(i);
    m->requests->withLabels({model, "engine-0", "200"}).inc();
    m->requestDuration->withLabels({model}).observe(0.01);
    m->timeToFirstToken->withLabels({model}).observe(0.001);
    m->gatewayOverhead->withLabels({model}).observe(0.00002);
  }
  std::size_t textBytes = 0;
  const double expo = measure(200, [&](std::int64_t) { textBytes = registry.exposition().size(); });
  std::printf("%-34s %10.1f us/op   (%zu bytes, 10 models)\n", "exposition_standard_metrics", expo / 1000, textBytes);

  if (redisPort > 0) {
    redisContext *raw = redisConnect("127.0.0.1", redisPort);
    if (!raw || raw->err) {
      std::fprintf(stderr, "cannot connect to redis on %d\n", redisPort);
      return 1;
    }
    RedisOptions o;
    o.port = redisPort;
    RedisCache redis(o, Clock::steady());
    redis.putAsync(keys[0], body, std::chrono::minutes(5));
    redis.flush(std::chrono::seconds(5));
    const std::string rawKey = o.keyPrefix + keys[0].hex();
    const double refRtt = measure(
        5000,
        [&](std::int64_t) {
          auto *r = static_cast<redisReply *>(redisCommand(raw, "GET %b", rawKey.data(), rawKey.size()));
          g_sink = g_sink + (r ? r->len : 0);
          freeReplyObject(r);
        },
        1, Time::Wall);
    report("ref_hiredis_get_roundtrip", refRtt, refRtt);
    report("redis_get_sync_via_lane",
           measure(
               5000, [&](std::int64_t) { g_sink = g_sink + (redis.get(keys[0]).value ? 1 : 0); }, 1, Time::Wall),
           refRtt);
    // Pipelining: 64 lookups in flight at once, per lookup.
    const double batched = measure(
        200,
        [&](std::int64_t) {
          std::atomic<int> left{64};
          std::mutex mu;
          std::condition_variable cv;
          for (int j = 0; j < 64; ++j)
            redis.getAsync(keys[0], [&](const RedisCache::Lookup &) {
              if (left.fetch_sub(1) == 1) {
                std::lock_guard lock(mu);
                cv.notify_all();
              }
            });
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return left.load() == 0; });
        },
        1, Time::Wall);
    report("redis_get_async_64_inflight/op", batched / 64, refRtt);
    redisFree(raw);
  }
  return 0;
}
