#include "gateway/cache/localcache.h"

#include <algorithm>
#include <utility>

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
  shard.stats.bytes -= it->size;
  --shard.stats.entries;
  shard.index.erase(it->key);
  shard.lru.erase(it);
}

Value LocalCache::get(const CacheKey &key, Clock::TimePoint now) {
  Shard &shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) {
    ++shard.stats.misses;
    return nullptr;
  }
  const auto it = found->second;
  if (it->expiresAt <= now) {
    removeLocked(shard, it);
    ++shard.stats.expirations;
    ++shard.stats.misses;
    return nullptr;
  }
  if (it != shard.lru.begin()) shard.lru.splice(shard.lru.begin(), shard.lru, it);
  ++shard.stats.hits;
  return it->value;
}

bool LocalCache::put(const CacheKey &key, Value value, std::optional<Clock::Duration> ttl) {
  const Clock::Duration lifetime = ttl.value_or(m_options.defaultTtl);
  const std::size_t size = value ? entrySize(value->size()) : 0;
  if (!value || lifetime <= Clock::Duration::zero() || size > m_shardBudget) {
    m_rejected.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const auto now = m_clock.now();
  Shard &shard = shardFor(key);
  Value old;  // released after the lock: freeing a large body is not the shard's business
  std::lock_guard lock(shard.mutex);
  std::list<Entry>::iterator slot = shard.lru.end();
  if (const auto found = shard.index.find(key); found != shard.index.end()) {
    // Replace in place: no node allocation; the entry leaves the budget while room is made.
    slot = found->second;
    shard.stats.bytes -= slot->size;
    slot->size = 0;
    if (slot != shard.lru.begin()) shard.lru.splice(shard.lru.begin(), shard.lru, slot);
  }
  while (shard.stats.bytes + size > m_shardBudget && !shard.lru.empty()) {
    const auto victim = std::prev(shard.lru.end());
    if (victim == slot) break;  // only the entry being replaced is left (it fits: size <= budget)
    ++(victim->expiresAt <= now ? shard.stats.expirations : shard.stats.evictions);
    removeLocked(shard, victim);
  }
  if (slot != shard.lru.end()) {
    old = std::exchange(slot->value, std::move(value));
    slot->expiresAt = now + lifetime;
    slot->size = size;
  } else {
    shard.lru.push_front(Entry{key, std::move(value), now + lifetime, size});
    shard.index.emplace(key, shard.lru.begin());
    ++shard.stats.entries;
  }
  shard.stats.bytes += size;
  ++shard.stats.insertions;
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
  LocalCacheStats total;
  for (const auto &shard : m_shards) {
    std::lock_guard lock(shard->mutex);
    const LocalCacheStats &s = shard->stats;
    total.hits += s.hits;
    total.misses += s.misses;
    total.insertions += s.insertions;
    total.evictions += s.evictions;
    total.expirations += s.expirations;
    total.bytes += s.bytes;
    total.entries += s.entries;
  }
  total.rejected = m_rejected.load(std::memory_order_relaxed);
  return total;
}

}  // namespace lmfront::gateway::cache
