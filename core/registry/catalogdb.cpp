#include "registry/catalogdb.h"

#include "storage/sqlitedb.h"

#include <algorithm>
#include <map>

namespace lmfront::registry {

namespace {

// Released steps are never edited: a change is a new step appended.
const std::vector<std::string_view> kMigrations = {
    R"sql(
CREATE TABLE models (name TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT '',
  license TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL, next_version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE versions (model TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL,
  sha256 TEXT NOT NULL DEFAULT '', bytes INTEGER NOT NULL DEFAULT 0, ngram_order INTEGER NOT NULL DEFAULT 0,
  vocabulary INTEGER NOT NULL DEFAULT 0, dev_perplexity REAL, submitter TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL, card TEXT NOT NULL DEFAULT '', PRIMARY KEY (model, version)) WITHOUT ROWID;
CREATE INDEX versions_sha256 ON versions (sha256);
CREATE TABLE artifacts (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, bytes INTEGER NOT NULL, kind TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE dependencies (model TEXT NOT NULL, version INTEGER NOT NULL, on_model TEXT NOT NULL,
  on_version INTEGER NOT NULL, PRIMARY KEY (model, version, on_model, on_version)) WITHOUT ROWID;
CREATE INDEX dependencies_on ON dependencies (on_model, on_version);
CREATE TABLE reviews (id INTEGER PRIMARY KEY, model TEXT NOT NULL, version INTEGER NOT NULL, reviewer TEXT NOT NULL,
  verdict TEXT NOT NULL, comment TEXT NOT NULL, time_ms INTEGER NOT NULL);
CREATE INDEX reviews_version ON reviews (model, version);
CREATE TABLE deployments (id INTEGER PRIMARY KEY, model TEXT NOT NULL, version INTEGER NOT NULL,
  strategy TEXT NOT NULL, percent REAL NOT NULL, limits TEXT NOT NULL DEFAULT '{}', state TEXT NOT NULL,
  time_ms INTEGER NOT NULL);
CREATE INDEX deployments_model ON deployments (model, id);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL DEFAULT '', version INTEGER,
  state TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, log TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL, started_ms INTEGER, finished_ms INTEGER, error TEXT NOT NULL DEFAULT '');
CREATE INDEX jobs_state ON jobs (state);
CREATE TABLE audit (id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '', version INTEGER, before TEXT NOT NULL DEFAULT '', after TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL);
CREATE INDEX audit_time ON audit (time_ms);
CREATE INDEX audit_model_time ON audit (model, time_ms);
)sql",
    R"sql(
CREATE TABLE validation_reports (model TEXT NOT NULL, version INTEGER NOT NULL, passed INTEGER NOT NULL,
  report TEXT NOT NULL, time_ms INTEGER NOT NULL, PRIMARY KEY (model, version)) WITHOUT ROWID;
)sql",
    // The artifact a version is served from (an imported file, a compile's output): it may differ
    // from the payload the version was submitted as.
    R"sql(
ALTER TABLE versions ADD COLUMN artifact_sha256 TEXT NOT NULL DEFAULT '';
CREATE INDEX versions_artifact ON versions (artifact_sha256);
)sql",
};

constexpr std::string_view kInsertedVersionColumns =
    "model, version, state, sha256, bytes, ngram_order, vocabulary, dev_perplexity, submitter, created_ms, card";
constexpr std::string_view kVersionColumns =
    "model, version, state, sha256, bytes, ngram_order, vocabulary, dev_perplexity, submitter, created_ms, card, "
    "artifact_sha256";
constexpr std::string_view kListColumns =
    "model, version, state, sha256, bytes, ngram_order, vocabulary, dev_perplexity, submitter, created_ms, '', "
    "artifact_sha256";
// A version still in play: its dependencies hold, its artifact is kept.
constexpr std::string_view kLive = "state NOT IN ('rejected', 'retired')";

std::string label(const std::string &model, std::int64_t version) { return model + " v" + std::to_string(version); }

