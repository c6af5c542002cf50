#include "node/service.h"

#include <algorithm>

namespace lmfront::node {

std::string_view healthStateName(Health::State state) {
  switch (state) {
  case Health::State::Stopped: return "stopped";
  case Health::State::Starting: return "starting";
  case Health::State::Serving: return "serving";
  case Health::State::Degraded: return "degraded";
  case Health::State::Draining: return "draining";
  }
  return "stopped";
}

void ServiceStack::add(std::unique_ptr<Service> service) { m_services.push_back(std::move(service)); }

Status ServiceStack::startAll() {
  while (m_started < m_services.size()) {
    Service &service = *m_services[m_started];
    if (Status started = service.start(); !started.isOk()) {
      stopAll();
      return started;
    }
    ++m_started;
  }
  return Status::ok();
}

bool ServiceStack::drainAll(std::chrono::milliseconds timeout) {
  // Drain timeouts are real time: they bound how long a stop waits for threads, not a policy.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool drained = true;
  for (std::size_t i = m_started; i-- > 0;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    drained = m_services[i]->drain(std::max(left, std::chrono::milliseconds(0))) && drained;
  }
  return drained;
}

void ServiceStack::stopAll() {
  while (m_started > 0) m_services[--m_started]->stop();
}

}  // namespace lmfront::node
