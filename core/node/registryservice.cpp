#include "node/registryservice.h"

#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "engine/model.h"
#include "engine/sha256.h"
#include "node/commandargs.h"
#include "node/gatewayservice.h"
#include "node/noderoutes.h"
#include "node/refusalaudit.h"
#include "registry/catalogdb.h"

#include <QDateTime>
#include <QFile>

namespace lmfront::node {

using cluster::Principal;
using cluster::Role;
using registry::LifecycleAction;

namespace {

QString str(const std::string &s) { return QString::fromStdString(s); }
QString str(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

constexpr int kAuditSnapshotRows = 200;
constexpr int kAuditMaxRows = 100'000;

struct ServedFile {
  registry::NewVersion version;
  bool compiled = false;  // an .lmb file (else ARPA)
};

// What the catalog records of a model file: a compiled file's own payload sha256, order and
// vocabulary (read from its header: the file is mapped, not parsed); an ARPA file's bytes' sha256.
Result<ServedFile> describeFile(const registry::CatalogEntry &entry) {
  ServedFile served;
  registry::NewVersion &v = served.version;
  v.submitter = "local";
  v.order = entry.manifest.order.value_or(0);
  QFile file(entry.path);
  if (!file.open(QIODevice::ReadOnly))
    return Status::ioError(entry.path.toStdString() + ": cannot read: " + file.errorString().toStdString());
  served.compiled = file.read(8) == QByteArrayLiteral("LMFRONTB");
  v.bytes = file.size();
  file.close();
  if (served.compiled) {
    auto model = engine::Model::open(entry.path.toStdString());
    if (!model) return model.status();
    v.sha256 = (*model)->payloadSha256();
    v.order = (*model)->order();
    v.vocabularySize = (*model)->vocab().size();
  } else {
    auto digest = engine::sha256File(entry.path.toStdString());
    if (!digest) return digest.status();
    v.sha256 = engine::toHex(*digest);
  }
  return served;
}

}  // namespace

QJsonObject versionJson(const registry::VersionInfo &v) {
  QJsonArray deps;
  for (const auto &d : v.dependsOn)
    deps.append(QJsonObject{{u"model"_qs, str(d.model)}, {u"version"_qs, static_cast<qint64>(d.version)}});
  return QJsonObject{{u"model"_qs, str(v.model)},
                     {u"version"_qs, static_cast<qint64>(v.version)},
                     {u"state"_qs, str(registry::versionStateName(v.state))},
                     {u"sha256"_qs, str(v.sha256)},
                     {u"bytes"_qs, static_cast<qint64>(v.bytes)},
                     {u"order"_qs, v.order},
                     {u"vocabulary"_qs, static_cast<qint64>(v.vocabularySize)},
                     {u"dev_perplexity"_qs, v.devPerplexity ? QJsonValue(*v.devPerplexity) : QJsonValue()},
                     {u"submitter"_qs, str(v.submitter)},
                     {u"created"_qs, str(registry::isoUtcMs(v.createdMs))},
                     {u"artifact_sha256"_qs, str(v.artifactSha256)},
                     {u"depends_on"_qs, deps}};
}

QJsonObject modelJson(const registry::ModelInfo &m, bool withCards) {
  QJsonArray versions;
  for (const auto &v : m.versions) {
    QJsonObject o = versionJson(v);
    if (withCards) o.insert(u"card"_qs, str(v.card));
    versions.append(o);
  }
  return QJsonObject{{u"name"_qs, str(m.name)},
                     {u"description"_qs, str(m.description)},
                     {u"owner"_qs, str(m.owner)},
                     {u"license"_qs, str(m.license)},
                     {u"created"_qs, str(registry::isoUtcMs(m.createdMs))},
                     {u"versions"_qs, versions}};
}

QJsonObject auditJson(const registry::AuditEntry &e) {
  return QJsonObject{{u"time"_qs, str(registry::isoUtcMs(e.timeMs))},
                     {u"actor"_qs, str(e.actor)},
                     {u"action"_qs, str(e.action)},
                     {u"model"_qs, str(e.model)},
                     {u"version"_qs, e.version ? QJsonValue(static_cast<qint64>(*e.version)) : QJsonValue()},
                     {u"before"_qs, str(e.before)},
                     {u"after"_qs, str(e.after)},
                     {u"reason"_qs, str(e.reason)},
                     {u"outcome"_qs, str(registry::auditOutcomeName(e.outcome))}};
}

struct RegistryService::Impl {
  Impl(const NodeContext &c, const GatewayService &g, RegistryOptions o) : context(c), gateway(g), options(o) {}

