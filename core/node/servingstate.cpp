#include "node/servingstate.h"

#include "common/eventsink.h"
#include "engine/model.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/enginebackend.h"
#include "gateway/pool/healthprober.h"
#include "gateway/pool/poolbuilder.h"
#include "gateway/pool/pooltask.h"
#include "node/modelloader.h"

#include <QMetaObject>
#include <QThreadPool>
#include <algorithm>
#include <cmath>
#include <set>

namespace lmfront::node {

using gateway::pool::ModelPool;
using gateway::pool::ModelTable;

ServingState::ServingState(Parts parts, std::vector<gateway::pool::PoolSpec> pools, std::size_t catalogSize)
    : m_parts(std::move(parts)), m_pools(std::move(pools)) {
  m_state.catalogSize = catalogSize;
  updateReport();
}

ServingState::~ServingState() = default;

void ServingState::post(std::function<void()> job) {
  // A model built on the loader thread reaches the node thread here: postQueued() makes that
  // hand-off visible to ThreadSanitizer.
  gateway::pool::postQueued(&m_home, std::move(job));
}

Status ServingState::setPools(std::vector<gateway::pool::PoolSpec> pools) {
  auto previous = std::move(m_pools);
  m_pools = std::move(pools);
  Status published = publish(true);
  if (!published.isOk()) m_pools = std::move(previous);
  return published;
}

std::uint64_t ServingState::loadedModelBytes() const {
  std::set<const engine::Model *> models;  // pools of one model share its engine: count it once
  const auto add = [&](const std::shared_ptr<const ModelPool> &pool) {
    if (!pool) return;
    for (const auto &backend : pool->backends)
      if (const auto *engine = dynamic_cast<const gateway::pool::EngineBackend *>(backend.get()))
        models.insert(&engine->model());
  };
  for (const auto &[name, pool] : m_engines.pools) add(pool);
  for (const auto &[name, d] : m_deployed) {
    add(d.previous);
    if (d.variant) add(d.variant->variant);
  }
  std::uint64_t bytes = 0;
  for (const engine::Model *m : models) bytes += m->imageSize();
  return bytes;
}

Status ServingState::checkMemoryBudget(const std::string &model, const std::string &version,
                                       const ModelPool &pool) const {
  if (m_memoryBudget == 0) return Status::ok();
  std::uint64_t needed = 0;
  for (const auto &backend : pool.backends)
    if (const auto *engine = dynamic_cast<const gateway::pool::EngineBackend *>(backend.get()))
      needed += engine->model().imageSize();
  const std::uint64_t used = loadedModelBytes();
  if (used + needed <= m_memoryBudget) return Status::ok();
  return Status::failedPrecondition(
      "model '" + model + "'" + (version.empty() ? std::string() : " version " + version) + " needs " +
      std::to_string(needed) + " bytes, but " + std::to_string(used) + " of the node's model memory budget of " +
      std::to_string(m_memoryBudget) + " bytes (engine.memory_budget_bytes) are in use: roll back or drop a " +
      "version, or raise the budget");
}

Status ServingState::setRoutedPools(std::vector<gateway::pool::PoolSpec> pools) {
  // Lenient: a configured pool still waiting for its engine must not hold routing back; a
  // routed pool that cannot be built (a member's bad address) is left out alone.
  m_routed = std::move(pools);
  return publish(false);
}

std::vector<gateway::pool::PoolSpec> ServingState::servedSpecs() const {
  if (m_routed.empty()) return m_pools;
  std::vector<gateway::pool::PoolSpec> specs = m_pools;
  for (const auto &spec : m_routed) {
    const bool shadowed = m_engines.find(spec.name) || std::any_of(m_pools.begin(), m_pools.end(),
                                                                   [&](const auto &p) { return p.name == spec.name; });
    if (!shadowed) specs.push_back(spec);
  }
  return specs;
}

void ServingState::modelLoaded(const registry::CatalogEntry &entry, std::shared_ptr<const ModelPool> pool) {
  const std::string name = entry.name.toStdString();
  if (Status fits = checkMemoryBudget(name, {}, *pool); !fits.isOk()) return modelFailed(entry, fits);
  const auto deployed = m_deployed.find(name);
  if (deployed == m_deployed.end() || !m_engines.find(name)) {
    m_engines.pools[name] = std::move(pool);
  } else if (!deployed->second.previous) {
    // A version deployed before the catalog's file finished loading (a restart serving the
    // catalog's deployment again) stays; the file's version is the one rollback() goes back to.
    deployed->second.previous = std::move(pool);
  }
  ++m_state.loaded;
  if (m_parts.catalogMetrics.modelsLoaded)
    m_parts.catalogMetrics.modelsLoaded->withLabels({}).set(static_cast<double>(m_state.loaded));
  updateReport();
  // Not strict: a pool waiting for an engine that is still loading joins when that one does.
  if (Status published = publish(false); !published.isOk())
    m_parts.events.report(EventLevel::Error, "catalog", "the served table was not rebuilt: " + published.message(),
                          {{"model", name}});
}

void ServingState::modelFailed(const registry::CatalogEntry &entry, const Status &why) {
  const std::string model = entry.name.toStdString();
  m_state.failed.push_back({model, why.message()});
  if (m_parts.catalogMetrics.loadFailures) m_parts.catalogMetrics.loadFailures->withLabels({model}).inc();
  m_parts.events.report(EventLevel::Error, "catalog", "model not served: " + why.message(),
                        {{"model", model}, {"path", entry.path.toStdString()}});
  updateReport();
}

Status ServingState::loadingFinished() {
  m_state.loading = false;
  updateReport();
  Status published = publish(true);
  // The table in service stays the last lenient one: every pool that could be built.
  if (!published.isOk())
    m_parts.events.report(EventLevel::Error, "catalog", "a configured pool is not served: " + published.message());
  return published;
}

Status ServingState::publish(bool strict) {
  auto &service = m_parts.service;
  const auto previous = service.table();
  const std::vector<gateway::pool::PoolSpec> specs = servedSpecs();
  auto table = buildModelTable(m_engines, specs, m_parts.clock, m_parts.http, m_parts.poolMetrics, previous.get());
  if (!table) {
    if (strict) return table.status();
    std::vector<gateway::pool::PoolSpec> buildable;
    for (const auto &spec : specs)
      if (buildModelTable(m_engines, {spec}, m_parts.clock, m_parts.http, nullptr)) buildable.push_back(spec);
    table = buildModelTable(m_engines, buildable, m_parts.clock, m_parts.http, m_parts.poolMetrics, previous.get());
    if (!table) table = std::make_shared<ModelTable>(m_engines);
  }
  // Canaries and shadows ride on the pool serving their model's name; a pool carried over from
  // the previous table may still carry one that has ended.
  for (auto &[name, pool] : (*table)->pools) {
    auto it = m_deployed.find(name);
    std::shared_ptr<const gateway::pool::Deployment> wanted = it == m_deployed.end() ? nullptr : it->second.variant;
    if (pool->deployment != wanted) pool = gateway::pool::withDeployment(*pool, std::move(wanted));
  }
  service.setTable(*table);
  m_parts.prober.watch(**table);
  return Status::ok();
}

std::string_view deployStrategyName(DeployStrategy strategy) {
  switch (strategy) {
  case DeployStrategy::Replace: return "replace";
  case DeployStrategy::Canary: return "canary";
  case DeployStrategy::Shadow: return "shadow";
  }
  return "replace";
}

std::optional<DeployStrategy> parseDeployStrategy(std::string_view name) {
  for (auto s : {DeployStrategy::Replace, DeployStrategy::Canary, DeployStrategy::Shadow})
    if (deployStrategyName(s) == name) return s;
  return std::nullopt;
}

void ServingState::deploy(DeployRequest request, std::function<void(Status)> done) {
  const std::string model = request.model;
  const bool variant = request.strategy != DeployStrategy::Replace;
  auto refuse = [&](Status why) {
    m_parts.events.report(EventLevel::Warning, "deploy", "deploy refused: " + why.message(),
                          {{"model", model}, {"version", request.version}});
    done(std::move(why));
  };
  if (model.empty() || request.version.empty())
    return refuse(Status::invalidArgument("a deploy names a model and a version"));
  if (variant && !(request.percent > 0 && request.percent <= 100))
    return refuse(Status::invalidArgument("percent must be in (0, 100]"));
  if (Status limits = request.limits.validate(); !limits.isOk()) return refuse(limits);
  if (variant && !m_engines.find(model))
    return refuse(Status::failedPrecondition("model '" + model + "' is not served: deploy it with replace first"));
  Deployed &d = m_deployed[model];
  if (!d.loading.empty())
    return refuse(Status::failedPrecondition("a deploy of model '" + model + "' (version " + d.loading +
                                             ") is in progress; retry when it has finished"));
  if (d.variant)
    return refuse(Status::failedPrecondition("model '" + model + "' runs a canary or shadow (version " +
                                             d.variantVersion + "): promote or roll it back first"));
  if (request.pool) return applyDeploy(request, request.pool, std::move(done));
  if (!m_parts.loader) return refuse(Status::failedPrecondition("this node cannot load models for a deploy"));
  d.loading = request.version;
  deployEvent(model, "loading", request.version);
  const std::uint64_t generation = d.generation;
  registry::CatalogEntry entry;
  entry.name = QString::fromStdString(model);
  entry.path = request.path;
  entry.manifest = request.manifest;
  gateway::pool::startPooled(*m_parts.loader, [this, entry = std::move(entry), request = std::move(request), generation,
                                               done = std::move(done)]() mutable {
    auto pool = loadEnginePool(entry, m_parts.inference, m_parts.poolMetrics, m_parts.clock,
                               "engine:" + request.model + "@" + request.version,
                               m_parts.engineSlots ? m_parts.engineSlots(request.model) : 0);
    post([this, request = std::move(request), pool = std::move(pool), generation, done = std::move(done)]() mutable {
      Deployed &loaded = m_deployed[request.model];
      if (loaded.generation != generation) return done(Status::cancelled("rolled back while loading"));
      loaded.loading.clear();
      // Measured on the loaded file (mapped, not yet paged in), so the check sees its real size.
      if (pool) {
        if (Status fits = checkMemoryBudget(request.model, request.version, **pool); !fits.isOk()) pool = fits;
      }
      if (!pool) {
        if (loaded.stableVersion.empty() && !loaded.previous && !loaded.variant) m_deployed.erase(request.model);
        m_parts.events.report(EventLevel::Error, "deploy", "deploy failed: " + pool.status().message(),
                              {{"model", request.model}, {"version", request.version}});
        return done(pool.status());
      }
      applyDeploy(request, *pool, done);
    });
  });
}

void ServingState::applyDeploy(const DeployRequest &request, std::shared_ptr<const ModelPool> pool,
                               std::function<void(Status)> done) {
  Deployed &d = m_deployed[request.model];
  auto &engine = m_engines.pools[request.model];
  const auto before = engine;
  if (request.strategy == DeployStrategy::Replace) {
    engine = std::move(pool);
    if (Status published = publish(!m_state.loading); !published.isOk()) {
      engine = before;
      if (!engine) m_engines.pools.erase(request.model);
      return done(published);
    }
    if (before) {
      d.previous = before;
      d.previousVersion = d.stableVersion;
    }
    d.stableVersion = request.version;
    deployEvent(request.model, "replaced", request.version);
    return done(Status::ok());
  }
  const bool canary = request.strategy == DeployStrategy::Canary;
  const auto kind = canary ? gateway::pool::Variant::Canary : gateway::pool::Variant::Shadow;
  const auto *metrics = &m_parts.deploymentMetrics;
  auto deployment = std::make_shared<gateway::pool::Deployment>();
  deployment->kind = kind;
  deployment->variant = std::move(pool);
  deployment->basisPoints = static_cast<std::uint32_t>(std::lround(request.percent * 100));
  deployment->sticky = request.sticky;
  deployment->key = request.key;
  deployment->stable = gateway::pool::variantSeries(metrics, request.model, gateway::pool::Variant::Stable);
  deployment->other = gateway::pool::variantSeries(metrics, request.model, kind);
  if (metrics->shadowRequests && !canary) {
    deployment->shadowCompared = &metrics->shadowRequests->withLabels({request.model});
    deployment->shadowAgreement = &metrics->shadowAgreement->withLabels({request.model});
  }
  d.variant = deployment;
  d.variantVersion = request.version;
  if (Status published = publish(!m_state.loading); !published.isOk()) {
    d.variant.reset();
    return done(published);
  }
  if (canary && request.limits.any()) {
    d.guard = std::make_unique<CanaryGuard>(request.model, request.version, request.limits, deployment->stable,
                                            deployment->other, m_parts.clock.now());
    // The model's rollback series exists at 0 before any breach: a rate over it (the alert rule
    // canary_rolled_back) counts the first rollback too, not only later ones.
    if (metrics->rollbacks) (void)metrics->rollbacks->withLabels({request.model});
  }
  deployEvent(request.model, std::string(deployStrategyName(request.strategy)) + " started", request.version);
  done(Status::ok());
}

Status ServingState::promote(const std::string &model) {
  auto it = m_deployed.find(model);
  if (it == m_deployed.end() || !it->second.variant)
    return Status::failedPrecondition("model '" + model + "' has no canary or shadow to promote");
  Deployed &d = it->second;
  auto &engine = m_engines.pools[model];
  const auto stable = engine;
  const auto variant = d.variant;
  engine = variant->variant;
  d.variant.reset();
  if (Status published = publish(!m_state.loading); !published.isOk()) {
    engine = stable;
    d.variant = variant;
    return published;
  }
  d.previous = stable;
  d.previousVersion = std::exchange(d.stableVersion, d.variantVersion);
  d.variantVersion.clear();
  d.guard.reset();
  deployEvent(model, "promoted", d.stableVersion);
  return Status::ok();
}

Status ServingState::rollback(const std::string &model) {
  auto it = m_deployed.find(model);
  if (it == m_deployed.end()) return Status::failedPrecondition("model '" + model + "' has nothing to roll back");
  Deployed &d = it->second;
  if (d.variant) {
    const auto variant = std::exchange(d.variant, nullptr);
    if (Status published = publish(!m_state.loading); !published.isOk()) {
      d.variant = variant;
      return published;
    }
    d.guard.reset();
    deployEvent(model, "rolled back", std::exchange(d.variantVersion, {}));
    return Status::ok();
  }
  if (!d.loading.empty()) {
    ++d.generation;  // the load still runs; its result is dropped
    deployEvent(model, "deploy cancelled", std::exchange(d.loading, {}));
    return Status::ok();
  }
  if (!d.previous) return Status::failedPrecondition("model '" + model + "' has no previous version to roll back to");
  auto &engine = m_engines.pools[model];
  const auto current = engine;
  engine = d.previous;
  if (Status published = publish(!m_state.loading); !published.isOk()) {
    engine = current;
    return published;
  }
  // The version rolled back from leaves memory once its last request finishes.
  d.previous.reset();
  d.stableVersion = std::exchange(d.previousVersion, {});
  deployEvent(model, "rolled back", d.stableVersion);
  return Status::ok();
}

std::vector<DeploymentInfo> ServingState::deployments() const {
  std::vector<DeploymentInfo> out;
  for (const auto &[model, d] : m_deployed) {
    DeploymentInfo info;
    info.model = model;
    info.stableVersion = d.stableVersion;
    if (const ModelPool *stable = m_engines.find(model)) info.stableSha256 = stable->version;
    info.previousVersion = d.previousVersion;
    if (d.previous) info.previousSha256 = d.previous->version;
    if (d.variant) {
      info.variant =
          d.variant->kind == gateway::pool::Variant::Canary ? DeployStrategy::Canary : DeployStrategy::Shadow;
      info.variantVersion = d.variantVersion;
      info.variantSha256 = d.variant->variant->version;
      info.percent = d.variant->basisPoints / 100.0;
      info.sticky = d.variant->sticky;
    }
    info.loading = d.loading;
    if (d.guard) {
      info.limits = d.guard->limits();
      info.measures = d.guard->measures();
    }
    out.push_back(std::move(info));
  }
  return out;
}

void ServingState::evaluateCanaries() {
  std::vector<CanaryBreach> breaches;
  for (auto &[model, d] : m_deployed)
    if (d.guard)
      if (auto breach = d.guard->evaluate(m_parts.clock.now())) breaches.push_back(std::move(*breach));
  for (const auto &b : breaches) {
    if (Status undone = rollback(b.model); !undone.isOk()) {
      m_parts.events.report(EventLevel::Error, "deploy",
                            "a canary in breach could not be rolled back: " + undone.message(), {{"model", b.model}});
      continue;
    }
    if (m_parts.deploymentMetrics.rollbacks) m_parts.deploymentMetrics.rollbacks->withLabels({b.model}).inc();
    m_parts.events.report(
        EventLevel::Warning, "deploy",
        "canary rolled back: " + b.limit + " " + std::to_string(b.measured) + " > " + std::to_string(b.limitValue),
        {{"model", b.model},
         {"version", b.version},
         {"limit", b.limit},
         {"measured", std::to_string(b.measured)},
         {"limit_value", std::to_string(b.limitValue)},
         {"requests", std::to_string(b.measures.requests)}});
    if (m_onBreach) m_onBreach(b);
  }
}

void ServingState::deployEvent(const std::string &model, const std::string &what, const std::string &version) {
  m_parts.events.report(EventLevel::Info, "deploy", "model " + model + ": " + what,
                        {{"model", model}, {"version", version}});
}

void ServingState::updateReport() { m_report.store(std::make_shared<const ServingReport>(m_state)); }

}  // namespace lmfront::node
