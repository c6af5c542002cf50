#include "node/clusterdeployments.h"

#include "cluster/desiredstate.h"
#include "cluster/etcdclient.h"
#include "cluster/membership.h"
#include "common/eventsink.h"
#include "node/artifactfetch.h"
#include "node/clusterdeployments_p.h"
#include "node/clusterservice.h"
#include "node/commandargs.h"
#include "node/deploymentservice.h"
#include "node/gatewayservice.h"
#include "node/nodecontext.h"
#include "node/noderoutes.h"
#include "node/placement.h"
#include "node/registryservice.h"
#include "registry/artifactstore.h"
#include "registry/catalogdb.h"

#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

namespace lmfront::node {

using cluster::Principal;
using cluster::Role;

namespace {

constexpr int kTokenRetryMs = 500;

std::string number(std::int64_t v) { return std::to_string(v); }

}  // namespace

std::int64_t versionNumber(const std::string &label) {
  return label.empty() ? 0 : QString::fromStdString(label).toLongLong();
}

QJsonObject catalogPart(const QJsonObject &record) {
  QJsonObject out;
  for (const QString &key :
       {u"model"_qs, u"version"_qs, u"catalog"_qs, u"artifact"_qs, u"origin"_qs, u"origin_node"_qs})
    out.insert(key, record.value(key));
  return out;
}

bool placedHere(const QJsonObject &record, const QString &self) {
  if (record.value(u"replicas"_qs).isNull() || record.value(u"replicas"_qs).isUndefined()) return true;
  return record.value(u"placement"_qs).toArray().contains(QJsonValue(self));
}

registry::CatalogDb *ClusterDeployments::Impl::db() { return running ? registry.catalog() : nullptr; }

QString ClusterDeployments::Impl::self() const { return gateway.state()->info.nodeId; }

QString ClusterDeployments::Impl::selfAddress() const { return cluster.membership()->self().address; }

Status ClusterDeployments::Impl::registerOps() {
  cluster::OpsRegistry &ops = context.ops;
  LMFRONT_RETURN_IF_ERROR(ops.addCommand(
      {u"desired"_qs, Role::Viewer, [this](const QJsonObject &, const Principal &) -> Result<QJsonValue> {
         if (!desired) return Status::failedPrecondition("this node is not in a cluster (--etcd)");
         QJsonArray records;
         for (const QJsonObject &r : desired->deployments()) records.append(r);
         return QJsonValue(QJsonObject{{u"synced"_qs, desired->synced()}, {u"deployments"_qs, records}});
       }}));
  return ops.addCommand(
      {u"cluster_artifact"_qs, Role::Viewer, [this](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
         if (!desired || !db()) return Status::unavailable("this node is not in a cluster (--etcd)");
         if (token.isEmpty() || args.value(u"token"_qs).toString().toUtf8() != token)
           return Status::permissionDenied("a cluster artifact needs the cluster's artifact token");
         const std::string sha = args.value(u"sha256"_qs).toString().toStdString();
         auto artifact = db()->artifact(sha);
         if (!artifact) return artifact.status();
         if (!*artifact || !QFile::exists(QString::fromStdString((*artifact)->path)))
           return Status::notFound("this node holds no artifact " + sha);
         return QJsonValue(QJsonObject{{u"path"_qs, QString::fromStdString((*artifact)->path)}});
       }});
}

// One random token per cluster, created by the first node that asks: what a member shows to
// copy another's artifacts, known to whoever can read the cluster's keys in etcd.
void ClusterDeployments::Impl::readToken() {
  if (!running || !token.isEmpty()) return;
  QByteArray mine(24, Qt::Uninitialized);
  QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(mine.data()), mine.size() / 4);
  cluster.etcd()->createIfAbsent(
      cluster.membership()->prefix() + "artifact-token", mine.toHex(), 0, [this, mine](Result<cluster::EtcdCreate> r) {
        if (!running) return;
        if (!r) return (void)QTimer::singleShot(kTokenRetryMs, root.get(), [this] { readToken(); });
        token = r->created ? mine.toHex() : r->existing.value;
        convergeAll();
      });
}

