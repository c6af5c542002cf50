#include "node/jobservice.h"

#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "gateway/pool/pooltask.h"
#include "node/commandargs.h"
#include "node/jobwork.h"
#include "node/registryservice.h"
#include "registry/artifactstore.h"
#include "registry/bundlemanifest.h"
#include "registry/catalogdb.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThreadPool>
#include <atomic>
#include <map>

namespace lmfront::node {

using cluster::Principal;
using cluster::Role;
using registry::Job;
using registry::JobKind;
using registry::LifecycleAction;

namespace {

QString str(const std::string &s) { return QString::fromStdString(s); }

constexpr int kJobsListed = 200;

}  // namespace

QJsonObject jobJson(const Job &job) {
  const auto time = [](std::optional<std::int64_t> ms) {
    return ms ? QJsonValue(str(registry::isoUtcMs(*ms))) : QJsonValue();
  };
  return QJsonObject{{u"id"_qs, static_cast<qint64>(job.id)},
                     {u"kind"_qs, str(std::string(registry::jobKindName(job.kind)))},
                     {u"model"_qs, str(job.model)},
                     {u"version"_qs, job.version ? QJsonValue(static_cast<qint64>(*job.version)) : QJsonValue()},
                     {u"state"_qs, str(std::string(registry::jobStateName(job.state)))},
                     {u"progress"_qs, job.progress},
                     {u"created"_qs, time(job.createdMs)},
                     {u"started"_qs, time(job.startedMs)},
                     {u"finished"_qs, time(job.finishedMs)},
                     {u"error"_qs, job.error.empty() ? QJsonValue() : QJsonValue(str(job.error))},
                     {u"actor"_qs, str(job.actor)}};
}

struct JobService::Impl {
  Impl(const NodeContext &c, RegistryService &r, JobOptions o) : context(c), registry(r), options(std::move(o)) {
    pool.setMaxThreadCount(1);  // one job at a time: each may use the machine's memory and cores
    pool.setObjectName(QStringLiteral("lmfront-jobs"));
  }

  const NodeContext &context;
  RegistryService &registry;
  JobOptions options;
  std::unique_ptr<registry::ArtifactStore> artifacts;
  QString scratch;                  // DATA_DIR/jobs: each job's working files, emptied at start
  std::unique_ptr<QObject> anchor;  // on the node thread: where the work's reports are applied
  QThreadPool pool;
  std::map<std::int64_t, std::shared_ptr<JobRun>> running;  // node thread
  bool registered = false;

  registry::CatalogDb *db() { return registry.catalog(); }

  // Runs `f` on the node thread. Only called while `anchor` exists (stop() waits for the pool).
  void post(std::function<void()> f) { gateway::pool::postQueued(anchor.get(), std::move(f)); }

  void publishJob(std::int64_t id) {
    if (!db()) return;
    if (auto job = db()->jobs().job(id)) (void)context.ops.publish(u"jobs"_qs, QJsonObject{{u"job"_qs, jobJson(*job)}});
  }

  // Queues `work` as job `id` (created queued in the book). Its result applies on the node thread.
  void launch(std::int64_t id, JobWork work) {
    auto run = std::make_shared<JobRun>();
    run->id = id;
    run->report = [this, id](double progress, std::string line) {
      post([this, id, progress, line] {
        if (!db()) return;
        (void)db()->jobs().progress(id, progress, line);
        publishJob(id);
      });
    };
    running[id] = run;
    publishJob(id);
    gateway::pool::startPooled(pool, [this, run, work = std::move(work)] {
      if (run->cancelled) return post([this, run] { running.erase(run->id); });
      post([this, id = run->id] {
        if (db() && db()->jobs().start(id)) publishJob(id);
      });
      auto outcome = std::make_shared<Result<JobApply>>(work(*run));
      post([this, run, outcome] {
        running.erase(run->id);
        if (!db() || run->cancelled) return;  // cancel_job wrote the job's end
        Status result = outcome->isOk() ? (**outcome)() : outcome->status();
        if (!result.isOk()) (void)db()->jobs().progress(run->id, 1, "failed: " + result.message());
        (void)db()->jobs().finish(run->id, result);
        publishJob(run->id);
        if (auto job = db()->jobs().job(run->id)) registry.publishChanges(job->model);
      });
    });
  }

