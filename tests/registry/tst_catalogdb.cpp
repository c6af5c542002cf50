// The catalog database on a real SQLite file: version numbers never reused (across deletes and
// re-opens), every lifecycle action writing its state and audit row together, refusals audited,
// self-approval, reviews, dependencies holding retirement and artifact collection, imports
// idempotent, jobs (and the ones a crash left running), deployments, and a 1,000 × 20 listing.
#include "registry/catalogdb.h"

#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::registry;

using A = LifecycleAction;
using S = VersionState;

namespace {

struct Fixture {
  QTemporaryDir dir;
  std::int64_t clockMs = 1'765'000'000'000;
  std::string path() const { return dir.filePath(QStringLiteral("catalog.db")).toStdString(); }
  std::unique_ptr<CatalogDb> open(bool forbidSelfApproval = false) {
    auto db = CatalogDb::open(path(), CatalogOptions{[this] { return clockMs += 1000; }, forbidSelfApproval});
    if (!db) qWarning("%s", db.status().toString().c_str());
    return db ? std::move(db).value() : nullptr;
  }
};

NewVersion version(std::string sha, std::string submitter = "alice", std::vector<VersionRef> deps = {}) {
  NewVersion v;
  v.sha256 = std::move(sha);
  v.bytes = 1234;
  v.order = 3;
  v.vocabularySize = 500;
  v.submitter = std::move(submitter);
  v.dependsOn = std::move(deps);
  return v;
}

// Takes a fresh submission to `target` along the happy path.
bool advance(CatalogDb &db, const std::string &model, std::int64_t v, S target) {
  const std::vector<std::pair<A, S>> path{{A::Validate, S::Validated},
                                          {A::Approve, S::Approved},
                                          {A::Compile, S::Compiled},
                                          {A::Publish, S::Published},
                                          {A::Deploy, S::Deployed}};
  for (const auto &[action, reached] : path) {
    if (!db.transition(model, v, action, "bob", "ok")) return false;
    if (reached == target) return true;
  }
  return false;
}

}  // namespace

