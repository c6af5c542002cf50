// The "alerts" section of the node's config file: history_retention_days, webhooks,
// alertmanagers (what they do: docs/alerting.md). It fills AlertSettings, which the alerting
// service (node/alertingservice.h) reads at start.
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

constexpr int kMaxHistoryRetentionDays = 100 * 366;

// Unknown keys are errors; each URL must be http://HOST:PORT[/path].
Status readAlertsSection(config::JsonSection alerts, AlertSettings &settings);

}  // namespace lmfront::node
