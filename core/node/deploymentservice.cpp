#include "node/deploymentservice.h"

#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "gateway/openai/openaiservice.h"
#include "node/commandargs.h"
#include "node/gatewayservice.h"
#include "node/noderoutes.h"
#include "node/registryservice.h"
#include "node/servingstate.h"
#include "registry/catalogdb.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>

namespace lmfront::node {

using cluster::Principal;
using cluster::Role;
using registry::AuditOutcome;
using registry::LifecycleAction;
using registry::VersionState;

namespace {

constexpr const char *kGuardActor = "canary-guard";

std::int64_t versionOf(const std::string &label) {
  return label.empty() ? 0 : QString::fromStdString(label).toLongLong();
}

std::string number(double v) { return QString::number(v, 'g', 6).toStdString(); }

std::string limitsJson(const CanaryLimits &l) {
  QJsonObject o;
  if (l.maxErrorRate) o.insert(u"max_error_rate"_qs, *l.maxErrorRate);
  if (l.maxP99Ms) o.insert(u"max_p99_ms"_qs, *l.maxP99Ms);
  if (l.maxP99Ratio) o.insert(u"max_p99_ratio"_qs, *l.maxP99Ratio);
  if (l.any()) o.insert(u"min_requests"_qs, static_cast<qint64>(l.minRequests));
  return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

// The audit's reason for a canary the guard rolled back: the limit and every measured value.
std::string breachText(const CanaryBreach &b) {
  const CanaryMeasures &m = b.measures;
  return "canary breached " + b.limit + ": measured " + number(b.measured) + " > limit " + number(b.limitValue) +
         " (canary: " + std::to_string(m.requests) + " requests, " + std::to_string(m.errors) + " errors, error rate " +
         number(m.errorRate) + ", p99 " + number(m.p99Ms) + " ms; stable: " + std::to_string(m.stableRequests) +
         " requests, p99 " + number(m.stableP99Ms) + " ms)";
}

struct DeployArgs {
  std::string model;
  std::int64_t version = 0;
  DeployStrategy strategy = DeployStrategy::Replace;
  double percent = 100;
  bool sticky = false;
  CanaryLimits limits;
  std::string comment;
};

Result<DeployArgs> parseDeploy(const QJsonObject &args) {
  DeployArgs a;
  auto model = stringArg(args, u"model", true);
  if (!model) return model.status();
  a.model = *model;
  auto version = positiveArg(args, u"version");
  if (!version) return version.status();
  a.version = *version;
  auto strategy = stringArg(args, u"strategy", false);
  if (!strategy) return strategy.status();
  if (!strategy->empty()) {
    auto parsed = parseDeployStrategy(*strategy);
    if (!parsed) return Status::invalidArgument("\"strategy\": expected replace, canary or shadow");
    a.strategy = *parsed;
  }
  const bool variant = a.strategy != DeployStrategy::Replace;
  auto percent = numberArg(args, u"percent");
  if (!percent) return percent.status();
  if (*percent && !variant && **percent != 100)
    return Status::invalidArgument(
        "\"percent\": a replace deploy serves every request (canary or shadow take a share)");
  if (variant && !*percent) return Status::invalidArgument("\"percent\": required for a canary or shadow");
  if (*percent) a.percent = **percent;
  auto sticky = boolArg(args, u"sticky");
  if (!sticky) return sticky.status();
  a.sticky = *sticky;
  for (const auto &[key, field] :
       {std::pair{u"max_error_rate", &CanaryLimits::maxErrorRate}, std::pair{u"max_p99_ms", &CanaryLimits::maxP99Ms},
        std::pair{u"max_p99_ratio", &CanaryLimits::maxP99Ratio}}) {
    auto v = numberArg(args, QStringView(key));
    if (!v) return v.status();
    a.limits.*field = *v;
  }
  auto minRequests = numberArg(args, u"min_requests");
  if (!minRequests) return minRequests.status();
  if (*minRequests) {
    if (**minRequests < 1 || **minRequests != static_cast<double>(static_cast<std::uint64_t>(**minRequests)))
      return Status::invalidArgument("\"min_requests\": expected a whole number >= 1");
    a.limits.minRequests = static_cast<std::uint64_t>(**minRequests);
  }
  if ((a.limits.any() || *minRequests) && a.strategy != DeployStrategy::Canary)
    return Status::invalidArgument("canary limits apply to a canary deploy only (--strategy canary)");
  auto comment = stringArg(args, u"comment", false);
  if (!comment) return comment.status();
  a.comment = *comment;
  return a;
}

std::string describe(const DeployArgs &a) {
  std::string text(deployStrategyName(a.strategy));
  if (a.strategy != DeployStrategy::Replace)
    text.append(" ").append(number(a.percent)).append("%").append(a.sticky ? " sticky" : "");
  if (a.limits.any()) text.append(" limits ").append(limitsJson(a.limits));
  if (!a.comment.empty()) text.append(": ").append(a.comment);
  return text;
}

}  // namespace

struct DeploymentService::Impl {
  Impl(const NodeContext &c, GatewayService &g, RegistryService &r) : context(c), gateway(g), registry(r) {}

