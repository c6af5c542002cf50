// AuthPolicy: who may talk to a node at all, before any key is looked at (docs/auth.md).
//
// A node bound to loopback is still reachable from every web page the user opens: a page can
// point a DNS name it controls at 127.0.0.1 (DNS rebinding) or simply post to
// http://127.0.0.1:8080 from its own origin. So, per request:
//   - Host: on a loopback-bound node (and on any node with allowedHosts configured) the Host
//     header's name must be a loopback name (localhost, *.localhost, 127.0.0.0/8, [::1]), the
//     bound address itself, or an allowedHosts entry; any port. A missing Host (HTTP/1.0 tools)
//     is accepted: browsers always send one.
//   - Origin: when present (browsers send it on cross-origin and on POST requests) it must be one
//     of trustedOrigins exactly (scheme://host[:port]); "null" and everything else is refused.
//   - CORS: corsHeaders() returns nothing unless the Origin is trusted, and then echoes that exact
//     origin (never "*") with `Vary: Origin`. The node adds them to every answer through the data
//     plane's RequestFilter (node/gatewayruntime.cpp), which also answers preflights.
// And at start: binding beyond loopback with no API key is refused (startupCheck()).
//
// Rejections are PermissionDenied (HTTP 403) with a message saying what to configure.
// Immutable after construction; every method is const and thread-safe.
#pragma once

#include "common/status.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmfront::gateway::auth {

struct AuthConfig {
  // Every request needs a key even on loopback. Beyond loopback keys are always required.
  bool requireKeys = false;
  // Extra names the Host header may carry ("lmfront.lan", "10.0.0.5"; "name:port" pins a port).
  std::vector<std::string> allowedHosts;
  // Web origins allowed to call the node from a browser ("https://app.example.com"). No "*".
  std::vector<std::string> trustedOrigins;

  Status validate() const;
};

using CorsHeaders = std::vector<std::pair<std::string, std::string>>;

// True for localhost, *.localhost, 127.0.0.0/8, ::1 (bracketed or not), ::ffff:127.x.
bool isLoopbackName(std::string_view host);

class AuthPolicy {
public:
  // `bindAddress` is the listen host ("127.0.0.1", "::1", "0.0.0.0", "10.0.0.5", ...).
  AuthPolicy(AuthConfig config, std::string bindAddress);

  const AuthConfig &config() const { return m_config; }
  bool loopbackOnly() const { return m_loopback; }
  // Keys are needed when configured so or when the node is reachable beyond loopback.
  bool keysRequired() const { return m_config.requireKeys || !m_loopback; }

  // Host/Origin check for one request; pass empty views for absent headers.
  Status checkRequest(std::string_view host, std::string_view origin) const;
  // Headers to add to the response for this request's Origin (empty when it is absent or not
  // trusted). `preflight` adds the Allow-Methods/Headers/Max-Age answer for OPTIONS; the allowed
  // headers are Authorization, Content-Type, Cache-Control plus the preflight's
  // Access-Control-Request-Headers (`requestedHeaders`) when every name in it is a valid token
  // (browser SDKs add their own, e.g. OpenAI's x-stainless-*; the origin is trusted either way).
  CorsHeaders corsHeaders(std::string_view origin, bool preflight, std::string_view requestedHeaders = {}) const;
  // One half of checkRequest() each: the ops API's handshake re-checks the Origin on its own.
  bool hostAllowed(std::string_view host) const;
  bool originTrusted(std::string_view origin) const;

private:
  AuthConfig m_config;
  std::string m_bindAddress;
  bool m_loopback;
};

// The same check without keeping a policy object (builds one per call: not for the hot path).
Status checkRequest(const AuthConfig &config, std::string_view host, std::string_view origin,
                    std::string_view bindAddress);
// Refuses (FailedPrecondition) to serve beyond loopback when no API key exists.
Status startupCheck(std::string_view bindAddress, bool keysConfigured);

}  // namespace lmfront::gateway::auth
