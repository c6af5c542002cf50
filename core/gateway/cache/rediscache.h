// RedisCache: the shared tier — cache entries in a real Redis server, seen by every node.
//
// Contract:
// - Nothing here ever blocks a request thread on Redis: all Redis I/O happens on two background
//   threads this class owns (one for lookups, one for writes), each with its own synchronous
//   hiredis connection, connect and I/O timeouts (default 50 ms) and bounded queues.
// - getAsync(key, cb): queues a lookup and returns true; cb is called exactly once, ON THE LOOKUP
//   THREAD (the caller marshals to its own loop), with the value and its remaining TTL, or with a
//   null value on a miss, a timeout or an error. Returns false — cb is never called, the caller
//   treats it as a miss — when Redis is known down (waiting out a reconnect backoff) or the queue
//   is full. Queued lookups are pipelined in batches (GET + PTTL each).
// - putAsync(key, value, ttl): queues `SET key value PX ttl` and returns at once; false when the
//   write was dropped (queue full, Redis down, value too large). Writes are never retried: the
//   cache is an optimisation, a lost write is a later miss.
// - Outage: a failed connect or I/O marks the lane down and schedules a reconnect with exponential
//   backoff (backoffInitial doubling up to backoffMax, on the injected clock). While down, calls
//   return false immediately: the gateway degrades to its local tier, no client sees an error.
// - Push (options.push): after each SET the put lane pipelines a PUBLISH of the entry for the
//   other nodes' local tiers (cachepush.h); values over options.pushMaxValueBytes are not pushed.
// - get(key): a blocking convenience over getAsync (waits at most connectTimeout + 2×ioTimeout +
//   200 ms): for tests and tools, not for event-loop threads.
// - The destructor stops both threads; queued lookups are answered as misses, queued writes dropped.
// - SIGPIPE is blocked on the two threads, so a Redis that vanishes mid-write cannot kill the process.
// Thread-safe. Keys are options.keyPrefix + CacheKey::hex().
#pragma once

#include "common/clock.h"
#include "gateway/cache/cachekey.h"
#include "gateway/cache/localcache.h"
#include "observe/metrics.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace lmfront::gateway::cache {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds connectTimeout{50};
  std::chrono::milliseconds ioTimeout{50};
  std::chrono::milliseconds backoffInitial{100};
  std::chrono::milliseconds backoffMax{5000};
  std::size_t getQueueCapacity = 4096;
  std::size_t putQueueCapacity = 1024;
  std::size_t maxBatch = 64;             // commands pipelined per round trip
  std::size_t maxValueBytes = 8u << 20;  // larger values are not shared
  std::string keyPrefix = "lmfront:cache:v1:";
  // Publish each write to the other nodes sharing this Redis and namespace (cachepush.h).
  bool push = false;
  std::string pushNamespace = "default";      // the cluster's name: clusters sharing a Redis stay apart
  std::size_t pushMaxValueBytes = 64u << 10;  // larger values are found in Redis on a miss instead
};

// Identifies one RedisCache in the push messages it publishes, so it can ignore its own.
using NodeTag = std::array<std::uint8_t, 16>;

// Optional metric series the tier updates (any may be null). See docs/metrics.md.
struct RedisMetrics {
  observe::Counter *getErrors = nullptr;
  observe::Counter *putErrors = nullptr;
  observe::Counter *getDropped = nullptr;
  observe::Counter *putDropped = nullptr;
  observe::Counter *pushPublished = nullptr;
  observe::Counter *pushTooLarge = nullptr;  // not published: value over pushMaxValueBytes
  observe::Gauge *up = nullptr;
};

struct RedisStats {
  std::uint64_t hits = 0, misses = 0, getErrors = 0, getDropped = 0;
  std::uint64_t puts = 0, putErrors = 0, putDropped = 0;
  std::uint64_t connects = 0, connectFailures = 0;
  std::uint64_t pushPublished = 0, pushTooLarge = 0;
};

class RedisCache {
public:
  struct Lookup {
    Value value;                // null: miss, error or dropped
    Clock::Duration ttlLeft{};  // remaining TTL of a hit; Duration::max() when none
  };
  using GetCallback = std::function<void(const Lookup &)>;

  RedisCache(RedisOptions options, const Clock &clock, RedisMetrics metrics = {});
  ~RedisCache();
  RedisCache(const RedisCache &) = delete;
  RedisCache &operator=(const RedisCache &) = delete;

  bool getAsync(const CacheKey &key, GetCallback onResult);
  Lookup get(const CacheKey &key);
  bool putAsync(const CacheKey &key, Value value, Clock::Duration ttl);

  // Waits (real time, at most `timeout`) until every queued write was sent and answered.
  bool flush(std::chrono::milliseconds timeout);
  // True while both lanes' last connection attempt or command succeeded. Each lane connects on
  // its own thread at construction, so right after it this may still be false.
  bool isUp() const;
  // Waits (real time, at most `timeout`) until isUp(); for start-up logs and tests.
  bool waitUntilUp(std::chrono::milliseconds timeout) const;
  RedisStats stats() const;
  const RedisOptions &options() const { return m_options; }
  const NodeTag &nodeTag() const { return m_nodeTag; }

private:
  class Lane;
  friend class Lane;

  const RedisOptions m_options;
  const Clock &m_clock;
  const RedisMetrics m_metrics;
  const NodeTag m_nodeTag;
  const std::string m_pushChannel;  // empty: no push
  std::atomic<std::uint64_t> m_pushPublished{0}, m_pushTooLarge{0};
  std::atomic<std::uint64_t> m_hits{0}, m_misses{0}, m_getErrors{0}, m_getDropped{0};
  std::atomic<std::uint64_t> m_puts{0}, m_putErrors{0}, m_putDropped{0}, m_connects{0}, m_connectFailures{0};
  std::atomic<bool> m_getUp{false}, m_putUp{false};
  mutable std::mutex m_stateMutex;  // only for waitUntilUp()
  mutable std::condition_variable m_stateChanged;
  std::unique_ptr<Lane> m_getLane;
  std::unique_ptr<Lane> m_putLane;
};

}  // namespace lmfront::gateway::cache