  const NodeContext &context;
  GatewayService &gateway;
  RegistryService &registry;
  bool running = false;
  bool registered = false;
  ClusterHook clusterHook;

  registry::CatalogDb *db() { return running ? registry.catalog() : nullptr; }

  std::int64_t fileVersion(const std::string &model) const {
    const auto &served = registry.servedFiles();
    const auto it = served.find(model);
    return it == served.end() ? 0 : it->second;
  }

  DeploymentInfo info(const std::string &model) const {
    if (ServingState *serving = gateway.serving())
      for (DeploymentInfo &i : serving->deployments())
        if (i.model == model) return std::move(i);
    DeploymentInfo none;  // served from its file since the start, or not at all
    none.model = model;
    if (const auto state = gateway.state(); state && state->service)
      if (const auto *pool = state->service->table()->find(model)) none.stableSha256 = pool->version;
    return none;
  }

  QJsonObject json(const std::string &model) const { return deploymentJson(info(model), fileVersion(model)); }

  void published(const std::string &model, QJsonObject extra = {}) {
    registry.publishChanges(model);
    extra.insert(u"deployment"_qs, json(model));
    (void)context.ops.publish(u"deployments"_qs, extra);
  }

  std::string stateOf(const std::string &model, std::int64_t version) {
    auto v = db()->version(model, version);
    return v ? std::string(registry::versionStateName(v->state)) : std::string();
  }

  void audit(const std::string &actor, const std::string &action, const std::string &model,
             std::optional<std::int64_t> version, const std::string &reason, AuditOutcome outcome) {
    const std::string state = version ? stateOf(model, *version) : std::string();
    const Status written = db()->audit().append(
        {QDateTime::currentMSecsSinceEpoch(), actor, action, model, version, state, state, reason, outcome});
    if (!written)
      context.events.report(EventLevel::Error, "deploy", "audit row not written: " + written.message(),
                            {{"model", model}});
  }

  // Audited as refused and published; the caller answers with `why`.
  Status refuse(const std::string &actor, const std::string &action, const std::string &model,
                std::optional<std::int64_t> version, Status why) {
    audit(actor, action, model, version, why.message(), AuditOutcome::Refused);
    published(model);
    return why;
  }

  // A lifecycle step the deployer takes; a refusal is audited by the catalog and reported here.
  void step(const std::string &model, std::int64_t version, LifecycleAction action, const std::string &actor,
            const std::string &reason) {
    if (version < 1) return;
    if (auto done = db()->transition(model, version, action, actor, reason); !done)
      context.events.report(EventLevel::Warning, "deploy", "catalog not updated: " + done.status().message(),
                            {{"model", model}, {"version", std::to_string(version)}});
  }

  // Every other deployed version of `model` is out of service now.
  void supersedeOthers(const std::string &model, std::int64_t serving, const std::string &actor) {
    auto m = db()->model(model);
    if (!m) return;
    for (const auto &v : m->versions)
      if (v.version != serving && v.state == VersionState::Deployed)
        step(model, v.version, LifecycleAction::Supersede, actor,
             std::string("replaced by version ") + std::to_string(serving));
  }

  // Deployment rows of `model` still "active" (for `version`, or any) get `state`.
  void markRows(const std::string &model, std::optional<std::int64_t> version, const std::string &state) {
    auto rows = db()->deployments(model, 20);
    if (!rows) return;
    for (const auto &r : *rows)
      if (r.state == "active" && (!version || r.version == *version)) (void)db()->setDeploymentState(r.id, state);
  }

