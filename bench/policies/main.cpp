// bench_policies: nanoseconds per call of each policy's hot-path operation, with references
// measured in the same run (an uncontended mutex lock/unlock, an atomic increment, a Redis PING
// round trip). Prints one line per case: name, median ns/op of 5 repetitions, ratio to reference.
//
// Usage: bench_policies [--redis-port P]   (Redis cases only with a port)
#include "gateway/ratelimit/concurrencylimiter.h"
#include "gateway/ratelimit/ratelimiter.h"
#include "gateway/ratelimit/redisratelimiter.h"
#include "gateway/resilience/circuitbreaker.h"
#include "gateway/resilience/outlierdetector.h"
#include "gateway/resilience/retrybudget.h"
#include "gateway/routing/balancer.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace lmfront;
namespace routing = lmfront::gateway::routing;
namespace rl = lmfront::gateway::ratelimit;
namespace res = lmfront::gateway::resilience;

namespace {

volatile uint64_t g_sink = 0;

// Median over 5 repetitions of (elapsed / iterations), running `body(i)` on `threads` threads
// at once (ns per operation per thread).
double measure(int64_t iterations, const std::function<void(int64_t)> &body, int threads = 1) {
  std::vector<double> reps;
  for (int rep = 0; rep < 5; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int64_t i = 0; i < iterations; ++i) body(i + t * iterations);
      });
    for (auto &th : pool) th.join();
    const auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    reps.push_back(ns / double(iterations));
  }
  std::sort(reps.begin(), reps.end());
  return reps[2];
}

void row(const char *name, double ns, double reference, const char *refName) {
  std::printf("%-44s %10.1f ns/op   %6.2fx %s\n", name, ns, ns / reference, refName);
}

}  // namespace

