#include "gateway/pool/flowtimer.h"

#include "gateway/pool/poolflow.h"

#include <algorithm>

namespace lmfront::gateway::pool {

FlowTimer::FlowTimer(const Clock &clock, bool runThread, std::chrono::milliseconds pollInterval)
    : m_clock(clock), m_poll(pollInterval) {
  if (runThread) m_thread = std::thread([this] { run(); });
}

FlowTimer::~FlowTimer() { stop(); }

void FlowTimer::watch(const std::shared_ptr<PoolFlow> &flow, Clock::TimePoint deadline) {
  std::lock_guard lock(m_mutex);
  if (m_stop) return;
  const bool known = std::any_of(m_flows.begin(), m_flows.end(), [&](const auto &w) { return w.lock() == flow; });
  if (!known) m_flows.push_back(flow);
  // A sweep in progress may already have passed this flow's queue: it must look again.
  if (known && !m_sweeping && deadline >= m_wakeAt) return;
  m_kick = true;
  m_cv.notify_one();
}

void FlowTimer::after(Clock::TimePoint at, std::function<void(bool)> fn) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_stop) {
      m_pending.push_back({at, std::move(fn)});
      if (m_sweeping || at < m_wakeAt) {
        m_kick = true;
        m_cv.notify_one();
      }
      return;
    }
  }
  fn(true);
}

Clock::TimePoint FlowTimer::sweep(bool &anyWaiting) {
  std::vector<std::shared_ptr<PoolFlow>> flows;
  std::vector<std::function<void(bool)>> due;
  Clock::TimePoint next = Clock::TimePoint::max();
  anyWaiting = false;
  {
    std::lock_guard lock(m_mutex);
    for (const auto &w : m_flows)
      if (auto f = w.lock()) flows.push_back(std::move(f));
    const auto now = m_clock.now();
    std::erase_if(m_pending, [&](Pending &p) {
      if (p.at > now) {
        next = std::min(next, p.at);
        anyWaiting = true;
        return false;
      }
      due.push_back(std::move(p.fn));
      return true;
    });
  }
  // Outside the lock: a callback may call after() or queue a request (watch()).
  for (auto &fn : due) fn(false);
  std::vector<PoolFlow *> idle;
  // Outside the lock: sweeping runs callbacks that may queue again (and so call watch()).
  for (const auto &f : flows) {
    if (auto deadline = f->sweep()) {
      next = std::min(next, *deadline);
      anyWaiting = true;
    } else {
      idle.push_back(f.get());
    }
  }
  std::lock_guard lock(m_mutex);
  // Forget flows that are gone or have nobody waiting (watch() adds them back when needed); a flow
  // that got a waiter since its sweep stays.
  std::erase_if(m_flows, [&](const std::weak_ptr<PoolFlow> &w) {
    auto f = w.lock();
    return !f || (std::find(idle.begin(), idle.end(), f.get()) != idle.end() && f->waiting() == 0);
  });
  return next;
}

void FlowTimer::sweepNow() {
  bool anyWaiting = false;
  sweep(anyWaiting);
}

void FlowTimer::run() {
  for (;;) {
    {
      std::lock_guard lock(m_mutex);
      m_sweeping = true;
      m_kick = false;
    }
    bool anyWaiting = false;
    const Clock::TimePoint next = sweep(anyWaiting);
    std::unique_lock lock(m_mutex);
    m_sweeping = false;
    if (m_stop) return;
    if (m_kick) continue;  // something was queued during the sweep: look again at once
    if (!anyWaiting) {
      m_wakeAt = Clock::TimePoint::max();
      m_cv.wait(lock, [&] { return m_stop || m_kick; });
    } else {
      // Sleep to the earliest deadline, or one poll interval to look at disconnected clients.
      const auto now = m_clock.now();
      const auto sleep = std::min<Clock::Duration>(std::max(Clock::Duration::zero(), next - now), m_poll);
      m_wakeAt = now + sleep;
      m_cv.wait_for(lock, sleep, [&] { return m_stop || m_kick; });
    }
    if (m_stop) return;
  }
}

void FlowTimer::stop() {
  std::vector<std::shared_ptr<PoolFlow>> flows;
  std::vector<Pending> pending;
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
    m_cv.notify_all();
  }
  if (m_thread.joinable()) m_thread.join();
  {
    std::lock_guard lock(m_mutex);
    for (const auto &w : m_flows)
      if (auto f = w.lock()) flows.push_back(std::move(f));
    m_flows.clear();
    pending.swap(m_pending);
  }
  for (auto &p : pending) p.fn(true);
  for (const auto &f : flows) f->cancelAll(Status::unavailable("the node is shutting down"));
}

}  // namespace lmfront::gateway::pool
