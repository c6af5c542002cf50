// Lifecycle of a model version: the states a version moves through and the actions that move it
// (docs/models.md). One table says which action is allowed from which state and where it leads;
// everything that changes a version's state (the catalog database, the node's endpoints, the CLI)
// asks this table, so the rules live in one place.
//
//   submitted → validated → approved → compiled → published → deployed → retired
//   rejected: from submitted or validated (by validation), from validated (by review)
//
// `rollback` takes a deployed version back to published (the previous published version is
// deployed again with `deploy`); `promote` leaves a deployed version deployed (a canary becomes
// the stable variant: only the deployments change); `supersede` takes a deployed version back to
// published when another one replaced it (a `replace` deploy, a promoted canary). `retire` takes a version that passed
// review out of service for good. `rejected` and `retired` are final.
//
// Pure functions over values; thread-safe.
#pragma once

#include "common/status.h"

#include <optional>
#include <string_view>
#include <vector>

namespace lmfront::registry {

enum class VersionState { Submitted, Validated, Approved, Compiled, Published, Deployed, Retired, Rejected };

enum class LifecycleAction {
  Validate,
  Approve,
  Reject,
  Compile,
  Publish,
  Deploy,
  Retire,
  Rollback,
  Promote,
  Supersede
};

std::string_view versionStateName(VersionState state);  // "submitted", ...
std::optional<VersionState> versionStateFromName(std::string_view name);
std::string_view lifecycleActionName(LifecycleAction action);  // "validate", ...
std::optional<LifecycleAction> lifecycleActionFromName(std::string_view name);

const std::vector<VersionState> &allVersionStates();
const std::vector<LifecycleAction> &allLifecycleActions();

// The states `action` may be taken from, in lifecycle order.
std::vector<VersionState> allowedFrom(LifecycleAction action);
// True when the table has an action leading from `from` to `to`.
bool isAllowedTransition(VersionState from, VersionState to);
// The state `action` leads to from `from`, or FailedPrecondition naming the action, the state and
// the states it is allowed from ("cannot approve a version that is submitted (approve is allowed
// from: validated)").
Result<VersionState> nextState(LifecycleAction action, VersionState from);
// A state no action leaves (rejected, retired).
bool isFinal(VersionState state);

}  // namespace lmfront::registry
