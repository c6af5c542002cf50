#include "node/noderoutes.h"

#include "node/noderoutes_p.h"

#include "cluster/opsregistry.h"
#include "gateway/http/apierror.h"
#include "gateway/http/httpserver.h"
#include "gateway/openai/jsonwriter.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/openai/routetable.h"
#include "node/servingstate.h"
#include "observe/metricsregistry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrlQuery>

namespace lmfront::node {

using gateway::HttpRequest;
using gateway::HttpResponse;
using gateway::ResponderPtr;

HttpResponse jsonResponse(int status, const QJsonObject &body) {
  return HttpResponse::json(status, QJsonDocument(body).toJson(QJsonDocument::Compact).toStdString());
}

namespace {

std::size_t pendingModels(const NodeState &s) {
  if (!s.serving) return 0;
  const auto report = s.serving->report();
  return report->catalogSize - report->loaded - report->failed.size();
}

QJsonObject healthJson(const NodeState &s) {
  return QJsonObject{
      {u"status"_qs, s.ready.load() ? u"ok"_qs : u"draining"_qs},
      {u"node_id"_qs, s.info.nodeId},
      {u"version"_qs, s.info.version},
      {u"uptime_s"_qs, static_cast<double>(s.uptime.elapsed()) / 1000.0},
      {u"started_at"_qs, s.info.startedAt.toString(Qt::ISODate)},
      {u"listen"_qs, s.info.listenAddress},
      {u"data_dir"_qs, s.info.dataDir},
      {u"models"_qs, s.service ? static_cast<int>(s.service->table()->pools.size()) : 0},
      {u"models_loading"_qs, static_cast<int>(pendingModels(s))},
  };
}

}  // namespace

Result<QJsonObject> queryArgs(const HttpRequest &request) {
  QJsonObject args;
  for (const auto &[key, value] : QUrlQuery(QString::fromStdString(request.query)).queryItems(QUrl::FullyDecoded)) {
    if (args.contains(key))
      return Status::invalidArgument("parameter '" + key.toStdString() + "' is given more than once");
    args.insert(key, value);
  }
  return args;
}

void runCommand(const std::shared_ptr<NodeState> &state, const QString &name, QJsonObject args,
                cluster::Principal caller, ResponderPtr r, std::string_view what,
                std::function<HttpResponse(const QJsonValue &)> render) {
  const auto command = state->ops ? state->ops->command(name) : nullptr;
  if (!command || !state->onNodeThread)
    return r->respond(toResponse(gateway::fromStatus(Status::unimplemented("this node has no " + std::string(what)))));
  state->onNodeThread([command, args = std::move(args), caller = std::move(caller), r, render = std::move(render)] {
    auto reply = [command, r, render](Result<QJsonValue> answer) {
      if (!answer) return r->respond(toResponse(gateway::fromStatus(answer.status(), command->name.toStdString())));
      r->respond(render(*answer));
    };
    if (command->deferred) return command->deferred(args, caller, std::move(reply));
    reply(command->handler(args, caller));
  });
}

HttpResponse jsonOf(const QJsonValue &v) { return jsonResponse(200, v.toObject()); }

cluster::Principal callerOf(const gateway::openai::Admission &admission, cluster::Role role) {
  const std::string &id = admission.principal();
  return cluster::Principal{id == "local" ? std::string() : id, admission.context().actor, role};
}

namespace {

// The catalog's read endpoints and lifecycle actions (docs/http-api.md, "Catalog"): the ops
// commands of the registry service, run on the node thread.
Status addCatalogRoutes(gateway::openai::RouteTable &routes, const std::shared_ptr<NodeState> &state) {
  using gateway::openai::Access;
  using gateway::openai::Admission;
  using gateway::openai::RouteNeeds;
  const auto refuse = [](const ResponderPtr &r, Status status) {
    r->respond(toResponse(gateway::fromStatus(std::move(status), "catalog")));
  };
  LMFRONT_RETURN_IF_ERROR(routes.route("GET", "/admin/catalog", RouteNeeds::role(Access::Read),
                                       [state](HttpRequest &&, Admission admission, ResponderPtr r) {
                                         runCommand(state, u"catalog"_qs, {},
                                                    callerOf(admission, cluster::Role::Viewer), r, "catalog", jsonOf);
                                       }));
  LMFRONT_RETURN_IF_ERROR(
      routes.route("GET", "/admin/audit", RouteNeeds::role(Access::Read),
                   [state, refuse](HttpRequest &&request, Admission admission, ResponderPtr r) {
                     auto args = queryArgs(request);
                     if (!args) return refuse(r, args.status());
                     const bool csv = args->value(u"format"_qs).toString() == u"csv"_qs;
                     runCommand(state, u"audit"_qs, std::move(*args), callerOf(admission, cluster::Role::Viewer), r,
                                "catalog", [csv](const QJsonValue &v) {
                                  if (!csv) return jsonOf(v);
                                  HttpResponse response;
                                  response.status = 200;
                                  response.headers.emplace_back("Content-Type", "text/csv; charset=utf-8");
                                  response.body = v.toObject().value(u"csv"_qs).toString().toStdString();
                                  return response;
                                });
                   }));
  // /admin/catalog/MODEL/versions
  LMFRONT_RETURN_IF_ERROR(routes.routePrefix(
      "GET", "/admin/catalog/", RouteNeeds::role(Access::Read),
      [state, refuse](HttpRequest &&request, Admission admission, ResponderPtr r) {
        const QStringList parts = QString::fromStdString(request.path).split(u'/');  // "", admin, catalog, M, versions
        if (parts.size() != 5 || parts[3].isEmpty() || parts[4] != u"versions"_qs)
          return refuse(
              r, Status::notFound("no catalog resource " + request.path + " (GET /admin/catalog/MODEL/versions)"));
        runCommand(state, u"versions"_qs, QJsonObject{{u"model"_qs, QUrl::fromPercentEncoding(parts[3].toUtf8())}},
                   callerOf(admission, cluster::Role::Viewer), r, "catalog", jsonOf);
      }));
  // /admin/catalog/MODEL/versions/N/ACTION with an optional {"comment"}, and
  // /admin/catalog/MODEL/deploy|promote|rollback with the command's other arguments as the body.
  LMFRONT_RETURN_IF_ERROR(routes.routePrefix(
      "POST", "/admin/catalog/", RouteNeeds::role(Access::Operate),
      [state, refuse](HttpRequest &&request, Admission admission, ResponderPtr r) {
        const QStringList parts = QString::fromStdString(request.path).split(u'/');
        static const QStringList kActions{u"approve"_qs, u"reject"_qs,   u"publish"_qs,
                                          u"retire"_qs,  u"validate"_qs, u"compile"_qs};
        static const QStringList kDeployActions{u"deploy"_qs, u"promote"_qs, u"rollback"_qs};
        const bool versionAction =
            parts.size() == 7 && !parts[3].isEmpty() && parts[4] == u"versions"_qs && kActions.contains(parts[6]);
        const bool deployAction = parts.size() == 5 && !parts[3].isEmpty() && kDeployActions.contains(parts[4]);
        if (!versionAction && !deployAction)
          return refuse(r, Status::notFound("no catalog action " + request.path +
                                            " (POST /admin/catalog/MODEL/versions/N/approve|reject|publish|retire|"
                                            "validate|compile, POST /admin/catalog/MODEL/deploy|promote|rollback)"));
        QJsonObject args;
        if (!request.body.empty()) {
          QJsonParseError error;
          const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(request.body), &error);
          if (!doc.isObject()) return refuse(r, Status::invalidArgument("the body must be a JSON object"));
          args = doc.object();
          if (!args.value(u"comment"_qs).isUndefined() && !args.value(u"comment"_qs).isString())
            return refuse(r, Status::invalidArgument("\"comment\": expected a string"));
        }
        args.insert(u"model"_qs, QUrl::fromPercentEncoding(parts[3].toUtf8()));
        if (versionAction) args.insert(u"version"_qs, parts[5]);
        runCommand(state, versionAction ? parts[6] : parts[4], std::move(args),
                   callerOf(admission, cluster::Role::Operator), r, versionAction ? "catalog" : "deployments", jsonOf);
      }));
  LMFRONT_RETURN_IF_ERROR(routes.route(
      "GET", "/admin/deployments", RouteNeeds::role(Access::Read),
      [state](HttpRequest &&, Admission admission, ResponderPtr r) {
        runCommand(state, u"deployments"_qs, {}, callerOf(admission, cluster::Role::Viewer), r, "deployments", jsonOf);
      }));
  return Status::ok();
}

}  // namespace