  Result<registry::VersionInfo> versionFor(const QJsonObject &args) {
    auto model = stringArg(args, u"model", true);
    if (!model) return model.status();
    auto version = positiveArg(args, u"version");
    if (!version) return version.status();
    return db()->version(*model, *version);
  }

  QString bundlePath(const registry::VersionInfo &v) const { return QString::fromStdString(artifacts->path(v.sha256)); }
  // The file of a version's artifact `sha256`: where the catalog recorded it (an imported file
  // stays where it was), else the store's place for it.
  QString bundlePath(const registry::VersionRef &, const std::string &sha256) const {
    if (auto known = registry.catalog()->artifact(sha256); known && *known)
      return QString::fromStdString((*known)->path);
    return QString::fromStdString(artifacts->path(sha256));
  }

  JobParts parts(std::int64_t id) const {
    return JobParts{*artifacts, options.limits, options.validation, scratch + u"/job-"_qs + QString::number(id)};
  }

  // Validation (a `train` job first trains a corpus bundle): the report is stored, the version
  // becomes validated or rejected.
  Result<QJsonValue> startValidation(const registry::VersionInfo &v, const std::string &actor, bool training) {
    auto id = db()->jobs().create(training ? JobKind::Train : JobKind::Validate, v.model, v.version, actor);
    if (!id) return id.status();
    registry::CatalogDb *catalog = db();
    launch(*id, validationWork(
                    parts(*id), bundlePath(v), v.model, [catalog, v, actor](const ValidationOutcome &o) -> Status {
                      LMFRONT_RETURN_IF_ERROR(catalog->recordValidation(v.model, v.version, o.record));
                      if (o.trained) {  // what compile works from
                        LMFRONT_RETURN_IF_ERROR(catalog->putArtifact(*o.trained));
                        LMFRONT_RETURN_IF_ERROR(catalog->setServingArtifact(v.model, v.version, o.trained->sha256));
                      }
                      auto moved = catalog->transition(
                          v.model, v.version, o.record.passed ? LifecycleAction::Validate : LifecycleAction::Reject,
                          actor, o.summary);
                      return moved.status();
                    }));
    auto job = db()->jobs().job(*id);
    if (!job) return job.status();
    return QJsonValue(jobJson(*job));
  }

  Result<QJsonValue> validate(const QJsonObject &args, const Principal &caller) {
    auto v = versionFor(args);
    if (!v) return v.status();
    if (auto next = registry::nextState(LifecycleAction::Validate, v->state); !next) return next.status();
    auto record = db()->artifact(v->sha256);
    if (!record) return record.status();
    if (!*record || (*record)->kind != "bundle")
      return Status::failedPrecondition(v->model + " v" + std::to_string(v->version) +
                                        " was not submitted as a bundle: nothing to validate");
    return startValidation(*v, auditActor(caller), false);
  }

  Result<QJsonValue> compile(const QJsonObject &args, const Principal &caller) {
    auto v = versionFor(args);
    if (!v) return v.status();
    if (auto next = registry::nextState(LifecycleAction::Compile, v->state); !next) return next.status();
    // A corpus bundle's validation stored the model it trained as the version's serving artifact.
    QString trained;
    if (!v->artifactSha256.empty())
      if (auto a = db()->artifact(v->artifactSha256); a && *a && (*a)->kind == "arpa")
        trained = QString::fromStdString((*a)->path);
    auto id = db()->jobs().create(JobKind::Compile, v->model, v->version, auditActor(caller));
    if (!id) return id.status();
    registry::CatalogDb *catalog = db();
    const std::string actor = auditActor(caller);
    const std::string comment = args.value(u"comment"_qs).toString().toStdString();
    launch(*id,
           compileWork(parts(*id), bundlePath(*v), trained, [catalog, v = *v, actor, comment](const CompileOutcome &o) {
             LMFRONT_RETURN_IF_ERROR(catalog->putArtifact(o.artifact));
             // The compiled file is what a deploy of this version loads.
             LMFRONT_RETURN_IF_ERROR(catalog->setServingArtifact(v.model, v.version, o.artifact.sha256));
             const std::string reason =
                 "compiled: " + o.artifact.sha256 + (comment.empty() ? "" : " (" + comment + ")");
             return catalog->transition(v.model, v.version, LifecycleAction::Compile, actor, reason).status();
           }));
    auto job = db()->jobs().job(*id);
    if (!job) return job.status();
    return QJsonValue(jobJson(*job));
  }