  void record(const std::string &model, std::int64_t version, DeployStrategy strategy, double percent,
              const CanaryLimits &limits) {
    auto id = db()->recordDeployment(
        {0, model, version, std::string(deployStrategyName(strategy)), percent, limitsJson(limits), "active", 0});
    if (!id)
      context.events.report(EventLevel::Error, "deploy", "deployment not recorded: " + id.status().message(),
                            {{"model", model}});
  }

  // A replace of `v` from its serving artifact, served with its model's tokenizer.
  Result<DeployRequest> requestFor(const registry::VersionInfo &v) {
    const std::string name = v.model + " v" + std::to_string(v.version);
    if (v.artifactSha256.empty())
      return Status::failedPrecondition(name + " has no serving artifact (compile it first)");
    auto artifact = db()->artifact(v.artifactSha256);
    if (!artifact) return artifact.status();
    if (!*artifact || !QFile::exists(QString::fromStdString((*artifact)->path)))
      return Status::failedPrecondition(name + ": its artifact " + v.artifactSha256 + " is missing");
    DeployRequest request;
    request.model = v.model;
    request.version = std::to_string(v.version);
    request.path = QString::fromStdString((*artifact)->path);
    if (const auto state = gateway.state())
      for (const auto &entry : state->models)
        if (entry.name.toStdString() == v.model) request.manifest = entry.manifest;
    return request;
  }

  // The version `serving` replaced when it was deployed (what a rollback went back to before a
  // stop), from the deployment rows (newest first): the first row older than `serving`'s that
  // was not a canary or shadow dropped on the way, when `serving` replaced or was promoted over
  // it. None when `serving` came back by a rollback (that row is the one rolled back), as in
  // ServingState.
  std::optional<registry::VersionInfo> replacedBy(const std::string &model, std::int64_t serving,
                                                  const std::vector<registry::DeploymentRecord> &rows) {
    std::size_t i = 0;
    while (i < rows.size() &&
           (rows[i].version != serving || (rows[i].state != "active" && rows[i].state != "promoted")))
      ++i;
    for (++i; i < rows.size(); ++i) {
      const registry::DeploymentRecord &older = rows[i];
      if (older.strategy != "replace" && older.state == "rolled_back") continue;  // never served alone
      if ((older.state != "replaced" && older.state != "promoted") || older.version == serving ||
          older.version == fileVersion(model))
        return std::nullopt;
      auto v = db()->version(model, older.version);
      if (!v || v->state != VersionState::Published) return std::nullopt;
      return *v;
    }
    return std::nullopt;
  }

  // A node starts from its model files; the catalog may say another version was deployed over
  // one before the stop. That version is deployed again (replace, no catalog change) over the
  // version it had replaced, so a rollback returns to the same version as before the stop; a
  // canary or shadow that ran goes back to published (its guard's window is gone); a version
  // that cannot be loaded goes back to published and the model file's version serves again.
  void restore() {
    auto models = db()->listModels();
    if (!models) return;
    for (const auto &m : *models) {
      const std::int64_t file = fileVersion(m.name);
      auto rows = db()->deployments(m.name, 50);
      for (const auto &v : m.versions) {
        if (v.state != VersionState::Deployed || v.version == file) continue;
        std::string strategy = "replace";
        if (rows)
          for (const auto &r : *rows)
            if (r.version == v.version && r.state == "active") {
              strategy = r.strategy;
              break;
            }
        if (strategy != "replace") {
          step(m.name, v.version, LifecycleAction::Rollback, "local",
               "the node restarted: a " + strategy + " is not restored");
          markRows(m.name, v.version, "rolled_back");
          published(m.name);
          continue;
        }
        std::optional<registry::VersionInfo> previous;
        if (rows) previous = replacedBy(m.name, v.version, *rows);
        if (!previous) {
          redeploy(v, file);
          continue;
        }
        // The previous version only has to be loaded again; if it cannot be, the file's stays
        // the one a rollback returns to.
        auto under = requestFor(*previous);
        if (!under) {
          redeploy(v, file);
          continue;
        }
        gateway.serving()->deploy(std::move(*under), [this, v, file, under = previous->version](Status loaded) {
          if (db()) redeploy(v, loaded ? under : file);
        });
      }
    }
  }

