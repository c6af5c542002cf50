// TokenBucket: the exact arithmetic of one rate limit (docs/gateway-policies.md).
//
// `limit` tokens per `period` refill continuously into a bucket holding at most `burst` tokens.
// The level is kept in integer units of 1/period_ns of a token, so refill (elapsed_ns × limit
// units) is exact: no floating point, no drift, and tests with a ManualClock see exact counts.
// A bucket may go into debt (down to −burst) through adjust(), so a request that turned out
// to cost more tokens than estimated delays the next ones instead of being forgiven.
// TokenBucket is a value type, not thread-safe: LocalRateLimiter guards it.
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <cstdint>

namespace lmfront::gateway::ratelimit {

struct TokenBucketConfig {
  int64_t limit = 60;                                // tokens added per period (> 0)
  Clock::Duration period = std::chrono::minutes(1);  // 1 ms .. 1 day
  int64_t burst = 0;                                 // bucket size; 0 = limit (no extra burst)

  int64_t capacity() const { return burst > 0 ? burst : limit; }
  // limit and burst ≤ 1e9, and burst × period (in µs) ≤ 1e14 so the same math is exact in
  // Redis's Lua (doubles) too.
  Status validate() const;
};

struct RateDecision {
  bool allowed = false;
  // When !allowed: how long until `cost` tokens will be there (Retry-After). Zero when allowed.
  Clock::Duration retryAfter{0};
  int64_t remaining = 0;      // whole tokens left after this decision (for x-ratelimit-remaining)
  bool exceedsBurst = false;  // cost > capacity: it can never be allowed; the caller answers 400/413
  bool fallback = false;      // decided by a fallback policy because the shared store was unavailable
};

// The Retry-After header value for a denial: whole seconds, rounded up, at least 1.
int64_t retryAfterSeconds(Clock::Duration retryAfter);

class TokenBucket {
public:
  // A new bucket is full.
  TokenBucket(const TokenBucketConfig &config, Clock::TimePoint now);

  // Takes `cost` tokens (≥ 0) if they are all there; otherwise takes nothing.
  RateDecision take(const TokenBucketConfig &config, int64_t cost, Clock::TimePoint now);
  // Charges `delta` more tokens (negative: refunds), unconditionally; the level stays within
  // [−capacity, capacity].
  void adjust(const TokenBucketConfig &config, int64_t delta, Clock::TimePoint now);
  // Whole tokens available at `now`.
  int64_t available(const TokenBucketConfig &config, Clock::TimePoint now);
  // Full buckets carry no state: a limiter may forget them (idle eviction) without changing any
  // decision.
  bool isFull(const TokenBucketConfig &config, Clock::TimePoint now);

private:
  void refill(const TokenBucketConfig &config, Clock::TimePoint now);

  int64_t m_level;  // in units of 1/period_ns token
  Clock::TimePoint m_last;
};

}  // namespace lmfront::gateway::ratelimit
