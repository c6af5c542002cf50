// CatalogDb: the model catalog in SQLite (DATA_DIR/catalog.db, storage/sqlitedb.h: WAL, numbered
// migrations): models, their versions and each version's lifecycle state (lifecycle.h), the
// artifacts they point at, dependencies between versions, reviews, deployments, jobs
// (jobbook.h) and the audit log (auditlog.h). docs/models.md describes it.
//
// - Version numbers are per model, handed out from the model's own counter: never reused, even
//   after a version is deleted.
// - transition() is the one way a version changes state: it asks the lifecycle table, applies
//   the catalog's own rules (no self-approval when configured; no retiring a version another live
//   version depends on), and writes the new state, the review (approve/reject) and the audit row
//   in one transaction. A refused action is audited too (outcome "refused", with the reason) and
//   returned as FailedPrecondition (lifecycle, dependencies), PermissionDenied (self-approval)
//   or NotFound.
// - Opening the file fails every job a crash left running (JobBook::failInterrupted()).
//
// Deployers and artifact stores write through recordDeployment() / putArtifact() and change
// states through transition(); they never touch the tables directly.
//
// Threads: one owning thread, the one that called open() (the node thread in a node). Errors are
// SqliteDb's, with the file's path.
#pragma once

#include "common/status.h"
#include "registry/auditlog.h"
#include "registry/jobbook.h"
#include "registry/lifecycle.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lmfront::storage {
class SqliteDb;
}

namespace lmfront::registry {

struct CatalogOptions {
  WallClock nowMs;                  // required: the time rows are stamped with
  bool forbidSelfApproval = false;  // approve refused when the reviewer submitted the version
};

struct VersionRef {
  std::string model;
  std::int64_t version = 0;
  friend bool operator==(const VersionRef &, const VersionRef &) = default;
};

struct NewModel {
  std::string name;
  std::string description;
  std::string owner;
  std::string license;
};

struct NewVersion {
  std::string sha256;  // of the model's payload (the artifact's key)
  std::int64_t bytes = 0;
  int order = 0;
  std::int64_t vocabularySize = 0;
  std::optional<double> devPerplexity;
  std::string submitter;
  std::string card;  // the model card (README.md of the bundle)
  std::vector<VersionRef> dependsOn;
};

struct VersionInfo {
  std::string model;
  std::int64_t version = 0;
  VersionState state = VersionState::Submitted;
  std::string sha256;
  std::int64_t bytes = 0;
  int order = 0;
  std::int64_t vocabularySize = 0;
  std::optional<double> devPerplexity;
  std::string submitter;
  std::int64_t createdMs = 0;
  std::string card;
  std::vector<VersionRef> dependsOn;
  // The serving-ready artifact (its file: artifact(artifactSha256)->path), set by import and by
  // compile; empty until one is set. Deploys load this file.
  std::string artifactSha256;
};

struct ModelInfo {
  std::string name;
  std::string description;
  std::string owner;
  std::string license;
  std::int64_t createdMs = 0;
  std::int64_t nextVersion = 1;
  std::vector<VersionInfo> versions;  // ascending version numbers
};

struct Review {
  std::int64_t version = 0;
  std::string reviewer;
  std::string verdict;  // "approved" or "rejected"
  std::string comment;
  std::int64_t timeMs = 0;
};

struct ArtifactRecord {
  std::string sha256;
  std::string path;  // where the artifact store keeps it
  std::int64_t bytes = 0;
  std::string kind;  // e.g. "lmb", "arpa"
  std::int64_t createdMs = 0;
};

struct DeploymentRecord {
  std::int64_t id = 0;
  std::string model;
  std::int64_t version = 0;
  std::string strategy;  // "replace", "canary", "shadow"
  double percent = 100;
  std::string limitsJson = "{}";
  std::string state;  // the deployer's words: "active", "rolled_back", "promoted", ...
  std::int64_t timeMs = 0;
};

// What validating a version found (validationreport.h): the report's JSON and the figures the
// version's row shows.
struct ValidationRecord {
  bool passed = false;
  std::string reportJson;
  int order = 0;
  std::int64_t vocabularySize = 0;
  std::optional<double> devPerplexity;
};

struct ImportOutcome {
  std::int64_t version = 0;
  bool created = false;  // false: the catalog already had this content deployed
};

class CatalogDb {
public:
  static Result<std::unique_ptr<CatalogDb>> open(const std::string &path, CatalogOptions options);
  ~CatalogDb();
  CatalogDb(const CatalogDb &) = delete;
  CatalogDb &operator=(const CatalogDb &) = delete;