  const NodeContext &context;
  const GatewayService &gateway;
  RegistryOptions options;
  std::unique_ptr<registry::CatalogDb> db;
  std::int64_t lastAuditId = 0;  // the newest audit row published
  std::map<std::string, std::int64_t, std::less<>> servedFiles;
  bool registered = false;
  // Jobs posted for refusals hold it weakly: one that runs after the service is gone does nothing.
  std::shared_ptr<int> alive = std::make_shared<int>(0);

  void auditRefusal(RegistryService &self, const cluster::OpsRefusal &refusal, std::uint64_t leftOut) {
    if (!db) return;
    registry::AuditEntry e = refusalEntry(refusal, QDateTime::currentMSecsSinceEpoch());
    if (e.version)
      if (auto v = db->version(e.model, *e.version)) e.before = e.after = registry::versionStateName(v->state);
    if (leftOut > 0) e.reason += " (" + std::to_string(leftOut) + " more refusals before it were not audited)";
    if (Status written = db->audit().append(e); !written)
      context.events.report(EventLevel::Error, "catalog", "audit row not written: " + written.message());
    self.publishChanges(e.model);
  }

  void importServed() {
    servedFiles.clear();
    const auto state = gateway.state();
    if (!state) return;
    for (const registry::CatalogEntry &entry : state->models) {
      if (!entry.manifestError.isOk()) continue;  // not served; the gateway reports why
      auto described = describeFile(entry);
      Result<registry::ImportOutcome> imported =
          described ? db->importVersion({entry.name.toStdString(), entry.manifest.description.toStdString(), "", ""},
                                        described->version, "local")
                    : Result<registry::ImportOutcome>(described.status());
      Status recorded = imported ? recordServedFile(entry, imported->version, *described) : imported.status();
      if (imported) servedFiles[entry.name.toStdString()] = imported->version;
      if (!recorded)
        context.events.report(EventLevel::Warning, "catalog",
                              "model not imported into the catalog: " + recorded.message(),
                              {{"model", entry.name.toStdString()}});
    }
  }

  // The served file becomes the version's serving artifact (an artifact row whose path is the
  // file itself: it stays where the user put it). Hashed once: a later start finds the row.
  Status recordServedFile(const registry::CatalogEntry &entry, std::int64_t number, const ServedFile &served) {
    const std::string model = entry.name.toStdString();
    const std::string path = entry.path.toStdString();
    auto v = db->version(model, number);
    if (!v) return v.status();
    if (!v->artifactSha256.empty()) {
      auto known = db->artifact(v->artifactSha256);
      if (!known) return known.status();
      if (*known && (*known)->path == path) return Status::ok();
    }
    std::string sha256 = served.version.sha256;  // an ARPA file's is its bytes' already
    if (served.compiled) {
      auto digest = engine::sha256File(path);
      if (!digest) return digest.status();
      sha256 = engine::toHex(*digest);
    }
    // The same bytes already recorded elsewhere (the artifact store) keep their row.
    auto existing = db->artifact(sha256);
    if (!existing) return existing.status();
    if (!*existing || !QFile::exists(QString::fromStdString((*existing)->path)))
      LMFRONT_RETURN_IF_ERROR(
          db->putArtifact({sha256, path, served.version.bytes, served.compiled ? "lmb" : "arpa", 0}));
    return db->setServingArtifact(model, number, sha256);
  }

