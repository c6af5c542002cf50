// JobService: the model platform's jobs in a node (docs/models.md, "Jobs") — validating, training
// and compiling submitted versions, mixing published ones, and collecting unreferenced artifacts.
//
// - Work runs on the service's own job thread, one job at a time in the order asked, never on the
//   node thread or a data-plane worker; the catalog (registry/catalogdb.h, owned by the
//   RegistryService on the node thread) records each job through its JobBook: queued → running
//   → succeeded | failed | cancelled, with progress and log lines as the work reports them. What a
//   job changes in the catalog (a report, a state, an artifact) is applied on the node thread
//   when its work is done, in one step with the job's end.
// - cancel_job marks the job cancelled; its work stops at its next step and changes nothing.
// - A job a crash interrupted is failed at the next start (JobBook::failInterrupted). Artifacts
//   are written through registry::ArtifactStore (complete under their name or absent), so no
//   half-written artifact is ever visible.
// - A `train` job that passes stores the model it trained (ARPA) as the version's serving
//   artifact; compile builds from it, so a corpus is trained once.
// - compile stores the serving-ready file and makes it the version's serving artifact
//   (CatalogDb::setServingArtifact): what a deploy loads.
// - `submit` records a bundle the SubmissionStore took in (the version, state submitted, with the
//   caller as submitter) and starts its validation (a `train` job when the bundle carries a corpus
//   to train, else `validate`).
//
// Ops commands (docs/ops-protocol.md; HTTP in docs/http-api.md): `submit`, `validate`, `compile`,
// `mix`, `cancel_job` (operator), `jobs`, `job_log`, `validation_report` (viewer), `gc` (admin);
// topic `jobs` (snapshot {"jobs"}, delta {"job"}).
//
// Order: after the RegistryService (whose catalog it writes) and before the ops service.
// Threads: start/stop and every command on the node thread.
#pragma once

#include "node/nodecontext.h"
#include "node/service.h"
#include "registry/arpavalidator.h"
#include "registry/bundle.h"

#include <QJsonObject>
#include <memory>

namespace lmfront::registry {
struct Job;
}

namespace lmfront::node {

class RegistryService;

struct JobOptions {
  registry::BundleLimits limits;           // what a stored bundle may hold when it is opened again
  registry::ValidationOptions validation;  // tolerances and the dev-set perplexity threshold
};

class JobService final : public Service {
public:
  // `context` and `registry` must outlive the service.
  JobService(const NodeContext &context, RegistryService &registry, JobOptions options);
  ~JobService() override;

  std::string_view name() const override { return "jobs"; }
  Status start() override;
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;  // cancels the running job and waits for its work to stop
  Health health() const override;

  struct Impl;

private:
  std::unique_ptr<Impl> d;
};

// {"id","kind","model","version","state","progress","created","started","finished","error","actor"}
QJsonObject jobJson(const registry::Job &job);

}  // namespace lmfront::node
