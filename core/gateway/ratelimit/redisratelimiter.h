// RedisRateLimiter: a rate limit that holds exactly across every node sharing one Redis.
//
// Each acquire()/adjust() is one EVALSHA of a Lua token-bucket script, so read-refill-take is
// atomic inside Redis: N nodes see one bucket and the limit is exact, not N × limit. The script
// uses the same integer arithmetic as TokenBucket (level in 1/period_µs token units; exact in
// Lua's doubles because burst × period ≤ 1e14 µs). Time is Redis's own (TIME) by default, one
// clock for all nodes; tests pass the injected clock's time instead (useServerTime = false).
//
// When Redis is unreachable or slow (connect/command timeouts, 100 ms by default) the decision
// comes from the fallback policy — Local (default: a per-node LocalRateLimiter with
// limit × fallbackShare), Open (allow) or Closed (deny) — and fallbackCount() counts it. After a
// failure, Redis is not tried again for reconnectBackoff, so a dead Redis costs one refused
// connect per backoff period, never a hang per request.
//
// Thread-safe: a small pool of hiredis connections, each used by one thread at a time.
#pragma once

#include "gateway/ratelimit/ratelimiter.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace lmfront::gateway::ratelimit {

enum class RedisFallback { Local, Open, Closed };

struct RedisRateLimiterConfig {
  TokenBucketConfig bucket;
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string keyPrefix = "lmfront:rl:";  // + name; one prefix per limit (rpm/tpm, key/model)
  Clock::Duration connectTimeout = std::chrono::milliseconds(100);
  Clock::Duration commandTimeout = std::chrono::milliseconds(100);
  Clock::Duration reconnectBackoff = std::chrono::seconds(1);
  uint32_t connections = 4;   // pool size (1..64)
  bool useServerTime = true;  // false: time from the injected Clock (tests, or nodes sharing a wall clock)
  RedisFallback fallback = RedisFallback::Local;
  double fallbackShare = 1.0;  // Local fallback limit = limit × share (e.g. 1/N for N nodes), in (0, 1]

  Status validate() const;
};

class RedisRateLimiter final : public RateLimiter {
public:
  // Does not connect: the first acquire() does (so a node starts while Redis is down).
  static Result<std::unique_ptr<RedisRateLimiter>> create(const RedisRateLimiterConfig &config, const Clock &clock);
  ~RedisRateLimiter() override;

  RateDecision acquire(std::string_view key, int64_t cost) override;
  void adjust(std::string_view key, int64_t delta) override;

  uint64_t fallbackCount() const { return m_fallbacks.load(std::memory_order_relaxed); }
  uint64_t redisErrorCount() const { return m_errors.load(std::memory_order_relaxed); }
  std::string lastError() const;

private:
  struct Connection;
  RedisRateLimiter(const RedisRateLimiterConfig &config, const Clock &clock);
  // Runs the script; false (and the error recorded) when Redis could not answer.
  bool run(std::string_view key, int64_t cost, bool take, RateDecision &out);
  bool runOn(Connection &c, std::string_view key, int64_t cost, bool take, RateDecision &out);
  void fail(Connection &c, std::string why);
  RateDecision fallbackAcquire(std::string_view key, int64_t cost);

  const RedisRateLimiterConfig m_config;
  const Clock &m_clock;
  std::unique_ptr<Connection[]> m_pool;
  std::atomic<uint32_t> m_nextConnection{0};
  std::atomic<Clock::Duration::rep> m_retryAt{0};  // no Redis attempt before this (clock ns)
  std::unique_ptr<LocalRateLimiter> m_local;       // Local fallback
  std::atomic<uint64_t> m_fallbacks{0};
  std::atomic<uint64_t> m_errors{0};
  mutable std::mutex m_errorMutex;
  std::string m_lastError;  // guarded by m_errorMutex
};

}  // namespace lmfront::gateway::ratelimit