bool ClusterDeployments::Impl::take(const QString &command, const QJsonObject &args, const Principal &caller,
                                    cluster::OpsReply &reply) {
  if (!running || !desired) return false;
  if (!desired->synced()) {
    reply(Status::unavailable("not in sync with etcd: the cluster's desired state cannot be changed now"));
    return true;
  }
  if (command == u"deploy"_qs) {
    deploy(args, caller, std::move(reply));
    return true;
  }
  // A model the cluster has no record of is this node's own business, as without etcd.
  if (!desired->deployments().contains(args.value(u"model"_qs).toString())) return false;
  promoteOrRollback(command, args, caller, std::move(reply));
  return true;
}

Result<QJsonObject> ClusterDeployments::Impl::versionMetadata(const std::string &model, std::int64_t version) {
  // Known here from another node's record when this node does not hold the artifact: that node
  // is the origin.
  const QJsonObject mirrored =
      desired->catalog().value(QString::fromStdString(model) + u'/' + QString::number(version));
  auto v = db()->version(model, version);
  if (!v) {
    if (!mirrored.isEmpty()) return mirrored;
    return v.status();
  }
  QJsonObject catalog{{u"sha256"_qs, QString::fromStdString(v->sha256)},
                      {u"bytes"_qs, static_cast<qint64>(v->bytes)},
                      {u"order"_qs, v->order},
                      {u"vocabulary_size"_qs, static_cast<qint64>(v->vocabularySize)},
                      {u"submitter"_qs, QString::fromStdString(v->submitter)}};
  if (v->devPerplexity) catalog.insert(u"dev_perplexity"_qs, *v->devPerplexity);
  std::optional<registry::ArtifactRecord> artifact;
  if (!v->artifactSha256.empty()) {
    auto found = db()->artifact(v->artifactSha256);
    if (!found) return found.status();
    if (*found && QFile::exists(QString::fromStdString((*found)->path))) artifact = **found;
  }
  if (!artifact) {
    if (mirrored.isEmpty())
      return Status::failedPrecondition(model + " v" + number(version) + " has no serving artifact (compile it first)");
    return mirrored;
  }
  return QJsonObject{{u"model"_qs, QString::fromStdString(model)},
                     {u"version"_qs, static_cast<qint64>(version)},
                     {u"catalog"_qs, catalog},
                     {u"artifact"_qs, QJsonObject{{u"sha256"_qs, QString::fromStdString(artifact->sha256)},
                                                  {u"bytes"_qs, static_cast<qint64>(artifact->bytes)},
                                                  {u"kind"_qs, QString::fromStdString(artifact->kind)}}},
                     {u"origin"_qs, selfAddress()},
                     {u"origin_node"_qs, self()}};
}

