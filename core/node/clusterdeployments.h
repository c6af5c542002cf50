// ClusterDeployments: deployments as the cluster's desired state (docs/cluster.md, "Desired
// state"). In cluster mode a `deploy`, `promote` or `rollback` taken by any node — ops command,
// HTTP endpoint, CLI — is acted on here when this node is in its placement, then written to etcd
// as the model's desired deployment (/lmfront/CLUSTER/deployments/MODEL) with the version's
// catalog metadata (/lmfront/CLUSTER/catalog/MODEL/VERSION). Every node watches both and
// converges: a member of the placement that lacks the version copies its artifact by sha256 from
// the origin (or another member), verified before use (artifactfetch.h), mirrors its catalog rows
// under the same number and deploys it through DeploymentService; a node outside the placement
// stops serving it (back to its own model file's version). Without etcd nothing here runs.
//
// Ops commands: `desired` (viewer) → {"synced", "deployments": [record…]}; `cluster_artifact`
// (the artifact route's, clusterroutes.cpp) → {"path"} of an artifact, given the cluster's token.
// Order: after the cluster service and the deployment service.
// Threads: every method and callback on the node thread.
#pragma once

#include "node/service.h"

#include <memory>

namespace lmfront::node {

struct NodeContext;
class ClusterService;
class DeploymentService;
class GatewayService;
class RegistryService;

class ClusterDeployments final : public Service {
public:
  ClusterDeployments(const NodeContext &context, ClusterService &cluster, DeploymentService &deployments,
                     RegistryService &registry, GatewayService &gateway);
  ~ClusterDeployments() override;

  std::string_view name() const override { return "cluster-deployments"; }
  Status start() override;
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  struct Impl;

private:
  std::unique_ptr<Impl> d;
};

}  // namespace lmfront::node
