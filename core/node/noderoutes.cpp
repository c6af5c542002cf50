#include "node/noderoutes.h"

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

namespace {

HttpResponse jsonResponse(int status, const QJsonObject &body) {
  return HttpResponse::json(status, QJsonDocument(body).toJson(QJsonDocument::Compact).toStdString());
}

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
  LMFRONT_RETURN_IF_ERROR(routes.route(
      "GET", "/admin/series", RouteNeeds::role(Access::Admin),
      [state](HttpRequest &&request, Admission admission, ResponderPtr r) {
        const auto command = state->ops ? state->ops->command(u"series"_qs) : nullptr;
        if (!command || !state->onNodeThread)
          return r->respond(toResponse(gateway::fromStatus(Status::unimplemented("this node keeps no time series"))));
        // The query's parameters as the ops command's arguments: one command, two transports.
        QJsonObject args;
        for (const auto &[key, value] :
             QUrlQuery(QString::fromStdString(request.query)).queryItems(QUrl::FullyDecoded)) {
          if (args.contains(key))
            return r->respond(toResponse(gateway::fromStatus(
                Status::invalidArgument("parameter '" + key.toStdString() + "' is given more than once"))));
          args.insert(key, value);
        }
        // The store's history is on disk, owned by the node thread: the query runs there.
        state->onNodeThread([command, args, r, who = admission.principal()] {
          const auto answer = command->handler(args, cluster::Principal{who, who, cluster::Role::Admin});
          if (!answer) return r->respond(toResponse(gateway::fromStatus(answer.status(), "series")));
          r->respond(jsonResponse(200, answer->toObject()));
        });
      }));
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
