// ServingState: the one door to what this node serves (docs/architecture.md, "What is served").
//
// Desired state goes in — the catalog's engine pools as they load (modelLoaded/modelFailed) and
// the configured pool specs (the config file, PUT /admin/pools; deployments and the cluster's
// watch later) — and one builder, buildModelTable() (gateway/pool/poolbuilder.h), turns it into an immutable
// ModelTable that is swapped into the service atomically. Nothing else replaces the served table.
//
// Threads: every method except post() and report() runs on the node's thread — the thread that
// created this object — so changes are applied one at a time, in order, without a lock. Other
// threads (a data-plane worker answering PUT /admin/pools, the model loader) hand their work over
// with post(); a worker never waits for it (it answers when the posted job reports back).
// report() is an atomic snapshot readable from any thread (/readyz, /healthz).
//
// Failures are never only logged: a model that fails to load, or whose manifest is broken, is
// listed in report() with its reason, counted in lmfront_model_load_failures_total{model}, and
// recorded in the event sink; the other models serve. A configured pool that cannot be built
// once loading is over (its engine failed) goes to the event sink too.
#pragma once

#include "common/status.h"
#include "gateway/pool/modeltable.h"
#include "gateway/pool/poolmetrics.h"
#include "gateway/pool/poolspec.h"
#include "registry/catalog.h"
#include "registry/catalogmetrics.h"

#include <QObject>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lmfront {
class Clock;
class EventSink;
}  // namespace lmfront
namespace lmfront::gateway::upstream {
class HttpClient;
}
namespace lmfront::gateway::openai {
class OpenAiService;
}
namespace lmfront::gateway::pool {
class HealthProber;
}

namespace lmfront::node {

struct ModelFailure {
  std::string model;
  std::string reason;
};

// What /readyz says about the catalog.
struct ServingReport {
  std::size_t catalogSize = 0;  // models the catalog named
  std::size_t loaded = 0;
  std::vector<ModelFailure> failed;
  bool loading = true;  // the background loader has not reported its last model yet
};

class ServingState {
public:
  struct Parts {
    gateway::openai::OpenAiService &service;
    gateway::pool::HealthProber &prober;
    const Clock &clock;                             // what built pools' policies read
    gateway::upstream::HttpClient &http;            // built pools' URL backends
    const gateway::pool::PoolMetrics *poolMetrics;  // flow and resilience gauges of built pools
    registry::CatalogMetrics catalogMetrics;
    EventSink &events;
  };
  // pools: the configured pool specs; catalogSize: how many models the catalog will report.
  ServingState(Parts parts, std::vector<gateway::pool::PoolSpec> pools, std::size_t catalogSize);
  ~ServingState();
  ServingState(const ServingState &) = delete;
  ServingState &operator=(const ServingState &) = delete;

  // Any thread: runs `job` on the node's thread, after the jobs posted before it. Jobs still
  // queued when this object is destroyed are dropped.
  void post(std::function<void()> job);
  std::shared_ptr<const ServingReport> report() const { return m_report.load(); }

  // Node's thread only, from here on.
  // Replaces the configured pools. Refused (nothing changes) when the new table cannot be built,
  // e.g. a pool names a model that is not loaded.
  Status setPools(std::vector<gateway::pool::PoolSpec> pools);
  void modelLoaded(const registry::CatalogEntry &entry, std::shared_ptr<const gateway::pool::ModelPool> pool);
  void modelFailed(const registry::CatalogEntry &entry, const Status &why);
  // Every model of the catalog has loaded or failed: now every configured pool must be
  // buildable. One that is not is reported to the event sink and returned (it stays out of the
  // table; the start fails on it when nothing loaded in the background).
  Status loadingFinished();
  // Builds and publishes the table. Strict: a pool that cannot be built refuses the whole table;
  // otherwise such pools are left out (while models are still loading).
  Status publish(bool strict);

private:
  void updateReport();

  Parts m_parts;
  QObject m_home;                       // lives on the node's thread: post() queues jobs to it
  gateway::pool::ModelTable m_engines;  // the catalog's one-engine pools loaded so far
  std::vector<gateway::pool::PoolSpec> m_pools;
  ServingReport m_state;
  std::atomic<std::shared_ptr<const ServingReport>> m_report;
};

}  // namespace lmfront::node
