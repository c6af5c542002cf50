// HitMemo: the cache-hit fast path's memory. For each data-plane worker it remembers which raw
// request bodies were last answered from the response cache, with everything that answer needed
// already worked out — the decoded model and admission estimate, the cache key, the rendered JSON
// body minus its per-response id and timestamp, the metric series — so an identical request skips
// the JSON decode, the sha256 cache key, the rendering and the metric look-ups (cache hits
// run at nginx's RPS: docs/benchmarks/gateway.md).
//
// Contract:
// - An entry is only a shortcut to the response cache, never a second cache. The caller still
//   admits every request (auth, Host/Origin, rate limits), checks that the model's pool still
//   serves entry.version, and reads the LocalCache with entry.key; it uses the rendering only when
//   that read returns the very value the rendering was made from (same shared pointer). So TTL,
//   eviction, clear(), a newly deployed version or a refilled entry behave exactly as without it.
// - find() compares the endpoint and the full body bytes, not only the 64-bit fingerprint: a
//   fingerprint collision is a miss, never a wrong answer. Identical bytes decode identically, so
//   the memo never changes what a body means.
// - Bounded: a shard holds at most kMaxEntries entries and kMaxBytes bytes, counting the cached
//   values its entries keep alive (so at most workers × kMaxBytes beyond the cache's own budget);
//   a full shard drops arbitrary entries to make room (they come back with the next cache hit).
//   One entry per fingerprint.
// Thread-safe: one mutex per shard; workers pick their shard by index, so it is uncontended.
#pragma once

#include "gateway/cache/cachekey.h"
#include "gateway/cache/localcache.h"
#include "observe/metrics.h"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lmfront::gateway::openai {

struct HitMemoEntry {
  bool chat = false;
  std::string body;     // the raw request body this entry answers
  std::string model;    // as decoded from the body
  std::string version;  // the pool version entry.key was made for
  int estimatedTokens = 0;
  cache::CacheKey key;
  cache::Value value;  // the cached generation the rendering below was made from
  // The rendered body is idPrefix + <fresh id digits> + beforeCreated + <unix seconds> + afterCreated.
  std::string idPrefix;                           // {"id":"cmpl-   or   {"id":"chatcmpl-
  std::string beforeCreated;                      // ","object":"text_completion","created":
  std::string afterCreated;                       // ,"model":… to the end
  observe::Counter *requests = nullptr;           // lmfront_requests_total{model, backend="cache", code="200"}
  observe::Histogram *duration = nullptr;         // lmfront_request_duration_seconds{model}
  observe::Histogram *backendDuration = nullptr;  // lmfront_backend_request_duration_seconds{backend="cache"}
  observe::Histogram *overhead = nullptr;         // lmfront_gateway_overhead_seconds{model}

  std::size_t bytes() const;
  std::string renderBody(std::string_view idDigits, std::int64_t created) const;
};

class HitMemo {
public:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMaxEntries = 16384;   // per shard
  static constexpr std::size_t kMaxBytes = 8u << 20;  // per shard

  static std::uint64_t fingerprint(bool chat, std::string_view body);

  // The entry for exactly these bytes on this endpoint, or null.
  std::shared_ptr<const HitMemoEntry> find(int worker, bool chat, std::string_view body) const;
  void remember(int worker, std::shared_ptr<const HitMemoEntry> entry);
  void clear();
  std::size_t size() const;     // entries over all shards
  std::uint64_t found() const;  // find() calls that returned an entry (for tests)

private:
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::uint64_t, std::shared_ptr<const HitMemoEntry>> entries;  // GUARDED_BY(mutex)
    std::size_t bytes = 0;                                                           // GUARDED_BY(mutex)
    std::uint64_t found = 0;                                                         // GUARDED_BY(mutex)
  };
  Shard &shard(int worker) const { return m_shards[static_cast<std::size_t>(worker < 0 ? 0 : worker) % kShards]; }

  mutable std::array<Shard, kShards> m_shards;
};

}  // namespace lmfront::gateway::openai
