// The work of the platform's jobs (jobservice.h), as functions of what they read: a stored
// bundle in, a report or a compiled artifact out. Each runs on the job thread, reports progress
// and log lines through its JobRun, stops at its next step once the run is cancelled, and never
// touches the catalog: it returns a JobApply, which the service runs on the node thread (the
// catalog's owner) to record the result.
//
// Working files live in JobParts::workDir (created and removed by the work). Artifacts reach the
// store through ArtifactStore::put (complete under their name, or absent).
#pragma once

#include "common/status.h"
#include "registry/arpavalidator.h"
#include "registry/bundle.h"
#include "registry/catalogdb.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lmfront::registry {
class ArtifactStore;
}

namespace lmfront::node {

// One job's handle for its work (thread-safe).
struct JobRun {
  std::int64_t id = 0;
  std::atomic<bool> cancelled{false};
  std::function<void(double progress, std::string line)> report;  // posts to the node thread
};

using JobApply = std::function<Status()>;  // on the node thread: the catalog's part of the result
using JobWork = std::function<Result<JobApply>(JobRun &run)>;

struct JobParts {
  const registry::ArtifactStore &artifacts;
  registry::BundleLimits limits;
  registry::ValidationOptions validation;
  QString workDir;
};

struct ValidationOutcome {
  registry::ValidationRecord record;
  std::string summary;  // the audit's reason: "validation passed" or the failed checks
  // The model a corpus bundle's training produced (ARPA, stored), when it passed: what compile
  // works from, so that a corpus is trained once.
  std::optional<registry::ArtifactRecord> trained;
};
// Opens the bundle (trains its corpus first when it carries one) and validates it; a bundle whose
// model.json names another model than `model` fails the "manifest" check.
JobWork validationWork(JobParts parts, QString bundlePath, std::string model,
                       std::function<Status(const ValidationOutcome &)> apply);

struct CompileOutcome {
  registry::ArtifactRecord artifact;  // the serving-ready .lmb (format v5, with its continuation index)
};
// A model compiled and stored: `trainedArpa`, the model the version's training stored
// (ValidationOutcome::trained), else the bundle's own ARPA (a corpus bundle whose trained model
// was never stored is trained here).
JobWork compileWork(JobParts parts, QString bundlePath, QString trainedArpa,
                    std::function<Status(const CompileOutcome &)> apply);

struct MixSource {
  registry::VersionRef version;
  QString path;                  // its serving-ready file
  std::optional<double> weight;  // fixed; all or none of the sources carry one
};
struct MixOutcome {
  std::string sha256;   // the new version's bundle, stored
  QByteArray manifest;  // its model.json
  QString card;         // its README.md: the sources and their weights
};
// Interpolates the sources (weights fixed, or tuned by EM on `devText`), merges them into one
// back-off model and stores it as a submission bundle (model.json naming the sources in
// depends_on, model.arpa, dev.txt when given, README.md), which the service records as a new
// version of `model` and validates like any submission.
JobWork mixWork(JobParts parts, QString model, std::string owner, std::vector<MixSource> sources, QString devText,
                std::function<Status(const MixOutcome &)> apply);

struct Swept {
  std::int64_t removed = 0;
  std::int64_t bytes = 0;
};
// Removes the artifacts the catalog no longer needs (CatalogDb::collectableArtifacts), and stored
// files the catalog never recorded that are older than an hour (a crash between storing and
// recording); audited "gc". On the catalog's thread.
Result<Swept> collectArtifacts(registry::CatalogDb &catalog, const registry::ArtifactStore &artifacts,
                               const std::string &actor);

}  // namespace lmfront::node
