// PoolFlow: the flow-control state of one pool (docs/gateway-policies.md): for each backend, in the
// balancer's order, a ConcurrencyLimiter (Fixed, AIMD or Gradient) and a bounded AdmissionQueue
// with deadlines in front of it. Built with the pool and kept with it: a pool rebuilt from the
// same source keeps its PoolFlow, and with it the learnt limits.
//
// admit(i, responder, ready): asks backend i for a slot. A free slot runs ready(ok) before admit
// returns. Otherwise the request waits, and ready runs later, exactly once, on whichever thread
// frees the slot or sweeps the queue: ok (the slot is held: call release() exactly once when the
// attempt ends), DeadlineExceeded (waited max_wait_ms; no slot) or Cancelled (the client went
// away while waiting, or the node is stopping; no slot). A full queue returns ResourceExhausted
// at once and ready never runs.
//
// Waiting is driven by a FlowTimer (flowtimer.h): admit() registers a queued wait with it so
// deadlines fire on time and disconnected clients are noticed within its poll interval.
//
// Metrics kept current: lmfront_queue_depth{model} (waiters of the whole pool),
// lmfront_backend_concurrency_limit{backend} and lmfront_backend_inflight{backend}.
// Thread-safe.
#pragma once

#include "common/status.h"
#include "gateway/http/httpserver.h"
#include "gateway/pool/poolmetrics.h"
#include "gateway/ratelimit/admissionqueue.h"
#include "gateway/ratelimit/concurrencylimiter.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lmfront::gateway::pool {

class FlowTimer;

// A pool's limit when its config names no algorithm: fixed and generous (1000 in flight per
// backend). Adaptive limits are opt-in ("algorithm": "gradient" | "aimd", starting from the
// library's defaults): they assume requests of similar cost, while a generation's length varies
// 100×, and on a CPU-bound machine latency grows with any concurrency, so Gradient held a fast
// upstream at ~20 in flight and cost a third of the proxy's throughput at 64 connections.
ratelimit::ConcurrencyLimitConfig defaultPoolConcurrency();

// The "concurrency" and "queue" sections of a pool's config.
struct FlowConfig {
  ratelimit::ConcurrencyLimitConfig concurrency = defaultPoolConcurrency();
  ratelimit::AdmissionQueueConfig queue;
  Status validate() const;
};

// What an attempt's end says about the backend's load (see ratelimit::Outcome).
ratelimit::Outcome flowOutcome(const Status &status, bool clientOpen);

class PoolFlow : public std::enable_shared_from_this<PoolFlow> {
public:
  using Ready = std::function<void(Status)>;

  // model: the pool's name (queue depth label); ids: the backends' ids, in the balancer's order.
  static Result<std::shared_ptr<PoolFlow>> create(const FlowConfig &config, std::string model,
                                                  std::vector<std::string> ids, const FlowMetrics *metrics,
                                                  const Clock &clock);
  ~PoolFlow();

  // See the top comment. timer may be null (then nobody expires waiters but release()).
  Status admit(std::size_t i, const ResponderPtr &responder, FlowTimer *timer, Ready ready);
  // admit()'s immediate case without its callback (the common one, on the request path): true
  // when backend i had a free slot and nobody waiting — the slot is held, release() it once;
  // false when the request must go through admit() (nothing changed).
  bool tryAdmitNow(std::size_t i);
  // Returns backend i's slot and teaches its limiter; may hand the slot to the next waiter.
  void release(std::size_t i, Clock::Duration latency, ratelimit::Outcome outcome);

  // The FlowTimer's work: fails waiters past their deadline, cancels those whose client went
  // away, refreshes the gauges. Returns the earliest deadline still pending, if any.
  std::optional<Clock::TimePoint> sweep();
  // Cancels every waiter with `why` (the service is stopping): breaks the waiter → pool cycle.
  void cancelAll(const Status &why);

  std::size_t size() const { return m_backends.size(); }
  std::size_t waiting() const;  // over all backends
  ratelimit::ConcurrencyLimiter &limiter(std::size_t i) { return *m_backends[i]->limiter; }
  ratelimit::AdmissionQueue &queue(std::size_t i) { return *m_backends[i]->queue; }
  const FlowConfig &config() const { return m_config; }
  const std::string &model() const { return m_model; }

private:
  struct Waiter;
  struct Slot {
    std::string id;
    std::unique_ptr<ratelimit::ConcurrencyLimiter> limiter;
    std::unique_ptr<ratelimit::AdmissionQueue> queue;
    observe::Gauge *limitGauge = nullptr;
    observe::Gauge *inflightGauge = nullptr;
  };
  struct Tracked {
    std::size_t backend;
    ratelimit::AdmissionQueue::Ticket ticket;
    std::weak_ptr<Waiter> waiter;
  };
  PoolFlow() = default;
  void publish(std::size_t i);
  void publishDepth();

  FlowConfig m_config;
  const Clock *m_clock = nullptr;
  std::string m_model;
  std::vector<std::unique_ptr<Slot>> m_backends;
  observe::Gauge *m_depthGauge = nullptr;
  std::mutex m_mutex;
  std::vector<Tracked> m_tracked;  // guarded by m_mutex: queued waiters, for disconnect sweeps
};

}  // namespace lmfront::gateway::pool
