#include "gateway/cache/rediscache.h"

#include "gateway/cache/cachepush.h"
#include "gateway/cache/redisio.h"

#include <hiredis.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace lmfront::gateway::cache {
namespace {

using redisio::toTimeval;

void inc(std::atomic<std::uint64_t> &stat, observe::Counter *metric) {
  stat.fetch_add(1, std::memory_order_relaxed);
  if (metric) metric->inc();
}

}  // namespace

class RedisCache::Lane {
public:
  enum class Kind { Get, Put };
  struct Job {
    CacheKey key;
    Value value;
    Clock::Duration ttl{};
    GetCallback onResult;
    bool published = false;  // put lane: a PUBLISH follows the SET in the pipeline
  };

  Lane(RedisCache &owner, Kind kind, std::size_t capacity, std::atomic<bool> &upFlag)
      : m_owner(owner),
        m_kind(kind),
        m_capacity(capacity),
        m_up(upFlag),
        m_backoff(owner.m_options.backoffInitial),
        m_thread([this] { run(); }) {}

  ~Lane() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    if (m_ctx) redisFree(m_ctx);
  }

  // Request thread: O(1), never touches the socket.
  bool submit(Job &&job) {
    if (!m_up.load(std::memory_order_acquire) &&
        m_owner.m_clock.now().time_since_epoch().count() < m_retryAt.load(std::memory_order_acquire))
      return false;
    {
      std::lock_guard lock(m_mutex);
      if (m_stop || m_queue.size() >= m_capacity) return false;
      m_queue.push_back(std::move(job));
    }
    m_wake.notify_one();
    return true;
  }

  bool waitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, timeout, [&] { return m_queue.empty() && !m_busy; });
  }

