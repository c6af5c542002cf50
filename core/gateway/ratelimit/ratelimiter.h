// RateLimiter: token buckets keyed by a string (an API key, a model name, "key|model"…) —
// requests per minute (cost 1) or tokens per minute (cost = estimated tokens, corrected after
// the response with adjust(key, actual − estimate)). See docs/gateway-policies.md.
//
// Contract:
// - acquire() takes `cost` tokens from the key's bucket or nothing, and says when to retry.
// - adjust() charges (delta > 0) or refunds (delta < 0) unconditionally; used to settle a token
//   estimate and to roll back an acquire when a later limit of the same request denied it.
// - Implementations are thread-safe; all time comes from the injected Clock.
//
// LocalRateLimiter keeps buckets in a hash map split into shards, each behind its own mutex, so
// workers hitting different keys rarely contend. Full buckets are evicted by evictIdle()
// (a full bucket is the same as no bucket, so eviction never changes a decision).
#pragma once

#include "gateway/ratelimit/tokenbucket.h"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lmfront::gateway::ratelimit {

class RateLimiter {
public:
  virtual ~RateLimiter() = default;
  virtual RateDecision acquire(std::string_view key, int64_t cost) = 0;
  virtual void adjust(std::string_view key, int64_t delta) = 0;
};

struct LocalRateLimiterConfig {
  TokenBucketConfig bucket;
  // Power of two in 1..1024. More shards = less contention, a little more memory.
  uint32_t shards = 64;

  Status validate() const;
};

class LocalRateLimiter final : public RateLimiter {
public:
  // config must be valid (see create()).
  LocalRateLimiter(const LocalRateLimiterConfig &config, const Clock &clock);
  static Result<std::unique_ptr<LocalRateLimiter>> create(const LocalRateLimiterConfig &config, const Clock &clock);

  RateDecision acquire(std::string_view key, int64_t cost) override;
  void adjust(std::string_view key, int64_t delta) override;
  int64_t available(std::string_view key);

  // Forgets every bucket that is full at the clock's now; returns how many. Call it from a timer
  // (e.g. once a minute) to bound memory under many short-lived keys.
  size_t evictIdle();
  size_t keyCount() const;

  const TokenBucketConfig &bucketConfig() const { return m_config.bucket; }

private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, TokenBucket, KeyHash, std::equal_to<>> buckets;  // guarded by mutex
  };
  Shard &shardFor(std::string_view key);
  TokenBucket &bucketLocked(Shard &shard, std::string_view key, Clock::TimePoint now);

  const LocalRateLimiterConfig m_config;
  const Clock &m_clock;
  std::unique_ptr<Shard[]> m_shards;
};

// One limit of a request: which limiter, which key, what cost.
struct LimitCheck {
  RateLimiter *limiter = nullptr;
  std::string_view key;
  int64_t cost = 1;
};

// Acquires every check or none: when one denies, the ones already taken are refunded. The
// result is the denying decision (retryAfter of that limit), or the last allowed decision.
RateDecision acquireAll(const std::vector<LimitCheck> &checks);

}  // namespace lmfront::gateway::ratelimit