class TstCatalogDb : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void versionNumbersAreNeverReused() {
    Fixture f;
    {
      auto db = f.open();
      QVERIFY(db);
      QVERIFY(db->createModel({"english", "fortunes", "alice", "MIT"}, "alice").isOk());
      QCOMPARE(db->createModel({"english", "", "", ""}, "alice").code(), StatusCode::AlreadyExists);
      QCOMPARE(*db->addVersion("english", version("a"), "alice"), 1);
      QCOMPARE(*db->addVersion("english", version("b"), "alice"), 2);
      QCOMPARE(db->addVersion("nosuch", version("c"), "alice").status().code(), StatusCode::NotFound);
      QCOMPARE(db->deleteVersion("english", 2, "alice").code(), StatusCode::FailedPrecondition);  // still live
      QVERIFY(db->transition("english", 2, A::Reject, "bob", "bad").isOk());
      QVERIFY(db->deleteVersion("english", 2, "alice").isOk());
      QCOMPARE(*db->addVersion("english", version("d"), "alice"), 3);
    }
    auto db = f.open();  // the counter is on disk, not in memory
    QVERIFY(db);
    QCOMPARE(*db->addVersion("english", version("e"), "alice"), 4);
    auto m = db->model("english");
    QVERIFY(m.isOk());
    QCOMPARE(m->versions.size(), std::size_t(3));
    QCOMPARE(m->versions[1].version, 3);
    QCOMPARE(m->owner, std::string("alice"));
  }

  void aTransitionWritesStateAndAuditTogether() {
    Fixture f;
    auto db = f.open();
    QVERIFY(db->createModel({"english", "", "", ""}, "alice").isOk());
    const auto v = *db->addVersion("english", version("a"), "alice");
    QVERIFY(advance(*db, "english", v, S::Deployed));
    QCOMPARE(db->version("english", v)->state, S::Deployed);
    auto back = db->transition("english", v, A::Rollback, "carol", "latency");
    QVERIFY(back.isOk());
    QCOMPARE(back->state, S::Published);
    QCOMPARE(db->version("english", v)->state, S::Published);

    auto rows = db->audit().query({"english", 0, 100});
    QVERIFY(rows.isOk());
    QCOMPARE(rows->size(), std::size_t(8));  // create, submit, five steps, rollback
    const AuditEntry &last = rows->back();
    QCOMPARE(last.actor, std::string("carol"));
    QCOMPARE(last.action, std::string("rollback"));
    QCOMPARE(last.before, std::string("deployed"));
    QCOMPARE(last.after, std::string("published"));
    QCOMPARE(last.reason, std::string("latency"));
    QCOMPARE(last.version, std::optional<std::int64_t>(v));
    QCOMPARE(last.outcome, AuditOutcome::Ok);
    QVERIFY(rows->front().timeMs < last.timeMs);  // oldest first
  }

  void aRefusedActionIsAuditedAndChangesNothing() {
    Fixture f;
    auto db = f.open();
    QVERIFY(db->createModel({"english", "", "", ""}, "alice").isOk());
    const auto v = *db->addVersion("english", version("a"), "alice");
    auto refused = db->transition("english", v, A::Publish, "bob", "ship it");
    QCOMPARE(refused.status().code(), StatusCode::FailedPrecondition);
    QCOMPARE(refused.status().message(),
             std::string("english v1: cannot publish a version that is submitted (publish is allowed from: compiled)"));
    QCOMPARE(db->version("english", v)->state, S::Submitted);
    auto missing = db->transition("english", 9, A::Approve, "bob", "");
    QCOMPARE(missing.status().code(), StatusCode::NotFound);

    auto rows = *db->audit().query({"english", 0, 100});
    QCOMPARE(rows.size(), std::size_t(4));
    const AuditEntry &publish = rows[2];
    QCOMPARE(publish.outcome, AuditOutcome::Refused);
    QCOMPARE(publish.action, std::string("publish"));
    QCOMPARE(publish.before, std::string("submitted"));
    QCOMPARE(publish.after, std::string("submitted"));
    QVERIFY(publish.reason.find("publish is allowed from: compiled") != std::string::npos);
    QVERIFY(publish.reason.find("(comment: ship it)") != std::string::npos);
    QCOMPARE(rows[3].outcome, AuditOutcome::Refused);
    QCOMPARE(rows[3].version, std::optional<std::int64_t>(9));
  }

  void selfApprovalIsForbiddenWhenConfigured() {
    Fixture f;
    {
      auto db = f.open(true);
      QVERIFY(db->createModel({"english", "", "", ""}, "alice").isOk());
      const auto v = *db->addVersion("english", version("a", "alice"), "alice");
      QVERIFY(db->transition("english", v, A::Validate, "local", "").isOk());
      auto own = db->transition("english", v, A::Approve, "alice", "lgtm");
      QCOMPARE(own.status().code(), StatusCode::PermissionDenied);
      QVERIFY(own.status().message().find("self-approval is forbidden") != std::string::npos);
      QCOMPARE(db->audit().query({"english", 0, 100})->back().outcome, AuditOutcome::Refused);
      QVERIFY(db->transition("english", v, A::Approve, "bob", "lgtm").isOk());
      auto reviews = db->reviews("english");
      QVERIFY(reviews.isOk());
      QCOMPARE(reviews->size(), std::size_t(1));  // the refused attempt left no review
      QCOMPARE(reviews->front().reviewer, std::string("bob"));
      QCOMPARE(reviews->front().verdict, std::string("approved"));
      QCOMPARE(reviews->front().comment, std::string("lgtm"));
    }
    auto db = f.open(false);  // without the option one may approve one's own
    const auto v = *db->addVersion("english", version("b", "alice"), "alice");
    QVERIFY(db->transition("english", v, A::Validate, "local", "").isOk());
    QVERIFY(db->transition("english", v, A::Approve, "alice", "").isOk());
  }

  void dependenciesHoldRetirementAndCollection() {
    Fixture f;
    auto db = f.open();
    QVERIFY(db->createModel({"english", "", "", ""}, "alice").isOk());
    QVERIFY(db->createModel({"mix", "", "", ""}, "alice").isOk());
    const auto base = *db->addVersion("english", version("sha-base"), "alice");
    QVERIFY(advance(*db, "english", base, S::Published));
    QCOMPARE(db->addVersion("mix", version("sha-mix", "alice", {{"english", 7}}), "alice").status().code(),
             StatusCode::NotFound);
    const auto mixed = *db->addVersion("mix", version("sha-mix", "alice", {{"english", base}}), "alice");
    QCOMPARE(db->version("mix", mixed)->dependsOn, (std::vector<VersionRef>{{"english", base}}));
    QVERIFY(db->putArtifact({"sha-base", "/a/sha-base", 10, "lmb", 0}).isOk());
    QVERIFY(db->putArtifact({"sha-orphan", "/a/sha-orphan", 10, "lmb", 0}).isOk());

    auto refused = db->transition("english", base, A::Retire, "bob", "old");
    QCOMPARE(refused.status().code(), StatusCode::FailedPrecondition);
    QCOMPARE(refused.status().message(), std::string("cannot retire english v1: mix v1 depends on it"));
    QCOMPARE(db->version("english", base)->state, S::Published);

    QVERIFY(db->transition("mix", mixed, A::Reject, "bob", "no").isOk());  // the dependent is gone
    QVERIFY(db->transition("english", base, A::Retire, "bob", "old").isOk());
    auto collectable = db->collectableArtifacts();
    QVERIFY(collectable.isOk());
    QCOMPARE(collectable->size(), std::size_t(2));  // retired and no live dependent: both may go
    QVERIFY(db->removeArtifact("sha-orphan").isOk());
    QVERIFY(!db->artifact("sha-orphan")->has_value());
    QCOMPARE(db->artifact("sha-base")->value().path, std::string("/a/sha-base"));
  }

  void aLiveDependentKeepsARetiredVersionsArtifact() {
    Fixture f;
    auto db = f.open();
    QVERIFY(db->createModel({"english", "", "", ""}, "alice").isOk());
    QVERIFY(db->createModel({"mix", "", "", ""}, "alice").isOk());
    const auto base = *db->addVersion("english", version("sha-base"), "alice");
    QVERIFY(advance(*db, "english", base, S::Published));
    QVERIFY(db->addVersion("mix", version("sha-mix", "alice", {{"english", base}}), "alice").isOk());
    QVERIFY(db->putArtifact({"sha-base", "/a/sha-base", 10, "lmb", 0}).isOk());
    QVERIFY(db->collectableArtifacts()->empty());
  }

  void importIsIdempotentAndAChangedFileIsANewVersion() {
    Fixture f;
    {
      auto db = f.open();
      auto first = db->importVersion({"english", "fortunes", "", ""}, version("sha-1", "local"), "local");
      QVERIFY2(first.isOk(), first.status().message().c_str());
      QCOMPARE(first->version, 1);
      QVERIFY(first->created);
    }
    auto db = f.open();
    auto again = db->importVersion({"english", "fortunes", "", ""}, version("sha-1", "local"), "local");
    QVERIFY(again.isOk());
    QVERIFY(!again->created);
    QCOMPARE(again->version, 1);
    auto changed = db->importVersion({"english", "fortunes", "", ""}, version("sha-2", "local"), "local");
    QVERIFY(changed.isOk());
    QCOMPARE(changed->version, 2);
    auto m = *db->model("english");
    QCOMPARE(m.versions.size(), std::size_t(2));
    QCOMPARE(m.versions[0].state, S::Retired);
    QCOMPARE(m.versions[1].state, S::Deployed);
    QCOMPARE(m.description, std::string("fortunes"));
    const auto rows = *db->audit().query({"english", 0, 100});
    QCOMPARE(rows.size(), std::size_t(3));  // import v1, v1 retired, import v2
    for (const AuditEntry &e : rows) QCOMPARE(e.action, std::string("import"));
    QCOMPARE(rows[2].after, std::string("deployed"));
  }

  void jobsRunAndACrashedOneIsFailedAtOpen() {
    Fixture f;
    std::int64_t done = 0, crashed = 0, queued = 0;
    {
      auto db = f.open();
      JobBook &jobs = db->jobs();
      done = *jobs.create(JobKind::Compile, "english", 1, "alice");
      QVERIFY(jobs.progress(done, 0.5).code() == StatusCode::FailedPrecondition);  // not started
      QVERIFY(jobs.start(done).isOk());
      QVERIFY(jobs.progress(done, 0.5, "halfway").isOk());
      QVERIFY(jobs.progress(done, 7, "").isOk());
      QCOMPARE(jobs.job(done)->progress, 1.0);  // clamped
      QVERIFY(jobs.finish(done, Status::ok()).isOk());
      QCOMPARE(jobs.finish(done, Status::ok()).code(), StatusCode::FailedPrecondition);
      crashed = *jobs.create(JobKind::Train, "english", std::nullopt, "alice");
      QVERIFY(jobs.start(crashed).isOk());
      queued = *jobs.create(JobKind::Mix, "mix", std::nullopt, "alice");
      QVERIFY(jobs.cancel(done, "bob", "").code() == StatusCode::FailedPrecondition);
    }  // closed with a job running, as a kill -9 would leave it
    auto db = f.open();
    const Job c = *db->jobs().job(crashed);
    QCOMPARE(c.state, JobState::Failed);
    QCOMPARE(c.error, std::string("interrupted by a restart"));
    QVERIFY(c.finishedMs.has_value());
    const Job d = *db->jobs().job(done);
    QCOMPARE(d.state, JobState::Succeeded);
    QCOMPARE(d.log, std::string("halfway\n"));
    QCOMPARE(db->jobs().job(queued)->state, JobState::Queued);
    QVERIFY(db->jobs().cancel(queued, "bob", "not needed").isOk());
    QCOMPARE(db->jobs().job(queued)->state, JobState::Cancelled);
    QCOMPARE(db->jobs().list(true)->size(), std::size_t(0));
    QCOMPARE(db->jobs().list()->size(), std::size_t(3));
    QCOMPARE(db->jobs().job(999).status().code(), StatusCode::NotFound);

    const auto rows = *db->audit().query({"", 0, 100});
    std::vector<std::string> actions;
    for (const auto &e : rows) actions.push_back(e.action + "/" + std::string(auditOutcomeName(e.outcome)));
    QCOMPARE(actions, (std::vector<std::string>{"job/ok", "job/ok", "job/ok", "cancel_job/refused",
                                                "job_interrupted/ok", "cancel_job/ok"}));
  }

  void deploymentsAreRecorded() {
    Fixture f;
    auto db = f.open();
    const auto id = db->recordDeployment({0, "english", 2, "canary", 10, R"({"max_error_rate":0.05})", "active", 0});
    QVERIFY(id.isOk());
    QVERIFY(db->setDeploymentState(*id, "rolled_back").isOk());
    QCOMPARE(db->setDeploymentState(*id + 1, "x").code(), StatusCode::NotFound);
    const auto rows = *db->deployments("english");
    QCOMPARE(rows.size(), std::size_t(1));
    QCOMPARE(rows[0].strategy, std::string("canary"));
    QCOMPARE(rows[0].percent, 10.0);
    QCOMPARE(rows[0].state, std::string("rolled_back"));
    QCOMPARE(rows[0].limitsJson, std::string(R"({"max_error_rate":0.05})"));
  }

  void aServingArtifactIsSetAndKeptFromCollection() {
    Fixture f;
    auto db = f.open();
    QVERIFY(db->createModel({"english", "", "", ""}, "alice").isOk());
    QCOMPARE(*db->addVersion("english", version("payload"), "alice"), 1);
    QVERIFY(db->version("english", 1)->artifactSha256.empty());
    const std::string lmb(64, 'c');
    QCOMPARE(db->setServingArtifact("english", 1, lmb).code(), StatusCode::NotFound);  // no row yet
    QVERIFY(db->putArtifact({lmb, "/models/english.lmb", 4096, "lmb", 0}).isOk());
    QCOMPARE(db->setServingArtifact("english", 2, lmb).code(), StatusCode::NotFound);
    QVERIFY(db->setServingArtifact("english", 1, lmb).isOk());
    QCOMPARE(db->version("english", 1)->artifactSha256, lmb);
    QCOMPARE(db->model("english")->versions.at(0).artifactSha256, lmb);
    QCOMPARE((*db->artifact(lmb))->path, std::string("/models/english.lmb"));
    QVERIFY(db->collectableArtifacts()->empty());  // a live version is served from it
    QVERIFY(db->transition("english", 1, A::Reject, "bob", "no").isOk());
    const auto collectable = *db->collectableArtifacts();
    QCOMPARE(collectable.size(), std::size_t(1));
    QCOMPARE(collectable[0].sha256, lmb);
  }

  void aThousandModelsOfTwentyVersionsListInFull() {
    Fixture f;
    auto db = f.open();
    constexpr int kModels = 1000, kVersions = 20;
    for (int m = 0; m < kModels; ++m) {
      const std::string name = "model-" + std::to_string(m);
      QVERIFY(db->createModel({name, "", "", ""}, "alice").isOk());
      for (int v = 0; v < kVersions; ++v) QVERIFY(db->addVersion(name, version(std::to_string(v)), "alice").isOk());
    }
    auto models = db->listModels();
    QVERIFY(models.isOk());
    QCOMPARE(models->size(), std::size_t(kModels));
    std::size_t versions = 0;
    for (const ModelInfo &m : *models) {
      QCOMPARE(m.versions.size(), std::size_t(kVersions));
      QCOMPARE(m.versions.back().version, kVersions);
      QCOMPARE(m.nextVersion, kVersions + 1);
      versions += m.versions.size();
    }
    QCOMPARE(versions, std::size_t(kModels * kVersions));
  }
};

QTEST_GUILESS_MAIN(TstCatalogDb)
#include "tst_catalogdb.moc"
