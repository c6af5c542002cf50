// Service: one part of a node with a lifecycle — the gateway today; the catalog, alerting, the
// ops server and discovery as they land. ServiceStack orders a node's services: start in order,
// drain and stop in reverse, so a service may rely on those started before it.
//
// Contract for a Service: start() runs on the node thread (the node's own event loop: timers and
// QObjects a service creates there stay there); it returns Ok once the service does its job, or
// the reason it cannot, after undoing whatever it began. drain() stops taking new work and waits
// (up to `timeout`) for work in flight; true when all of it finished. stop() releases everything;
// it runs after drain(), or alone after a failed start of a later service, and must be safe to
// call more than once. health() and name() may be called from any thread.
#pragma once

#include "common/status.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::node {

struct Health {
  enum class State { Stopped, Starting, Serving, Degraded, Draining };
  State state = State::Stopped;
  std::string detail;  // why Degraded or Starting (e.g. "loading 2 of 5 models"); may be empty
};

std::string_view healthStateName(Health::State state);  // "stopped", "starting", ...

class Service {
public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual Status start() = 0;
  virtual bool drain(std::chrono::milliseconds timeout) = 0;
  virtual void stop() = 0;
  virtual Health health() const = 0;
};

// Owns the services in start order. Not thread-safe: one thread (the node thread) drives it.
class ServiceStack {
public:
  void add(std::unique_ptr<Service> service);
  // Starts each in order. On the first failure, stops those already started (in reverse) and
  // returns that Status as it is (a service's messages already say what and where).
  Status startAll();
  // Drains the started services in reverse order, each with what is left of `timeout`; true when
  // every one drained in time.
  bool drainAll(std::chrono::milliseconds timeout);
  // Stops the started services in reverse order (idempotent).
  void stopAll();

  const std::vector<std::unique_ptr<Service>> &services() const { return m_services; }

private:
  std::vector<std::unique_ptr<Service>> m_services;
  std::size_t m_started = 0;  // services [0, m_started) are running
};

}  // namespace lmfront::node