  // Deploys `v` again over what serves now: `under`, the model file's version or the version `v`
  // had replaced, which serves (and is deployed in the catalog) if `v` cannot be.
  void redeploy(const registry::VersionInfo &v, std::int64_t under) {
    auto request = requestFor(v);
    auto failed = [this, model = v.model, version = v.version, under](const Status &why) {
      step(model, version, LifecycleAction::Rollback, "local",
           std::string("not served after the restart: ") + why.message());
      markRows(model, version, "rolled_back");
      if (under > 0) {
        const bool file = under == fileVersion(model);
        step(model, under, LifecycleAction::Deploy, "local",
             std::string(file ? "its model file serves again" : "the version it had replaced serves again") +
                 ": version " + std::to_string(version) + " could not be restored");
        record(model, under, DeployStrategy::Replace, 100, {});
      }
      published(model);
    };
    if (!request) return failed(request.status());
    gateway.serving()->deploy(std::move(*request), [this, failed, model = v.model](Status outcome) {
      if (!db()) return;
      if (!outcome) return failed(outcome);
      published(model);
    });
  }

  void deploy(const QJsonObject &args, const Principal &caller, cluster::OpsReply reply) {
    if (!db()) return reply(Status::unavailable("the catalog is not open"));
    const std::string actor = auditActor(caller);
    auto parsed = parseDeploy(args);
    if (!parsed) {
      const std::string model = args.value(u"model"_qs).toString().toStdString();
      if (model.empty()) return reply(parsed.status());
      return reply(refuse(actor, "deploy", model, std::nullopt, parsed.status()));
    }
    DeployArgs a = std::move(*parsed);
    // A replica count is the cluster's (clusterdeployments.h takes it off before it acts here).
    if (const QJsonValue r = args.value(u"replicas"_qs); !r.isUndefined() && !r.isNull()) {
      auto n = positiveArg(args, u"replicas");
      if (!n) return reply(refuse(actor, "deploy", a.model, a.version, n.status()));
      if (*n > 1)
        return reply(refuse(actor, "deploy", a.model, a.version,
                            Status::failedPrecondition("\"replicas\": " + std::to_string(*n) +
                                                       " asked, but this node is not in a cluster (--etcd)")));
    }
    auto v = db()->version(a.model, a.version);
    if (!v) return reply(refuse(actor, "deploy", a.model, a.version, v.status()));
    if (!registry::nextState(LifecycleAction::Deploy, v->state)) {
      auto refused = db()->transition(a.model, a.version, LifecycleAction::Deploy, actor, a.comment);  // audits it
      published(a.model);
      return reply(refused.status());
    }
    auto request = requestFor(*v);
    if (!request) return reply(refuse(actor, "deploy", a.model, a.version, request.status()));
    request->strategy = a.strategy;
    request->percent = a.percent;
    request->sticky = a.sticky;
    request->limits = a.limits;
    ServingState *serving = gateway.serving();
    if (!serving) return reply(Status::unavailable("the gateway is not serving"));
    serving->deploy(std::move(*request), [this, a, actor, reply = std::move(reply)](Status outcome) {
      if (!db()) return reply(Status::unavailable("the node is stopping"));
      if (!outcome) return reply(refuse(actor, "deploy", a.model, a.version, outcome));
      auto done = db()->transition(a.model, a.version, LifecycleAction::Deploy, actor, describe(a));
      if (!done) {  // the version changed state while it loaded: it does not serve after all
        if (ServingState *s = gateway.serving()) (void)s->rollback(a.model);
        published(a.model);
        return reply(done.status());
      }
      if (a.strategy == DeployStrategy::Replace) {
        supersedeOthers(a.model, a.version, actor);
        markRows(a.model, std::nullopt, "replaced");
      }
      record(a.model, a.version, a.strategy, a.percent, a.limits);
      published(a.model);
      reply(QJsonValue(json(a.model)));
    });
  }

