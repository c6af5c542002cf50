#include "gateway/pool/poolflow.h"

#include "gateway/pool/flowtimer.h"

#include <atomic>

namespace lmfront::gateway::pool {

using ratelimit::Outcome;

ratelimit::ConcurrencyLimitConfig defaultPoolConcurrency() {
  ratelimit::ConcurrencyLimitConfig c;
  c.algorithm = ratelimit::LimitAlgorithm::Fixed;
  c.initialLimit = 1000;
  c.maxLimit = 1000;
  return c;
}

Status FlowConfig::validate() const {
  LMFRONT_RETURN_IF_ERROR(concurrency.validate().withContext("concurrency"));
  LMFRONT_RETURN_IF_ERROR(queue.validate().withContext("queue"));
  return Status::ok();
}

Outcome flowOutcome(const Status &status, bool clientOpen) {
  switch (status.code()) {
  case StatusCode::Ok: return Outcome::Success;
  case StatusCode::Cancelled: return Outcome::Ignored;
  // Timeouts, refused connections, the backend's 503 (Unavailable) and 429 (ResourceExhausted):
  // the backend is overloaded or gone, the limit must come down.
  case StatusCode::DeadlineExceeded:
  case StatusCode::Unavailable:
  case StatusCode::ResourceExhausted: return clientOpen ? Outcome::Dropped : Outcome::Ignored;
  default:  // an answer that says nothing about load (400, 404, 500…): a latency sample
    return clientOpen ? Outcome::Success : Outcome::Ignored;
  }
}

// One admission: `ready` runs at most once, claimed through `started` by whoever runs it (the
// queue's callback, or a sweep that cancelled the ticket).
struct PoolFlow::Waiter {
  Ready ready;
  ResponderPtr responder;
  std::atomic<bool> started{false};
};

Result<std::shared_ptr<PoolFlow>> PoolFlow::create(const FlowConfig &config, std::string model,
                                                   std::vector<std::string> ids, const FlowMetrics *metrics,
                                                   const Clock &clock) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  std::shared_ptr<PoolFlow> f(new PoolFlow);
  f->m_config = config;
  f->m_clock = &clock;
  f->m_model = std::move(model);
  for (auto &id : ids) {
    auto s = std::make_unique<Slot>();
    s->id = std::move(id);
    s->limiter = std::make_unique<ratelimit::ConcurrencyLimiter>(config.concurrency);
    s->queue = std::make_unique<ratelimit::AdmissionQueue>(*s->limiter, config.queue, clock);
    if (metrics && metrics->concurrencyLimit) s->limitGauge = &metrics->concurrencyLimit->withLabels({s->id});
    if (metrics && metrics->inflight) s->inflightGauge = &metrics->inflight->withLabels({s->id});
    f->m_backends.push_back(std::move(s));
  }
  if (metrics && metrics->queueDepth) f->m_depthGauge = &metrics->queueDepth->withLabels({f->m_model});
  for (std::size_t i = 0; i < f->m_backends.size(); ++i) f->publish(i);
  f->publishDepth();
  return f;
}

PoolFlow::~PoolFlow() = default;

void PoolFlow::publish(std::size_t i) {
  const Slot &s = *m_backends[i];
  if (s.limitGauge) s.limitGauge->set(s.limiter->limit());
  if (s.inflightGauge) s.inflightGauge->set(s.limiter->inflight());
}

void PoolFlow::publishDepth() {
  if (m_depthGauge) m_depthGauge->set(static_cast<double>(waiting()));
}

std::size_t PoolFlow::waiting() const {
  std::size_t n = 0;
  for (const auto &s : m_backends) n += s->queue->waiting();
  return n;
}

Status PoolFlow::admit(std::size_t i, const ResponderPtr &responder, FlowTimer *timer, Ready ready) {
  if (i >= m_backends.size()) return Status::internal("flow: no backend " + std::to_string(i));
  auto waiter = std::make_shared<Waiter>();
  waiter->ready = std::move(ready);
  waiter->responder = responder;
  std::weak_ptr<PoolFlow> self = weak_from_this();
  const Clock::TimePoint deadline = m_clock->now() + m_config.queue.maxWait;
  auto ticket = m_backends[i]->queue->admit(deadline, [waiter, self, i](Status status) {
    if (waiter->started.exchange(true)) return;
    Ready run = std::move(waiter->ready);
    if (auto flow = self.lock(); flow && status.isOk()) flow->publish(i);
    run(std::move(status));
  });
  if (!ticket) return ticket.status();
  if (!waiter->started.load()) {
    // Queued: remembered for disconnect sweeps; the timer makes its deadline fire. (If a release
    // granted it meanwhile, the sweep drops the entry.)
    {
      std::lock_guard lock(m_mutex);
      m_tracked.push_back({i, *ticket, waiter});
    }
    publishDepth();
    if (timer) timer->watch(shared_from_this(), deadline);
  }
  return Status::ok();
}

bool PoolFlow::tryAdmitNow(std::size_t i) {
  if (i >= m_backends.size() || !m_backends[i]->queue->tryAdmitNow()) return false;
  publish(i);
  return true;
}

void PoolFlow::release(std::size_t i, Clock::Duration latency, Outcome outcome) {
  if (i >= m_backends.size()) return;
  m_backends[i]->queue->release(latency, outcome);  // may start the next waiter (on this thread)
  publish(i);
  publishDepth();
}

std::optional<Clock::TimePoint> PoolFlow::sweep() {
  // Clients gone while waiting give their place back.
  std::vector<std::shared_ptr<Waiter>> gone;
  {
    std::lock_guard lock(m_mutex);
    std::erase_if(m_tracked, [&](const Tracked &t) {
      auto w = t.waiter.lock();
      if (!w || w->started.load()) return true;
      if (w->responder && w->responder->isOpen()) return false;
      // cancel() true: the queue dropped its callback without running it, so `ready` is ours.
      if (m_backends[t.backend]->queue->cancel(t.ticket) && !w->started.exchange(true)) gone.push_back(std::move(w));
      return true;
    });
  }
  for (auto &w : gone) {
    Ready run = std::move(w->ready);
    run(Status::cancelled("the client went away while the request was queued"));
  }
  std::optional<Clock::TimePoint> next;
  for (std::size_t i = 0; i < m_backends.size(); ++i) {
    m_backends[i]->queue->expire();
    publish(i);
    if (auto d = m_backends[i]->queue->nextDeadline()) next = next ? std::min(*next, *d) : *d;
  }
  publishDepth();
  return next;
}

void PoolFlow::cancelAll(const Status &why) {
  std::vector<std::shared_ptr<Waiter>> cancelled;
  {
    std::lock_guard lock(m_mutex);
    for (const Tracked &t : m_tracked) {
      auto w = t.waiter.lock();
      if (w && !w->started.load() && m_backends[t.backend]->queue->cancel(t.ticket) && !w->started.exchange(true))
        cancelled.push_back(std::move(w));
    }
    m_tracked.clear();
  }
  for (auto &w : cancelled) {
    Ready run = std::move(w->ready);
    run(why);
  }
  publishDepth();
}

}  // namespace lmfront::gateway::pool
