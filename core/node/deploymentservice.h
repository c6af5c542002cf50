// DeploymentService: deploy, promote and rollback end to end (docs/models.md, "Deploying") — from
// the ops commands (and the HTTP endpoints that run them) through the catalog into the one door
// of what is served (ServingState).
//
// - `deploy` {"model","version","strategy","percent","sticky","max_error_rate","max_p99_ms",
//   "max_p99_ratio","min_requests","comment"} (operator, deferred): the version's lifecycle must
//   allow it and it needs a serving artifact (CatalogDb::artifact(artifactSha256)->path, the file
//   loaded off the node thread). It answers once the version serves, or with why not: a refusal
//   of the lifecycle or of ServingState (another deploy of the model loading, a canary running) is
//   failed_precondition with the reason. Then the catalog records it: the version `deploy`s, a
//   `replace` supersedes the version it replaced, a deployments row is written.
// - `promote` {"model"} and `rollback` {"model"} (operator): the serving change first (a table
//   swap, no loading), then the catalog: `promote` the canary and supersede the old stable;
//   `rollback` the version rolled back from and `deploy` again the one that serves once more.
// - `deployments` (viewer) → {"deployments":[deployment…]}: every model the catalog has a
//   deployed version of, as it serves now (its own file since the start too); topic
//   `deployments`: that snapshot, then {"deployment":{…}} per change, and once a second for a
//   model under a canary or shadow (its guard's measures).
// - A canary in breach of its limits is rolled back by ServingState; this service audits it
//   (actor `canary-guard`, action `rollback`, the measured values in the reason) and records the
//   deployment as `rolled_back`. The alert `canary_rolled_back` follows from the rule over
//   lmfront_canary_rollbacks_total (resources/alerts/default-rules.yaml).
// - At start, what the catalog says serves serves again: a version deployed over a model file
//   before the node stopped is deployed again (replace, the file's version kept for rollback); a
//   canary or shadow that ran is rolled back in the catalog (audited, actor "local"); a version
//   that cannot be loaded is rolled back too, and the file's version deployed in the catalog.
// Every action — and every refusal — is audited with the caller's key name ("local" for a keyless
// caller) and published on `catalog`, `audit` and `deployments`.
//
// Order: after the catalog (registry service) and before the ops service.
// Threads: every command, tick() and every deploy's outcome run on the node thread.
#pragma once

#include "cluster/opsregistry.h"
#include "node/deployspec.h"
#include "node/nodecontext.h"
#include "node/service.h"

#include <QJsonObject>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace lmfront::node {

class GatewayService;
class RegistryService;

class DeploymentService final : public Service {
public:
  // All three must outlive the service; `gateway` and `registry` start before it.
  DeploymentService(const NodeContext &context, GatewayService &gateway, RegistryService &registry);
  ~DeploymentService() override;

  std::string_view name() const override { return "deployments"; }
  Status start() override;
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  // Judges the canaries (ServingState::evaluateCanaries) and publishes the measures of the models
  // under a canary or shadow. The node calls it after each 1 s sample.
  void tick();

  // Cluster mode (docs/cluster.md, "Desired state"): `deploy`, `promote` and `rollback` go to
  // `hook` first; it returns true when it took the command (and answers through `reply`), false
  // to let this node act alone. Null: every command acts here.
  using ClusterHook = std::function<bool(const QString &command, const QJsonObject &args,
                                         const cluster::Principal &caller, cluster::OpsReply &reply)>;
  void setClusterHook(ClusterHook hook);
  // The commands as this node alone runs them, past the hook (same checks, catalog and audit).
  void deployHere(const QJsonObject &args, const cluster::Principal &caller, cluster::OpsReply reply);
  Result<QJsonValue> promoteHere(const QJsonObject &args, const cluster::Principal &caller);
  Result<QJsonValue> rollbackHere(const QJsonObject &args, const cluster::Principal &caller);
  // Audits `why` as a refusal of `action` by `actor` and returns it.
  Status refuseHere(const std::string &actor, const std::string &action, const std::string &model,
                    std::optional<std::int64_t> version, Status why);
  DeploymentInfo deployment(const std::string &model) const;
  QJsonObject deploymentObject(const std::string &model) const;  // deploymentJson() of it
  // The catalog version this node serves from its own model file; 0 when none.
  std::int64_t fileVersion(const std::string &model) const;

  struct Impl;

private:
  std::unique_ptr<Impl> d;
};

// The `deploy` command's arguments checked as the command checks them; the reason when refused.
Status checkDeployArgs(const QJsonObject &args);

// The deployment object of docs/http-api.md: `stableFallback` is the catalog version the node
// serves from its own model file (ServingState labels it ""), 0 when unknown.
QJsonObject deploymentJson(const DeploymentInfo &info, std::int64_t stableFallback);

}  // namespace lmfront::node
