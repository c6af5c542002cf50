#include "gateway/auth/role.h"

#include <string>

namespace lmfront::gateway::auth {

std::string_view roleName(Role role) {
  switch (role) {
  case Role::Viewer: return "viewer";
  case Role::User: return "user";
  case Role::Operator: return "operator";
  case Role::Admin: return "admin";
  }
  return "unknown";
}

Result<Role> parseRole(std::string_view text) {
  for (Role r : {Role::Viewer, Role::User, Role::Operator, Role::Admin})
    if (text == roleName(r)) return r;
  return Status::invalidArgument("unknown role '" + std::string(text) + "': expected viewer, user, operator or admin");
}

}  // namespace lmfront::gateway::auth
