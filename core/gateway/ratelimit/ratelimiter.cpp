#include "gateway/ratelimit/ratelimiter.h"

#include <functional>

namespace lmfront::gateway::ratelimit {

Status LocalRateLimiterConfig::validate() const {
  LMFRONT_RETURN_IF_ERROR(bucket.validate());
  if (shards < 1 || shards > 1024 || (shards & (shards - 1)) != 0)
    return Status::invalidArgument("shards must be a power of two in 1..1024");
  return Status::ok();
}

LocalRateLimiter::LocalRateLimiter(const LocalRateLimiterConfig &config, const Clock &clock)
    : m_config(config), m_clock(clock), m_shards(std::make_unique<Shard[]>(config.shards)) {}

Result<std::unique_ptr<LocalRateLimiter>> LocalRateLimiter::create(const LocalRateLimiterConfig &config,
                                                                   const Clock &clock) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  return std::make_unique<LocalRateLimiter>(config, clock);
}

LocalRateLimiter::Shard &LocalRateLimiter::shardFor(std::string_view key) {
  // High bits: std::hash of a string is good, and the map inside the shard uses the low ones.
  const size_t h = std::hash<std::string_view>{}(key);
  return m_shards[(h >> 20) & (m_config.shards - 1)];
}

TokenBucket &LocalRateLimiter::bucketLocked(Shard &shard, std::string_view key, Clock::TimePoint now) {
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) it = shard.buckets.emplace(std::string(key), TokenBucket(m_config.bucket, now)).first;
  return it->second;
}

RateDecision LocalRateLimiter::acquire(std::string_view key, int64_t cost) {
  const auto now = m_clock.now();
  Shard &shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  return bucketLocked(shard, key, now).take(m_config.bucket, cost, now);
}

void LocalRateLimiter::adjust(std::string_view key, int64_t delta) {
  const auto now = m_clock.now();
  Shard &shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  bucketLocked(shard, key, now).adjust(m_config.bucket, delta, now);
}

int64_t LocalRateLimiter::available(std::string_view key) {
  const auto now = m_clock.now();
  Shard &shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(key);
  return it == shard.buckets.end() ? m_config.bucket.capacity() : it->second.available(m_config.bucket, now);
}

size_t LocalRateLimiter::evictIdle() {
  const auto now = m_clock.now();
  size_t evicted = 0;
  for (uint32_t s = 0; s < m_config.shards; ++s) {
    std::lock_guard lock(m_shards[s].mutex);
    auto &buckets = m_shards[s].buckets;
    for (auto it = buckets.begin(); it != buckets.end();) {
      if (it->second.isFull(m_config.bucket, now)) {
        it = buckets.erase(it);
        ++evicted;
      } else {
        ++it;
      }
    }
  }
  return evicted;
}

size_t LocalRateLimiter::keyCount() const {
  size_t n = 0;
  for (uint32_t s = 0; s < m_config.shards; ++s) {
    std::lock_guard lock(m_shards[s].mutex);
    n += m_shards[s].buckets.size();
  }
  return n;
}

RateDecision acquireAll(const std::vector<LimitCheck> &checks) {
  RateDecision last{true, Clock::Duration::zero(), 0, false, false};
  for (size_t i = 0; i < checks.size(); ++i) {
    RateDecision d = checks[i].limiter->acquire(checks[i].key, checks[i].cost);
    if (!d.allowed) {
      for (size_t j = 0; j < i; ++j) checks[j].limiter->adjust(checks[j].key, -checks[j].cost);
      return d;
    }
    last = d;
  }
  return last;
}

}  // namespace lmfront::gateway::ratelimit
