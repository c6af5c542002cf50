#include "node/servingstate.h"

#include "common/eventsink.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/healthprober.h"
#include "gateway/pool/poolbuilder.h"

#include <QMetaObject>

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
  QMetaObject::invokeMethod(&m_home, std::move(job), Qt::QueuedConnection);
}

Status ServingState::setPools(std::vector<gateway::pool::PoolSpec> pools) {
  auto previous = std::move(m_pools);
  m_pools = std::move(pools);
  Status published = publish(true);
  if (!published.isOk()) m_pools = std::move(previous);
  return published;
}

void ServingState::modelLoaded(const registry::CatalogEntry &entry, std::shared_ptr<const ModelPool> pool) {
  m_engines.pools[entry.name.toStdString()] = std::move(pool);
  ++m_state.loaded;
  if (m_parts.catalogMetrics.modelsLoaded)
    m_parts.catalogMetrics.modelsLoaded->withLabels({}).set(static_cast<double>(m_state.loaded));
  updateReport();
  // Not strict: a pool waiting for an engine that is still loading joins when that one does.
  if (Status published = publish(false); !published.isOk())
    m_parts.events.report(EventLevel::Error, "catalog", "the served table was not rebuilt: " + published.message(),
                          {{"model", entry.name.toStdString()}});
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
  auto table = buildModelTable(m_engines, m_pools, m_parts.clock, m_parts.http, m_parts.poolMetrics, previous.get());
  if (!table) {
    if (strict) return table.status();
    std::vector<gateway::pool::PoolSpec> buildable;
    for (const auto &spec : m_pools)
      if (buildModelTable(m_engines, {spec}, m_parts.clock, m_parts.http, nullptr)) buildable.push_back(spec);
    table = buildModelTable(m_engines, buildable, m_parts.clock, m_parts.http, m_parts.poolMetrics, previous.get());
    if (!table) table = std::make_shared<ModelTable>(m_engines);
  }
  service.setTable(*table);
  m_parts.prober.watch(**table);
  return Status::ok();
}

void ServingState::updateReport() { m_report.store(std::make_shared<const ServingReport>(m_state)); }

}  // namespace lmfront::node
