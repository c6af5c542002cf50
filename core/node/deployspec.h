// What a deploy asks for and what ServingState reports about a model's deployment
// (docs/models.md, "Deployments"). Plain values.
#pragma once

#include "gateway/pool/modeltable.h"
#include "node/canaryguard.h"
#include "registry/modelmanifest.h"

#include <QString>
#include <memory>
#include <optional>
#include <string>

namespace lmfront::node {

enum class DeployStrategy { Replace, Canary, Shadow };
std::string_view deployStrategyName(DeployStrategy strategy);
std::optional<DeployStrategy> parseDeployStrategy(std::string_view name);

struct DeployRequest {
  std::string model;
  std::string version;  // the version's label in the catalog, e.g. "3"
  // The model file to load (off the node thread), served with `manifest`'s tokenizer; or
  // `pool`, an already-built pool (then `path` is not read).
  QString path;
  registry::ModelManifest manifest;
  std::shared_ptr<const gateway::pool::ModelPool> pool;
  DeployStrategy strategy = DeployStrategy::Replace;
  double percent = 0;  // canary and shadow: the share of the model's requests, (0, 100]
  // Canary and shadow: choose the share by the request's hash key, so one user (key) always
  // gets the same variant; otherwise each request is drawn on its own.
  bool sticky = false;
  gateway::pool::HashKeySource key;
  CanaryLimits limits;  // canary only; none set: no guard
};

// One model's deployment as it stands.
struct DeploymentInfo {
  std::string model;
  std::string stableVersion;  // label; empty for the catalog's own file
  std::string stableSha256;
  std::string previousVersion;  // kept loaded for `rollback`; empty when there is none
  std::string previousSha256;
  std::optional<DeployStrategy> variant;  // Canary or Shadow while one runs
  std::string variantVersion;
  std::string variantSha256;
  double percent = 0;
  bool sticky = false;
  std::string loading;  // the version a deploy is loading now; empty when none
  std::optional<CanaryLimits> limits;
  std::optional<CanaryMeasures> measures;  // the guard's last evaluation
};

}  // namespace lmfront::node
