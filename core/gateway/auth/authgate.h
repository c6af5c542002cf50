// AuthGate: the one call the request path makes — Host/Origin policy, then the API key, then
// the role — so every route applies the same rules in the same order.
//
//   auto who = gate.admit(req.header("Host"), req.header("Origin"), req.header("Authorization"),
//                         Role::User);
//   if (!who) return errorResponse(who.status());  // 401 Unauthenticated / 403 PermissionDenied
//
// Without an Authorization header and with keys not required (loopback, requireKeys off), the
// caller is the anonymous local principal, name "local", role admin: whoever can reach a
// loopback-only node already runs code on this machine, and the Host/Origin rules keep web pages
// out. When keys are optional, a bearer token that is not an lmfront key (no "lmf_") is ignored —
// OpenAI SDKs always send one — while an lmfront key that is present is always verified.
// Thread-safe: const, over an immutable policy and a thread-safe Authenticator.
#pragma once

#include "gateway/auth/authenticator.h"
#include "gateway/auth/authpolicy.h"

#include <memory>

namespace lmfront::gateway::auth {

class AuthGate {
public:
  AuthGate(AuthPolicy policy, std::shared_ptr<const Authenticator> authenticator)
      : m_policy(std::move(policy)), m_authenticator(std::move(authenticator)) {}

  Result<Principal> admit(std::string_view host, std::string_view origin, std::string_view authorization,
                          Role need) const;

  // The key part of admit() alone, for a caller whose Host and Origin were checked already (the
  // ops API's handshake): the principal an Authorization value stands for, with no role check.
  Result<Principal> authenticate(std::string_view authorization) const;

  const AuthPolicy &policy() const { return m_policy; }

private:
  AuthPolicy m_policy;
  std::shared_ptr<const Authenticator> m_authenticator;
};

}  // namespace lmfront::gateway::auth
