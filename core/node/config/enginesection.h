// The "engine" section of the node's config file: model_slots, per-model slots (docs/pools.md,
// "Per-model slots") and memory_budget_bytes (docs/models.md, "Memory budget"). It fills EngineSettings, from which the
// gateway service sets the flow control of each in-process engine pool it loads.
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

constexpr int kMaxModelSlots = 1000;  // the engine pools' default concurrency limit (poolflow.h)
constexpr qint64 kMaxMemoryBudgetBytes = qint64{1} << 50;

// Unknown keys are errors; slots are integers 1..1000 (model_slots also 0: no per-model limit).
Status readEngineSection(config::JsonSection engine, EngineSettings &settings);

}  // namespace lmfront::node
