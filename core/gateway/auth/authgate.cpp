#include "gateway/auth/authgate.h"

namespace lmfront::gateway::auth {

Result<Principal> AuthGate::admit(std::string_view host, std::string_view origin, std::string_view authorization,
                                  Role need) const {
  LMFRONT_RETURN_IF_ERROR(m_policy.checkRequest(host, origin));
  auto who = authenticate(authorization);
  if (!who) return who;
  LMFRONT_RETURN_IF_ERROR(Authenticator::authorize(*who, need));
  return who;
}

Result<Principal> AuthGate::authenticate(std::string_view authorization) const {
  bool present = false;
  for (char c : authorization) present = present || (c != ' ' && c != '\t');
  // OpenAI SDKs always send a bearer token (OPENAI_API_KEY=anything): when keys are optional,
  // only a token that claims to be an lmfront key (lmf_…) is verified, so SDKs just work on
  // loopback while a wrong lmfront key still fails loudly.
  if (present && !m_policy.keysRequired() && authorization.find(kKeyPrefix) == std::string_view::npos) present = false;
  if (!present && !m_policy.keysRequired()) return Principal{{}, "local", Role::Admin};
  return m_authenticator->authenticate(authorization);
}

}  // namespace lmfront::gateway::auth
