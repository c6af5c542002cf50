#include "registry/lifecycle.h"

#include <array>
#include <string>

namespace lmfront::registry {

namespace {

using S = VersionState;
using A = LifecycleAction;

struct Rule {
  A action;
  S from;
  S to;
};

// The one table of the lifecycle: every allowed (action, from) and where it leads.
constexpr std::array kRules{
    Rule{A::Validate, S::Submitted, S::Validated}, Rule{A::Reject, S::Submitted, S::Rejected},
    Rule{A::Reject, S::Validated, S::Rejected},    Rule{A::Approve, S::Validated, S::Approved},
    Rule{A::Compile, S::Approved, S::Compiled},    Rule{A::Publish, S::Compiled, S::Published},
    Rule{A::Deploy, S::Published, S::Deployed},    Rule{A::Rollback, S::Deployed, S::Published},
    Rule{A::Promote, S::Deployed, S::Deployed},    Rule{A::Supersede, S::Deployed, S::Published},
    Rule{A::Retire, S::Approved, S::Retired},      Rule{A::Retire, S::Compiled, S::Retired},
    Rule{A::Retire, S::Published, S::Retired},     Rule{A::Retire, S::Deployed, S::Retired},
};

constexpr std::array<std::string_view, 8> kStateNames{"submitted", "validated", "approved", "compiled",
                                                      "published", "deployed",  "retired",  "rejected"};
constexpr std::array<std::string_view, 10> kActionNames{"validate", "approve", "reject",   "compile", "publish",
                                                        "deploy",   "retire",  "rollback", "promote", "supersede"};

}  // namespace

std::string_view versionStateName(VersionState state) { return kStateNames[static_cast<std::size_t>(state)]; }

std::optional<VersionState> versionStateFromName(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (kStateNames[i] == name) return static_cast<VersionState>(i);
  return std::nullopt;
}

std::string_view lifecycleActionName(LifecycleAction action) { return kActionNames[static_cast<std::size_t>(action)]; }

std::optional<LifecycleAction> lifecycleActionFromName(std::string_view name) {
  for (std::size_t i = 0; i < kActionNames.size(); ++i)
    if (kActionNames[i] == name) return static_cast<LifecycleAction>(i);
  return std::nullopt;
}

const std::vector<VersionState> &allVersionStates() {
  static const std::vector<VersionState> all{S::Submitted, S::Validated, S::Approved, S::Compiled,
                                             S::Published, S::Deployed,  S::Retired,  S::Rejected};
  return all;
}

const std::vector<LifecycleAction> &allLifecycleActions() {
  static const std::vector<LifecycleAction> all{A::Validate, A::Approve, A::Reject,   A::Compile, A::Publish,
                                                A::Deploy,   A::Retire,  A::Rollback, A::Promote, A::Supersede};
  return all;
}

std::vector<VersionState> allowedFrom(LifecycleAction action) {
  std::vector<VersionState> out;
  for (const VersionState s : allVersionStates())
    for (const Rule &r : kRules)
      if (r.action == action && r.from == s) out.push_back(s);
  return out;
}

bool isAllowedTransition(VersionState from, VersionState to) {
  for (const Rule &r : kRules)
    if (r.from == from && r.to == to) return true;
  return false;
}

Result<VersionState> nextState(LifecycleAction action, VersionState from) {
  for (const Rule &r : kRules)
    if (r.action == action && r.from == from) return r.to;
  std::string allowed;
  for (const VersionState s : allowedFrom(action)) {
    if (!allowed.empty()) allowed += ", ";
    allowed += versionStateName(s);
  }
  return Status::failedPrecondition("cannot " + std::string(lifecycleActionName(action)) + " a version that is " +
                                    std::string(versionStateName(from)) + " (" +
                                    std::string(lifecycleActionName(action)) + " is allowed from: " + allowed + ")");
}

bool isFinal(VersionState state) {
  for (const Rule &r : kRules)
    if (r.from == state) return false;
  return true;
}

}  // namespace lmfront::registry