  // What the SubmissionStore took in becomes a submitted version, then its validation starts.
  Result<QJsonValue> submit(const QJsonObject &args, const Principal &caller) {
    auto sha = stringArg(args, u"artifact", true);
    if (!sha) return sha.status();
    if (!artifacts->contains(*sha)) return Status::notFound("no stored artifact " + *sha);
    if (auto known = db()->artifact(*sha); known && *known && (*known)->kind != "bundle")
      return Status::invalidArgument("artifact " + *sha + " is a " + (*known)->kind + ", not a submitted bundle");
    const std::string actor = auditActor(caller);
    Result<QJsonValue> answer = record(*sha, args, actor);
    if (!answer) {
      // Refused by the catalog: the payload stored for it goes too, unless something names it.
      if (auto known = db()->artifact(*sha); known && !*known) QFile::remove(str(artifacts->path(*sha)));
      registry.publishChanges({});
    }
    return answer;
  }

  Result<QJsonValue> record(const std::string &sha, const QJsonObject &args, const std::string &actor) {
    auto manifest = registry::parseBundleManifest(args.value(u"manifest"_qs).toString().toUtf8());
    if (!manifest) return manifest.status().withContext("model.json");
    const std::string name = manifest->name.toStdString();
    if (auto known = db()->model(name); !known) {
      if (known.status().code() != StatusCode::NotFound) return known.status();
      LMFRONT_RETURN_IF_ERROR(db()->createModel(
          {name, manifest->description.toStdString(), manifest->owner.toStdString(), manifest->license.toStdString()},
          actor));
    }
    registry::NewVersion v;
    v.sha256 = sha;
    v.bytes = static_cast<std::int64_t>(QFileInfo(str(artifacts->path(sha))).size());
    v.order = manifest->order;
    v.submitter = actor;
    v.card = args.value(u"card"_qs).toString().toStdString();
    for (const auto &d : manifest->dependsOn) v.dependsOn.push_back({d.model.toStdString(), d.version});
    auto number = db()->addVersion(name, v, actor);
    registry.publishChanges(name);
    if (!number) return number.status();
    LMFRONT_RETURN_IF_ERROR(
        db()->putArtifact({sha, artifacts->path(sha), v.bytes, "bundle", QDateTime::currentMSecsSinceEpoch()}));
    auto version = db()->version(name, *number);
    if (!version) return version.status();
    auto job = startValidation(*version, actor, manifest->train.has_value());
    if (!job) return job.status();
    return QJsonValue(QJsonObject{{u"model"_qs, str(name)},
                                  {u"version"_qs, static_cast<qint64>(*number)},
                                  {u"state"_qs, u"submitted"_qs},
                                  {u"job"_qs, job->toObject().value(u"id"_qs)}});
  }

  // A new version of `model` mixed from published versions; validated like any submission.
  Result<QJsonValue> mix(const QJsonObject &args, const Principal &caller) {
    auto model = stringArg(args, u"model", true);
    if (!model) return model.status();
    if (!registry::isModelName(QString::fromStdString(*model)))
      return Status::invalidArgument("\"model\": " + *model + " is not a model name ([a-z][a-z0-9_-]{0,63})");
    const QJsonArray list = args.value(u"sources"_qs).toArray();
    if (list.size() < 2) return Status::invalidArgument("\"sources\": at least two {\"model\",\"version\"}");
    std::vector<MixSource> sources;
    for (qsizetype i = 0; i < list.size(); ++i) {
      const QJsonObject o = list[i].toObject();
      const std::string at = "sources[" + std::to_string(i) + "]";
      auto v = versionFor(o);
      if (!v) return v.status().withContext(at);
      if (v->state != registry::VersionState::Published && v->state != registry::VersionState::Deployed)
        return Status::failedPrecondition(at + ": " + v->model + " v" + std::to_string(v->version) + " is " +
                                          std::string(registry::versionStateName(v->state)) +
                                          "; only published versions are mixed");
      if (v->artifactSha256.empty())
        return Status::failedPrecondition(at + ": " + v->model + " v" + std::to_string(v->version) +
                                          " has no serving artifact");
      MixSource source{{v->model, v->version}, bundlePath({v->model, v->version}, v->artifactSha256), {}};
      if (o.contains(u"weight"_qs)) {
        const double w = o.value(u"weight"_qs).toDouble(-1);
        if (!(w >= 0)) return Status::invalidArgument(at + ".weight: expected a number >= 0");
        source.weight = w;
      }
      if (source.weight.has_value() != (i == 0 ? source.weight.has_value() : sources.front().weight.has_value()))
        return Status::invalidArgument(
            "\"sources\": give every source a weight, or none (then \"dev_text\" tunes them)");
      sources.push_back(std::move(source));
    }
    const QString devText = args.value(u"dev_text"_qs).toString();
    if (!sources.front().weight && devText.trimmed().isEmpty())
      return Status::invalidArgument("\"dev_text\": required to tune the weights (or give each source a weight)");
    const std::string actor = auditActor(caller);
    auto id = db()->jobs().create(JobKind::Mix, *model, std::nullopt, actor);
    if (!id) return id.status();
    launch(*id, mixWork(parts(*id), QString::fromStdString(*model), actor, std::move(sources), devText,
                        [this, actor](const MixOutcome &o) -> Status {
                          auto recorded =
                              record(o.sha256,
                                     QJsonObject{{u"manifest"_qs, QString::fromUtf8(o.manifest)}, {u"card"_qs, o.card}},
                                     actor);
                          return recorded.status();
                        }));
    auto job = db()->jobs().job(*id);
    if (!job) return job.status();
    return QJsonValue(jobJson(*job));
  }

