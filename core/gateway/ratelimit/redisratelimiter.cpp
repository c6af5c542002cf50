#include "gateway/ratelimit/redisratelimiter.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>

namespace lmfront::gateway::ratelimit {

namespace {

// KEYS[1] bucket. ARGV: limit, period_us, burst, cost, now_us ("" = Redis TIME), mode (take|adjust).
// Returns {allowed, remaining tokens, retry-after µs (-1: cost exceeds the burst)}.
constexpr const char *kScript = R"lua(
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local cap = burst * period
local s = redis.call('HMGET', KEYS[1], 'l', 't')
local level = tonumber(s[1])
local last = tonumber(s[2])
if not level or not last then
  level = cap
  last = now
end
if now > last then
  local need = cap - level
  if need > 0 then
    local elapsed = now - last
    if elapsed >= math.ceil(need / limit) then level = cap else level = level + elapsed * limit end
  end
  last = now
end
local allowed = 0
local retry = 0
if ARGV[6] == 'take' then
  if cost > burst then
    retry = -1
  elseif cost * period <= level then
    level = level - cost * period
    allowed = 1
  else
    retry = math.ceil((cost * period - level) / limit)
  end
else
  level = level - cost * period
  if level > cap then level = cap end
  if level < -cap then level = -cap end
  allowed = 1
end
redis.call('HSET', KEYS[1], 'l', string.format('%.0f', level), 't', string.format('%.0f', last))
-- Expire once the bucket would be full again: a missing bucket is a full one.
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - level) / limit / 1000) + 1000)
local remaining = 0
if level > 0 then remaining = math.floor(level / period) end
return {allowed, remaining, retry}
)lua";

