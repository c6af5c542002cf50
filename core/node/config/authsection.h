// The "auth" section of the node's config file: require_keys, allowed_hosts, trusted_origins
// (what they do: docs/auth.md). It fills GatewaySettings, which GatewayRuntime turns into the
// auth policy of core/gateway/auth.
//
// Why here and not in core/gateway/auth: lmfront_auth is plain C++ (the CLI and the hot path use
// it without Qt), while config files are read with Qt's JSON through config::JsonSection. So the
// section readers of the gateway's policies live with the node, which composes them.
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

// Reads the section into `gateway`; unknown keys are errors. An empty section changes nothing.
Status readAuthSection(config::JsonSection auth, GatewaySettings &gateway);

}  // namespace lmfront::node