  Result<QJsonValue> listJobs(const QJsonObject &args) {
    if (args.contains(u"id"_qs)) {  // one job
      auto id = positiveArg(args, u"id");
      if (!id) return id.status();
      auto job = db()->jobs().job(*id);
      if (!job) return job.status();
      return QJsonValue(QJsonObject{{u"jobs"_qs, QJsonArray{jobJson(*job)}}});
    }
    auto jobs = db()->jobs().list(args.value(u"active"_qs).toBool(false), kJobsListed);
    if (!jobs) return jobs.status();
    QJsonArray out;
    for (const auto &j : *jobs) out.append(jobJson(j));
    return QJsonValue(QJsonObject{{u"jobs"_qs, out}});
  }

  Result<QJsonValue> jobLog(const QJsonObject &args) {
    auto id = positiveArg(args, u"id");
    if (!id) return id.status();
    auto job = db()->jobs().job(*id);
    if (!job) return job.status();
    QJsonArray lines;
    for (const QString &line : str(job->log).split(u'\n', Qt::SkipEmptyParts)) lines.append(line);
    return QJsonValue(QJsonObject{{u"id"_qs, static_cast<qint64>(*id)}, {u"lines"_qs, lines}});
  }

  Result<QJsonValue> cancel(const QJsonObject &args, const Principal &caller) {
    auto id = positiveArg(args, u"id");
    if (!id) return id.status();
    LMFRONT_RETURN_IF_ERROR(
        db()->jobs().cancel(*id, auditActor(caller), args.value(u"reason"_qs).toString().toStdString()));
    if (auto run = running.find(*id); run != running.end()) run->second->cancelled = true;
    publishJob(*id);
    if (auto job = db()->jobs().job(*id)) {
      registry.publishChanges(job->model);
      return QJsonValue(jobJson(*job));
    }
    return Status::notFound("no job " + std::to_string(*id));
  }

  Result<QJsonValue> validationReport(const QJsonObject &args) {
    auto v = versionFor(args);
    if (!v) return v.status();
    auto report = db()->validationReport(v->model, v->version);
    if (!report) return report.status();
    return QJsonValue(QJsonDocument::fromJson(QByteArray::fromStdString(*report)).object());
  }

  Result<QJsonValue> gc(const Principal &caller) {
    auto swept = collectArtifacts(*db(), *artifacts, auditActor(caller));
    if (!swept) return swept.status();
    registry.publishChanges({});
    return QJsonValue(QJsonObject{{u"removed"_qs, static_cast<qint64>(swept->removed)},
                                  {u"bytes"_qs, static_cast<qint64>(swept->bytes)}});
  }

