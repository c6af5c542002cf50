// GET /cluster/artifacts/SHA256 (docs/cluster.md, "Desired state"): the bytes of an artifact this
// node holds, for another member converging on a deployment. Keyless for the node's API keys (the
// members do not share them) but it needs the cluster's artifact token, kept in etcd, in
// X-Lmfront-Cluster-Token. The ops command `cluster_artifact` (clusterdeployments.h) checks the
// token and names the file on the node thread; the file is read and sent from there.
#include "node/noderoutes_p.h"

#include "gateway/http/apierror.h"

#include <QFile>

namespace lmfront::node {

using gateway::fromStatus;
using gateway::HttpRequest;
using gateway::HttpResponse;
using gateway::ResponderPtr;
using gateway::openai::Admission;
using gateway::openai::RouteNeeds;

Status addClusterRoutes(gateway::openai::RouteTable &routes, const std::shared_ptr<NodeState> &state) {
  return routes.routePrefix(
      "GET", "/cluster/artifacts/", RouteNeeds::keyless(),
      [state](HttpRequest &&request, Admission admission, ResponderPtr r) {
        const QString sha =
            QString::fromStdString(request.path).mid(int(std::string_view("/cluster/artifacts/").size()));
        const QJsonObject args{
            {u"sha256"_qs, sha},
            {u"token"_qs, QString::fromStdString(std::string(request.header("x-lmfront-cluster-token")))}};
        runCommand(state, u"cluster_artifact"_qs, args, callerOf(admission, cluster::Role::Viewer), r,
                   "cluster artifacts", [](const QJsonValue &v) {
                     QFile file(v[u"path"_qs].toString());
                     if (!file.open(QIODevice::ReadOnly))
                       return gateway::toResponse(fromStatus(Status::notFound("the artifact's file cannot be read: " +
                                                                              file.errorString().toStdString())));
                     HttpResponse response;
                     response.status = 200;
                     response.headers.emplace_back("Content-Type", "application/octet-stream");
                     response.body = file.readAll().toStdString();
                     return response;
                   });
      });
}

}  // namespace lmfront::node
