#include "gateway/openai/routetable.h"

namespace lmfront::gateway::openai {

Status RouteTable::checkDeclared(const std::string &method, const std::string &path, RouteNeeds needs, bool metered) {
  using Kind = RouteNeeds::Kind;
  if (needs.kind == Kind::Undeclared)
    return Status::invalidArgument("route " + method + " " + path + " declares no needs (keyless, role or metered)");
  if ((needs.kind == Kind::Metered) != metered)
    return Status::invalidArgument("route " + method + " " + path +
                                   (metered ? ": a metered route must declare metered needs"
                                            : ": a metered route is registered with RouteTable::metered"));
  return Status::ok();
}

Status RouteTable::route(std::string method, std::string path, RouteNeeds needs, AdmittedHandler handler) {
  return add(std::move(method), std::move(path), needs, std::move(handler), false);
}

Status RouteTable::routePrefix(std::string method, std::string pathPrefix, RouteNeeds needs, AdmittedHandler handler) {
  return add(std::move(method), std::move(pathPrefix), needs, std::move(handler), true);
}

Status RouteTable::add(std::string method, std::string path, RouteNeeds needs, AdmittedHandler handler, bool prefix) {
  LMFRONT_RETURN_IF_ERROR(checkDeclared(method, path, needs, false));
  if (!handler) return Status::invalidArgument("route " + method + " " + path + " has no handler");
  Handler admitted;
  if (needs.kind == RouteNeeds::Kind::Keyless) {
    admitted = [handler = std::move(handler)](HttpRequest &&request, ResponderPtr responder) {
      handler(std::move(request), Admission{}, std::move(responder));
    };
  } else {
    const AdmissionHooks *hooks = m_hooks;
    admitted = [handler = std::move(handler), hooks, needs](HttpRequest &&request, ResponderPtr responder) {
      Admission admission;
      if (auto denied = admit(hooks, needs, request, AdmitContext{}, admission))
        return responder->respond(toResponse(*denied));
      handler(std::move(request), std::move(admission), std::move(responder));
    };
  }
  if (prefix)
    m_router.prefix(std::move(method), std::move(path), std::move(admitted));
  else
    m_router.route(std::move(method), std::move(path), std::move(admitted));
  return Status::ok();
}

std::optional<ApiError> RouteTable::admit(const AdmissionHooks *hooks, RouteNeeds needs, const HttpRequest &request,
                                          AdmitContext context, Admission &admission) {
  context.access = needs.access;
  context.metered = needs.kind == RouteNeeds::Kind::Metered;
  admission.m_hooks = hooks;
  if (hooks != nullptr && hooks->admit)
    if (auto denied = hooks->admit(request, context)) return denied;
  admission.m_context = std::move(context);
  return std::nullopt;
}

}  // namespace lmfront::gateway::openai