VersionInfo readVersion(const storage::SqliteStatement &q) {
  VersionInfo v;
  v.model = q.text(0);
  v.version = q.int64(1);
  v.state = versionStateFromName(q.text(2)).value_or(VersionState::Submitted);
  v.sha256 = q.text(3);
  v.bytes = q.int64(4);
  v.order = static_cast<int>(q.int64(5));
  v.vocabularySize = q.int64(6);
  v.devPerplexity = q.optionalReal(7);
  v.submitter = q.text(8);
  v.createdMs = q.int64(9);
  v.card = q.text(10);
  v.artifactSha256 = q.text(11);
  return v;
}

ArtifactRecord readArtifact(const storage::SqliteStatement &q) {
  return {q.text(0), q.text(1), q.int64(2), q.text(3), q.int64(4)};
}

}  // namespace

CatalogDb::CatalogDb(std::unique_ptr<storage::SqliteDb> db, CatalogOptions options)
    : m_db(std::move(db)), m_options(std::move(options)) {
  m_audit = std::make_unique<AuditLog>(*m_db);
  m_jobs = std::make_unique<JobBook>(*m_db, *m_audit, m_options.nowMs);
}

CatalogDb::~CatalogDb() = default;

Result<std::unique_ptr<CatalogDb>> CatalogDb::open(const std::string &path, CatalogOptions options) {
  if (!options.nowMs) return Status::invalidArgument("catalog: no wall clock given");
  storage::SqliteOptions sqlite;
  sqlite.migrations = kMigrations;
  auto db = storage::SqliteDb::open(path, sqlite);
  if (!db) return db.status();
  std::unique_ptr<CatalogDb> catalog(new CatalogDb(std::move(*db), std::move(options)));
  if (auto failed = catalog->jobs().failInterrupted(); !failed) return failed.status();
  return catalog;
}

Status CatalogDb::createModel(const NewModel &m, const std::string &actor) {
  if (m.name.empty()) return Status::invalidArgument("a model needs a name");
  return m_db->transaction([&]() -> Status {
    auto insert =
        m_db->prepare("INSERT INTO models (name, description, owner, license, created_ms) VALUES (?, ?, ?, ?, ?)");
    if (!insert) return insert.status();
    const Status inserted =
        insert->bind(1, m.name).bind(2, m.description).bind(3, m.owner).bind(4, m.license).bind(5, now()).run();
    if (inserted.code() == StatusCode::AlreadyExists) return Status::alreadyExists("model " + m.name + " exists");
    LMFRONT_RETURN_IF_ERROR(inserted);
    return m_audit->append(
        {now(), actor, "create_model", m.name, std::nullopt, "", "", m.description, AuditOutcome::Ok});
  });
}

Result<std::int64_t> CatalogDb::takeVersionNumber(const std::string &model) {
  auto bump = m_db->prepare("UPDATE models SET next_version = next_version + 1 WHERE name = ? RETURNING next_version");
  if (!bump) return bump.status();
  bump->bind(1, model);
  auto row = bump->step();
  if (!row) return row.status();
  if (!*row) return Status::notFound("no model " + model);
  const std::int64_t taken = bump->int64(0) - 1;
  bump->reset();
  return taken;
}

Status CatalogDb::checkDependencies(const std::vector<VersionRef> &dependsOn) const {
  for (const VersionRef &d : dependsOn) {
    auto v = version(d.model, d.version);
    if (!v) return v.status().withContext("depends_on");
    if (isFinal(v->state))
      return Status::failedPrecondition("depends_on: " + label(d.model, d.version) + " is " +
                                        std::string(versionStateName(v->state)));
  }
  return Status::ok();
}

