// What the node's route files share (noderoutes.cpp, platformroutes.cpp): running an ops command
// for an HTTP request, and the JSON answers. Internal to core/node.
#pragma once

#include "cluster/opsregistry.h"
#include "gateway/http/httpserver.h"
#include "gateway/openai/routetable.h"
#include "node/noderoutes.h"

#include <QJsonObject>
#include <QJsonValue>
#include <functional>
#include <memory>
#include <string_view>

namespace lmfront::node {

gateway::HttpResponse jsonResponse(int status, const QJsonObject &body);
gateway::HttpResponse jsonOf(const QJsonValue &v);  // 200 with the value's object
// The query's parameters as an ops command's arguments: one command, two transports.
Result<QJsonObject> queryArgs(const gateway::HttpRequest &request);
cluster::Principal callerOf(const gateway::openai::Admission &admission, cluster::Role role);
// Runs the ops command `name` on the node thread (the owner of what it reads: SQLite files, the
// catalog) as `caller`, and answers with render(result) or the command's error (its `param` is the
// command's name). 501 "this node has no `what`" when the node has no such command.
void runCommand(const std::shared_ptr<NodeState> &state, const QString &name, QJsonObject args,
                cluster::Principal caller, gateway::ResponderPtr r, std::string_view what,
                std::function<gateway::HttpResponse(const QJsonValue &)> render);

// Submissions (resumable uploads) and jobs: docs/http-api.md, "Submissions" and "Jobs".
Status addPlatformRoutes(gateway::openai::RouteTable &routes, const std::shared_ptr<NodeState> &state);
// GET /cluster/artifacts/SHA256: docs/cluster.md, "Desired state" (clusterroutes.cpp).
Status addClusterRoutes(gateway::openai::RouteTable &routes, const std::shared_ptr<NodeState> &state);

}  // namespace lmfront::node