timeval toTimeval(Clock::Duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

struct ReplyDeleter {
  void operator()(redisReply *r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// Writing to a connection Redis has reset raises SIGPIPE, which kills the process by default.
// Without touching process-wide state: block it in this thread for the call, then swallow one
// that became pending meanwhile (the write itself fails with EPIPE, which hiredis reports).
class SigpipeGuard {
public:
  SigpipeGuard() {
    sigemptyset(&m_pipe);
    sigaddset(&m_pipe, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    m_wasPending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &m_pipe, &m_old);
  }
  ~SigpipeGuard() {
    if (!m_wasPending) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        while (sigtimedwait(&m_pipe, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
  }
  SigpipeGuard(const SigpipeGuard &) = delete;
  SigpipeGuard &operator=(const SigpipeGuard &) = delete;

private:
  sigset_t m_pipe;
  sigset_t m_old;
  bool m_wasPending = false;
};

}  // namespace

struct RedisRateLimiter::Connection {
  std::mutex mutex;
  redisContext *ctx = nullptr;  // guarded by mutex
  std::string sha;              // guarded by mutex: the script's SHA1 from SCRIPT LOAD
};

Status RedisRateLimiterConfig::validate() const {
  LMFRONT_RETURN_IF_ERROR(bucket.validate());
  if (host.empty()) return Status::invalidArgument("redis host must not be empty");
  if (port < 1 || port > 65535) return Status::invalidArgument("redis port must be in 1..65535");
  if (connections < 1 || connections > 64) return Status::invalidArgument("connections must be in 1..64");
  if (connectTimeout <= Clock::Duration::zero() || commandTimeout <= Clock::Duration::zero())
    return Status::invalidArgument("redis timeouts must be positive");
  if (reconnectBackoff < Clock::Duration::zero()) return Status::invalidArgument("reconnect_backoff must be ≥ 0");
  if (!(fallbackShare > 0.0 && fallbackShare <= 1.0))
    return Status::invalidArgument("fallback_share must be in (0, 1]");
  return Status::ok();
}

Result<std::unique_ptr<RedisRateLimiter>> RedisRateLimiter::create(const RedisRateLimiterConfig &config,
                                                                   const Clock &clock) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  return std::unique_ptr<RedisRateLimiter>(new RedisRateLimiter(config, clock));
}

RedisRateLimiter::RedisRateLimiter(const RedisRateLimiterConfig &config, const Clock &clock)
    : m_config(config), m_clock(clock), m_pool(std::make_unique<Connection[]>(config.connections)) {
  LocalRateLimiterConfig local;
  local.bucket = config.bucket;
  local.bucket.limit = std::max<int64_t>(1, std::llround(double(config.bucket.limit) * config.fallbackShare));
  local.bucket.burst = std::max<int64_t>(1, std::llround(double(config.bucket.capacity()) * config.fallbackShare));
  m_local = std::make_unique<LocalRateLimiter>(local, clock);
}

RedisRateLimiter::~RedisRateLimiter() {
  for (uint32_t i = 0; i < m_config.connections; ++i)
    if (m_pool[i].ctx) redisFree(m_pool[i].ctx);
}

std::string RedisRateLimiter::lastError() const {
  std::lock_guard lock(m_errorMutex);
  return m_lastError;
}

void RedisRateLimiter::fail(Connection &c, std::string why) {
  if (c.ctx) redisFree(c.ctx);
  c.ctx = nullptr;
  c.sha.clear();
  m_errors.fetch_add(1, std::memory_order_relaxed);
  m_retryAt.store((m_clock.now() + m_config.reconnectBackoff).time_since_epoch().count(), std::memory_order_relaxed);
  std::lock_guard lock(m_errorMutex);
  m_lastError = std::move(why);
}

bool RedisRateLimiter::runOn(Connection &c, std::string_view key, int64_t cost, bool take, RateDecision &out) {
  SigpipeGuard sigpipe;
  if (!c.ctx) {
    const timeval ct = toTimeval(m_config.connectTimeout);
    c.ctx = redisConnectWithTimeout(m_config.host.c_str(), m_config.port, ct);
    if (!c.ctx || c.ctx->err) {
      fail(c, "redis connect " + m_config.host + ":" + std::to_string(m_config.port) + ": " +
                  (c.ctx ? std::string(c.ctx->errstr) : std::string("out of memory")));
      return false;
    }
    redisSetTimeout(c.ctx, toTimeval(m_config.commandTimeout));
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (c.sha.empty()) {
      Reply r(static_cast<redisReply *>(redisCommand(c.ctx, "SCRIPT LOAD %s", kScript)));
      if (!r || r->type != REDIS_REPLY_STRING) {
        fail(c, r ? "redis SCRIPT LOAD: " + std::string(r->str ? r->str : "unexpected reply")
                  : "redis: " + std::string(c.ctx->errstr));
        return false;
      }
      c.sha.assign(r->str, r->len);
    }
    const std::string bucketKey = m_config.keyPrefix + std::string(key);
    const auto us = [](Clock::Duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
    const std::string args[] = {
        "EVALSHA",
        c.sha,
        "1",
        bucketKey,
        std::to_string(m_config.bucket.limit),
        std::to_string(us(m_config.bucket.period)),
        std::to_string(m_config.bucket.capacity()),
        std::to_string(cost),
        m_config.useServerTime ? std::string() : std::to_string(us(m_clock.now().time_since_epoch())),
        take ? "take" : "adjust",
    };
    const char *argv[std::size(args)];
    size_t argvlen[std::size(args)];
    for (size_t i = 0; i < std::size(args); ++i) {
      argv[i] = args[i].data();
      argvlen[i] = args[i].size();
    }
    Reply r(static_cast<redisReply *>(redisCommandArgv(c.ctx, int(std::size(args)), argv, argvlen)));
    if (!r) {
      fail(c, "redis: " + std::string(c.ctx->errstr));
      return false;
    }
    if (r->type == REDIS_REPLY_ERROR && std::strncmp(r->str, "NOSCRIPT", 8) == 0) {
      c.sha.clear();  // Redis restarted or flushed its scripts: load again, once
      continue;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_INTEGER ||
        r->element[1]->type != REDIS_REPLY_INTEGER || r->element[2]->type != REDIS_REPLY_INTEGER) {
      fail(c, "redis: unexpected reply to the rate-limit script" +
                  (r->type == REDIS_REPLY_ERROR ? ": " + std::string(r->str, r->len) : std::string()));
      return false;
    }
    out = RateDecision{};
    out.allowed = r->element[0]->integer == 1;
    out.remaining = r->element[1]->integer;
    if (r->element[2]->integer < 0)
      out.exceedsBurst = true;
    else
      out.retryAfter = std::chrono::microseconds(r->element[2]->integer);
    return true;
  }
  fail(c, "redis: script could not be loaded");
  return false;
}

bool RedisRateLimiter::run(std::string_view key, int64_t cost, bool take, RateDecision &out) {
  if (m_clock.now().time_since_epoch().count() < m_retryAt.load(std::memory_order_relaxed)) return false;
  const uint32_t n = m_config.connections;
  const uint32_t start = m_nextConnection.fetch_add(1, std::memory_order_relaxed) % n;
  for (uint32_t k = 0; k < n; ++k) {
    Connection &c = m_pool[(start + k) % n];
    std::unique_lock lock(c.mutex, std::try_to_lock);
    if (lock.owns_lock()) return runOn(c, key, cost, take, out);
  }
  Connection &c = m_pool[start];  // every connection busy: wait for one
  std::lock_guard lock(c.mutex);
  return runOn(c, key, cost, take, out);
}

RateDecision RedisRateLimiter::fallbackAcquire(std::string_view key, int64_t cost) {
  m_fallbacks.fetch_add(1, std::memory_order_relaxed);
  RateDecision d;
  switch (m_config.fallback) {
  case RedisFallback::Local: d = m_local->acquire(key, cost); break;
  case RedisFallback::Open: d.allowed = true; break;
  case RedisFallback::Closed: d.retryAfter = std::max(m_config.reconnectBackoff, Clock::Duration(1)); break;
  }
  d.fallback = true;
  return d;
}

RateDecision RedisRateLimiter::acquire(std::string_view key, int64_t cost) {
  RateDecision d;
  if (run(key, std::max<int64_t>(cost, 0), true, d)) return d;
  return fallbackAcquire(key, cost);
}

void RedisRateLimiter::adjust(std::string_view key, int64_t delta) {
  // Beyond ±2 bursts the level is clamped anyway; bounding delta keeps the Lua math exact.
  const int64_t cap = m_config.bucket.capacity();
  delta = std::clamp<int64_t>(delta, -2 * cap, 2 * cap);
  RateDecision ignored;
  if (run(key, delta, false, ignored)) return;
  m_fallbacks.fetch_add(1, std::memory_order_relaxed);
  if (m_config.fallback == RedisFallback::Local) m_local->adjust(key, delta);
}

}  // namespace lmfront::gateway::ratelimit
