#include "gateway/ratelimit/admissionqueue.h"

#include <algorithm>

namespace lmfront::gateway::ratelimit {

Status AdmissionQueueConfig::validate() const {
  if (maxWaiters > 1'000'000) return Status::invalidArgument("max_waiters must be at most 1000000");
  if (maxWait <= Clock::Duration::zero()) return Status::invalidArgument("max_wait must be positive");
  return Status::ok();
}

AdmissionQueue::AdmissionQueue(ConcurrencyLimiter &limiter, const AdmissionQueueConfig &config, const Clock &clock)
    : m_limiter(limiter), m_config(config), m_clock(clock) {}

Result<AdmissionQueue::Ticket> AdmissionQueue::admit(Clock::TimePoint deadline, Ready onReady) {
  const auto now = m_clock.now();
  deadline = std::min(deadline, now + m_config.maxWait);
  if (deadline <= now) {
    m_expired.fetch_add(1, std::memory_order_relaxed);
    return Status::deadlineExceeded("deadline passed before the request could be admitted");
  }
  Ticket ticket = 0;
  {
    std::lock_guard lock(m_mutex);
    ticket = m_nextTicket++;
    // FIFO: a newcomer only skips the queue when nobody is waiting.
    if (!(m_waiters.empty() && m_limiter.tryAcquire())) {
      if (m_waiters.size() >= m_config.maxWaiters) {
        m_rejected.fetch_add(1, std::memory_order_relaxed);
        return Status::resourceExhausted("too many requests waiting (" + std::to_string(m_config.maxWaiters) +
                                         " queued, " + std::to_string(m_limiter.limit()) + " in flight)");
      }
      m_waiters.push_back({ticket, deadline, std::move(onReady)});
      return ticket;
    }
  }
  onReady(Status::ok());
  return ticket;
}

bool AdmissionQueue::tryAdmitNow() {
  std::lock_guard lock(m_mutex);
  if (!(m_waiters.empty() && m_limiter.tryAcquire())) return false;
  ++m_nextTicket;  // as admit() would have numbered it
  return true;
}

void AdmissionQueue::drainLocked(Clock::TimePoint now, std::vector<Ready> &granted, std::vector<Ready> &failed) {
  for (auto it = m_waiters.begin(); it != m_waiters.end();) {
    if (it->deadline <= now) {
      failed.push_back(std::move(it->onReady));
      it = m_waiters.erase(it);
    } else {
      ++it;
    }
  }
  while (!m_waiters.empty() && m_limiter.tryAcquire()) {
    granted.push_back(std::move(m_waiters.front().onReady));
    m_waiters.pop_front();
  }
}

void AdmissionQueue::notify(std::vector<Ready> &granted, std::vector<Ready> &failed) {
  for (Ready &r : failed) r(Status::deadlineExceeded("waited in the queue past the request's deadline"));
  for (Ready &r : granted) r(Status::ok());
}

void AdmissionQueue::release(Clock::Duration latency, Outcome outcome) {
  m_limiter.release(latency, outcome);
  std::vector<Ready> granted, failed;
  {
    std::lock_guard lock(m_mutex);
    drainLocked(m_clock.now(), granted, failed);
  }
  m_expired.fetch_add(failed.size(), std::memory_order_relaxed);
  notify(granted, failed);
}

size_t AdmissionQueue::expire() {
  std::vector<Ready> granted, failed;
  {
    std::lock_guard lock(m_mutex);
    drainLocked(m_clock.now(), granted, failed);
  }
  m_expired.fetch_add(failed.size(), std::memory_order_relaxed);
  notify(granted, failed);
  return failed.size();
}

bool AdmissionQueue::cancel(Ticket ticket) {
  std::lock_guard lock(m_mutex);
  auto it = std::find_if(m_waiters.begin(), m_waiters.end(), [&](const Waiter &w) { return w.ticket == ticket; });
  if (it == m_waiters.end()) return false;
  m_waiters.erase(it);
  return true;
}

std::optional<Clock::TimePoint> AdmissionQueue::nextDeadline() const {
  std::lock_guard lock(m_mutex);
  if (m_waiters.empty()) return std::nullopt;
  auto it = std::min_element(m_waiters.begin(), m_waiters.end(),
                             [](const Waiter &a, const Waiter &b) { return a.deadline < b.deadline; });
  return it->deadline;
}

size_t AdmissionQueue::waiting() const {
  std::lock_guard lock(m_mutex);
  return m_waiters.size();
}

}  // namespace lmfront::gateway::ratelimit