  Result<QJsonValue> promote(const QJsonObject &args, const Principal &caller) {
    if (!db()) return Status::unavailable("the catalog is not open");
    auto model = stringArg(args, u"model", true);
    if (!model) return model.status();
    const std::string actor = auditActor(caller);
    const DeploymentInfo before = info(*model);
    if (!before.variant)
      return refuse(actor, "promote", *model, std::nullopt,
                    Status::failedPrecondition("model '" + *model + "' has no canary or shadow to promote"));
    const std::int64_t variant = versionOf(before.variantVersion);
    if (auto v = db()->version(*model, variant); v && !registry::nextState(LifecycleAction::Promote, v->state)) {
      auto refused = db()->transition(*model, variant, LifecycleAction::Promote, actor, "");
      published(*model);
      return refused.status();
    }
    if (Status st = gateway.serving()->promote(*model); !st) return refuse(actor, "promote", *model, variant, st);
    auto comment = stringArg(args, u"comment", false);
    step(*model, variant, LifecycleAction::Promote, actor,
         std::string(deployStrategyName(*before.variant)) + " becomes the stable version" +
             (comment && !comment->empty() ? ": " + *comment : std::string()));
    supersedeOthers(*model, variant, actor);
    markRows(*model, variant, "promoted");
    markRows(*model, std::nullopt, "replaced");
    published(*model);
    return QJsonValue(json(*model));
  }

  Result<QJsonValue> rollback(const QJsonObject &args, const Principal &caller) {
    if (!db()) return Status::unavailable("the catalog is not open");
    auto model = stringArg(args, u"model", true);
    if (!model) return model.status();
    auto comment = stringArg(args, u"comment", false);
    if (!comment) return comment.status();
    const std::string actor = auditActor(caller);
    const DeploymentInfo before = info(*model);
    if (Status st = gateway.serving()->rollback(*model); !st)
      return refuse(actor, "rollback", *model, std::nullopt, st);
    const std::string why = comment->empty() ? std::string() : ": " + *comment;
    if (before.variant) {
      const std::int64_t variant = versionOf(before.variantVersion);
      step(*model, variant, LifecycleAction::Rollback, actor,
           std::string(deployStrategyName(*before.variant)) + " dropped" + why);
      markRows(*model, variant, "rolled_back");
    } else if (!before.loading.empty()) {
      audit(actor, "rollback", *model, versionOf(before.loading), "the deploy was cancelled while it loaded" + why,
            AuditOutcome::Ok);
    } else {
      const std::int64_t from = before.stableVersion.empty() ? fileVersion(*model) : versionOf(before.stableVersion);
      const std::int64_t to = before.previousVersion.empty() ? fileVersion(*model) : versionOf(before.previousVersion);
      step(*model, from, LifecycleAction::Rollback, actor,
           std::string("rolled back to version ") + std::to_string(to) + why);
      markRows(*model, from, "rolled_back");
      step(*model, to, LifecycleAction::Deploy, actor,
           std::string("rollback of version ") + std::to_string(from) + why);
      if (to > 0) record(*model, to, DeployStrategy::Replace, 100, {});
    }
    published(*model);
    return QJsonValue(json(*model));
  }

  // Every model the catalog has a deployed version of, as it serves now: the same list before and
  // after a restart, whether a model serves its file or a version deployed since.
  Result<QJsonObject> list() {
    if (!db()) return Status::unavailable("the catalog is not open");
    auto models = db()->listModels();
    if (!models) return models.status();
    QJsonArray out;
    for (const auto &m : *models)
      if (std::any_of(m.versions.begin(), m.versions.end(),
                      [](const registry::VersionInfo &v) { return v.state == VersionState::Deployed; }))
        out.append(json(m.name));
    return QJsonObject{{u"deployments"_qs, out}};
  }

  void breached(const CanaryBreach &b) {
    if (!db()) return;
    const std::int64_t version = versionOf(b.version);
    step(b.model, version, LifecycleAction::Rollback, kGuardActor, breachText(b));
    markRows(b.model, version, "rolled_back");
    published(b.model, QJsonObject{{u"breach"_qs, QJsonObject{{u"version"_qs, static_cast<qint64>(version)},
                                                              {u"limit"_qs, QString::fromStdString(b.limit)},
                                                              {u"measured"_qs, b.measured},
                                                              {u"limit_value"_qs, b.limitValue}}}});
  }

