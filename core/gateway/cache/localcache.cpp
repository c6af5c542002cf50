#include "gateway/cache/localcache.h"

#include <algorithm>

namespace lmfront::gateway::cache {

LocalCache::LocalCache(LocalCacheOptions options, const Clock &clock)
    : m_options(options), m_clock(clock), m_shardBudget(options.byteBudget / std::max<std::size_t>(options.shards, 1)) {
  const std::size_t n = std::max<std::size_t>(options.shards, 1);
  m_shards.reserve(n);
  for (std::size_t i = 0; i < n; ++i) m_shards.push_back(std::make_unique<Shard>());
}

LocalCache::Shard &LocalCache::shardFor(const CacheKey &key) {
  // Bytes 8..15: independent of the bytes the hash map uses (0..7), so a shard's map stays spread.
  std::uint64_t h;
  std::memcpy(&h, key.bytes.data() + 8, sizeof h);
  return *m_shards[h % m_shards.size()];
}

void LocalCache::removeLocked(Shard &shard, std::list<Entry>::iterator it) {
  shard.bytes -= it->size;
  m_bytes.fetch_sub(it->size, std::memory_order_relaxed);
  m_entries.fetch_sub(1, std::memory_order_relaxed);
  shard.index.erase(it->key);
  shard.lru.erase(it);
}

Value LocalCache::get(const CacheKey &key) {
  Shard &shard = shardFor(key);
  const auto now = m_clock.now();
  std::lock_guard lock(shard.mutex);
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) {
    m_misses.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  const auto it = found->second;
  if (it->expiresAt <= now) {
    removeLocked(shard, it);
    m_expirations.fetch_add(1, std::memory_order_relaxed);
    m_misses.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it);
  m_hits.fetch_add(1, std::memory_order_relaxed);
  return it->value;
}

bool LocalCache::put(const CacheKey &key, Value value, std::optional<Clock::Duration> ttl) {
  const Clock::Duration lifetime = ttl.value_or(m_options.defaultTtl);
  const std::size_t size = value ? entrySize(value->size()) : 0;
  if (!value || lifetime <= Clock::Duration::zero() || size > m_shardBudget) {
    m_rejected.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const auto expiresAt = m_clock.now() + lifetime;
  Shard &shard = shardFor(key);
  Value old;  // released after the lock: freeing a large body is not the shard's business
  std::lock_guard lock(shard.mutex);
  if (const auto found = shard.index.find(key); found != shard.index.end()) {
    old = std::move(found->second->value);
    removeLocked(shard, found->second);
  }
  const auto now = expiresAt - lifetime;
  while (shard.bytes + size > m_shardBudget && !shard.lru.empty()) {
    const auto victim = std::prev(shard.lru.end());
    (victim->expiresAt <= now ? m_expirations : m_evictions).fetch_add(1, std::memory_order_relaxed);
    removeLocked(shard, victim);
  }
  shard.lru.push_front(Entry{key, std::move(value), expiresAt, size});
  shard.index.emplace(key, shard.lru.begin());
  shard.bytes += size;
  m_bytes.fetch_add(size, std::memory_order_relaxed);
  m_entries.fetch_add(1, std::memory_order_relaxed);
  m_insertions.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool LocalCache::erase(const CacheKey &key) {
  Shard &shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) return false;
  removeLocked(shard, found->second);
  return true;
}

void LocalCache::clear() {
  for (auto &shard : m_shards) {
    std::lock_guard lock(shard->mutex);
    while (!shard->lru.empty()) removeLocked(*shard, shard->lru.begin());
  }
}

LocalCacheStats LocalCache::stats() const {
  LocalCacheStats s;
  s.hits = m_hits.load(std::memory_order_relaxed);
  s.misses = m_misses.load(std::memory_order_relaxed);
  s.insertions = m_insertions.load(std::memory_order_relaxed);
  s.evictions = m_evictions.load(std::memory_order_relaxed);
  s.expirations = m_expirations.load(std::memory_order_relaxed);
  s.rejected = m_rejected.load(std::memory_order_relaxed);
  s.bytes = m_bytes.load(std::memory_order_relaxed);
  s.entries = m_entries.load(std::memory_order_relaxed);
  return s;
}

}  // namespace lmfront::gateway::cache