Status CatalogDb::insertVersion(const std::string &model, std::int64_t number, VersionState state,
                                const NewVersion &v) {
  auto insert = m_db->prepare("INSERT INTO versions (" + std::string(kInsertedVersionColumns) +
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.status();
  insert->bind(1, model).bind(2, number).bind(3, versionStateName(state)).bind(4, v.sha256).bind(5, v.bytes);
  insert->bind(6, std::int64_t{v.order}).bind(7, v.vocabularySize);
  if (v.devPerplexity)
    insert->bind(8, *v.devPerplexity);
  else
    insert->bindNull(8);
  insert->bind(9, v.submitter).bind(10, now()).bind(11, v.card);
  LMFRONT_RETURN_IF_ERROR(insert->run());
  auto dep =
      m_db->prepare("INSERT OR IGNORE INTO dependencies (model, version, on_model, on_version) VALUES (?, ?, ?, ?)");
  if (!dep) return dep.status();
  for (const VersionRef &d : v.dependsOn) {
    LMFRONT_RETURN_IF_ERROR(dep->bind(1, model).bind(2, number).bind(3, d.model).bind(4, d.version).run());
    dep->reset();
  }
  return Status::ok();
}

Result<std::int64_t> CatalogDb::addVersion(const std::string &model, const NewVersion &v, const std::string &actor) {
  return m_db->transaction([&]() -> Result<std::int64_t> {
    LMFRONT_RETURN_IF_ERROR(checkDependencies(v.dependsOn));
    auto number = takeVersionNumber(model);
    if (!number) return number.status();
    LMFRONT_RETURN_IF_ERROR(insertVersion(model, *number, VersionState::Submitted, v));
    LMFRONT_RETURN_IF_ERROR(m_audit->append(
        {now(), actor, "submit", model, *number, "", "submitted", "sha256 " + v.sha256, AuditOutcome::Ok}));
    return *number;
  });
}

Result<ImportOutcome> CatalogDb::importVersion(const NewModel &m, const NewVersion &v, const std::string &actor) {
  return m_db->transaction([&]() -> Result<ImportOutcome> {
    auto existing = readVersions(m.name);
    if (!existing) return existing.status();
    if (existing->empty() && !model(m.name)) {
      auto insert =
          m_db->prepare("INSERT INTO models (name, description, owner, license, created_ms) VALUES (?, ?, ?, ?, ?)");
      if (!insert) return insert.status();
      LMFRONT_RETURN_IF_ERROR(
          insert->bind(1, m.name).bind(2, m.description).bind(3, m.owner).bind(4, m.license).bind(5, now()).run());
    }
    // Any version with this content, whatever its state since: the file is one the catalog knows.
    for (const VersionInfo &old : *existing)
      if (old.sha256 == v.sha256) return ImportOutcome{old.version, false};
    auto number = takeVersionNumber(m.name);
    if (!number) return number.status();
    for (const VersionInfo &old : *existing) {
      if (old.state != VersionState::Deployed) continue;
      LMFRONT_RETURN_IF_ERROR(setState(m.name, old.version, VersionState::Retired));
      LMFRONT_RETURN_IF_ERROR(
          m_audit->append({now(), actor, "import", m.name, old.version, "deployed", "retired",
                           "the file changed: replaced by version " + std::to_string(*number), AuditOutcome::Ok}));
    }
    LMFRONT_RETURN_IF_ERROR(insertVersion(m.name, *number, VersionState::Deployed, v));
    LMFRONT_RETURN_IF_ERROR(m_audit->append(
        {now(), actor, "import", m.name, *number, "", "deployed", "sha256 " + v.sha256, AuditOutcome::Ok}));
    return ImportOutcome{*number, true};
  });
}

Status CatalogDb::deleteVersion(const std::string &model, std::int64_t number, const std::string &actor) {
  return m_db->transaction([&]() -> Status {
    auto v = version(model, number);
    if (!v) return v.status();
    if (!isFinal(v->state))
      return Status::failedPrecondition("cannot delete " + label(model, number) + ": it is " +
                                        std::string(versionStateName(v->state)) + " (retire or reject it first)");
    auto users = dependents(model, number);
    if (!users) return users.status();
    if (!users->empty())
      return Status::failedPrecondition("cannot delete " + label(model, number) + ": " +
                                        label(users->front().model, users->front().version) + " depends on it");
    for (const char *sql : {"DELETE FROM versions WHERE model = ? AND version = ?",
                            "DELETE FROM dependencies WHERE model = ? AND version = ?"}) {
      auto del = m_db->prepare(sql);
      if (!del) return del.status();
      LMFRONT_RETURN_IF_ERROR(del->bind(1, model).bind(2, number).run());
    }
    const std::string state(versionStateName(v->state));
    return m_audit->append({now(), actor, "delete", model, number, state, "", "", AuditOutcome::Ok});
  });
}

Status CatalogDb::setState(const std::string &model, std::int64_t number, VersionState state) {
  auto update = m_db->prepare("UPDATE versions SET state = ? WHERE model = ? AND version = ?");
  if (!update) return update.status();
  return update->bind(1, versionStateName(state)).bind(2, model).bind(3, number).run();
}

Result<VersionInfo> CatalogDb::applyTransition(const std::string &model, std::int64_t number, LifecycleAction action,
                                               const std::string &actor, const std::string &reason) {
  auto v = version(model, number);
  if (!v) return v.status();
  auto next = nextState(action, v->state);
  if (!next) return next.status().withContext(label(model, number));
  if (action == LifecycleAction::Approve && m_options.forbidSelfApproval && actor == v->submitter)
    return Status::permissionDenied(label(model, number) + ": " + actor +
                                    " submitted this version and cannot approve it (self-approval is forbidden)");
  if (action == LifecycleAction::Retire) {
    auto users = dependents(model, number);
    if (!users) return users.status();
    if (!users->empty()) {
      std::string names;
      for (const VersionRef &u : *users) names += (names.empty() ? "" : ", ") + label(u.model, u.version);
      return Status::failedPrecondition("cannot retire " + label(model, number) + ": " + names +
                                        (users->size() == 1 ? " depends" : " depend") + " on it");
    }
  }
  LMFRONT_RETURN_IF_ERROR(setState(model, number, *next));
  if (action == LifecycleAction::Approve || action == LifecycleAction::Reject) {
    auto review = m_db->prepare(
        "INSERT INTO reviews (model, version, reviewer, verdict, comment, time_ms) VALUES (?, ?, ?, ?, ?, ?)");
    if (!review) return review.status();
    LMFRONT_RETURN_IF_ERROR(review->bind(1, model)
                                .bind(2, number)
                                .bind(3, actor)
                                .bind(4, action == LifecycleAction::Approve ? "approved" : "rejected")
                                .bind(5, reason)
                                .bind(6, now())
                                .run());
  }
  LMFRONT_RETURN_IF_ERROR(m_audit->append({now(), actor, std::string(lifecycleActionName(action)), model, number,
                                           std::string(versionStateName(v->state)),
                                           std::string(versionStateName(*next)), reason, AuditOutcome::Ok}));
  v->state = *next;
  return std::move(*v);
}

Result<VersionInfo> CatalogDb::transition(const std::string &model, std::int64_t number, LifecycleAction action,
                                          const std::string &actor, const std::string &reason) {
  auto applied = m_db->transaction([&] { return applyTransition(model, number, action, actor, reason); });
  if (applied) return applied;
  const StatusCode code = applied.status().code();
  if (code != StatusCode::FailedPrecondition && code != StatusCode::PermissionDenied && code != StatusCode::NotFound)
    return applied;  // the database failed: nothing was decided, nothing to audit
  std::string state;
  if (auto v = version(model, number)) state = versionStateName(v->state);
  std::string why = applied.status().message();
  if (!reason.empty()) why += " (comment: " + reason + ")";
  const Status audited = m_db->transaction([&] {
    return m_audit->append({now(), actor, std::string(lifecycleActionName(action)), model, number, state, state, why,
                            AuditOutcome::Refused});
  });
  if (!audited) return audited;
  return applied;
}

Result<std::vector<VersionInfo>> CatalogDb::readVersions(const std::string &model) const {
  // Two statements, not "?1 = '' OR model = ?1": SQLite cannot use the key for an OR on a
  // parameter, so one model's versions would scan the whole table.
  // The listing leaves the cards out: they can be long, and it never shows them.
  const std::string columns = model.empty() ? std::string(kListColumns) : std::string(kVersionColumns);
  auto select = m_db->prepare("SELECT " + columns + " FROM versions" +
                              (model.empty() ? " ORDER BY model, version" : " WHERE model = ?1 ORDER BY version"));
  if (!select) return select.status();
  if (!model.empty()) select->bind(1, model);
  auto versions = select->collect<VersionInfo>(readVersion);
  if (!versions) return versions;
  auto deps =
      m_db->prepare(std::string("SELECT model, version, on_model, on_version FROM dependencies") +
                    (model.empty() ? "" : " WHERE model = ?1") + " ORDER BY model, version, on_model, on_version");
  if (!deps) return deps.status();
  if (!model.empty()) deps->bind(1, model);
  std::map<std::pair<std::string, std::int64_t>, std::vector<VersionRef>> byVersion;
  for (;;) {
    auto row = deps->step();
    if (!row) return row.status();
    if (!*row) break;
    byVersion[{deps->text(0), deps->int64(1)}].push_back({deps->text(2), deps->int64(3)});
  }
  for (VersionInfo &v : *versions)
    if (auto it = byVersion.find({v.model, v.version}); it != byVersion.end()) v.dependsOn = std::move(it->second);
  return versions;
}

Result<std::vector<ModelInfo>> CatalogDb::listModels() const {
  auto select =
      m_db->prepare("SELECT name, description, owner, license, created_ms, next_version FROM models ORDER BY name");
  if (!select) return select.status();
  auto models = select->collect<ModelInfo>([](const storage::SqliteStatement &q) {
    return ModelInfo{q.text(0), q.text(1), q.text(2), q.text(3), q.int64(4), q.int64(5), {}};
  });
  if (!models) return models;
  auto versions = readVersions({});
  if (!versions) return versions.status();
  // Both lists are sorted by model name: one merge pass.
  auto v = versions->begin();
  for (ModelInfo &m : *models) {
    while (v != versions->end() && v->model < m.name) ++v;
    while (v != versions->end() && v->model == m.name) m.versions.push_back(std::move(*v++));
  }
  return models;
}

Result<ModelInfo> CatalogDb::model(const std::string &name) const {
  auto select =
      m_db->prepare("SELECT name, description, owner, license, created_ms, next_version FROM models WHERE name = ?");
  if (!select) return select.status();
  select->bind(1, name);
  auto row = select->step();
  if (!row) return row.status();
  if (!*row) return Status::notFound("no model " + name);
  ModelInfo m{
      select->text(0), select->text(1), select->text(2), select->text(3), select->int64(4), select->int64(5), {}};
  select->reset();
  auto versions = readVersions(name);
  if (!versions) return versions.status();
  m.versions = std::move(*versions);
  return m;
}

Result<VersionInfo> CatalogDb::version(const std::string &model, std::int64_t number) const {
  auto select =
      m_db->prepare("SELECT " + std::string(kVersionColumns) + " FROM versions WHERE model = ? AND version = ?");
  if (!select) return select.status();
  select->bind(1, model).bind(2, number);
  auto row = select->step();
  if (!row) return row.status();
  if (!*row) return Status::notFound("no version " + std::to_string(number) + " of model " + model);
  VersionInfo v = readVersion(*select);
  select->reset();
  auto deps = m_db->prepare(
      "SELECT on_model, on_version FROM dependencies WHERE model = ? AND version = ? ORDER BY on_model, on_version");
  if (!deps) return deps.status();
  deps->bind(1, model).bind(2, number);
  auto refs = deps->collect<VersionRef>([](const storage::SqliteStatement &q) {
    return VersionRef{q.text(0), q.int64(1)};
  });
  if (!refs) return refs.status();
  v.dependsOn = std::move(*refs);
  return v;
}

Result<std::vector<VersionRef>> CatalogDb::dependents(const std::string &model, std::int64_t number) const {
  auto select = m_db->prepare(
      "SELECT d.model, d.version FROM dependencies d JOIN versions v ON v.model = d.model AND v.version = d.version"
      " WHERE d.on_model = ? AND d.on_version = ? AND v." +
      std::string(kLive) + " ORDER BY d.model, d.version");
  if (!select) return select.status();
  select->bind(1, model).bind(2, number);
  return select->collect<VersionRef>([](const storage::SqliteStatement &q) {
    return VersionRef{q.text(0), q.int64(1)};
  });
}

Result<std::vector<Review>> CatalogDb::reviews(const std::string &model) const {
  auto select =
      m_db->prepare("SELECT version, reviewer, verdict, comment, time_ms FROM reviews WHERE model = ? ORDER BY id");
  if (!select) return select.status();
  select->bind(1, model);
  return select->collect<Review>([](const storage::SqliteStatement &q) {
    return Review{q.int64(0), q.text(1), q.text(2), q.text(3), q.int64(4)};
  });
}

Status CatalogDb::putArtifact(const ArtifactRecord &a) {
  auto insert =
      m_db->prepare("INSERT OR REPLACE INTO artifacts (sha256, path, bytes, kind, created_ms) VALUES (?, ?, ?, ?, ?)");
  if (!insert) return insert.status();
  return insert->bind(1, a.sha256)
      .bind(2, a.path)
      .bind(3, a.bytes)
      .bind(4, a.kind)
      .bind(5, a.createdMs ? a.createdMs : now())
      .run();
}

Status CatalogDb::recordValidation(const std::string &model, std::int64_t number, const ValidationRecord &r) {
  return m_db->transaction([&]() -> Status {
    auto v = version(model, number);
    if (!v) return v.status();
    auto keep = m_db->prepare(
        "INSERT OR REPLACE INTO validation_reports (model, version, passed, report, time_ms) VALUES (?, ?, ?, ?, ?)");
    if (!keep) return keep.status();
    LMFRONT_RETURN_IF_ERROR(keep->bind(1, model)
                                .bind(2, number)
                                .bind(3, std::int64_t{r.passed})
                                .bind(4, r.reportJson)
                                .bind(5, now())
                                .run());
    auto update = m_db->prepare(
        "UPDATE versions SET ngram_order = ?, vocabulary = ?, dev_perplexity = ? WHERE model = ? AND version = ?");
    if (!update) return update.status();
    update->bind(1, std::int64_t{r.order}).bind(2, r.vocabularySize);
    if (r.devPerplexity)
      update->bind(3, *r.devPerplexity);
    else
      update->bindNull(3);
    return update->bind(4, model).bind(5, number).run();
  });
}

Result<std::string> CatalogDb::validationReport(const std::string &model, std::int64_t number) const {
  auto select = m_db->prepare("SELECT report FROM validation_reports WHERE model = ? AND version = ?");
  if (!select) return select.status();
  select->bind(1, model).bind(2, number);
  auto rows = select->collect<std::string>([](const storage::SqliteStatement &q) { return q.text(0); });
  if (!rows) return rows.status();
  if (rows->empty()) return Status::notFound(label(model, number) + " has no validation report");
  return rows->front();
}

Result<std::optional<ArtifactRecord>> CatalogDb::artifact(const std::string &sha256) const {
  auto select = m_db->prepare("SELECT sha256, path, bytes, kind, created_ms FROM artifacts WHERE sha256 = ?");
  if (!select) return select.status();
  select->bind(1, sha256);
  auto rows = select->collect<ArtifactRecord>(readArtifact);
  if (!rows) return rows.status();
  return rows->empty() ? std::optional<ArtifactRecord>() : std::optional<ArtifactRecord>(rows->front());
}

Result<std::vector<ArtifactRecord>> CatalogDb::collectableArtifacts() const {
  // Kept: named by a live version, or by any version a live version depends on.
  auto select = m_db->prepare(
      "SELECT sha256, path, bytes, kind, created_ms FROM artifacts a WHERE NOT EXISTS (SELECT 1 FROM versions v"
      " WHERE (v.sha256 = a.sha256 OR v.artifact_sha256 = a.sha256) AND (v." +
      std::string(kLive) +
      " OR EXISTS (SELECT 1 FROM dependencies d JOIN versions u ON u.model = d.model AND u.version = d.version"
      " WHERE d.on_model = v.model AND d.on_version = v.version AND u." +
      std::string(kLive) + "))) ORDER BY sha256");
  if (!select) return select.status();
  return select->collect<ArtifactRecord>(readArtifact);
}

Status CatalogDb::setServingArtifact(const std::string &model, std::int64_t number, const std::string &sha256) {
  // No transaction of its own, so a caller may wrap it in one with the action that made the artifact.
  auto known = artifact(sha256);
  if (!known) return known.status();
  if (!*known) return Status::notFound("no artifact " + sha256 + " in the catalog");
  auto update = m_db->prepare("UPDATE versions SET artifact_sha256 = ? WHERE model = ? AND version = ?");
  if (!update) return update.status();
  LMFRONT_RETURN_IF_ERROR(update->bind(1, sha256).bind(2, model).bind(3, number).run());
  if (m_db->changes() == 0) return Status::notFound("no version " + std::to_string(number) + " of model " + model);
  return Status::ok();
}

Status CatalogDb::removeArtifact(const std::string &sha256) {
  auto del = m_db->prepare("DELETE FROM artifacts WHERE sha256 = ?");
  if (!del) return del.status();
  return del->bind(1, sha256).run();
}

Result<std::int64_t> CatalogDb::recordDeployment(const DeploymentRecord &d) {
  auto insert = m_db->prepare(
      "INSERT INTO deployments (model, version, strategy, percent, limits, state, time_ms) VALUES (?, ?, ?, ?, ?, ?, "
      "?)");
  if (!insert) return insert.status();
  LMFRONT_RETURN_IF_ERROR(insert->bind(1, d.model)
                              .bind(2, d.version)
                              .bind(3, d.strategy)
                              .bind(4, d.percent)
                              .bind(5, d.limitsJson)
                              .bind(6, d.state)
                              .bind(7, d.timeMs ? d.timeMs : now())
                              .run());
  return m_db->lastInsertRowId();
}

Status CatalogDb::setDeploymentState(std::int64_t id, const std::string &state) {
  auto update = m_db->prepare("UPDATE deployments SET state = ? WHERE id = ?");
  if (!update) return update.status();
  LMFRONT_RETURN_IF_ERROR(update->bind(1, state).bind(2, id).run());
  if (m_db->changes() == 0) return Status::notFound("no deployment " + std::to_string(id));
  return Status::ok();
}

Result<std::vector<DeploymentRecord>> CatalogDb::deployments(const std::string &model, int limit) const {
  auto select = m_db->prepare(
      "SELECT id, model, version, strategy, percent, limits, state, time_ms FROM deployments WHERE model = ?"
      " ORDER BY id DESC LIMIT ?");
  if (!select) return select.status();
  select->bind(1, model).bind(2, std::int64_t{std::max(limit, 0)});
  return select->collect<DeploymentRecord>([](const storage::SqliteStatement &q) {
    return DeploymentRecord{q.int64(0), q.text(1), q.int64(2), q.text(3), q.optionalReal(4).value_or(0),
                            q.text(5),  q.text(6), q.int64(7)};
  });
}

}  // namespace lmfront::registry