  Result<QJsonObject> catalogJson() const {
    auto models = db->listModels();
    if (!models) return models.status();
    QJsonArray out;
    for (const auto &m : *models) out.append(modelJson(m, false));
    return QJsonObject{{u"object"_qs, u"catalog"_qs}, {u"models"_qs, out}};
  }

  Result<QJsonValue> versions(const QJsonObject &args) const {
    auto name = stringArg(args, u"model", true);
    if (!name) return name.status();
    auto model = db->model(*name);
    if (!model) return model.status();
    return QJsonValue(modelJson(*model, true));
  }

  Result<QJsonValue> audit(const QJsonObject &args) const {
    registry::AuditQuery query;
    auto model = stringArg(args, u"model", false);
    if (!model) return model.status();
    query.model = *model;
    const QJsonValue since = args.value(u"since"_qs);
    if (!since.isUndefined() && !since.isNull()) {
      const std::string text = since.isString() ? since.toString().toStdString() : std::to_string(since.toInteger(-1));
      auto ms = registry::parseAuditTime(text);
      if (!ms) return ms.status();
      query.sinceMs = *ms;
    }
    if (args.contains(u"limit"_qs)) {
      const QJsonValue limit = args.value(u"limit"_qs);
      const qint64 n = limit.isString() ? limit.toString().toLongLong() : limit.toInteger(0);
      if (n < 1 || n > kAuditMaxRows)
        return Status::invalidArgument("\"limit\": expected 1.." + std::to_string(kAuditMaxRows));
      query.limit = static_cast<int>(n);
    } else {
      query.limit = kAuditMaxRows;
    }
    auto format = stringArg(args, u"format", false);
    if (!format) return format.status();
    if (!format->empty() && *format != "json" && *format != "csv")
      return Status::invalidArgument("\"format\": expected \"json\" or \"csv\"");
    auto rows = db->audit().query(query);
    if (!rows) return rows.status();
    if (*format == "csv") return QJsonValue(QJsonObject{{u"csv"_qs, str(registry::auditCsv(*rows))}});
    QJsonArray entries;
    for (const auto &e : *rows) entries.append(auditJson(e));
    return QJsonValue(QJsonObject{{u"entries"_qs, entries}});
  }

  Result<QJsonValue> act(LifecycleAction action, const QJsonObject &args, const Principal &caller,
                         RegistryService &self) {
    auto model = stringArg(args, u"model", true);
    if (!model) return model.status();
    auto version = positiveArg(args, u"version");
    if (!version) return version.status();
    auto comment = stringArg(args, u"comment", false);
    if (!comment) return comment.status();
    auto done = db->transition(*model, *version, action, auditActor(caller), *comment);
    self.publishChanges(*model);  // a refusal wrote its audit row too
    if (!done) return done.status();
    return QJsonValue(versionJson(*done));
  }

