// AdmissionQueue: a bounded FIFO of requests waiting for a concurrency slot, each with a
// deadline (docs/gateway-policies.md). Waiting is callback-based: no thread blocks.
//
// - admit(deadline, onReady): a free slot and nobody queued → onReady(ok) runs before admit()
//   returns; otherwise the request is queued and onReady runs later, exactly once, with ok (a
//   slot is now held: the caller must call release()) or DeadlineExceeded (no slot held).
//   Queue full → ResourceExhausted and onReady never runs (the caller answers 429/503 at once).
//   A deadline already past → DeadlineExceeded, onReady never runs.
// - release(): returns the slot to the limiter and hands free slots to the oldest waiters.
// - expire(): fails every waiter whose deadline passed at the clock's now. The caller drives it
//   from a timer armed at nextDeadline() (or a periodic tick); release() expires too.
// - cancel(ticket): the client went away; its onReady never runs.
//
// Thread-safe. Callbacks run on the thread that called admit/release/expire, never under the
// queue's lock (they may call back into the queue); a caller with per-worker event loops posts
// from onReady to the waiting request's worker.
#pragma once

#include "gateway/ratelimit/concurrencylimiter.h"

#include <deque>
#include <functional>
#include <optional>

namespace lmfront::gateway::ratelimit {

struct AdmissionQueueConfig {
  uint32_t maxWaiters = 64;  // 0 = no queue: reject at once when no slot is free
  // Upper bound on how long anyone waits, whatever deadline the caller asks for.
  Clock::Duration maxWait = std::chrono::seconds(30);

  Status validate() const;
};

class AdmissionQueue {
public:
  using Ticket = uint64_t;
  using Ready = std::function<void(Status)>;

  // The limiter must outlive the queue; it may be shared with code calling tryAcquire() directly.
  AdmissionQueue(ConcurrencyLimiter &limiter, const AdmissionQueueConfig &config, const Clock &clock);

  Result<Ticket> admit(Clock::TimePoint deadline, Ready onReady);
  // admit()'s immediate case without its callback: a free slot and nobody queued → true, the slot
  // is held (release() it); otherwise false and nothing changed (the caller goes through admit()).
  bool tryAdmitNow();
  void release(Clock::Duration latency, Outcome outcome);
  size_t expire();
  bool cancel(Ticket ticket);

  std::optional<Clock::TimePoint> nextDeadline() const;
  size_t waiting() const;
  uint64_t rejectedCount() const { return m_rejected.load(std::memory_order_relaxed); }
  uint64_t expiredCount() const { return m_expired.load(std::memory_order_relaxed); }

private:
  struct Waiter {
    Ticket ticket;
    Clock::TimePoint deadline;
    Ready onReady;
  };
  // Moves expired waiters to `failed` and, while slots are free, the oldest waiters to `granted`.
  void drainLocked(Clock::TimePoint now, std::vector<Ready> &granted, std::vector<Ready> &failed);
  static void notify(std::vector<Ready> &granted, std::vector<Ready> &failed);

  ConcurrencyLimiter &m_limiter;
  const AdmissionQueueConfig m_config;
  const Clock &m_clock;
  mutable std::mutex m_mutex;
  std::deque<Waiter> m_waiters;  // guarded by m_mutex; oldest first
  Ticket m_nextTicket = 1;       // guarded by m_mutex
  std::atomic<uint64_t> m_rejected{0};
  std::atomic<uint64_t> m_expired{0};
};

}  // namespace lmfront::gateway::ratelimit
