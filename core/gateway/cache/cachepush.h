// Cache push: a fill of the Redis tier reaches the local tier of every other node sharing that
// Redis, through Redis pub/sub, so a repeat on another node is a local hit.
//
// Contract:
// - Publishing is RedisCache's put lane (rediscache.h, RedisOptions::push): after each `SET` it
//   pipelines `PUBLISH pushChannel(options) message`. The message carries the value itself, so a
//   receiver needs no GET (one message instead of N extra round trips); values larger than
//   RedisOptions::pushMaxValueBytes are not pushed (counted; other nodes still find them in Redis
//   on a local miss), which keeps Redis' pub/sub output buffers and the receivers' work bounded.
// - The channel is scoped to the key prefix and a namespace (the cluster name), so clusters that
//   share one Redis never fill each other's local tiers.
// - Message (binary, little-endian): "LMP1", 16-byte origin tag, 32-byte key, u64 TTL in ms
//   (> 0), u32 value length, value bytes. Anything else is malformed: counted and dropped.
// - PushSubscriber owns one thread with its own hiredis connection that SUBSCRIBEs and hands each
//   well-formed message from another origin to `sink` (on that thread). It never touches the
//   request path's connections or threads. A lost connection (Redis restarted, killed) is
//   re-established with exponential backoff (RedisOptions::backoffInitial doubling up to
//   backoffMax, real time); messages published meanwhile are lost (pub/sub has no history): those
//   entries are found in Redis on a local miss as before. Connecting and subscribing may take up
//   to 500 ms (or the options' larger timeouts): nobody waits on this thread but the destructor,
//   which otherwise stops it at once.
// Thread-safe.
#pragma once

#include "common/clock.h"
#include "gateway/cache/cachekey.h"
#include "gateway/cache/localcache.h"
#include "gateway/cache/rediscache.h"
#include "observe/metrics.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace lmfront::gateway::cache {

// A random tag per RedisCache: how a node recognises (and ignores) its own messages.
NodeTag randomNodeTag();

// options.keyPrefix + "push:" + options.pushNamespace.
std::string pushChannel(const RedisOptions &options);

struct PushMessage {
  NodeTag origin{};
  CacheKey key;
  Clock::Duration ttl{};
  std::string_view value;  // points into the decoded bytes
};

inline constexpr std::size_t kPushHeaderBytes = 4 + 16 + 32 + 8 + 4;

std::string encodePush(const NodeTag &origin, const CacheKey &key, Clock::Duration ttl, std::string_view value);
// nullopt when malformed: wrong magic, truncated or oversized, TTL of 0.
std::optional<PushMessage> decodePush(std::string_view bytes);

// Metric series the subscriber updates (any may be null). See docs/metrics.md.
struct PushMetrics {
  observe::Counter *received = nullptr;          // stored into the local tier
  observe::Counter *droppedMalformed = nullptr;  // {reason="malformed"}
  observe::Counter *droppedRefused = nullptr;    // {reason="refused"}: the local tier said no
  observe::Gauge *up = nullptr;                  // 1 while subscribed
};

struct PushStats {
  std::uint64_t received = 0, own = 0, malformed = 0, refused = 0, subscribes = 0, connectFailures = 0;
};

class PushSubscriber {
public:
  // Stores a pushed entry; false when refused (e.g. larger than the local tier takes).
  using Sink = std::function<bool(const CacheKey &key, Value value, Clock::Duration ttl)>;

  PushSubscriber(const RedisOptions &options, const NodeTag &self, Sink sink, PushMetrics metrics = {});
  ~PushSubscriber();
  PushSubscriber(const PushSubscriber &) = delete;
  PushSubscriber &operator=(const PushSubscriber &) = delete;

  bool isSubscribed() const { return m_up.load(std::memory_order_acquire); }
  // Waits (real time, at most `timeout`) until subscribed; for start-up logs and tests.
  bool waitUntilSubscribed(std::chrono::milliseconds timeout) const;
  PushStats stats() const;
  const std::string &channel() const { return m_channel; }

private:
  void run();
  void handle(std::string_view payload);
  void setUp(bool up);
  bool waitForWake(int timeoutMs);  // true when asked to stop

  const RedisOptions m_options;
  const std::string m_channel;
  const NodeTag m_self;
  const Sink m_sink;
  const PushMetrics m_metrics;
  std::atomic<std::uint64_t> m_received{0}, m_own{0}, m_malformed{0}, m_refused{0}, m_subscribes{0},
      m_connectFailures{0};
  std::atomic<bool> m_up{false};
  std::atomic<bool> m_stop{false};
  mutable std::mutex m_stateMutex;  // only for waitUntilSubscribed()
  mutable std::condition_variable m_stateChanged;
  int m_wakeFd = -1;     // eventfd: the destructor wakes the thread out of poll()
  std::thread m_thread;  // last: starts once everything above exists
};

}  // namespace lmfront::gateway::cache
