#include "gateway/cache/cachepush.h"

#include "gateway/cache/redisio.h"

#include <hiredis.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace lmfront::gateway::cache {
namespace {

constexpr std::string_view kMagic = "LMP1";
// Only without an eventfd (creation failed): how often the thread looks at m_stop.
constexpr int kPollMs = 100;
constexpr int kSubscribeTimeoutMs = 500;

template <typename T>
void appendLe(std::string &out, T v) {
  for (std::size_t i = 0; i < sizeof v; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <typename T>
T readLe(const char *p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof v; ++i) v |= static_cast<T>(static_cast<std::uint8_t>(p[i])) << (8 * i);
  return v;
}

void inc(std::atomic<std::uint64_t> &stat, observe::Counter *metric) {
  stat.fetch_add(1, std::memory_order_relaxed);
  if (metric) metric->inc();
}

bool isString(const redisReply *r, std::string_view text) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) &&
         std::string_view(r->str, r->len) == text;
}

// A connection subscribed to `channel`, or nullptr (Redis unreachable, or it refused). No request
// waits on this thread, so it allows more than the lanes' 50 ms: a busy machine that is slow to
// schedule Redis for a moment should not cost a backoff of missed pushes.
redisContext *connectAndSubscribe(const RedisOptions &o, const std::string &channel) {
  const auto timeout = redisio::toTimeval(std::max<std::chrono::milliseconds>(
      {o.connectTimeout, o.ioTimeout, std::chrono::milliseconds(kSubscribeTimeoutMs)}));
  redisContext *ctx = redisConnectWithTimeout(o.host.c_str(), o.port, timeout);
  if (!ctx || ctx->err || redisSetTimeout(ctx, timeout) != REDIS_OK) {
    if (ctx) redisFree(ctx);
    return nullptr;
  }
  redisEnableKeepAlive(ctx);  // a peer gone without a FIN is found by the kernel, not by waiting forever
  auto *r = static_cast<redisReply *>(redisCommand(ctx, "SUBSCRIBE %b", channel.data(), channel.size()));
  const bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 && isString(r->element[0], "subscribe");
  if (r) freeReplyObject(r);
  if (!ok) {
    redisFree(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace

NodeTag randomNodeTag() {
  std::random_device device;
  NodeTag tag{};
  for (std::size_t i = 0; i < tag.size(); i += 4) {
    const std::uint32_t r = device();
    std::memcpy(tag.data() + i, &r, 4);
  }
  return tag;
}

std::string pushChannel(const RedisOptions &options) { return options.keyPrefix + "push:" + options.pushNamespace; }

std::string encodePush(const NodeTag &origin, const CacheKey &key, Clock::Duration ttl, std::string_view value) {
  std::string out;
  out.reserve(kPushHeaderBytes + value.size());
  out.append(kMagic);
  out.append(reinterpret_cast<const char *>(origin.data()), origin.size());
  out.append(reinterpret_cast<const char *>(key.bytes.data()), key.bytes.size());
  const auto ms = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count());
  appendLe(out, static_cast<std::uint64_t>(ms));
  appendLe(out, static_cast<std::uint32_t>(value.size()));
  out.append(value);
  return out;
}

std::optional<PushMessage> decodePush(std::string_view bytes) {
  if (bytes.size() < kPushHeaderBytes || bytes.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  PushMessage m;
  const char *p = bytes.data() + kMagic.size();
  std::memcpy(m.origin.data(), p, m.origin.size());
  p += m.origin.size();
  std::memcpy(m.key.bytes.data(), p, m.key.bytes.size());
  p += m.key.bytes.size();
  const auto ms = readLe<std::uint64_t>(p);
  p += 8;
  const auto length = readLe<std::uint32_t>(p);
  // Bounded so the conversion to a duration cannot overflow: ten years is "forever" for a cache.
  constexpr std::uint64_t kMaxTtlMs = 10ull * 365 * 24 * 3600 * 1000;
  if (ms == 0 || ms > kMaxTtlMs || length != bytes.size() - kPushHeaderBytes) return std::nullopt;
  m.ttl = std::chrono::milliseconds(ms);
  m.value = bytes.substr(kPushHeaderBytes);
  return m;
}

PushSubscriber::PushSubscriber(const RedisOptions &options, const NodeTag &self, Sink sink, PushMetrics metrics)
    : m_options(options),
      m_channel(pushChannel(options)),
      m_self(self),
      m_sink(std::move(sink)),
      m_metrics(metrics),
      m_wakeFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      m_thread([this] { run(); }) {}

PushSubscriber::~PushSubscriber() {
  m_stop.store(true, std::memory_order_release);
  const std::uint64_t one = 1;
  if (m_wakeFd >= 0 && ::write(m_wakeFd, &one, sizeof one) != sizeof one) {
    // Cannot happen for an eventfd below its maximum; the thread still sees m_stop within kPollMs.
  }
  m_thread.join();
  if (m_wakeFd >= 0) ::close(m_wakeFd);
}

bool PushSubscriber::waitForWake(int timeoutMs) {
  if (m_stop.load(std::memory_order_acquire)) return true;
  pollfd fd{m_wakeFd, POLLIN, 0};
  ::poll(&fd, 1, m_wakeFd >= 0 ? timeoutMs : std::min(timeoutMs, kPollMs));
  return m_stop.load(std::memory_order_acquire);
}

void PushSubscriber::setUp(bool up) {
  {
    std::lock_guard lock(m_stateMutex);
    m_up.store(up, std::memory_order_release);
    if (m_metrics.up) m_metrics.up->set(up ? 1 : 0);
  }
  m_stateChanged.notify_all();
}

bool PushSubscriber::waitUntilSubscribed(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(m_stateMutex);
  return m_stateChanged.wait_for(lock, timeout, [&] { return isSubscribed(); });
}

void PushSubscriber::handle(std::string_view payload) {
  const auto m = decodePush(payload);
  if (!m) {
    inc(m_malformed, m_metrics.droppedMalformed);
    return;
  }
  if (m->origin == m_self) {
    m_own.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (m_sink(m->key, std::make_shared<const std::string>(m->value), m->ttl))
    inc(m_received, m_metrics.received);
  else
    inc(m_refused, m_metrics.droppedRefused);
}

void PushSubscriber::run() {
  redisio::blockSigpipe();
  auto backoff = std::chrono::duration_cast<std::chrono::milliseconds>(m_options.backoffInitial);
  const auto backoffMax = std::chrono::duration_cast<std::chrono::milliseconds>(m_options.backoffMax);
  while (!m_stop.load(std::memory_order_acquire)) {
    redisContext *ctx = connectAndSubscribe(m_options, m_channel);
    if (!ctx) {
      m_connectFailures.fetch_add(1, std::memory_order_relaxed);
      redisio::clearPendingSigpipe();
      if (waitForWake(static_cast<int>(backoff.count()))) break;
      backoff = std::min(backoff * 2, backoffMax);
      continue;
    }
    m_subscribes.fetch_add(1, std::memory_order_relaxed);
    backoff = std::chrono::duration_cast<std::chrono::milliseconds>(m_options.backoffInitial);
    setUp(true);
    // Replies already parsed first, then poll: the socket is only read when poll says so, so the
    // connection's I/O timeout never cuts a quiet subscription.
    for (;;) {
      void *raw = nullptr;
      if (redisGetReplyFromReader(ctx, &raw) != REDIS_OK) break;
      if (auto *r = static_cast<redisReply *>(raw)) {
        // ["message", channel, payload]; subscribe confirmations and anything else are not entries.
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 && isString(r->element[0], "message") &&
            r->element[2]->type == REDIS_REPLY_STRING)
          handle(std::string_view(r->element[2]->str, r->element[2]->len));
        freeReplyObject(r);
        continue;
      }
      pollfd fds[2] = {{ctx->fd, POLLIN, 0}, {m_wakeFd, POLLIN, 0}};
      if (::poll(fds, m_wakeFd >= 0 ? 2 : 1, m_wakeFd >= 0 ? -1 : kPollMs) < 0 && errno != EINTR) break;
      if (m_stop.load(std::memory_order_acquire)) break;
      if (fds[0].revents && redisBufferRead(ctx) != REDIS_OK) break;  // EOF: Redis went away
    }
    redisFree(ctx);
    redisio::clearPendingSigpipe();
    setUp(false);
    if (waitForWake(static_cast<int>(backoff.count()))) break;
    backoff = std::min(backoff * 2, backoffMax);
  }
  setUp(false);
}

PushStats PushSubscriber::stats() const {
  PushStats s;
  s.received = m_received.load(std::memory_order_relaxed);
  s.own = m_own.load(std::memory_order_relaxed);
  s.malformed = m_malformed.load(std::memory_order_relaxed);
  s.refused = m_refused.load(std::memory_order_relaxed);
  s.subscribes = m_subscribes.load(std::memory_order_relaxed);
  s.connectFailures = m_connectFailures.load(std::memory_order_relaxed);
  return s;
}

}  // namespace lmfront::gateway::cache
