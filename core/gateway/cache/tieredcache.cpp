#include "gateway/cache/tieredcache.h"

#include "observe/metricnames.h"

namespace lmfront::gateway::cache {
namespace {

void inc(observe::Counter *c) {
  if (c) c->inc();
}

}  // namespace

TieredCache::TieredCache(TieredCacheOptions options, const Clock &clock, const CacheMetrics *metrics)
    : m_options(std::move(options)), m_clock(clock), m_local(m_options.local, clock) {
  RedisMetrics redisMetrics;
  PushMetrics pushMetrics;
  if (metrics) {
    m_localHits = &metrics->hits->withLabels({"local"});
    m_localMisses = &metrics->misses->withLabels({"local"});
    m_redisHits = &metrics->hits->withLabels({"redis"});
    m_redisMisses = &metrics->misses->withLabels({"redis"});
    m_evictions = &metrics->evictions->withLabels({"local"});
    m_bytes = &metrics->bytes->withLabels({"local"});
    redisMetrics.getErrors = &metrics->redisErrors->withLabels({"get"});
    redisMetrics.putErrors = &metrics->redisErrors->withLabels({"put"});
    redisMetrics.getDropped = &metrics->redisDropped->withLabels({"get"});
    redisMetrics.putDropped = &metrics->redisDropped->withLabels({"put"});
    redisMetrics.up = &metrics->redisUp->withLabels({});
    redisMetrics.pushPublished = &metrics->pushPublished->withLabels({});
    redisMetrics.pushTooLarge = &metrics->pushDropped->withLabels({"too_large"});
    pushMetrics.received = &metrics->pushReceived->withLabels({});
    pushMetrics.droppedMalformed = &metrics->pushDropped->withLabels({"malformed"});
    pushMetrics.droppedRefused = &metrics->pushDropped->withLabels({"refused"});
    pushMetrics.up = &metrics->pushUp->withLabels({});
  }
  if (!m_options.redis) return;
  m_redis = std::make_unique<RedisCache>(*m_options.redis, clock, redisMetrics);
  if (m_options.redis->push)
    m_push = std::make_unique<PushSubscriber>(
        *m_options.redis, m_redis->nodeTag(),
        [this](const CacheKey &key, Value value, Clock::Duration ttl) {
          const bool stored = m_local.put(key, std::move(value), std::min(ttl, m_options.ttl));
          if (stored) refreshMetrics();
          return stored;
        },
        pushMetrics);
}

Value TieredCache::getLocal(const CacheKey &key, Clock::TimePoint now) {
  Value v = m_local.get(key, now);
  inc(v ? m_localHits : m_localMisses);
  return v;
}

bool TieredCache::getRemote(const CacheKey &key, std::function<void(Value)> onResult) {
  const bool asked =
      m_redis && m_redis->getAsync(key, [this, key, cb = std::move(onResult)](const RedisCache::Lookup &r) {
        inc(r.value ? m_redisHits : m_redisMisses);
        if (r.value) {
          const Clock::Duration ttl = std::min(r.ttlLeft, m_options.ttl);
          if (ttl > Clock::Duration::zero()) {
            m_local.put(key, r.value, ttl);
            refreshMetrics();
          }
        }
        cb(r.value);
      });
  if (!asked) inc(m_redisMisses);
  return asked;
}

void TieredCache::put(const CacheKey &key, Value value, std::optional<Clock::Duration> ttl) {
  const Clock::Duration lifetime = ttl.value_or(m_options.ttl);
  if (!value) return;
  m_local.put(key, value, lifetime);
  refreshMetrics();
  if (m_redis) m_redis->putAsync(key, std::move(value), lifetime);
}

void TieredCache::refreshMetrics() {
  const auto s = m_local.stats();
  if (m_bytes) m_bytes->set(static_cast<double>(s.bytes));
  if (!m_evictions) return;
  // Forward the local tier's eviction count into the metric exactly once per eviction.
  std::uint64_t seen = m_evictionsSeen.load(std::memory_order_relaxed);
  while (s.evictions > seen && !m_evictionsSeen.compare_exchange_weak(seen, s.evictions, std::memory_order_relaxed)) {
  }
  if (s.evictions > seen) m_evictions->inc(s.evictions - seen);
}

}  // namespace lmfront::gateway::cache