private:
  void run() {
    redisio::blockSigpipe();
    ensureConnected();  // early, so the up gauge tells the truth before the first request
    std::vector<Job> batch;
    for (;;) {
      {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_stop) break;
        while (!m_queue.empty() && batch.size() < std::max<std::size_t>(m_owner.m_options.maxBatch, 1)) {
          batch.push_back(std::move(m_queue.front()));
          m_queue.pop_front();
        }
        m_busy = true;
      }
      process(batch);
      batch.clear();
      {
        std::lock_guard lock(m_mutex);
        m_busy = false;
        if (m_queue.empty()) m_idle.notify_all();
      }
    }
    // Stopping: nothing more goes to Redis. Lookups still get their one callback.
    std::deque<Job> rest;
    {
      std::lock_guard lock(m_mutex);
      rest.swap(m_queue);
    }
    for (auto &job : rest) fail(job, false);
    m_idle.notify_all();
  }

  void setUp(bool up) {
    {
      // Under the lock, so two lanes changing state at once leave the gauge matching isUp().
      std::lock_guard lock(m_owner.m_stateMutex);
      m_up.store(up, std::memory_order_release);
      if (m_owner.m_metrics.up) m_owner.m_metrics.up->set(m_owner.isUp() ? 1 : 0);
    }
    m_owner.m_stateChanged.notify_all();
  }

  enum class Connection { Ready, Failed, Backoff };
  Connection ensureConnected() {
    if (m_ctx) return Connection::Ready;
    const auto now = m_owner.m_clock.now();
    if (now.time_since_epoch().count() < m_retryAt.load(std::memory_order_acquire)) return Connection::Backoff;
    const RedisOptions &o = m_owner.m_options;
    m_ctx = redisConnectWithTimeout(o.host.c_str(), o.port, toTimeval(o.connectTimeout));
    if (m_ctx && !m_ctx->err && redisSetTimeout(m_ctx, toTimeval(o.ioTimeout)) == REDIS_OK) {
      m_owner.m_connects.fetch_add(1, std::memory_order_relaxed);
      m_backoff = o.backoffInitial;
      setUp(true);
      return Connection::Ready;
    }
    m_owner.m_connectFailures.fetch_add(1, std::memory_order_relaxed);
    disconnect();
    return Connection::Failed;
  }

  // The connection is unusable (or never was): drop it and wait out a growing backoff.
  void disconnect() {
    if (m_ctx) redisFree(m_ctx);
    m_ctx = nullptr;
    redisio::clearPendingSigpipe();
    m_retryAt.store((m_owner.m_clock.now() + m_backoff).time_since_epoch().count(), std::memory_order_release);
    m_backoff = std::min<Clock::Duration>(m_backoff * 2, m_owner.m_options.backoffMax);
    setUp(false);
  }

  // A job that did not reach Redis: `tried` says whether Redis was tried (error) or not (dropped).
  void fail(Job &job, bool tried) {
    if (m_kind == Kind::Get) {
      inc(tried ? m_owner.m_getErrors : m_owner.m_getDropped,
          tried ? m_owner.m_metrics.getErrors : m_owner.m_metrics.getDropped);
      if (job.onResult) job.onResult(Lookup{});
    } else {
      inc(tried ? m_owner.m_putErrors : m_owner.m_putDropped,
          tried ? m_owner.m_metrics.putErrors : m_owner.m_metrics.putDropped);
    }
  }

  void process(std::vector<Job> &batch) {
    const Connection c = ensureConnected();
    if (c != Connection::Ready) {
      // A connect attempted just now counts as an error; one skipped for backoff as dropped.
      for (auto &job : batch) fail(job, c == Connection::Failed);
      return;
    }
    const std::string &prefix = m_owner.m_options.keyPrefix;
    for (auto &job : batch) {
      const std::string key = prefix + job.key.hex();
      if (m_kind == Kind::Get) {
        redisAppendCommand(m_ctx, "GET %b", key.data(), key.size());
        redisAppendCommand(m_ctx, "PTTL %b", key.data(), key.size());
      } else {
        const long long ms =
            std::max<long long>(1, std::chrono::duration_cast<std::chrono::milliseconds>(job.ttl).count());
        redisAppendCommand(m_ctx, "SET %b %b PX %lld", key.data(), key.size(), job.value->data(), job.value->size(),
                           ms);
        appendPublish(job);
      }
    }
    std::size_t i = 0;
    for (; i < batch.size(); ++i) {
      if (!(m_kind == Kind::Get ? finishGet(batch[i]) : finishPut(batch[i]))) break;
    }
    if (i < batch.size()) {
      disconnect();  // an I/O error or timeout: the pipeline's state is unknown
      for (; i < batch.size(); ++i) fail(batch[i], true);
    }
  }

  // One reply; nullptr when the connection failed (timeout, reset, protocol error).
  redisReply *reply() {
    void *r = nullptr;
    if (redisGetReply(m_ctx, &r) != REDIS_OK) return nullptr;
    return static_cast<redisReply *>(r);
  }

  bool finishGet(Job &job) {
    redisReply *value = reply();
    redisReply *ttl = value ? reply() : nullptr;
    if (!value || !ttl) {
      if (value) freeReplyObject(value);
      return false;
    }
    Lookup result;
    if (value->type == REDIS_REPLY_STRING) {
      result.value = std::make_shared<const std::string>(value->str, value->len);
      result.ttlLeft = ttl->type == REDIS_REPLY_INTEGER && ttl->integer >= 0
                           ? std::chrono::milliseconds(ttl->integer)
                           : (ttl->integer == -1 ? Clock::Duration::max() : Clock::Duration::zero());
      m_owner.m_hits.fetch_add(1, std::memory_order_relaxed);
    } else if (value->type == REDIS_REPLY_NIL) {
      m_owner.m_misses.fetch_add(1, std::memory_order_relaxed);
    } else {
      inc(m_owner.m_getErrors, m_owner.m_metrics.getErrors);  // e.g. WRONGTYPE: a miss to the caller
    }
    freeReplyObject(value);
    freeReplyObject(ttl);
    if (job.onResult) job.onResult(result);
    return true;
  }

  // Behind the SET in the same pipeline, so a receiver that also asks Redis finds the entry. The
  // message carries the value: receivers store it without a round trip of their own.
  void appendPublish(Job &job) {
    job.published = false;
    if (m_owner.m_pushChannel.empty()) return;
    if (job.value->size() > m_owner.m_options.pushMaxValueBytes) {
      inc(m_owner.m_pushTooLarge, m_owner.m_metrics.pushTooLarge);
      return;
    }
    const std::string message = encodePush(m_owner.m_nodeTag, job.key, job.ttl, *job.value);
    const std::string &channel = m_owner.m_pushChannel;
    redisAppendCommand(m_ctx, "PUBLISH %b %b", channel.data(), channel.size(), message.data(), message.size());
    job.published = true;
  }

  bool finishPut(const Job &job) {
    redisReply *r = reply();
    if (!r) return false;
    if (r->type == REDIS_REPLY_ERROR) {
      inc(m_owner.m_putErrors, m_owner.m_metrics.putErrors);  // e.g. OOM with maxmemory: keep going
    } else {
      m_owner.m_puts.fetch_add(1, std::memory_order_relaxed);
    }
    freeReplyObject(r);
    if (!job.published) return true;
    r = reply();
    if (!r) return false;
    if (r->type == REDIS_REPLY_INTEGER) inc(m_owner.m_pushPublished, m_owner.m_metrics.pushPublished);
    freeReplyObject(r);
    return true;
  }

  RedisCache &m_owner;
  const Kind m_kind;
  const std::size_t m_capacity;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::condition_variable m_idle;
  std::deque<Job> m_queue;  // GUARDED_BY(m_mutex)
  bool m_busy = false;      // GUARDED_BY(m_mutex)
  bool m_stop = false;      // GUARDED_BY(m_mutex)
  std::atomic<bool> &m_up;  // owned by RedisCache, so isUp() never reaches into a lane
  std::atomic<Clock::Duration::rep> m_retryAt{std::numeric_limits<Clock::Duration::rep>::min()};
  Clock::Duration m_backoff;      // lane thread only
  redisContext *m_ctx = nullptr;  // lane thread only
  std::thread m_thread;           // last: starts once everything above exists
};

