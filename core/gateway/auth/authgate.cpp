#include "gateway/auth/authgate.h"

namespace lmfront::gateway::auth {

Result<Principal> AuthGate::admit(std::string_view host, std::string_view origin, std::string_view authorization,
                                  Role need) const {
  LMFRONT_RETURN_IF_ERROR(m_policy.checkRequest(host, origin));
  bool present = false;
  for (char c : authorization) present = present || (c != ' ' && c != '\t');
  if (!present && !m_policy.keysRequired()) return Principal{{}, "local", Role::Admin};
  auto who = m_authenticator->authenticate(authorization);
  if (!who) return who;
  LMFRONT_RETURN_IF_ERROR(Authenticator::authorize(*who, need));
  return who;
}

}  // namespace lmfront::gateway::auth