void ClusterDeployments::Impl::deploy(const QJsonObject &args, const Principal &caller, cluster::OpsReply reply) {
  if (!db()) return reply(Status::unavailable("the catalog is not open"));
  const std::string actor = auditActor(caller);
  auto model = stringArg(args, u"model", true);
  if (!model) return reply(model.status());
  auto version = positiveArg(args, u"version");
  if (!version) return reply(deployments.refuseHere(actor, "deploy", *model, std::nullopt, version.status()));
  if (Status checked = checkDeployArgs(args); !checked)
    return reply(deployments.refuseHere(actor, "deploy", *model, *version, checked));
  std::optional<int> replicas;
  if (const QJsonValue r = args.value(u"replicas"_qs); !r.isUndefined() && !r.isNull()) {
    auto n = positiveArg(args, u"replicas");
    if (!n) return reply(deployments.refuseHere(actor, "deploy", *model, *version, n.status()));
    replicas = static_cast<int>(*n);
  }
  auto metadata = versionMetadata(*model, *version);
  if (!metadata) return reply(deployments.refuseHere(actor, "deploy", *model, *version, metadata.status()));
  QStringList placement = everyMemberUp(cluster.membership()->members());
  if (replicas) {
    auto chosen = choosePlacement(cluster.membership()->members(), *replicas,
                                  metadata->value(u"artifact"_qs)[u"bytes"_qs].toInteger());
    if (!chosen) return reply(deployments.refuseHere(actor, "deploy", *model, *version, chosen.status()));
    placement = *chosen;
  }
  const QJsonObject previous = desired->deployments().value(QString::fromStdString(*model));
  const DeploymentInfo before = deployments.deployment(*model);
  const std::int64_t stableHere =
      before.stableVersion.empty() ? deployments.fileVersion(*model) : versionNumber(before.stableVersion);
  QJsonObject record = *metadata;
  for (const QString &key : {u"strategy"_qs, u"percent"_qs, u"sticky"_qs, u"max_error_rate"_qs, u"max_p99_ms"_qs,
                             u"max_p99_ratio"_qs, u"min_requests"_qs, u"comment"_qs})
    if (args.contains(key)) record.insert(key, args.value(key));
  if (!record.contains(u"strategy"_qs)) record.insert(u"strategy"_qs, u"replace"_qs);
  const bool variant = record.value(u"strategy"_qs).toString() != u"replace"_qs;
  const qint64 stable = previous.isEmpty() ? stableHere
                        : previous.value(u"strategy"_qs).toString() == u"replace"_qs
                            ? previous.value(u"version"_qs).toInteger()
                            : previous.value(u"stable_version"_qs).toInteger();
  record.insert(u"action"_qs, u"deploy"_qs);
  record.insert(variant ? u"stable_version"_qs : u"previous_version"_qs, stable);
  record.insert(u"replicas"_qs, replicas ? QJsonValue(*replicas) : QJsonValue());
  record.insert(u"placement"_qs, QJsonArray::fromStringList(placement));
  record.insert(u"placed_by"_qs, self());
  record.insert(u"actor"_qs, QString::fromStdString(actor));
  record.insert(u"revision"_qs, previous.value(u"revision"_qs).toInteger() + 1);

  // Served here first when this node is placed: the caller hears of a version that cannot load
  // before any other node tries it.
  const bool here = placedHere(record, self());
  const bool servesAlready = !before.variant && stableHere == *version && !variant;
  if (!here || servesAlready) {
    if (!here) {
      // A version this node knows from the cluster's catalog alone was published where it lives.
      auto v = db()->version(*model, *version);
      if (v && v->state != registry::VersionState::Deployed &&
          !registry::nextState(registry::LifecycleAction::Deploy, v->state))
        return reply(deployments.refuseHere(actor, "deploy", *model, *version,
                                            registry::nextState(registry::LifecycleAction::Deploy, v->state).status()));
    }
    return write(record, deployments.deploymentObject(*model), std::move(reply));
  }
  QJsonObject local = args;
  local.remove(u"replicas"_qs);
  const QString name = QString::fromStdString(*model);
  busy.insert(name);
  awaiting.insert(name, record.value(u"revision"_qs).toInteger());
  auto run = [this, name, local, caller, record, reply = std::move(reply)](Status ready) mutable {
    auto failed = [this, name](Status why) {
      busy.remove(name);
      awaiting.remove(name);
      return why;
    };
    if (!ready) return reply(failed(ready));
    deployments.deployHere(local, caller,
                           [this, name, failed, record, reply = std::move(reply)](Result<QJsonValue> served) mutable {
                             if (!served) return reply(failed(served.status()));
                             busy.remove(name);
                             if (record.value(u"strategy"_qs).toString() != u"replace"_qs)
                               variantServed.insert(name, record.value(u"revision"_qs).toInteger());
                             write(record, *served, std::move(reply));
                           });
  };
  if (record.value(u"origin_node"_qs).toString() == self()) return run(Status::ok());
  ensureVersion(QString::fromStdString(*model), *version, record, std::move(run));
}

