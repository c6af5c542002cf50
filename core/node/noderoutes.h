// The node's own HTTP routes (health, readiness, model list) and the state they read.
// NodeState is shared with the data-plane workers: its fields are set before the server starts
// and never change afterwards, except `ready`, which is atomic.
#pragma once

#include "common/status.h"
#include "node/node.h"

#include <QElapsedTimer>
#include <atomic>
#include <memory>
#include <vector>

namespace lmfront::gateway {
class Router;
}

namespace lmfront::node {

struct CatalogEntry {
  QString name;
  QString path;         // the model file
  QString description;  // from NAME.json beside it, if any
  qint64 created = 0;   // unix seconds
};

struct NodeState {
  NodeInfo info;
  std::vector<CatalogEntry> models;
  QElapsedTimer uptime;
  std::atomic<bool> ready{false};
  bool enableTestRoutes = false;
};

// Models from --model flags plus DATA_DIR/models/*.lmb (with NAME.json manifests). A --model
// whose file is missing is an error; a broken manifest is reported by name.
Result<std::vector<CatalogEntry>> scanModels(const NodeConfig &config, const QString &dataDir);

std::shared_ptr<const gateway::Router> buildRouter(std::shared_ptr<NodeState> state);

}  // namespace lmfront::node