Result<std::shared_ptr<const gateway::Router>> buildRouter(std::shared_ptr<NodeState> state) {
  using gateway::openai::Access;
  using gateway::openai::Admission;
  using gateway::openai::RouteNeeds;
  auto router = std::make_shared<gateway::Router>();
  // The node's routes admit through the API's hooks (auth, Host/Origin; never rate limited).
  gateway::openai::RouteTable routes(*router, state->service ? state->service->admission() : nullptr);
  LMFRONT_RETURN_IF_ERROR(routes.route(
      "GET", "/healthz", RouteNeeds::keyless(),
      [state](HttpRequest &&, Admission, ResponderPtr r) { r->respond(jsonResponse(200, healthJson(*state))); }));
  LMFRONT_RETURN_IF_ERROR(
      routes.route("GET", "/readyz", RouteNeeds::keyless(), [state](HttpRequest &&, Admission, ResponderPtr r) {
        const bool draining = state->draining.load() || state->drained.load();
        const bool ready = state->ready.load() && !state->drained.load();
        QJsonObject body{{u"ready"_qs, ready}};
        const auto report = state->serving ? state->serving->report() : std::make_shared<const ServingReport>();
        if (!ready)
          body.insert(u"reason"_qs, !draining ? QStringLiteral("loading models (%1 of %2 done)")
                                                    .arg(report->loaded + report->failed.size())
                                                    .arg(report->catalogSize)
                                              : QStringLiteral("draining"));
        // A model that failed to load does not make the node unready (the others serve), but it is
        // named here with its reason, for as long as the node runs.
        if (!report->failed.empty()) {
          QJsonArray failed;
          for (const auto &f : report->failed)
            failed.append(QJsonObject{{u"model"_qs, QString::fromStdString(f.model)},
                                      {u"reason"_qs, QString::fromStdString(f.reason)}});
          body.insert(u"models_failed"_qs, failed);
        }
        r->respond(jsonResponse(ready ? 200 : 503, body));
      }));
  if (state->service) LMFRONT_RETURN_IF_ERROR(state->service->addRoutes(*router));
  LMFRONT_RETURN_IF_ERROR(routes.route(
      "GET", "/metrics", RouteNeeds::role(Access::Read), [state](HttpRequest &&, Admission, ResponderPtr r) {
        HttpResponse response;
        response.status = 200;
        response.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        if (state->registry) response.body = state->registry->exposition();
        r->respond(std::move(response));
      }));
  LMFRONT_RETURN_IF_ERROR(routes.route("PUT", "/admin/pools", RouteNeeds::role(Access::Admin),
                                       [state](HttpRequest &&request, Admission, ResponderPtr r) {
                                         if (!state->replacePools)
                                           return r->respond(toResponse(gateway::fromStatus(
                                               Status::unimplemented("this node cannot change its pools"))));
                                         // Applied on the node's thread (the one door to what is served); this worker
                                         // does not wait: the answer goes out from there once the new table is in
                                         // service.
                                         state->replacePools(std::move(request.body), [state, r](Status status) {
                                           if (!status.isOk())
                                             return r->respond(toResponse(gateway::fromStatus(status, "pools")));
                                           gateway::openai::JsonWriter w;
                                           w.beginObject().key("object").string("pools").key("models").beginArray();
                                           if (state->service)
                                             for (const auto &[name, pool] : state->service->table()->pools)
                                               w.string(name);
                                           w.endArray().endObject();
                                           r->respond(HttpResponse::json(200, w.take()));
                                         });
                                       }));
  LMFRONT_RETURN_IF_ERROR(routes.route("GET", "/admin/series", RouteNeeds::role(Access::Admin),
                                       [state](HttpRequest &&request, Admission admission, ResponderPtr r) {
                                         auto args = queryArgs(request);
                                         if (!args) return r->respond(toResponse(gateway::fromStatus(args.status())));
                                         runCommand(state, u"series"_qs, std::move(*args),
                                                    callerOf(admission, cluster::Role::Admin), r, "time series",
                                                    jsonOf);
                                       }));
  LMFRONT_RETURN_IF_ERROR(addCatalogRoutes(routes, state));
  LMFRONT_RETURN_IF_ERROR(addPlatformRoutes(routes, state));
  LMFRONT_RETURN_IF_ERROR(addClusterRoutes(routes, state));
  if (state->enableTestRoutes) {
    // A deliberately slow request for shutdown tests; never on in production.
    LMFRONT_RETURN_IF_ERROR(routes.route(
        "GET", "/debug/sleep", RouteNeeds::keyless(), [](HttpRequest &&request, Admission, ResponderPtr r) {
          const int ms =
              std::clamp(QUrlQuery(QString::fromStdString(request.query)).queryItemValue(u"ms"_qs).toInt(), 0, 60'000);
          QTimer::singleShot(ms, [r, ms] { r->respond(jsonResponse(200, QJsonObject{{u"slept_ms"_qs, ms}})); });
        }));
  }
  routes.fallback([](HttpRequest &&request, ResponderPtr r) {
    r->respond(gateway::toResponse(gateway::httpError(404, "no route for " + request.method + " " + request.path)));
  });
  return std::shared_ptr<const gateway::Router>(std::move(router));
}

}  // namespace lmfront::node