  // Audited ("create_model"). AlreadyExists for a known name; InvalidArgument for an empty one.
  Status createModel(const NewModel &model, const std::string &actor);
  // A new version in state submitted (audited "submit"); its number. Every dependency must exist
  // and be neither rejected nor retired.
  Result<std::int64_t> addVersion(const std::string &model, const NewVersion &version, const std::string &actor);
  // What a node serves today enters the catalog: the model row when missing, and a version in
  // state deployed unless a version of the model already has this sha256 (then nothing changes,
  // whatever that version's state). A deployed version with another sha256 is retired (the file
  // changed). Audited "import".
  Result<ImportOutcome> importVersion(const NewModel &model, const NewVersion &version, const std::string &actor);
  // A version another node of the cluster holds, under its number there (catalogmirror.cpp): the
  // model is created when missing and the version inserted in `state`, without dependencies. A
  // number the catalog has already is left as it is when its sha256 matches (false), else
  // AlreadyExists naming both. Audited "mirror".
  Result<bool> mirrorVersion(const NewModel &model, std::int64_t number, VersionState state, const NewVersion &version,
                             const std::string &actor);
  // A rejected or retired version that nothing live depends on leaves the catalog (audited
  // "delete"); its number is not handed out again.
  Status deleteVersion(const std::string &model, std::int64_t version, const std::string &actor);

  // The one door of state changes (see the top comment). The version as it is afterwards.
  Result<VersionInfo> transition(const std::string &model, std::int64_t version, LifecycleAction action,
                                 const std::string &actor, const std::string &reason);

  // Every model with its versions, without the versions' cards (model() has them).
  Result<std::vector<ModelInfo>> listModels() const;
  Result<ModelInfo> model(const std::string &name) const;  // with its versions and their cards
  Result<VersionInfo> version(const std::string &model, std::int64_t version) const;
  // Live versions (neither rejected nor retired) that depend on model/version.
  Result<std::vector<VersionRef>> dependents(const std::string &model, std::int64_t version) const;
  Result<std::vector<Review>> reviews(const std::string &model) const;

  // Keeps the newest validation report of a version and copies its figures into the version's row.
  Status recordValidation(const std::string &model, std::int64_t version, const ValidationRecord &record);
  // The newest report's JSON; NotFound when the version was never validated.
  Result<std::string> validationReport(const std::string &model, std::int64_t version) const;

  Status putArtifact(const ArtifactRecord &artifact);  // replaces a row with the same sha256
  Result<std::optional<ArtifactRecord>> artifact(const std::string &sha256) const;
  // Artifacts that no live version (neither rejected nor retired) names, by sha256 or as its
  // serving artifact: what the artifact store may collect. A retired version someone depends on
  // keeps its artifacts.
  Result<std::vector<ArtifactRecord>> collectableArtifacts() const;
  Status removeArtifact(const std::string &sha256);
  // Makes the recorded artifact `sha256` the file `model` `version` is served from. NotFound for
  // an unknown version or an artifact without a row (putArtifact() first). Not audited: the
  // action that produced the artifact (import, compile) is.
  Status setServingArtifact(const std::string &model, std::int64_t version, const std::string &sha256);

  // The id of the new row (audited "deploy_record" is not written: the deployer audits its action).
  Result<std::int64_t> recordDeployment(const DeploymentRecord &deployment);
  Status setDeploymentState(std::int64_t id, const std::string &state);
  Result<std::vector<DeploymentRecord>> deployments(const std::string &model, int limit = 100) const;

  JobBook &jobs() { return *m_jobs; }
  AuditLog &audit() { return *m_audit; }
  const AuditLog &audit() const { return *m_audit; }

private:
  CatalogDb(std::unique_ptr<storage::SqliteDb> db, CatalogOptions options);
  Result<VersionInfo> applyTransition(const std::string &model, std::int64_t version, LifecycleAction action,
                                      const std::string &actor, const std::string &reason);
  Status insertVersion(const std::string &model, std::int64_t number, VersionState state, const NewVersion &v);
  Result<std::int64_t> takeVersionNumber(const std::string &model);
  Status checkDependencies(const std::vector<VersionRef> &dependsOn) const;
  // One model's versions with cards; `model` empty: every model's, without cards.
  Result<std::vector<VersionInfo>> readVersions(const std::string &model) const;
  Status setState(const std::string &model, std::int64_t version, VersionState state);
  std::int64_t now() const { return m_options.nowMs(); }

  std::unique_ptr<storage::SqliteDb> m_db;
  CatalogOptions m_options;
  std::unique_ptr<AuditLog> m_audit;
  std::unique_ptr<JobBook> m_jobs;
};

}  // namespace lmfront::registry
