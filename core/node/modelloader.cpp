#include "node/modelloader.h"

#include "engine/model.h"
#include "gateway/pool/enginebackend.h"

#include <algorithm>

namespace lmfront::node {

using gateway::pool::EngineBackend;
using gateway::pool::ModelPool;

Result<std::shared_ptr<const ModelPool>> loadEnginePool(const registry::CatalogEntry &entry, QThreadPool *threads,
                                                        const gateway::pool::PoolMetrics *metrics, const Clock &clock,
                                                        std::string backendId, int slots) {
  if (!entry.manifestError.isOk()) return entry.manifestError.withContext("model '" + entry.name.toStdString() + "'");
  const std::string path = entry.path.toStdString();
  auto model = engine::Model::open(path);
  if (!model) return model.status().withContext("model '" + entry.name.toStdString() + "'");
  auto pool = std::make_shared<ModelPool>();
  pool->name = entry.name.toStdString();
  pool->version = (*model)->payloadSha256();
  pool->description = entry.manifest.description.toStdString();
  pool->created = entry.created;
  if (backendId.empty()) backendId = "engine:" + pool->name;
  pool->backends.push_back(
      std::make_shared<EngineBackend>(std::move(backendId), *model, nullptr, entry.manifest.tokenizer, threads));
  auto balancer = gateway::routing::makeBalancer({}, {{pool->backends[0]->id(), 1, true}}, clock);
  if (!balancer) return balancer.status();
  pool->balancer = std::move(*balancer);
  // Default limits (poolflow.h): an engine replica queues beyond its limit like any backend. With
  // slots, the limit is that many, fixed: the model's share of the engine threads all models share.
  gateway::pool::FlowConfig flowConfig;
  if (slots > 0) {
    flowConfig.concurrency.initialLimit = static_cast<std::uint32_t>(slots);
    flowConfig.concurrency.maxLimit = std::max<std::uint32_t>(flowConfig.concurrency.maxLimit, slots);
  }
  auto flow = gateway::pool::PoolFlow::create(flowConfig, pool->name, {pool->backends[0]->id()},
                                              metrics ? &metrics->flow : nullptr, clock);
  if (!flow) return flow.status();
  pool->flow = std::move(*flow);
  return std::shared_ptr<const ModelPool>(std::move(pool));
}

}  // namespace lmfront::node
