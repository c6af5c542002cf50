// Loads catalog entries into the gateway's model table: each model file is opened once
// (mmapped, shared), its continuation index built, and served by an in-process EngineBackend.
// How prompts are tokenised comes from the entry's manifest, parsed when the catalog was
// scanned (registry/modelmanifest.h); an entry whose manifest is broken is refused with that error.
#pragma once

#include "common/status.h"
#include "gateway/pool/modeltable.h"
#include "observe/standardmetrics.h"
#include "registry/catalog.h"

#include <memory>

class QThreadPool;

namespace lmfront::node {

// metrics (may be null): where the pool's flow-control gauges go.
Result<std::shared_ptr<const gateway::pool::ModelPool>> loadEnginePool(const registry::CatalogEntry &entry,
                                                                       QThreadPool *pool,
                                                                       const observe::StandardMetrics *metrics);

}  // namespace lmfront::node
