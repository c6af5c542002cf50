// Role: what an API key may do. Ordered viewer < user < operator < admin; a higher role may do
// everything a lower one may (see docs/auth.md for the verbs behind each role).
// Plain values, no state: thread-safe.
#pragma once

#include "common/status.h"

#include <string_view>

namespace lmfront::gateway::auth {

enum class Role : int {
  Viewer = 0,    // read models, metrics, health
  User = 1,      // completions, chat, score
  Operator = 2,  // deploy, rollback, drain, acknowledge alerts
  Admin = 3,     // manage API keys
};

// True when a principal holding `have` may do what needs `need`.
constexpr bool allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

std::string_view roleName(Role role);  // "viewer", "user", "operator", "admin"
// Case-sensitive inverse of roleName(); InvalidArgument naming the accepted values otherwise.
Result<Role> parseRole(std::string_view text);

}  // namespace lmfront::gateway::auth
