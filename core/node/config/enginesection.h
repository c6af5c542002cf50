// The "engine" section of the node's config file: model_slots and per-model slots (what they do:
// docs/pools.md, "Per-model slots"). It fills EngineSettings, from which the gateway service sets
// the flow control of each in-process engine pool it loads.
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

constexpr int kMaxModelSlots = 1000;  // the engine pools' default concurrency limit (poolflow.h)

// Unknown keys are errors; slots are integers 1..1000 (model_slots also 0: no per-model limit).
Status readEngineSection(config::JsonSection engine, EngineSettings &settings);

}  // namespace lmfront::node