void ClusterDeployments::Impl::promoteOrRollback(const QString &command, const QJsonObject &args,
                                                 const Principal &caller, cluster::OpsReply reply) {
  const QString model = args.value(u"model"_qs).toString();
  const std::string actor = auditActor(caller);
  const QJsonObject previous = desired->deployments().value(model);
  const bool variant = previous.value(u"strategy"_qs).toString() != u"replace"_qs;
  const bool promote = command == u"promote"_qs;
  QJsonValue answer;
  std::int64_t target = 0;
  awaiting.insert(model, previous.value(u"revision"_qs).toInteger() + 1);
  if (placedHere(previous, self())) {
    auto done = promote ? deployments.promoteHere(args, caller) : deployments.rollbackHere(args, caller);
    if (!done) {
      awaiting.remove(model);
      return reply(done);
    }
    answer = *done;
    const DeploymentInfo after = deployments.deployment(model.toStdString());
    target =
        after.stableVersion.empty() ? deployments.fileVersion(model.toStdString()) : versionNumber(after.stableVersion);
  } else {
    target = promote   ? (variant ? previous.value(u"version"_qs).toInteger() : 0)
             : variant ? previous.value(u"stable_version"_qs).toInteger()
                       : previous.value(u"previous_version"_qs).toInteger();
    if (target < 1) {
      awaiting.remove(model);
      return reply(deployments.refuseHere(
          actor, command.toStdString(), model.toStdString(), std::nullopt,
          Status::failedPrecondition(promote ? "model '" + model.toStdString() + "' has no canary or shadow to promote"
                                             : "model '" + model.toStdString() + "' has no version to roll back to")));
    }
    answer = deployments.deploymentObject(model.toStdString());
  }
  auto metadata = versionMetadata(model.toStdString(), target);
  if (!metadata) {
    awaiting.remove(model);
    return reply(metadata.status().withContext("served here, but not recorded in etcd"));
  }
  QJsonObject record = *metadata;
  record.insert(u"strategy"_qs, u"replace"_qs);
  record.insert(u"action"_qs, command);
  // What a later rollback returns to: the stable version a promoted canary ran over; nothing known
  // after a rollback.
  record.insert(u"previous_version"_qs, promote ? previous.value(u"stable_version"_qs).toInteger() : 0);
  for (const QString &key : {u"replicas"_qs, u"placement"_qs}) record.insert(key, previous.value(key));
  record.insert(u"placed_by"_qs, self());
  record.insert(u"actor"_qs, QString::fromStdString(actor));
  if (args.contains(u"comment"_qs)) record.insert(u"comment"_qs, args.value(u"comment"_qs));
  record.insert(u"revision"_qs, previous.value(u"revision"_qs).toInteger() + 1);
  write(record, answer, std::move(reply));
}

void ClusterDeployments::Impl::publishCatalog() {
  if (!db() || !desired || !desired->synced()) return;
  auto models = db()->listModels();
  if (!models) return;
  for (const auto &m : *models)
    for (const auto &v : m.versions) {
      if (v.state != registry::VersionState::Published && v.state != registry::VersionState::Deployed) continue;
      const QString key = QString::fromStdString(m.name) + u'/' + QString::number(v.version);
      if (desired->catalog().contains(key)) continue;
      auto metadata = versionMetadata(m.name, v.version);
      if (!metadata || metadata->value(u"origin_node"_qs).toString() != self()) continue;
      desired->putCatalog(QString::fromStdString(m.name), v.version, catalogPart(*metadata), [](Status) {});
    }
}

