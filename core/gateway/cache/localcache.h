// LocalCache: the in-process tier — an LRU with a byte budget and per-entry TTL, sharded so
// concurrent workers rarely contend.
//
// Contract:
// - N shards (key bytes pick the shard), each an LRU list + hash map under its own mutex:
//   get/put/erase are O(1). Values are immutable, shared (shared_ptr<const std::string>) so a hit
//   never copies a response body under the lock and an eviction never frees a body a worker is
//   still sending.
// - Byte budget: an entry costs entrySize() = key + value + kEntryOverhead (the bookkeeping:
//   list and map nodes, control block). Each shard holds at most byteBudget / shards bytes, so the
//   total never exceeds byteBudget; inserting evicts least-recently-used entries of that shard
//   until the new one fits. An entry bigger than a shard's budget is refused (put returns false).
// - TTL: each entry expires at put time + ttl (default options.defaultTtl) on the injected clock;
//   an expired entry is never returned (erased on access; counted as an expiration and a miss).
// - stats() sums the shards' counters (each read under its shard's lock).
// Thread-safe.
#pragma once

#include "common/clock.h"
#include "gateway/cache/cachekey.h"

#include <atomic>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace lmfront::gateway::cache {

using Value = std::shared_ptr<const std::string>;

struct LocalCacheOptions {
  std::size_t byteBudget = 256u << 20;  // 256 MiB total across shards
  std::size_t shards = 16;              // more shards: less contention, coarser per-shard LRU
  Clock::Duration defaultTtl = std::chrono::minutes(10);
};

struct LocalCacheStats {
  std::uint64_t hits = 0, misses = 0, insertions = 0, evictions = 0, expirations = 0, rejected = 0;
  std::uint64_t bytes = 0, entries = 0;
};

class LocalCache {
public:
  static constexpr std::size_t kEntryOverhead = 160;
  static std::size_t entrySize(std::size_t valueBytes) { return sizeof(CacheKey::bytes) + valueBytes + kEntryOverhead; }

  LocalCache(LocalCacheOptions options, const Clock &clock);
  LocalCache(const LocalCache &) = delete;
  LocalCache &operator=(const LocalCache &) = delete;

  // The value, or nullptr on a miss or an expired entry. A hit makes the entry most recent.
  Value get(const CacheKey &key) { return get(key, m_clock.now()); }
  // Same, with the caller's idea of now (the request's arrival time): reading the clock costs
  // ~25 ns of CPU here (bench/cache), a third of a hot hit.
  Value get(const CacheKey &key, Clock::TimePoint now);
  // Inserts or replaces. false when refused: null value, ttl <= 0, or larger than a shard's budget.
  bool put(const CacheKey &key, Value value, std::optional<Clock::Duration> ttl = std::nullopt);
  bool erase(const CacheKey &key);
  void clear();

  LocalCacheStats stats() const;
  std::size_t shardBudget() const { return m_shardBudget; }

private:
  struct Entry {
    CacheKey key;
    Value value;
    Clock::TimePoint expiresAt;
    std::size_t size = 0;
  };
  // Own cache line per shard; its counters are plain integers under its mutex, so the hot path
  // has no shared atomics for workers on different shards to fight over.
  struct alignas(64) Shard {
    std::mutex mutex;
    std::list<Entry> lru;  // front = most recent; GUARDED_BY(mutex)
    std::unordered_map<CacheKey, std::list<Entry>::iterator, CacheKeyHash> index;  // GUARDED_BY(mutex)
    LocalCacheStats stats;                                                         // GUARDED_BY(mutex)
  };

  Shard &shardFor(const CacheKey &key);
  void removeLocked(Shard &shard, std::list<Entry>::iterator it);

  const LocalCacheOptions m_options;
  const Clock &m_clock;
  const std::size_t m_shardBudget;
  std::vector<std::unique_ptr<Shard>> m_shards;
  std::atomic<std::uint64_t> m_rejected{0};  // refused before choosing a shard
};

}  // namespace lmfront::gateway::cache
