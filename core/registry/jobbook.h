// JobBook: the catalog's long-running platform jobs (train, compile, mix, validate) as rows of the
// `jobs` table of the catalog database (catalogdb.h): queued → running → succeeded | failed |
// cancelled, with progress (0..1), an appended log and the error of a failed job. It records;
// whoever runs the work (a job runner on its own thread) reports through it on the database's
// owning thread.
//
// A job found `running` when the database is opened was interrupted by a crash or a kill: it is
// marked failed with the error "interrupted by a restart" (audited), never left running.
// Creating and cancelling are audited with their actor. Same thread rules as SqliteDb.
#pragma once

#include "common/status.h"
#include "registry/auditlog.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::storage {
class SqliteDb;
}

namespace lmfront::registry {

enum class JobKind { Train, Compile, Mix, Validate };
enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };
std::string_view jobKindName(JobKind kind);  // "train", ...
std::optional<JobKind> jobKindFromName(std::string_view name);
std::string_view jobStateName(JobState state);  // "queued", ...

struct Job {
  std::int64_t id = 0;
  JobKind kind = JobKind::Train;
  std::string model;
  std::optional<std::int64_t> version;
  JobState state = JobState::Queued;
  double progress = 0;
  std::string log;
  std::string actor;
  std::int64_t createdMs = 0;
  std::optional<std::int64_t> startedMs;
  std::optional<std::int64_t> finishedMs;
  std::string error;
};

class JobBook {
public:
  // `nowMs` is the wall clock (unix milliseconds) the rows are stamped with.
  JobBook(storage::SqliteDb &db, AuditLog &audit, WallClock nowMs)
      : m_db(db), m_audit(audit), m_nowMs(std::move(nowMs)) {}

  Result<std::int64_t> create(JobKind kind, const std::string &model, std::optional<std::int64_t> version,
                              const std::string &actor);
  // queued → running. FailedPrecondition from any other state.
  Status start(std::int64_t id);
  // Running only: progress clamped to 0..1; `logLine` (when not empty) is appended with a newline.
  Status progress(std::int64_t id, double progress, std::string_view logLine = {});
  // running → succeeded (outcome ok) or failed (the outcome's message is the error).
  Status finish(std::int64_t id, const Status &outcome);
  // queued or running → cancelled (audited). A runner sees it at its next progress() (FailedPrecondition).
  Status cancel(std::int64_t id, const std::string &actor, const std::string &reason);
  Result<Job> job(std::int64_t id) const;
  // Newest first; `activeOnly` keeps queued and running jobs.
  Result<std::vector<Job>> list(bool activeOnly = false, int limit = 200) const;
  // running → failed "interrupted by a restart", each audited; how many. CatalogDb::open() calls it.
  Result<int> failInterrupted();

private:
  Status move(std::int64_t id, std::initializer_list<JobState> from, JobState to, std::string_view error);
  std::int64_t now() const { return m_nowMs(); }

  storage::SqliteDb &m_db;
  AuditLog &m_audit;
  WallClock m_nowMs;
};

}  // namespace lmfront::registry
