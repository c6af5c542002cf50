// The node's own HTTP routes (health, readiness, metrics, admin) and the state they read.
// NodeState is shared with the data-plane workers: its fields are set before the server starts
// and never change afterwards, except `ready`, which is atomic.
#pragma once

#include "common/status.h"
#include "node/node.h"
#include "registry/catalog.h"

#include <QElapsedTimer>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace lmfront::gateway {
class Router;
namespace openai {
class OpenAiService;
}
}  // namespace lmfront::gateway

namespace lmfront::observe {
class MetricsRegistry;
}

namespace lmfront::cluster {
class OpsRegistry;
}

namespace lmfront::node {

class ServingState;
class SubmissionStore;

struct NodeState {
  NodeInfo info;
  std::vector<registry::CatalogEntry> models;
  QElapsedTimer uptime;
  std::atomic<bool> ready{false};
  std::atomic<bool> draining{false};  // shutting down: one way
  std::atomic<bool> drained{false};   // the ops `drain` until `undrain`: /readyz says draining
  bool enableTestRoutes = false;
  gateway::openai::OpenAiService *service = nullptr;  // owned by the Node, outlives the routes
  observe::MetricsRegistry *registry = nullptr;       // GET /metrics
  // PUT /admin/pools (role admin): replaces the configured pools with the body's JSON (the config
  // file's "pools" format): the node applies it on its own thread and calls `done` once, from
  // there, with the outcome. Null: the route answers 501.
  std::function<void(std::string body, std::function<void(Status)> done)> replacePools;
  const ServingState *serving = nullptr;  // owned by the Node; only report() is read
  // GET /admin/series runs the ops `series` command of `ops` (registered by the series service) on
  // the node thread, through `onNodeThread` (any thread; runs the job there later). Either null:
  // the route answers 501.
  const cluster::OpsRegistry *ops = nullptr;
  std::function<void(std::function<void()>)> onNodeThread;
  // /admin/submissions: resumable uploads of model bundles (thread-safe). Null: no such routes.
  std::shared_ptr<SubmissionStore> submissions;
};

// The node's routes (health, readiness, /metrics, /admin/pools, /admin/series, test routes) plus
// the OpenAI API of state->service, each declaring what it needs (gateway/openai/routetable.h):
// /healthz, /readyz and the 404 are keyless, /metrics needs a viewer, /admin/* an admin. An error is a
// declaration the route table refused.
Result<std::shared_ptr<const gateway::Router>> buildRouter(std::shared_ptr<NodeState> state);

}  // namespace lmfront::node
