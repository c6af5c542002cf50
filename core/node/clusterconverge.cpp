// A node converging on the cluster's desired deployments (clusterdeployments.h): one step at a
// time per model (a deploy, a promote or a rollback through DeploymentService, audited under the
// record's actor "via" the node that placed it), judged again after each step, retried after
// kRetryMs when it failed, at most kMaxStepsPerRevision steps per record revision so a record
// this node cannot meet is not tried forever (a new revision starts again).
#include "cluster/desiredstate.h"
#include "cluster/membership.h"
#include "common/eventsink.h"
#include "node/artifactfetch.h"
#include "node/clusterdeployments_p.h"
#include "node/clusterservice.h"
#include "node/deploymentservice.h"
#include "node/nodecontext.h"
#include "node/registryservice.h"
#include "registry/catalogdb.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QTimer>

namespace lmfront::node {

using cluster::Principal;

namespace {

enum class Step { None, Wait, Deploy, DeployFile, Promote, Rollback };

registry::NewVersion newVersionOf(const QJsonObject &catalog) {
  registry::NewVersion v;
  v.sha256 = catalog.value(u"sha256"_qs).toString().toStdString();
  v.bytes = catalog.value(u"bytes"_qs).toInteger();
  v.order = catalog.value(u"order"_qs).toInt();
  v.vocabularySize = catalog.value(u"vocabulary_size"_qs).toInteger();
  if (catalog.contains(u"dev_perplexity"_qs)) v.devPerplexity = catalog.value(u"dev_perplexity"_qs).toDouble();
  v.submitter = catalog.value(u"submitter"_qs).toString().toStdString();
  return v;
}

}  // namespace

void ClusterDeployments::Impl::convergeAll() {
  if (!desired) return;
  for (const QString &model : desired->deployments().keys()) converge(model);
}

QStringList ClusterDeployments::Impl::sourcesFor(const QJsonObject &metadata) const {
  // The origin first, then every other member: one that converged holds the artifact too.
  QStringList sources;
  const QString origin = metadata.value(u"origin"_qs).toString();
  if (!origin.isEmpty() && origin != selfAddress()) sources << origin;
  for (const cluster::MemberInfo &m : cluster.membership()->members())
    if (m.state != u"down"_qs && m.id != self() && !sources.contains(m.address)) sources << m.address;
  return sources;
}

void ClusterDeployments::Impl::mirrorCatalog(const QString &model, qint64 version) {
  if (!db()) return;
  const QJsonObject record = desired->catalog().value(model + u'/' + QString::number(version));
  if (record.isEmpty() || db()->version(model.toStdString(), version)) return;
  auto mirrored = db()->mirrorVersion({model.toStdString(), {}, {}, {}}, version, registry::VersionState::Published,
                                      newVersionOf(record.value(u"catalog"_qs).toObject()),
                                      "cluster via " + record.value(u"origin_node"_qs).toString().toStdString());
  if (!mirrored)
    context.events.report(EventLevel::Warning, "cluster",
                          "catalog metadata not mirrored: " + mirrored.status().message(),
                          {{"model", model.toStdString()}, {"version", std::to_string(version)}});
  else
    registry.publishChanges(model.toStdString());
}

void ClusterDeployments::Impl::ensureVersion(const QString &model, std::int64_t version, const QJsonObject &metadata,
                                             std::function<void(Status)> done) {
  const std::string name = model.toStdString();
  const QJsonObject catalog = metadata.value(u"catalog"_qs).toObject();
  const QJsonObject artifact = metadata.value(u"artifact"_qs).toObject();
  const std::string sha = artifact.value(u"sha256"_qs).toString().toStdString();
  if (sha.empty()) return done(Status::invalidArgument("the desired deployment names no artifact"));
  if (auto v = db()->version(name, version); v && v->sha256 != catalog.value(u"sha256"_qs).toString().toStdString())
    return done(Status::failedPrecondition(name + " v" + std::to_string(version) + " is " + v->sha256 +
                                           " on this node, " + catalog.value(u"sha256"_qs).toString().toStdString() +
                                           " in the cluster"));
  // The catalog learns of the version only once its artifact is here and verified.
  auto finish = [this, name, version, sha, catalog,
                 metadata](std::optional<registry::ArtifactRecord> fetched) -> Status {
    if (!db()) return Status::unavailable("the node is stopping");
    if (!db()->version(name, version)) {
      auto mirrored =
          db()->mirrorVersion({name, {}, {}, {}}, version, registry::VersionState::Published, newVersionOf(catalog),
                              "cluster via " + metadata.value(u"origin_node"_qs).toString().toStdString());
      if (!mirrored) return mirrored.status();
    }
    if (fetched) LMFRONT_RETURN_IF_ERROR(db()->putArtifact(*fetched));
    auto v = db()->version(name, version);
    if (!v) return v.status();
    if (v->artifactSha256 != sha) LMFRONT_RETURN_IF_ERROR(db()->setServingArtifact(name, version, sha));
    registry.publishChanges(name);
    return Status::ok();
  };
  auto held = db()->artifact(sha);
  if (!held) return done(held.status());
  if (*held && QFile::exists(QString::fromStdString((*held)->path))) return done(finish(std::nullopt));
  if (token.isEmpty()) return done(Status::unavailable("the cluster's artifact token is not known yet"));
  fetcher->fetch(QString::fromStdString(sha), sourcesFor(metadata), token,
                 [this, sha, kind = artifact.value(u"kind"_qs).toString().toStdString(), finish,
                  done = std::move(done)](Result<ArtifactFetch::Fetched> fetched) {
                   if (!fetched) return done(fetched.status());
                   context.events.report(EventLevel::Info, "cluster", "artifact copied from another member",
                                         {{"sha256", sha}, {"source", fetched->source.toStdString()}});
                   done(finish(registry::ArtifactRecord{sha, fetched->path, fetched->bytes, kind,
                                                        QDateTime::currentMSecsSinceEpoch()}));
                 });
}

void ClusterDeployments::Impl::converge(const QString &model) {
  if (!running || !desired || busy.contains(model)) return;
  const QJsonObject record = desired->deployments().value(model);
  if (record.isEmpty()) return;
  const std::string name = model.toStdString();
  const qint64 revision = record.value(u"revision"_qs).toInteger();
  if (const auto wait = awaiting.constFind(model); wait != awaiting.cend()) {
    if (revision < *wait) return;
    awaiting.remove(model);
  }
  auto &taken = steps[model];
  if (taken.first != revision) taken = {revision, 0};
  if (taken.second >= kMaxStepsPerRevision) return;

  const qint64 target = record.value(u"version"_qs).toInteger();
  const QString strategy = record.value(u"strategy"_qs).toString(u"replace"_qs);
  const QString action = record.value(u"action"_qs).toString();
  const DeploymentInfo info = deployments.deployment(name);
  const std::int64_t file = deployments.fileVersion(name);
  const std::int64_t stable = info.stableVersion.empty() ? file : versionNumber(info.stableVersion);
  const std::int64_t previous = info.previousVersion.empty() ? file : versionNumber(info.previousVersion);
  const std::int64_t variant = info.variant ? versionNumber(info.variantVersion) : 0;

  Step step = Step::None;
  if (!info.loading.empty()) {
    step = Step::Wait;
  } else if (!placedHere(record, self())) {
    if (variant == target)
      step = Step::Rollback;
    else if (!info.variant && stable == target && !info.stableVersion.empty() && file > 0 && file != target)
      step = Step::DeployFile;
  } else if (strategy == u"replace"_qs) {
    if (info.variant && action == u"promote"_qs && variant == target)
      step = Step::Promote;
    else if (info.variant)
      step = Step::Rollback;
    else if (stable == target)
      step = Step::None;
    else if (action == u"rollback"_qs && previous == target)
      step = Step::Rollback;
    else
      step = Step::Deploy;
  } else {
    const bool same = info.variant && std::string(deployStrategyName(*info.variant)) == strategy.toStdString() &&
                      variant == target && info.percent == record.value(u"percent"_qs).toDouble();
    if (same)
      step = Step::None;
    else if (info.variant)
      step = Step::Rollback;
    else if (variantServed.value(model) != revision)
      step = Step::Deploy;
  }
  if (step == Step::None) return;
  if (step == Step::Wait) return (void)QTimer::singleShot(kRetryMs, root.get(), [this, model] { converge(model); });

  ++taken.second;
  busy.insert(model);
  const std::string via = record.value(u"actor"_qs).toString().toStdString() + " via " +
                          record.value(u"placed_by"_qs).toString().toStdString();
  const Principal caller{"cluster", via, cluster::Role::Operator};
  const QString comment = QStringLiteral("cluster revision %1").arg(revision);
  QJsonObject args{{u"model"_qs, model}, {u"comment"_qs, comment}};
  if (step == Step::Promote || step == Step::Rollback) {
    auto done = step == Step::Promote ? deployments.promoteHere(args, caller) : deployments.rollbackHere(args, caller);
    return stepDone(model, done ? Status::ok() : done.status());
  }
  if (step == Step::DeployFile) {
    args.insert(u"version"_qs, static_cast<qint64>(file));
    args.insert(u"comment"_qs, QString(comment + u": this node is no longer in the placement"_qs));
    return deployments.deployHere(
        args, caller, [this, model](Result<QJsonValue> r) { stepDone(model, r ? Status::ok() : r.status()); });
  }
  args.insert(u"version"_qs, target);
  for (const QString &key : {u"strategy"_qs, u"percent"_qs, u"sticky"_qs, u"max_error_rate"_qs, u"max_p99_ms"_qs,
                             u"max_p99_ratio"_qs, u"min_requests"_qs})
    if (record.contains(key) && (key == u"strategy"_qs || strategy != u"replace"_qs))
      args.insert(key, record.value(key));
  const bool isVariant = strategy != u"replace"_qs;
  ensureVersion(model, target, record, [this, model, args, caller, isVariant, revision](Status ready) {
    if (!running) return;
    if (!ready) return stepDone(model, ready);
    deployments.deployHere(args, caller, [this, model, isVariant, revision](Result<QJsonValue> r) {
      if (r && isVariant) variantServed.insert(model, revision);
      stepDone(model, r ? Status::ok() : r.status());
    });
  });
}

void ClusterDeployments::Impl::stepDone(const QString &model, const Status &outcome) {
  if (!running) return;
  busy.remove(model);
  if (!outcome) {
    context.events.report(EventLevel::Warning, "cluster",
                          "could not converge on the cluster's deployment: " + outcome.message(),
                          {{"model", model.toStdString()}});
    QTimer::singleShot(kRetryMs, root.get(), [this, model] { converge(model); });
    return;
  }
  converge(model);
}

}  // namespace lmfront::node