  Status registerOps() {
    cluster::OpsRegistry &ops = context.ops;
    LMFRONT_RETURN_IF_ERROR(ops.addTopic({u"deployments"_qs, Role::Viewer, cluster::OpsDelivery::Replaceable,
                                          [this](const QJsonObject &) { return list(); }}));
    LMFRONT_RETURN_IF_ERROR(ops.addCommand(
        {u"deployments"_qs, Role::Viewer, [this](const QJsonObject &, const Principal &) -> Result<QJsonValue> {
           auto all = list();
           if (!all) return all.status();
           return QJsonValue(*all);
         }}));
    LMFRONT_RETURN_IF_ERROR(
        ops.addCommand({u"deploy"_qs, Role::Operator, nullptr,
                        [this](const QJsonObject &args, const Principal &caller, cluster::OpsReply reply) {
                          if (clusterHook && clusterHook(u"deploy"_qs, args, caller, reply)) return;
                          deploy(args, caller, std::move(reply));
                        }}));
    // promote and rollback answer at once alone, later through the cluster hook.
    for (const QString &name : {u"promote"_qs, u"rollback"_qs})
      LMFRONT_RETURN_IF_ERROR(
          ops.addCommand({name, Role::Operator, nullptr,
                          [this, name](const QJsonObject &args, const Principal &caller, cluster::OpsReply reply) {
                            if (clusterHook && clusterHook(name, args, caller, reply)) return;
                            reply(name == u"promote"_qs ? promote(args, caller) : rollback(args, caller));
                          }}));
    return Status::ok();
  }
};

DeploymentService::DeploymentService(const NodeContext &context, GatewayService &gateway, RegistryService &registry)
    : d(std::make_unique<Impl>(context, gateway, registry)) {}

DeploymentService::~DeploymentService() { stop(); }

Status DeploymentService::start() {
  ServingState *serving = d->gateway.serving();
  if (!serving || !d->registry.catalog())
    return Status::failedPrecondition("deployments need the gateway and the catalog started first");
  if (!d->registered) {
    LMFRONT_RETURN_IF_ERROR(d->registerOps());
    d->registered = true;
  }
  serving->setCanaryBreachHandler([impl = d.get()](const CanaryBreach &b) { impl->breached(b); });
  d->running = true;
  d->restore();
  return Status::ok();
}

bool DeploymentService::drain(std::chrono::milliseconds) { return true; }

void DeploymentService::stop() {
  if (!d->running) return;
  d->running = false;
  if (ServingState *serving = d->gateway.serving()) serving->setCanaryBreachHandler({});
}

Health DeploymentService::health() const {
  Health h;
  if (d->running) h.state = Health::State::Serving;
  return h;
}

void DeploymentService::setClusterHook(ClusterHook hook) { d->clusterHook = std::move(hook); }

void DeploymentService::deployHere(const QJsonObject &args, const cluster::Principal &caller, cluster::OpsReply reply) {
  d->deploy(args, caller, std::move(reply));
}

Result<QJsonValue> DeploymentService::promoteHere(const QJsonObject &args, const cluster::Principal &caller) {
  return d->promote(args, caller);
}

Result<QJsonValue> DeploymentService::rollbackHere(const QJsonObject &args, const cluster::Principal &caller) {
  return d->rollback(args, caller);
}

Status DeploymentService::refuseHere(const std::string &actor, const std::string &action, const std::string &model,
                                     std::optional<std::int64_t> version, Status why) {
  if (!d->db()) return why;
  return d->refuse(actor, action, model, version, std::move(why));
}

Status checkDeployArgs(const QJsonObject &args) { return parseDeploy(args).status(); }

DeploymentInfo DeploymentService::deployment(const std::string &model) const { return d->info(model); }

QJsonObject DeploymentService::deploymentObject(const std::string &model) const { return d->json(model); }

std::int64_t DeploymentService::fileVersion(const std::string &model) const { return d->fileVersion(model); }

void DeploymentService::tick() {
  if (!d->running) return;
  ServingState *serving = d->gateway.serving();
  if (!serving) return;
  serving->evaluateCanaries();
  for (const DeploymentInfo &i : serving->deployments())
    if (i.variant)
      (void)d->context.ops.publish(u"deployments"_qs,
                                   QJsonObject{{u"deployment"_qs, deploymentJson(i, d->fileVersion(i.model))}});
}

}  // namespace lmfront::node
