// ClusterDeployments' insides, shared by its two files: clusterdeployments.cpp (the commands
// taken from callers, the record written to etcd) and clusterconverge.cpp (a node converging on
// the records it watches). Internal to core/node.
#pragma once

#include "cluster/opsregistry.h"
#include "node/clusterdeployments.h"
#include "node/deployspec.h"

#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QString>
#include <functional>
#include <memory>

namespace lmfront::cluster {
class DesiredState;
}
namespace lmfront::registry {
class ArtifactStore;
class CatalogDb;
}  // namespace lmfront::registry

namespace lmfront::node {

class ArtifactFetch;

struct ClusterDeployments::Impl {
  static constexpr int kRetryMs = 1000;
  static constexpr int kMaxStepsPerRevision = 6;
  static constexpr int kCatalogPublishMs = 2000;

  Impl(const NodeContext &c, ClusterService &cl, DeploymentService &de, RegistryService &r, GatewayService &g)
      : context(c), cluster(cl), deployments(de), registry(r), gateway(g) {}

  const NodeContext &context;
  ClusterService &cluster;
  DeploymentService &deployments;
  RegistryService &registry;
  GatewayService &gateway;
  bool running = false;
  bool registered = false;
  std::unique_ptr<QObject> root;  // parent of the watcher, the fetcher and timers' contexts
  cluster::DesiredState *desired = nullptr;
  ArtifactFetch *fetcher = nullptr;
  std::shared_ptr<registry::ArtifactStore> store;
  QByteArray token;                         // the cluster's artifact token, once read from etcd
  QSet<QString> busy;                       // models with a step of this node in flight
  QMap<QString, QPair<qint64, int>> steps;  // model → (revision, steps taken for it)
  // model → the revision this node is writing: older records are not acted on meanwhile (they
  // would undo what the command just did here).
  QMap<QString, qint64> awaiting;
  // model → the revision whose canary or shadow this node deployed: dropped since (its guard
  // rolled it back, or an operator here), it is not deployed again until a new revision.
  QMap<QString, qint64> variantServed;

  registry::CatalogDb *db();
  QString self() const;
  QString selfAddress() const;

  // clusterdeployments.cpp
  Status registerOps();
  void readToken();
  bool take(const QString &command, const QJsonObject &args, const cluster::Principal &caller,
            cluster::OpsReply &reply);
  void deploy(const QJsonObject &args, const cluster::Principal &caller, cluster::OpsReply reply);
  void promoteOrRollback(const QString &command, const QJsonObject &args, const cluster::Principal &caller,
                         cluster::OpsReply reply);
  // The version's catalog metadata and artifact as this node holds them, for a record; the
  // version's catalog record from etcd when this node has no artifact for it.
  Result<QJsonObject> versionMetadata(const std::string &model, std::int64_t version);
  void write(QJsonObject record, const QJsonValue &answer, cluster::OpsReply reply);
  // Puts the catalog record of every version published or deployed here that etcd lacks.
  void publishCatalog();

  // clusterconverge.cpp
  void converge(const QString &model);
  void convergeAll();
  void stepDone(const QString &model, const Status &outcome);
  // The version is in this node's catalog with its serving artifact on disk: mirrored and
  // fetched when not (from `metadata`: a record's "catalog", "artifact" and "origin").
  void ensureVersion(const QString &model, std::int64_t version, const QJsonObject &metadata,
                     std::function<void(Status)> done);
  void mirrorCatalog(const QString &model, qint64 version);
  QStringList sourcesFor(const QJsonObject &metadata) const;
};

// A record's placement: its "placement" ids, or every member up for a record without replicas.
bool placedHere(const QJsonObject &record, const QString &self);
std::int64_t versionNumber(const std::string &label);
// A record's version metadata alone: what /lmfront/CLUSTER/catalog/MODEL/VERSION holds.
QJsonObject catalogPart(const QJsonObject &record);

}  // namespace lmfront::node