void ClusterDeployments::Impl::write(QJsonObject record, const QJsonValue &answer, cluster::OpsReply reply) {
  const QString model = record.value(u"model"_qs).toString();
  const qint64 version = record.value(u"version"_qs).toInteger();
  // Best effort: the deployment carries the same metadata, and publishCatalog() tries again.
  desired->putCatalog(model, version, catalogPart(record), [](Status) {});
  awaiting.insert(model, record.value(u"revision"_qs).toInteger());
  desired->putDeployment(record, [this, model, record, answer, reply = std::move(reply)](Status s) {
    if (!s) {
      awaiting.remove(model);
      return reply(s.withContext("not recorded in etcd"));
    }
    QJsonObject out = answer.toObject();
    for (const QString &key : {u"replicas"_qs, u"placement"_qs, u"revision"_qs, u"placed_by"_qs})
      out.insert(key, record.value(key));
    reply(QJsonValue(out));
  });
}

ClusterDeployments::ClusterDeployments(const NodeContext &context, ClusterService &cluster,
                                       DeploymentService &deployments, RegistryService &registry,
                                       GatewayService &gateway)
    : d(std::make_unique<Impl>(context, cluster, deployments, registry, gateway)) {}

ClusterDeployments::~ClusterDeployments() { stop(); }

Status ClusterDeployments::start() {
  if (d->running) return Status::failedPrecondition("cluster deployments are already running");
  if (!d->registered) {
    LMFRONT_RETURN_IF_ERROR(d->registerOps());
    d->registered = true;
  }
  d->running = true;
  if (!d->cluster.etcd() || !d->cluster.membership()) return Status::ok();
  auto store = registry::ArtifactStore::open(QString(d->context.dataDir + u"/artifacts"_qs).toStdString());
  if (!store) return store.status().withContext("cluster deployments");
  d->store = std::move(*store);
  d->root = std::make_unique<QObject>();
  d->desired = new cluster::DesiredState(*d->cluster.etcd(), d->cluster.membership()->prefix(), d->root.get());
  d->fetcher = new ArtifactFetch(d->store, d->root.get());
  Impl *impl = d.get();
  QObject::connect(d->desired, &cluster::DesiredState::deploymentChanged, d->root.get(),
                   [impl](const QString &model) { impl->converge(model); });
  QObject::connect(d->desired, &cluster::DesiredState::catalogChanged, d->root.get(),
                   [impl](const QString &model, qint64 version) { impl->mirrorCatalog(model, version); });
  // A member that comes or goes changes "every member" and where artifacts may be found.
  QObject::connect(d->cluster.membership(), &cluster::Membership::memberChanged, d->root.get(),
                   [impl](const cluster::MemberInfo &) { impl->convergeAll(); });
  d->deployments.setClusterHook([impl](const QString &command, const QJsonObject &args, const Principal &caller,
                                       cluster::OpsReply &reply) { return impl->take(command, args, caller, reply); });
  d->desired->start();
  d->readToken();
  // Versions published here become known to every node (`lmfront versions` anywhere).
  auto *publisher = new QTimer(d->root.get());
  QObject::connect(publisher, &QTimer::timeout, d->root.get(), [impl] { impl->publishCatalog(); });
  QObject::connect(d->desired, &cluster::DesiredState::syncedChanged, d->root.get(), [impl](bool synced) {
    if (!synced) return;
    impl->publishCatalog();
    impl->convergeAll();  // records unchanged while etcd was away are judged again too
  });
  publisher->start(Impl::kCatalogPublishMs);
  return Status::ok();
}

bool ClusterDeployments::drain(std::chrono::milliseconds) { return true; }

void ClusterDeployments::stop() {
  if (!d->running) return;
  d->running = false;
  d->deployments.setClusterHook({});
  if (d->desired) d->desired->stop();
  d->desired = nullptr;
  d->fetcher = nullptr;
  d->root.reset();
  d->store.reset();
  d->token.clear();
  d->busy.clear();
  d->steps.clear();
  d->awaiting.clear();
  d->variantServed.clear();
}

Health ClusterDeployments::health() const {
  Health h;
  if (!d->running) return h;
  h.state = !d->desired || d->desired->synced() ? Health::State::Serving : Health::State::Degraded;
  if (h.state == Health::State::Degraded) h.detail = "desired state not in sync with etcd (retrying)";
  return h;
}

}  // namespace lmfront::node