RedisCache::RedisCache(RedisOptions options, const Clock &clock, RedisMetrics metrics)
    : m_options(std::move(options)),
      m_clock(clock),
      m_metrics(metrics),
      m_nodeTag(randomNodeTag()),
      m_pushChannel(m_options.push ? pushChannel(m_options) : std::string()) {
  if (m_metrics.up) m_metrics.up->set(0);
  m_getLane = std::make_unique<Lane>(*this, Lane::Kind::Get, m_options.getQueueCapacity, m_getUp);
  m_putLane = std::make_unique<Lane>(*this, Lane::Kind::Put, m_options.putQueueCapacity, m_putUp);
}

RedisCache::~RedisCache() {
  m_getLane.reset();
  m_putLane.reset();
}

bool RedisCache::getAsync(const CacheKey &key, GetCallback onResult) {
  if (m_getLane->submit(Lane::Job{key, nullptr, {}, std::move(onResult)})) return true;
  inc(m_getDropped, m_metrics.getDropped);
  return false;
}

RedisCache::Lookup RedisCache::get(const CacheKey &key) {
  struct Waiter {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    Lookup result;
  };
  auto w = std::make_shared<Waiter>();  // shared: a late callback must not touch a dead frame
  const bool queued = getAsync(key, [w](const Lookup &r) {
    std::lock_guard lock(w->mutex);
    w->result = r;
    w->done = true;
    w->cv.notify_all();
  });
  if (!queued) return {};
  std::unique_lock lock(w->mutex);
  const auto bound = m_options.connectTimeout + 2 * m_options.ioTimeout + std::chrono::milliseconds(200);
  w->cv.wait_for(lock, bound, [&] { return w->done; });
  return w->done ? w->result : Lookup{};
}

bool RedisCache::putAsync(const CacheKey &key, Value value, Clock::Duration ttl) {
  if (value && value->size() <= m_options.maxValueBytes && ttl > Clock::Duration::zero() &&
      m_putLane->submit(Lane::Job{key, std::move(value), ttl, nullptr}))
    return true;
  inc(m_putDropped, m_metrics.putDropped);
  return false;
}

bool RedisCache::flush(std::chrono::milliseconds timeout) { return m_putLane->waitIdle(timeout); }

bool RedisCache::isUp() const {
  return m_getUp.load(std::memory_order_acquire) && m_putUp.load(std::memory_order_acquire);
}

bool RedisCache::waitUntilUp(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(m_stateMutex);
  return m_stateChanged.wait_for(lock, timeout, [&] { return isUp(); });
}

RedisStats RedisCache::stats() const {
  RedisStats s;
  s.hits = m_hits.load(std::memory_order_relaxed);
  s.misses = m_misses.load(std::memory_order_relaxed);
  s.getErrors = m_getErrors.load(std::memory_order_relaxed);
  s.getDropped = m_getDropped.load(std::memory_order_relaxed);
  s.puts = m_puts.load(std::memory_order_relaxed);
  s.putErrors = m_putErrors.load(std::memory_order_relaxed);
  s.putDropped = m_putDropped.load(std::memory_order_relaxed);
  s.connects = m_connects.load(std::memory_order_relaxed);
  s.connectFailures = m_connectFailures.load(std::memory_order_relaxed);
  s.pushPublished = m_pushPublished.load(std::memory_order_relaxed);
  s.pushTooLarge = m_pushTooLarge.load(std::memory_order_relaxed);
  return s;
}

}  // namespace lmfront::gateway::cache
