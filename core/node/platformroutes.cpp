// The model platform's endpoints (docs/http-api.md, "Submissions" and "Jobs"): resumable uploads
// through the SubmissionStore (its own I/O thread: no disk write on a data-plane worker), and the
// job commands of the JobService run on the node thread.
#include "gateway/http/apierror.h"
#include "node/noderoutes_p.h"
#include "node/submissionstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStringList>

namespace lmfront::node {

using gateway::HttpRequest;
using gateway::HttpResponse;
using gateway::ResponderPtr;
using gateway::openai::Access;
using gateway::openai::Admission;
using gateway::openai::RouteNeeds;

namespace {

void refuse(const ResponderPtr &r, Status status, std::string param = "submission") {
  r->respond(toResponse(gateway::fromStatus(std::move(status), std::move(param))));
}

struct ContentRange {
  qint64 first = 0;
  qint64 last = -1;
  std::optional<qint64> total;
};

// "bytes A-B/TOTAL" (TOTAL may be "*"); no header: the body is the whole upload from offset 0.
Result<ContentRange> contentRange(const HttpRequest &request) {
  const qint64 size = static_cast<qint64>(request.body.size());
  if (!request.hasHeader("Content-Range")) return ContentRange{0, size - 1, size};
  static const QRegularExpression kForm(u"^bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)$"_qs);
  const auto m = kForm.match(QString::fromStdString(std::string(request.header("Content-Range"))).trimmed());
  if (!m.hasMatch()) return Status::invalidArgument("Content-Range: expected \"bytes FIRST-LAST/TOTAL\"");
  ContentRange range{m.captured(1).toLongLong(), m.captured(2).toLongLong(), std::nullopt};
  if (m.captured(3) != u"*"_qs) range.total = m.captured(3).toLongLong();
  if (range.last < range.first || range.last - range.first + 1 != size || (range.total && range.last >= *range.total))
    return Status::invalidArgument("Content-Range: " + std::string(request.header("Content-Range")) +
                                   " does not match the body's " + std::to_string(size) + " bytes");
  return range;
}

// /admin/PREFIX/ID[/TAIL] → {ID, TAIL}
QStringList pathParts(const HttpRequest &request, int skip) {
  QStringList parts = QString::fromStdString(request.path).split(u'/');
  return parts.mid(skip);
}

QJsonObject uploadJson(const std::string &id, qint64 offset, qint64 maxBytes) {
  return QJsonObject{{u"id"_qs, QString::fromStdString(id)}, {u"offset"_qs, offset}, {u"max_bytes"_qs, maxBytes}};
}

Status addSubmissionRoutes(gateway::openai::RouteTable &routes, const std::shared_ptr<NodeState> &state) {
  const auto store = state->submissions;
  if (!store) return Status::ok();
  LMFRONT_RETURN_IF_ERROR(
      routes.route("POST", "/admin/submissions", RouteNeeds::role(Access::Operate),
                   [store](HttpRequest &&, Admission, ResponderPtr r) {
                     store->post([store, r] {
                       auto upload = store->create();
                       if (!upload) return refuse(r, upload.status());
                       r->respond(jsonResponse(201, uploadJson(upload->id, upload->offset, upload->maxBytes)));
                     });
                   }));
  LMFRONT_RETURN_IF_ERROR(routes.routePrefix(
      "PUT", "/admin/submissions/", RouteNeeds::role(Access::Operate),
      [store](HttpRequest &&request, Admission, ResponderPtr r) {
        const QStringList parts = pathParts(request, 3);
        if (parts.size() != 1 || parts[0].isEmpty())
          return refuse(r, Status::notFound("no upload resource " + request.path + " (PUT /admin/submissions/ID)"));
        auto range = contentRange(request);
        if (!range) return refuse(r, range.status());
        store->post([store, r, id = parts[0].toStdString(), range = *range, body = std::move(request.body)] {
          auto offset = store->append(id, range.first, range.total, body);
          if (offset) return r->respond(jsonResponse(200, uploadJson(id, *offset, store->options().maxBytes)));
          auto error = gateway::fromStatus(offset.status(), "submission");
          if (offset.status().code() == StatusCode::ResourceExhausted) {
            error.httpStatus = 413;
            error.type = "invalid_request_error";
            error.code = "too_large";
          }
          HttpResponse response = gateway::toResponse(error);
          // A refused offset says where to resume.
          if (offset.status().code() == StatusCode::FailedPrecondition) {
            if (auto current = store->offset(id)) {
              QJsonObject answer = QJsonDocument::fromJson(QByteArray::fromStdString(response.body)).object();
              answer.insert(u"offset"_qs, *current);
              response.body = QJsonDocument(answer).toJson(QJsonDocument::Compact).toStdString();
            }
          }
          r->respond(std::move(response));
        });
      }));
  LMFRONT_RETURN_IF_ERROR(
      routes.routePrefix("GET", "/admin/submissions/", RouteNeeds::role(Access::Operate),
                         [store](HttpRequest &&request, Admission, ResponderPtr r) {
                           const QStringList parts = pathParts(request, 3);
                           if (parts.size() != 1)
                             return refuse(r, Status::notFound("no upload resource " + request.path));
                           store->post([store, r, id = parts[0].toStdString()] {
                             auto offset = store->offset(id);
                             if (!offset) return refuse(r, offset.status());
                             r->respond(jsonResponse(200, uploadJson(id, *offset, store->options().maxBytes)));
                           });
                         }));
  LMFRONT_RETURN_IF_ERROR(routes.routePrefix(
      "POST", "/admin/submissions/", RouteNeeds::role(Access::Operate),
      [state, store](HttpRequest &&request, Admission admission, ResponderPtr r) {
        const QStringList parts = pathParts(request, 3);
        if (parts.size() != 2 || parts[1] != u"complete"_qs)
          return refuse(
              r, Status::notFound("no upload action " + request.path + " (POST /admin/submissions/ID/complete)"));
        const auto caller = callerOf(admission, cluster::Role::Operator);
        store->post([state, store, r, caller, id = parts[0].toStdString()] {
          auto intake = store->complete(id);
          if (!intake) return refuse(r, intake.status());
          const QJsonObject args{{u"artifact"_qs, QString::fromStdString(intake->sha256)},
                                 {u"manifest"_qs, QString::fromUtf8(intake->manifest)},
                                 {u"card"_qs, intake->card}};
          runCommand(state, u"submit"_qs, args, caller, r, "model platform",
                     [](const QJsonValue &v) { return jsonResponse(201, v.toObject()); });
        });
      }));
  return Status::ok();
}

Status addJobRoutes(gateway::openai::RouteTable &routes, const std::shared_ptr<NodeState> &state) {
  // GET /admin/jobs, /admin/jobs/ID, /admin/jobs/ID/log
  const auto list = [state](HttpRequest &&request, Admission admission, ResponderPtr r) {
    const QStringList parts = pathParts(request, 3);
    const auto caller = callerOf(admission, cluster::Role::Viewer);
    if (parts.isEmpty() || (parts.size() == 1 && parts[0].isEmpty())) {
      auto args = queryArgs(request);
      if (!args) return refuse(r, args.status(), "jobs");
      if (args->contains(u"active"_qs)) args->insert(u"active"_qs, args->value(u"active"_qs).toString() != u"false"_qs);
      return runCommand(state, u"jobs"_qs, *args, caller, r, "jobs", jsonOf);
    }
    const QJsonObject id{{u"id"_qs, parts[0]}};
    if (parts.size() == 1)
      return runCommand(state, u"jobs"_qs, id, caller, r, "jobs", [](const QJsonValue &v) {
        const QJsonArray jobs = v[u"jobs"_qs].toArray();
        return jsonResponse(200, jobs.isEmpty() ? QJsonObject() : jobs[0].toObject());
      });
    if (parts.size() == 2 && parts[1] == u"log"_qs)
      return runCommand(state, u"job_log"_qs, id, caller, r, "jobs", jsonOf);
    refuse(r, Status::notFound("no jobs resource " + request.path + " (GET /admin/jobs[/ID[/log]])"), "jobs");
  };
  LMFRONT_RETURN_IF_ERROR(routes.route("GET", "/admin/jobs", RouteNeeds::role(Access::Read), list));
  LMFRONT_RETURN_IF_ERROR(routes.routePrefix("GET", "/admin/jobs/", RouteNeeds::role(Access::Read), list));
  LMFRONT_RETURN_IF_ERROR(routes.routePrefix(
      "POST", "/admin/jobs/", RouteNeeds::role(Access::Operate),
      [state](HttpRequest &&request, Admission admission, ResponderPtr r) {
        const QStringList parts = pathParts(request, 3);
        if (parts.size() != 2 || parts[1] != u"cancel"_qs)
          return refuse(r, Status::notFound("no job action " + request.path + " (POST /admin/jobs/ID/cancel)"), "jobs");
        runCommand(state, u"cancel_job"_qs, {{u"id"_qs, parts[0]}}, callerOf(admission, cluster::Role::Operator), r,
                   "jobs", jsonOf);
      }));
  LMFRONT_RETURN_IF_ERROR(routes.route("POST", "/admin/gc", RouteNeeds::role(Access::Admin),
                                       [state](HttpRequest &&, Admission admission, ResponderPtr r) {
                                         runCommand(state, u"gc"_qs, {}, callerOf(admission, cluster::Role::Admin), r,
                                                    "model platform", jsonOf);
                                       }));
  LMFRONT_RETURN_IF_ERROR(
      routes.route("POST", "/admin/mix", RouteNeeds::role(Access::Operate),
                   [state](HttpRequest &&request, Admission admission, ResponderPtr r) {
                     const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(request.body));
                     if (!doc.isObject())
                       return refuse(r, Status::invalidArgument("the body must be a JSON object"), "mix");
                     runCommand(state, u"mix"_qs, doc.object(), callerOf(admission, cluster::Role::Operator), r,
                                "model platform", jsonOf);
                   }));
  return Status::ok();
}

}  // namespace

Status addPlatformRoutes(gateway::openai::RouteTable &routes, const std::shared_ptr<NodeState> &state) {
  LMFRONT_RETURN_IF_ERROR(addSubmissionRoutes(routes, state));
  return addJobRoutes(routes, state);
}

}  // namespace lmfront::node
