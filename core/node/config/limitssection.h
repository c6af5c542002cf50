// The "limits" section of the node's config file: per_key and per_model requests and tokens per
// minute, and redis (what they do: docs/gateway-policies.md). It fills GatewaySettings, from which
// GatewayRuntime builds the rate limiters of core/gateway/ratelimit.
//
// Why here and not in core/gateway/ratelimit: lmfront_ratelimit is plain C++ without Qt, while
// config files are read with Qt's JSON through config::JsonSection (see authsection.h).
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

constexpr qint64 kMaxPerMinute = 1'000'000'000'000;

Status readLimitsSection(config::JsonSection limits, GatewaySettings &gateway);

}  // namespace lmfront::node
