// FlowTimer: makes admission-queue waits end on time (docs/gateway-policies.md: "never a hang").
//
// Why a thread of its own: a queued request must get its 504 when its deadline passes (deadlines
// are a few hundred ms to seconds), and a client that disconnects while queued must give its
// place back. The node's maintenance tick (2 s) is far too coarse; a timer on the request's
// data-plane worker is out of reach (the Responder hides the worker's event loop, and releases
// happen on backend threads). One thread that sleeps until the earliest deadline of any queue
// with waiters (condition variable, woken early when an earlier deadline arrives) is exact, costs
// nothing while no request waits, and needs no event loop. While anyone waits it also wakes every
// pollInterval to notice clients that went away (the data plane has no close callback, only
// Responder::isOpen()).
//
// The same thread runs the request path's other short waits: after(at, fn) runs fn(false) once
// `at` has passed (a retry's backoff, resilience/retrypolicy.h), or fn(true) at stop() if that
// comes first, so a pending callback always runs exactly once.
//
// watch(flow, deadline) after a request was queued on it. sweepNow() does the thread's work on the
// calling thread (tests with a ManualClock run without the thread and call it themselves).
// stop() joins the thread, cancels every waiter still queued and runs pending callbacks with
// stopping = true. Thread-safe.
#pragma once

#include "common/clock.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace lmfront::gateway::pool {

class PoolFlow;

class FlowTimer {
public:
  // runThread false: nothing happens unless someone calls sweepNow() (tests).
  explicit FlowTimer(const Clock &clock, bool runThread = true,
                     std::chrono::milliseconds pollInterval = std::chrono::milliseconds(50));
  ~FlowTimer();
  FlowTimer(const FlowTimer &) = delete;
  FlowTimer &operator=(const FlowTimer &) = delete;

  // A request was queued on `flow` with this deadline. Wakes the thread only when it would not
  // otherwise look in time (a new flow, or a deadline before its planned wake-up), so a steady
  // overload costs no wake-up per queued request.
  void watch(const std::shared_ptr<PoolFlow> &flow, Clock::TimePoint deadline);
  // Runs fn(false) once `at` has passed (on the timer's thread, or in sweepNow()), or fn(true)
  // when the timer stops first (at once when it has stopped already).
  void after(Clock::TimePoint at, std::function<void(bool stopping)> fn);
  void sweepNow();
  void stop();

private:
  void run();
  struct Pending {
    Clock::TimePoint at;
    std::function<void(bool)> fn;
  };
  // Runs due after() callbacks and sweeps every watched flow; returns the earliest pending
  // deadline (max() when none) and whether anyone still waits.
  Clock::TimePoint sweep(bool &anyWaiting);

  const Clock &m_clock;
  const std::chrono::milliseconds m_poll;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::weak_ptr<PoolFlow>> m_flows;         // guarded by m_mutex
  std::vector<Pending> m_pending;                       // guarded by m_mutex: after() callbacks
  bool m_kick = false;                                  // guarded by m_mutex: a new wait arrived
  bool m_sweeping = false;                              // guarded by m_mutex: the thread is sweeping
  Clock::TimePoint m_wakeAt = Clock::TimePoint::max();  // guarded by m_mutex: planned wake-up
  bool m_stop = false;                                  // guarded by m_mutex
  std::thread m_thread;
};

}  // namespace lmfront::gateway::pool
