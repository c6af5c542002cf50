// TieredCache: the response cache the request path uses — a LocalCache in front of an optional
// shared RedisCache, with the lmfront_cache_* metrics kept up to date.
//
// Recommended request flow (the caller owns HTTP and threads):
//   1. if !isCacheable(params) or Cache-Control bypass → serve uncached (x-lmfront-cache: bypass);
//   2. key = makeCacheKey(request); getLocal(key) → hit: serve (x-lmfront-cache: hit);
//   3. SingleFlight::join(key) → Follower: wait for the callback (x-lmfront-cache: coalesced);
//   4. Leader: getRemote(key, cb) → hit: complete(key) with it and serve (hit);
//      miss (or false returned): call the backend, put(key, body) unless no-store, complete(key).
// Contract:
// - getLocal(): synchronous, O(1), counts tier="local" hits/misses.
// - getRemote(key, cb): false when there is no Redis tier or it is down/saturated (cb is never
//   called: treat as a miss, counted as a tier="redis" miss); otherwise true and cb is called
//   exactly once ON THE REDIS THREAD with the value or nullptr. A Redis hit is also put into the
//   local tier with the entry's remaining Redis TTL (capped at the local TTL), so it never
//   outlives the TTL it was written with.
// - put(): inserts locally now and queues the Redis write (never on the critical path).
// - Push (RedisOptions::push): each Redis write is also published, and a PushSubscriber stores
//   what the other nodes publish into this local tier (cachepush.h), with the TTL it was written
//   with (capped at the local TTL). Counted in lmfront_cache_push_*.
// Thread-safe.
#pragma once

#include "common/clock.h"
#include "gateway/cache/cachemetrics.h"
#include "gateway/cache/cachepush.h"
#include "gateway/cache/localcache.h"
#include "gateway/cache/rediscache.h"

#include <functional>
#include <memory>
#include <optional>

namespace lmfront::gateway::cache {

struct TieredCacheOptions {
  LocalCacheOptions local;
  std::optional<RedisOptions> redis;               // no value: local tier only
  Clock::Duration ttl = std::chrono::minutes(10);  // for put() without an explicit ttl, both tiers
};

class TieredCache {
public:
  // `metrics` may be null (no metrics); it must outlive the cache otherwise.
  TieredCache(TieredCacheOptions options, const Clock &clock, const CacheMetrics *metrics = nullptr);

  Value getLocal(const CacheKey &key) { return getLocal(key, m_clock.now()); }
  Value getLocal(const CacheKey &key, Clock::TimePoint now);  // now: e.g. the request's arrival
  bool getRemote(const CacheKey &key, std::function<void(Value)> onResult);
  void put(const CacheKey &key, Value value, std::optional<Clock::Duration> ttl = std::nullopt);

  // Brings lmfront_cache_bytes and lmfront_cache_evictions_total up to date with the local tier.
  // put() does it; entries expiring on a get do not, so call this from the 1 s metrics tick too.
  void refreshMetrics();

  LocalCache &local() { return m_local; }
  RedisCache *redis() { return m_redis.get(); }    // null when local only
  PushSubscriber *push() { return m_push.get(); }  // null without a Redis tier or with push off

private:
  const TieredCacheOptions m_options;
  const Clock &m_clock;
  LocalCache m_local;
  std::unique_ptr<RedisCache> m_redis;
  observe::Counter *m_localHits = nullptr, *m_localMisses = nullptr;
  observe::Counter *m_redisHits = nullptr, *m_redisMisses = nullptr;
  observe::Counter *m_evictions = nullptr;
  observe::Gauge *m_bytes = nullptr;
  std::atomic<std::uint64_t> m_evictionsSeen{0};
  // Last: destroyed first, so no pushed entry arrives while the tiers are being torn down.
  std::unique_ptr<PushSubscriber> m_push;
};

}  // namespace lmfront::gateway::cache