int main(int argc, char **argv) {
  int redisPort = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--redis-port") == 0) redisPort = std::atoi(argv[i + 1]);

  std::mutex m;
  const double mutexNs = measure(2'000'000, [&](int64_t) {
    std::lock_guard lock(m);
    g_sink = g_sink + 1;
  });
  std::atomic<uint64_t> counter{0};
  const double atomicNs = measure(2'000'000, [&](int64_t) { counter.fetch_add(1, std::memory_order_relaxed); });
  const Clock &steady = Clock::steady();
  const double clockNs =
      measure(2'000'000, [&](int64_t) { g_sink = uint64_t(steady.now().time_since_epoch().count()); });
  std::printf("reference: mutex lock+unlock %.1f ns, atomic fetch_add %.1f ns, Clock::steady().now() %.1f ns\n",
              mutexNs, atomicNs, clockNs);

  std::vector<routing::Backend> backends;
  for (int i = 0; i < 8; ++i) backends.push_back({"backend-" + std::to_string(i), uint32_t(1 + i % 3), true});
  std::vector<std::string> keys;
  for (int i = 0; i < 10000; ++i) keys.push_back("user-" + std::to_string(i * 7919));

  for (routing::BalancerKind kind :
       {routing::BalancerKind::RoundRobin, routing::BalancerKind::WeightedRoundRobin, routing::BalancerKind::Random,
        routing::BalancerKind::ConsistentHash, routing::BalancerKind::LeastOutstanding,
        routing::BalancerKind::PowerOfTwo, routing::BalancerKind::PeakEwma}) {
    routing::BalancerConfig config;
    config.kind = kind;
    config.seed = 1;
    auto b = std::move(routing::makeBalancer(config, backends, Clock::steady())).value();
    const std::string name = "pick+start+finish " + std::string(routing::balancerKindName(kind));
    const double one = measure(1'000'000, [&](int64_t i) {
      const size_t p = b->pick({keys[size_t(i % 10000)]}).value();
      b->onStart(p);
      b->onFinish(p, std::chrono::microseconds(500), true);
    });
    row(name.c_str(), one, mutexNs, "mutex");
    const double two = measure(
        500'000,
        [&](int64_t i) {
          const size_t p = b->pick({keys[size_t(i % 10000)]}).value();
          b->onStart(p);
          b->onFinish(p, std::chrono::microseconds(500), true);
        },
        2);
    row((name + " (2 threads)").c_str(), two, mutexNs, "mutex");
  }

  rl::LocalRateLimiterConfig lc;
  lc.bucket.limit = 1'000'000'000;
  lc.bucket.period = std::chrono::seconds(1);
  rl::LocalRateLimiter local(lc, Clock::steady());
  row("local acquire, one key", measure(1'000'000, [&](int64_t) { g_sink = local.acquire("key", 1).allowed; }), mutexNs,
      "mutex");
  row("local acquire, 10k keys",
      measure(1'000'000, [&](int64_t i) { g_sink = local.acquire(keys[size_t(i % 10000)], 1).allowed; }), mutexNs,
      "mutex");
  row("local acquire, 10k keys (2 threads)",
      measure(
          500'000, [&](int64_t i) { g_sink = local.acquire(keys[size_t(i % 10000)], 1).allowed; }, 2),
      mutexNs, "mutex");

  rl::ConcurrencyLimiter cl(rl::ConcurrencyLimitConfig{});
  row("concurrency tryAcquire+release (gradient)",
      measure(1'000'000,
              [&](int64_t) {
                if (cl.tryAcquire()) cl.release(std::chrono::milliseconds(5), rl::Outcome::Success);
              }),
      mutexNs, "mutex");

  res::CircuitBreaker breaker(res::CircuitBreakerConfig{}, Clock::steady());
  row("breaker allow+onSuccess",
      measure(1'000'000,
              [&](int64_t) {
                if (breaker.allow()) breaker.onSuccess();
              }),
      mutexNs, "mutex");
  res::OutlierDetector outliers(8, res::OutlierDetectorConfig{}, Clock::steady());
  row("outlier record(success)",
      measure(1'000'000, [&](int64_t i) { outliers.record(size_t(i % 8), res::Observation::Success); }), atomicNs,
      "atomic");
  res::RetryBudget budget(res::RetryBudgetConfig{}, Clock::steady());
  row("retry budget onRequest", measure(1'000'000, [&](int64_t) { budget.onRequest(); }), atomicNs, "atomic");

  if (redisPort > 0) {
    rl::RedisRateLimiterConfig rc;
    rc.port = redisPort;
    rc.bucket.limit = 1'000'000'000 / 1000;
    rc.bucket.period = std::chrono::seconds(1);
    rc.keyPrefix = "bench:";
    rc.commandTimeout = std::chrono::seconds(2);  // measure round trips, not the fallback, on a busy machine
    redisContext *ping = redisConnect("127.0.0.1", redisPort);
    if (!ping || ping->err) {
      std::fprintf(stderr, "cannot connect to redis on port %d\n", redisPort);
      return 1;
    }
    const double pingNs = measure(20'000, [&](int64_t) { freeReplyObject(redisCommand(ping, "PING")); });
    redisFree(ping);
    row("reference: redis PING round trip", pingNs, pingNs, "PING");
    auto redis = std::move(rl::RedisRateLimiter::create(rc, Clock::steady())).value();
    redis->acquire("warm", 1);
    const double redisNs =
        measure(20'000, [&](int64_t i) { g_sink = redis->acquire(keys[size_t(i % 10000)], 1).allowed; });
    row("redis acquire (EVALSHA round trip)", redisNs, pingNs, "PING");
    row("redis acquire, 2 threads (pool of 4)",
        measure(
            10'000, [&](int64_t i) { g_sink = redis->acquire(keys[size_t(i % 10000)], 1).allowed; }, 2),
        redisNs, "1-thread redis");
    std::printf("redis fallbacks during the run: %llu (errors %llu%s%s)\n",
                static_cast<unsigned long long>(redis->fallbackCount()),
                static_cast<unsigned long long>(redis->redisErrorCount()),
                redis->lastError().empty() ? "" : ", last: ", redis->lastError().c_str());
  }
  return 0;
}
