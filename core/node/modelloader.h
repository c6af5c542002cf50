// Loads catalog entries into the gateway's model table: each model file is opened once
// (mmapped, shared), its continuation index built, and served by an in-process EngineBackend.
// How prompts are tokenised comes from the model's manifest (NAME.json: "tokenizer":
// "default"|"whitespace", "lowercase": bool); without one, the default tokenizer, lowercased,
// which is how the default models are trained.
#pragma once

#include "common/status.h"
#include "gateway/pool/modeltable.h"
#include "node/noderoutes.h"
#include "observe/standardmetrics.h"

#include <memory>

class QThreadPool;

namespace lmfront::node {

// metrics (may be null): where the pool's flow-control gauges go.
Result<std::shared_ptr<const gateway::pool::ModelPool>> loadEnginePool(const CatalogEntry &entry, QThreadPool *pool,
                                                                       const observe::StandardMetrics *metrics);

}  // namespace lmfront::node