  Status registerOps(RegistryService &self) {
    cluster::OpsRegistry &ops = context.ops;
    LMFRONT_RETURN_IF_ERROR(ops.addTopic({u"catalog"_qs, Role::Viewer, cluster::OpsDelivery::Replaceable,
                                          [this](const QJsonObject &) -> Result<QJsonObject> {
                                            if (!db) return Status::unavailable("the catalog is not open");
                                            return catalogJson();
                                          }}));
    LMFRONT_RETURN_IF_ERROR(ops.addTopic({u"audit"_qs, Role::Viewer, cluster::OpsDelivery::EveryDelta,
                                          [this](const QJsonObject &subscribed) -> Result<QJsonObject> {
                                            if (!db) return Status::unavailable("the catalog is not open");
                                            QJsonObject args = subscribed;
                                            if (!args.contains(u"limit"_qs))
                                              args.insert(u"limit"_qs, kAuditSnapshotRows);
                                            args.remove(u"format"_qs);
                                            auto rows = audit(args);
                                            if (!rows) return rows.status();
                                            return rows->toObject();
                                          }}));
    LMFRONT_RETURN_IF_ERROR(ops.addCommand(
        {u"catalog"_qs, Role::Viewer, [this](const QJsonObject &, const Principal &) -> Result<QJsonValue> {
           if (!db) return Status::unavailable("the catalog is not open");
           auto json = catalogJson();
           if (!json) return json.status();
           return QJsonValue(*json);
         }}));
    LMFRONT_RETURN_IF_ERROR(ops.addCommand(
        {u"versions"_qs, Role::Viewer, [this](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
           if (!db) return Status::unavailable("the catalog is not open");
           return versions(args);
         }}));
    LMFRONT_RETURN_IF_ERROR(ops.addCommand(
        {u"audit"_qs, Role::Viewer, [this](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
           if (!db) return Status::unavailable("the catalog is not open");
           return audit(args);
         }}));
    for (const LifecycleAction action :
         {LifecycleAction::Approve, LifecycleAction::Reject, LifecycleAction::Publish, LifecycleAction::Retire}) {
      LMFRONT_RETURN_IF_ERROR(ops.addCommand(
          {str(registry::lifecycleActionName(action)), Role::Operator,
           [this, action, &self](const QJsonObject &args, const Principal &caller) -> Result<QJsonValue> {
             if (!db) return Status::unavailable("the catalog is not open");
             return act(action, args, caller, self);
           }}));
    }
    return Status::ok();
  }
};

RegistryService::RegistryService(const NodeContext &context, const GatewayService &gateway, RegistryOptions options)
    : d(std::make_unique<Impl>(context, gateway, options)) {}

RegistryService::~RegistryService() { stop(); }

Status RegistryService::start() {
  if (d->db) return Status::failedPrecondition("the catalog is already open");
  auto db = registry::CatalogDb::open(
      QString(d->context.dataDir + u"/catalog.db"_qs).toStdString(),
      registry::CatalogOptions{[] { return QDateTime::currentMSecsSinceEpoch(); }, d->options.forbidSelfApproval});
  if (!db) return db.status();
  d->db = std::move(*db);
  d->importServed();
  // What happened before this start is in the topic's snapshot, not in its deltas.
  if (auto newest = d->db->audit().query({"", 0, 1}); newest && !newest->empty()) d->lastAuditId = newest->back().id;
  if (!d->registered) {
    if (Status st = d->registerOps(*this); !st) {
      d->db.reset();
      return st;
    }
    d->registered = true;
  }
  if (const auto state = d->gateway.state(); state && state->onNodeThread) {
    auto throttle = std::make_shared<RefusalThrottle>();
    d->context.ops.setRefusalSink([this, post = state->onNodeThread, throttle,
                                   alive = std::weak_ptr<int>(d->alive)](cluster::OpsRefusal refusal) {
      const auto leftOut = throttle->admit(QDateTime::currentMSecsSinceEpoch());
      if (!leftOut) return;
      post([this, alive, refusal = std::move(refusal), n = *leftOut] {
        if (alive.lock()) d->auditRefusal(*this, refusal, n);
      });
    });
  }
  return Status::ok();
}

bool RegistryService::drain(std::chrono::milliseconds) { return true; }

void RegistryService::stop() {
  d->context.ops.setRefusalSink({});
  d->db.reset();
}

Health RegistryService::health() const {
  Health h;
  if (d->db) h.state = Health::State::Serving;
  return h;
}

registry::CatalogDb *RegistryService::catalog() { return d->db.get(); }

const std::map<std::string, std::int64_t, std::less<>> &RegistryService::servedFiles() const { return d->servedFiles; }

void RegistryService::publishChanges(const std::string &model) {
  if (!d->db) return;
  if (auto rows = d->db->audit().query({"", 0, kAuditMaxRows, d->lastAuditId}); rows && !rows->empty()) {
    QJsonArray entries;
    for (const auto &e : *rows) entries.append(auditJson(e));
    d->lastAuditId = rows->back().id;
    (void)d->context.ops.publish(u"audit"_qs, QJsonObject{{u"entries"_qs, entries}});
  }
  if (model.empty()) return;
  if (auto m = d->db->model(model))
    (void)d->context.ops.publish(u"catalog"_qs, QJsonObject{{u"changed"_qs, modelJson(*m, false)}});
}

}  // namespace lmfront::node
