// bench_cachepush: how soon an answer stored on node A is in node B's local tier (cache push,
// docs/cache.md). Two TieredCaches in this process stand for two nodes sharing one Redis, each
// with its own Redis threads and subscriber, exactly as two lmfrontd processes have them. For each
// sample A.put() is called and B's local tier is polled (every ~20 µs, timer slack 1 ns) until the
// entry is there. Reference, in the same run: a raw hiredis PUBLISH on one connection to a
// blocking reader on another (Redis pub/sub's own transit: the floor). Wall time, median and p99
// of `--samples` sequential fills. Not a test: bench/cache/run.sh runs it.
//
// Usage: bench_cachepush --redis-port P [--samples N] [--value-bytes B]
#include "gateway/cache/tieredcache.h"

#include <hiredis.h>
#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace lmfront;
using namespace lmfront::gateway::cache;
using Steady = std::chrono::steady_clock;

namespace {

double us(Steady::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

void report(const char *name, std::vector<double> samples, std::size_t lost) {
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples.empty() ? 0.0 : samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))];
  };
  std::printf("%-32s median %8.1f us   p99 %8.1f us   max %8.1f us   (%zu samples, %zu lost)\n", name, at(0.5),
              at(0.99), samples.empty() ? 0.0 : samples.back(), samples.size(), lost);
}

CacheKey keyOf(int i) {
  const CacheRequest r{
      .model = "bench",
      .modelVersion = "v1",
      .endpoint = EndpointKind::Completions,
      .prompt = "push " + std::to_string(i) + " " + std::to_string(Steady::now().time_since_epoch().count()),
      .messages = {},
      .params = {}};
  return *makeCacheKey(r);
}

}  // namespace

int main(int argc, char **argv) {
  int port = 0, samples = 1000;
  std::size_t valueBytes = 512;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--redis-port") == 0) port = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--samples") == 0) samples = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--value-bytes") == 0) valueBytes = static_cast<std::size_t>(std::atoll(argv[i + 1]));
  }
  if (port <= 0) {
    std::fprintf(stderr, "usage: bench_cachepush --redis-port P [--samples N] [--value-bytes B]\n");
    return 2;
  }
  prctl(PR_SET_TIMERSLACK, 1UL);  // sleeps of 20 µs, not the default 50 µs of slack on top
  const std::string value(valueBytes, 'x');

  // Reference: raw pub/sub transit, publisher and blocking subscriber on their own connections.
  {
    redisContext *pub = redisConnect("127.0.0.1", port);
    redisContext *sub = redisConnect("127.0.0.1", port);
    if (!pub || pub->err || !sub || sub->err) {
      std::fprintf(stderr, "cannot connect to redis on %d\n", port);
      return 1;
    }
    freeReplyObject(redisCommand(sub, "SUBSCRIBE bench:ref"));
    std::atomic<std::int64_t> receivedAt{0};
    std::atomic<bool> stop{false};
    std::thread reader([&] {
      while (!stop.load()) {
        void *r = nullptr;
        if (redisGetReply(sub, &r) != REDIS_OK) break;
        receivedAt.store(Steady::now().time_since_epoch().count());
        freeReplyObject(r);
      }
    });
    std::vector<double> ref;
    for (int i = 0; i < samples; ++i) {
      receivedAt.store(0);
      const auto start = Steady::now();
      freeReplyObject(redisCommand(pub, "PUBLISH bench:ref %b", value.data(), value.size()));
      while (receivedAt.load() == 0) std::this_thread::sleep_for(std::chrono::microseconds(20));
      ref.push_back(us(Steady::duration(receivedAt.load()) - start.time_since_epoch()));
    }
    stop.store(true);
    freeReplyObject(redisCommand(pub, "PUBLISH bench:ref bye"));
    reader.join();
    report("ref_raw_publish_to_subscriber", ref, 0);
    redisFree(pub);
    redisFree(sub);
  }

  TieredCacheOptions o;
  o.local = {.byteBudget = 256u << 20, .shards = 16, .defaultTtl = std::chrono::minutes(10)};
  RedisOptions r;
  r.port = port;
  r.keyPrefix = "lmfront:bench:";
  r.push = true;
  o.redis = r;
  TieredCache a(o, Clock::steady());
  TieredCache b(o, Clock::steady());
  if (!a.push()->waitUntilSubscribed(std::chrono::seconds(5)) ||
      !b.push()->waitUntilSubscribed(std::chrono::seconds(5)) || !a.redis()->waitUntilUp(std::chrono::seconds(5))) {
    std::fprintf(stderr, "not subscribed\n");
    return 1;
  }
  std::vector<double> fill;
  std::size_t lost = 0;
  const auto shared = std::make_shared<const std::string>(value);
  for (int i = 0; i < samples; ++i) {
    const CacheKey k = keyOf(i);
    const auto start = Steady::now();
    a.put(k, shared);
    bool seen = false;
    while (!(seen = b.local().get(k) != nullptr) && Steady::now() - start < std::chrono::seconds(1))
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    if (seen)
      fill.push_back(us(Steady::now() - start));
    else
      ++lost;
  }
  report("push_fill_a_to_local_b", fill, lost);
  return 0;
}
