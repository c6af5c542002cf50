// ServingState: the one door to what this node serves (docs/architecture.md, "What is served").
//
// Desired state goes in — the catalog's engine pools as they load (modelLoaded/modelFailed), the
// configured pool specs (the config file, PUT /admin/pools) and deployments (deploy, promote,
// rollback; the cluster's watch later) — and one builder, buildModelTable() (gateway/pool/poolbuilder.h), turns it into
// an immutable ModelTable that is swapped into the service atomically. Nothing else replaces the served table.
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
//
// Deployments (docs/models.md, "Deployments"): deploy() loads a version off the node thread
// (Parts::loader) and swaps it in atomically — `replace` as the model's stable pool, keeping the
// one it replaces loaded so rollback() is a table swap; `canary`/`shadow` beside the stable pool.
// A pool leaves memory when the last request holding it finishes (shared ownership), never
// under one. Deploys of one model serialise: a deploy or promote while a deploy of that model is
// loading is refused (FailedPrecondition naming the version loading); rollback() never is: it
// cancels the load. Canaries with limits are judged by evaluateCanaries() (once a second, from
// the series store's tick) and rolled back on a breach, which is counted, sent to the event sink
// and handed to the breach handler with the measured values.
#pragma once

#include "common/status.h"
#include "gateway/pool/deployment.h"
#include "gateway/pool/modeltable.h"
#include "gateway/pool/poolmetrics.h"
#include "gateway/pool/poolspec.h"
#include "node/deployspec.h"
#include "registry/catalog.h"
#include "registry/catalogmetrics.h"

#include <QObject>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

class QThreadPool;

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
    gateway::pool::DeploymentMetrics deploymentMetrics = {};  // empty: deployments record nothing
    // Where deploy() loads model files (null: such deploys are refused). Its jobs post back to
    // this object: wait for them (QThreadPool::waitForDone) before destroying it.
    QThreadPool *loader = nullptr;
    QThreadPool *inference = nullptr;  // where loaded engines generate
    // A deployed model's engine slots (loadEnginePool); null: the pool default.
    std::function<int(const std::string &model)> engineSlots = {};
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
  // Replaces the pools routed to other cluster members (clusterrouting.h). A routed pool never
  // shadows what this node serves itself: one named like a catalog model or a configured pool is
  // left out, and so is one that cannot be built (the others still serve).
  Status setRoutedPools(std::vector<gateway::pool::PoolSpec> pools);
  void modelLoaded(const registry::CatalogEntry &entry, std::shared_ptr<const gateway::pool::ModelPool> pool);
  void modelFailed(const registry::CatalogEntry &entry, const Status &why);
  // Every model of the catalog has loaded or failed: now every configured pool must be
  // buildable. One that is not is reported to the event sink and returned (it stays out of the
  // table; the start fails on it when nothing loaded in the background).
  Status loadingFinished();
  // Builds and publishes the table. Strict: a pool that cannot be built refuses the whole table;
  // otherwise such pools are left out (while models are still loading).
  Status publish(bool strict);

  // `done` runs on the node thread once the version serves, or with why it does not (nothing
  // changed then). Refused at once: an unknown strategy share, a canary or shadow for a model
  // not served, a deploy while a canary or shadow runs (promote or roll it back first).
  void deploy(DeployRequest request, std::function<void(Status)> done);
  // The canary or shadow becomes the stable version; the stable one is kept for rollback().
  Status promote(const std::string &model);
  // Drops a canary or shadow; else cancels a deploy still loading; else serves the previous
  // stable version again (already loaded: a table swap). FailedPrecondition when none applies.
  Status rollback(const std::string &model);
  std::vector<DeploymentInfo> deployments() const;
  // Model memory (docs/models.md, "Memory budget"): the images of every model version held —
  // stable, kept for rollback, canary or shadow — each counted once. With a budget (bytes; 0:
  // none), a catalog model or a deploy that would take the total over it is refused, naming sizes.
  void setModelMemoryBudget(std::uint64_t bytes) { m_memoryBudget = bytes; }
  std::uint64_t loadedModelBytes() const;
  // Judges every guarded canary at the clock's now; rolls back the ones in breach.
  void evaluateCanaries();
  void setCanaryBreachHandler(std::function<void(const CanaryBreach &)> handler) { m_onBreach = std::move(handler); }

private:
  struct Deployed {
    std::string stableVersion;
    std::shared_ptr<const gateway::pool::ModelPool> previous;
    std::string previousVersion;
    std::shared_ptr<const gateway::pool::Deployment> variant;  // canary or shadow
    std::string variantVersion;
    std::unique_ptr<CanaryGuard> guard;
    std::string loading;           // a deploy's version while its file loads
    std::uint64_t generation = 0;  // bumped by rollback(): a load that finds it changed is dropped
  };
  void updateReport();
  Status checkMemoryBudget(const std::string &model, const std::string &version,
                           const gateway::pool::ModelPool &pool) const;
  std::vector<gateway::pool::PoolSpec> servedSpecs() const;  // m_pools, then the routed pools not shadowed
  void applyDeploy(const DeployRequest &request, std::shared_ptr<const gateway::pool::ModelPool> pool,
                   std::function<void(Status)> done);
  void deployEvent(const std::string &model, const std::string &what, const std::string &version);

  Parts m_parts;
  QObject m_home;                       // lives on the node's thread: post() queues jobs to it
  gateway::pool::ModelTable m_engines;  // the catalog's one-engine pools loaded so far
  std::vector<gateway::pool::PoolSpec> m_pools;
  std::vector<gateway::pool::PoolSpec> m_routed;
  ServingReport m_state;
  std::atomic<std::shared_ptr<const ServingReport>> m_report;
  std::map<std::string, Deployed, std::less<>> m_deployed;
  std::function<void(const CanaryBreach &)> m_onBreach;
  std::uint64_t m_memoryBudget = 0;
};

}  // namespace lmfront::node
