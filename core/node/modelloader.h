// Loads catalog entries into the gateway's model table: each model file is opened once
// (mmapped, shared), its continuation index built, and served by an in-process EngineBackend.
// How prompts are tokenised comes from the entry's manifest, parsed when the catalog was
// scanned (registry/modelmanifest.h); an entry whose manifest is broken is refused with that error.
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "gateway/pool/modeltable.h"
#include "gateway/pool/poolmetrics.h"
#include "registry/catalog.h"

#include <memory>

class QThreadPool;

namespace lmfront::node {

// threads: where inference runs. metrics (may be null): where the pool's flow-control gauges go.
// clock: what the pool's balancer and queue read. backendId: the replica's id (x-lmfront-backend,
// backend metrics); empty: "engine:NAME". Deployed versions get "engine:NAME@VERSION", so the
// variants of one model tell apart. slots: how many of its requests may run at once on `threads`
// (the rest queue in the pool's admission queue, then get 429/503 like any pool's limit);
// 0: the pool default (poolflow.h).
Result<std::shared_ptr<const gateway::pool::ModelPool>> loadEnginePool(const registry::CatalogEntry &entry,
                                                                       QThreadPool *threads,
                                                                       const gateway::pool::PoolMetrics *metrics,
                                                                       const Clock &clock, std::string backendId = {},
                                                                       int slots = 0);

}  // namespace lmfront::node
