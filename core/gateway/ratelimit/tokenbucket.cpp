#include "gateway/ratelimit/tokenbucket.h"

#include <algorithm>

namespace lmfront::gateway::ratelimit {

namespace {
constexpr int64_t kMaxTokens = 1'000'000'000;
constexpr int64_t kMaxCapacityUs = 100'000'000'000'000;  // 1e14: exact in a double with room
}  // namespace

Status TokenBucketConfig::validate() const {
  if (limit <= 0 || limit > kMaxTokens) return Status::invalidArgument("limit must be in 1..1000000000");
  if (burst < 0 || burst > kMaxTokens) return Status::invalidArgument("burst must be in 0..1000000000");
  if (period < std::chrono::milliseconds(1) || period > std::chrono::hours(24))
    return Status::invalidArgument("period must be between 1 ms and 24 h");
  const int64_t periodUs = std::chrono::duration_cast<std::chrono::microseconds>(period).count();
  if (capacity() > kMaxCapacityUs / periodUs)
    return Status::invalidArgument("burst × period is too large (at most 1e14 token·µs)");
  return Status::ok();
}

int64_t retryAfterSeconds(Clock::Duration retryAfter) {
  const int64_t ns = std::max<int64_t>(retryAfter.count(), 1);
  return (ns + 999'999'999) / 1'000'000'000;
}

TokenBucket::TokenBucket(const TokenBucketConfig &config, Clock::TimePoint now)
    : m_level(config.capacity() * config.period.count()), m_last(now) {}

void TokenBucket::refill(const TokenBucketConfig &config, Clock::TimePoint now) {
  if (now <= m_last) return;  // time never runs backwards for a bucket
  const int64_t cap = config.capacity() * config.period.count();
  const int64_t need = cap - m_level;
  const int64_t elapsed = (now - m_last).count();
  m_last = now;
  if (need <= 0) return;
  // elapsed × limit may overflow for long idle times; compare by division first.
  if (elapsed >= (need + config.limit - 1) / config.limit)
    m_level = cap;
  else
    m_level += elapsed * config.limit;
}

RateDecision TokenBucket::take(const TokenBucketConfig &config, int64_t cost, Clock::TimePoint now) {
  refill(config, now);
  RateDecision d;
  const int64_t p = config.period.count();
  cost = std::max<int64_t>(cost, 0);
  if (cost > config.capacity()) {
    d.exceedsBurst = true;
  } else if (cost * p <= m_level) {
    m_level -= cost * p;
    d.allowed = true;
  } else {
    d.retryAfter = Clock::Duration((cost * p - m_level + config.limit - 1) / config.limit);
  }
  d.remaining = m_level > 0 ? m_level / p : 0;
  return d;
}

void TokenBucket::adjust(const TokenBucketConfig &config, int64_t delta, Clock::TimePoint now) {
  refill(config, now);
  const int64_t p = config.period.count();
  const int64_t cap = config.capacity() * p;
  delta = std::clamp<int64_t>(delta, -2 * config.capacity(), 2 * config.capacity());
  m_level = std::clamp<int64_t>(m_level - delta * p, -cap, cap);
}

int64_t TokenBucket::available(const TokenBucketConfig &config, Clock::TimePoint now) {
  refill(config, now);
  return m_level > 0 ? m_level / config.period.count() : 0;
}

bool TokenBucket::isFull(const TokenBucketConfig &config, Clock::TimePoint now) {
  refill(config, now);
  return m_level >= config.capacity() * config.period.count();
}

}  // namespace lmfront::gateway::ratelimit