  Status registerOps() {
    cluster::OpsRegistry &ops = context.ops;
    LMFRONT_RETURN_IF_ERROR(ops.addTopic({u"jobs"_qs, Role::Viewer, cluster::OpsDelivery::EveryDelta,
                                          [this](const QJsonObject &) -> Result<QJsonObject> {
                                            if (!db()) return Status::unavailable("the catalog is not open");
                                            auto list = listJobs({});
                                            if (!list) return list.status();
                                            return list->toObject();
                                          }}));
    using Handler = std::function<Result<QJsonValue>(const QJsonObject &, const Principal &)>;
    const auto add = [&](const char16_t *name, Role role, Handler handler) {
      return ops.addCommand({QString::fromUtf16(name), role,
                             [this, handler](const QJsonObject &args, const Principal &caller) -> Result<QJsonValue> {
                               if (!db() || !anchor) return Status::unavailable("the catalog is not open");
                               return handler(args, caller);
                             }});
    };
    LMFRONT_RETURN_IF_ERROR(add(u"submit", Role::Operator, [this](auto &a, auto &c) { return submit(a, c); }));
    LMFRONT_RETURN_IF_ERROR(add(u"validate", Role::Operator, [this](auto &a, auto &c) { return validate(a, c); }));
    LMFRONT_RETURN_IF_ERROR(add(u"compile", Role::Operator, [this](auto &a, auto &c) { return compile(a, c); }));
    LMFRONT_RETURN_IF_ERROR(add(u"gc", Role::Admin, [this](auto &, auto &c) { return gc(c); }));
    LMFRONT_RETURN_IF_ERROR(add(u"mix", Role::Operator, [this](auto &a, auto &c) { return mix(a, c); }));
    LMFRONT_RETURN_IF_ERROR(add(u"cancel_job", Role::Operator, [this](auto &a, auto &c) { return cancel(a, c); }));
    LMFRONT_RETURN_IF_ERROR(add(u"jobs", Role::Viewer, [this](auto &a, auto &) { return listJobs(a); }));
    LMFRONT_RETURN_IF_ERROR(add(u"job_log", Role::Viewer, [this](auto &a, auto &) { return jobLog(a); }));
    LMFRONT_RETURN_IF_ERROR(
        add(u"validation_report", Role::Viewer, [this](auto &a, auto &) { return validationReport(a); }));
    return Status::ok();
  }
};

JobService::JobService(const NodeContext &context, RegistryService &registry, JobOptions options)
    : d(std::make_unique<Impl>(context, registry, std::move(options))) {}

JobService::~JobService() { stop(); }

Status JobService::start() {
  if (d->anchor) return Status::failedPrecondition("the job service is already running");
  if (!d->db()) return Status::failedPrecondition("jobs: the catalog is not open");
  auto artifacts = registry::ArtifactStore::open(QString(d->context.dataDir + u"/artifacts"_qs).toStdString());
  if (!artifacts) return artifacts.status();
  d->artifacts = std::move(*artifacts);
  d->scratch = d->context.dataDir + u"/jobs"_qs;
  QDir(d->scratch).removeRecursively();  // the working files of jobs a crash interrupted
  if (!QDir().mkpath(d->scratch)) return Status::ioError("cannot create " + d->scratch.toStdString());
  d->anchor = std::make_unique<QObject>();
  // Jobs queued when the node last went down never ran: their queue is gone.
  if (auto queued = d->db()->jobs().list(true, 10'000))
    for (const Job &job : *queued)
      if (job.state == registry::JobState::Queued) (void)d->db()->jobs().cancel(job.id, "local", "the node restarted");
  if (!d->registered) {
    if (Status st = d->registerOps(); !st) {
      d->anchor.reset();
      return st;
    }
    d->registered = true;
  }
  return Status::ok();
}

bool JobService::drain(std::chrono::milliseconds) { return true; }

void JobService::stop() {
  if (!d->anchor) return;
  for (auto &[id, run] : d->running) run->cancelled = true;
  d->pool.clear();
  d->pool.waitForDone();
  // What the work posted before it stopped is dropped with the anchor; the book says how each
  // job ended (a crash instead leaves it running, and the next open fails it).
  d->anchor.reset();
  if (registry::CatalogDb *db = d->db())
    for (const auto &[id, run] : d->running) {
      auto job = db->jobs().job(id);
      if (!job) continue;
      if (job->state == registry::JobState::Running)
        (void)db->jobs().finish(id, Status::cancelled("the node stopped"));
      else if (job->state == registry::JobState::Queued)
        (void)db->jobs().cancel(id, "local", "the node stopped");
    }
  d->running.clear();
}

Health JobService::health() const {
  Health h;
  if (d->anchor) h.state = Health::State::Serving;
  return h;
}

}  // namespace lmfront::node
