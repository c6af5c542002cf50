// The node's own keys of the config file (the top level): listen, data_dir, node_id, workers,
// drain_timeout_ms and models. Their flags (--listen, ...) share the checks below, so a value is
// accepted or refused the same way from either place. Keys and defaults: docs/configuration.md.
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

#include <QString>

namespace lmfront::node {

constexpr int kMaxWorkers = 256;
constexpr int kMaxDrainTimeoutMs = 3'600'000;
constexpr qint64 kMaxSubmissionBytes = qint64{64} << 30;

// Reads the node's keys of `root` into `config` (other sections are read by their own readers).
Status readNodeSection(config::JsonSection &root, NodeConfig &config);

// "127.0.0.1:8080", "[::1]:0", ":8080" (host defaults to 127.0.0.1). Errors say what was wrong
// ("expected ADDR:PORT, got '8080'"); the caller names the flag or key.
Status parseListenAddress(const QString &text, QString &host, quint16 &port);
// A model name of letters, digits and - _ . : and a non-empty path.
Status checkModelSpec(const ModelSpec &spec);
// "NAME=PATH" as --model takes it.
Result<ModelSpec> parseModelSpec(const QString &text);

}  // namespace lmfront::node
