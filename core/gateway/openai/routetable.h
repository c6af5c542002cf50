// RouteTable: how a node registers its HTTP routes. Every route declares what it needs
// (RouteNeeds: keyless, a key with a role, or a key with a role and rate limits by requests and
// tokens), and the route table runs admission once per request from that declaration before the
// handler: handlers never call the admission hooks themselves; they receive the Admission (who
// is charged, and the handle that settles the token estimate). A route without a declaration is
// refused at registration (InvalidArgument, nothing registered). docs/gateway-policies.md.
//
// A metered route's charge (its model and token estimate) is in the body, so it declares a meter
// that reads it first: meter → admission → handler, with the meter's result handed on, so the
// body is decoded once and a malformed body is answered (400) before the key is looked at, as
// every route of the API always did.
//
// Thread safety: registration happens while building a Router, before it serves; the handlers
// it installs run on any data-plane worker at once. The hooks must outlive the Router.
#pragma once

#include "common/status.h"
#include "gateway/http/apierror.h"
#include "gateway/http/httpserver.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace lmfront::gateway::openai {

// What a route needs of the caller: the node maps it to a role (viewer < user < operator < admin).
enum class Access { Read, Infer, Operate, Admin };

// What admission is asked about one request, and what it answers (principal).
struct AdmitContext {
  Access access = Access::Read;
  std::string model;        // empty for routes without a model
  int estimatedTokens = 0;  // charged against tokens-per-minute limits up front
  std::string principal;    // set by admission: who is charged (the API key id, or "local")
  std::string actor;        // set by admission: who acts, for audits (the API key's name, or "local")
  bool metered = false;     // the route is rate limited (requests and tokens per minute)
};

// The node's admission policy (auth, Host/Origin, rate limits). Either hook may be empty.
struct AdmissionHooks {
  // nullopt admits; otherwise the answer the client gets.
  std::function<std::optional<ApiError>(const HttpRequest &, AdmitContext &)> admit;
  // Called when an admitted generation ends, with the tokens it really used (0 when nothing was
  // generated), so token limits charge what was used rather than the estimate.
  std::function<void(const AdmitContext &, int actualTokens)> settle;
};

// What a route declares it needs before its handler runs.
struct RouteNeeds {
  enum class Kind { Undeclared, Keyless, Role, Metered };
  Kind kind = Kind::Undeclared;
  Access access = Access::Read;

  // Anyone who passes the node's Host/Origin filter (health and readiness probes, the 404).
  static constexpr RouteNeeds keyless() { return {Kind::Keyless, Access::Read}; }
  // A key with the role `access` maps to; never rate limited.
  static constexpr RouteNeeds role(Access access) { return {Kind::Role, access}; }
  // A key with that role, and the node's per-key and per-model limits on requests and tokens.
  static constexpr RouteNeeds metered(Access access) { return {Kind::Metered, access}; }
};

// The outcome of a request's admission, handed to its handler.
class Admission {
public:
  const AdmitContext &context() const { return m_context; }
  const std::string &principal() const { return m_context.principal; }
  // Charges the tokens really used instead of the estimate (any thread; a no-op for a route
  // that is not metered or a node without limits).
  void settle(int actualTokens) const {
    if (m_hooks != nullptr && m_hooks->settle) m_hooks->settle(m_context, actualTokens);
  }

private:
  friend class RouteTable;
  AdmitContext m_context;
  const AdmissionHooks *m_hooks = nullptr;
};

using AdmittedHandler = std::function<void(HttpRequest &&request, Admission admission, ResponderPtr responder)>;

// A metered route, reading its charge from the request before admission.
template <class Metered>
struct MeteredRoute {
  // Reads what the request costs: its model and token estimate go into the AdmitContext.
  // nullopt when it has answered the request itself (a malformed body).
  std::function<std::optional<Metered>(HttpRequest &, const ResponderPtr &, AdmitContext &)> meter;
  // Optional: told about a refusal before the client gets it (to count it).
  std::function<void(const Metered &, const ApiError &)> refused;
  std::function<void(HttpRequest &&, Metered &&, Admission, ResponderPtr)> handle;
};

class RouteTable {
public:
  // Adds routes to `router`. `hooks` (may be null: every request is admitted) must outlive it.
  RouteTable(Router &router, const AdmissionHooks *hooks) : m_router(router), m_hooks(hooks) {}

  // A route whose needs are known from the declaration alone (keyless or a role). InvalidArgument
  // (nothing registered) when undeclared or metered (a metered route needs a meter).
  Status route(std::string method, std::string path, RouteNeeds needs, AdmittedHandler handler);
  // The same for every path under `pathPrefix` that no exact route takes (keyless or a role).
  Status routePrefix(std::string method, std::string pathPrefix, RouteNeeds needs, AdmittedHandler handler);
  template <class Metered>
  Status metered(std::string method, std::string path, RouteNeeds needs, MeteredRoute<Metered> route);
  // The same for every path under `pathPrefix` that no exact route takes.
  template <class Metered>
  Status meteredPrefix(std::string method, std::string pathPrefix, RouteNeeds needs, MeteredRoute<Metered> route) {
    return addMetered(std::move(method), std::move(pathPrefix), needs, std::move(route), true);
  }
  // What answers a path no route knows: keyless (the server's own 404 shape).
  void fallback(Handler handler) { m_router.fallback(std::move(handler)); }

  // The admission of one request for `needs` (nullopt admits, and `admission` is filled).
  static std::optional<ApiError> admit(const AdmissionHooks *hooks, RouteNeeds needs, const HttpRequest &request,
                                       AdmitContext context, Admission &admission);

private:
  template <class Metered>
  Status addMetered(std::string method, std::string path, RouteNeeds needs, MeteredRoute<Metered> route, bool prefix);
  static Status checkDeclared(const std::string &method, const std::string &path, RouteNeeds needs, bool metered);
  Status add(std::string method, std::string path, RouteNeeds needs, AdmittedHandler handler, bool prefix);

  Router &m_router;
  const AdmissionHooks *m_hooks;
};

template <class Metered>
Status RouteTable::metered(std::string method, std::string path, RouteNeeds needs, MeteredRoute<Metered> route) {
  return addMetered(std::move(method), std::move(path), needs, std::move(route), false);
}

template <class Metered>
Status RouteTable::addMetered(std::string method, std::string path, RouteNeeds needs, MeteredRoute<Metered> route,
                              bool prefix) {
  LMFRONT_RETURN_IF_ERROR(checkDeclared(method, path, needs, true));
  if (!route.meter || !route.handle)
    return Status::invalidArgument("route " + method + " " + path + ": a metered route needs a meter and a handler");
  auto r = std::make_shared<const MeteredRoute<Metered>>(std::move(route));
  const AdmissionHooks *hooks = m_hooks;
  Handler handler = [r, hooks, needs](HttpRequest &&request, ResponderPtr responder) {
    AdmitContext charge;
    std::optional<Metered> metered = r->meter(request, responder, charge);
    if (!metered) return;
    Admission admission;
    if (auto denied = admit(hooks, needs, request, std::move(charge), admission)) {
      if (r->refused) r->refused(*metered, *denied);
      return responder->respond(toResponse(*denied));
    }
    r->handle(std::move(request), std::move(*metered), std::move(admission), std::move(responder));
  };
  if (prefix)
    m_router.prefix(std::move(method), std::move(path), std::move(handler));
  else
    m_router.route(std::move(method), std::move(path), std::move(handler));
  return Status::ok();
}

}  // namespace lmfront::gateway::openai
