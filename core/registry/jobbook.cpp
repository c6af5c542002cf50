#include "registry/jobbook.h"

#include "storage/sqlitedb.h"

#include <algorithm>
#include <array>

namespace lmfront::registry {

namespace {
constexpr std::array<std::string_view, 4> kKindNames{"train", "compile", "mix", "validate"};
constexpr std::array<std::string_view, 5> kStateNames{"queued", "running", "succeeded", "failed", "cancelled"};

JobState stateFromName(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (kStateNames[i] == name) return static_cast<JobState>(i);
  return JobState::Failed;
}

constexpr std::string_view kColumns =
    "id, kind, model, version, state, progress, log, actor, created_ms, started_ms, finished_ms, error";

Job readJob(const storage::SqliteStatement &q) {
  Job j;
  j.id = q.int64(0);
  j.kind = jobKindFromName(q.text(1)).value_or(JobKind::Train);
  j.model = q.text(2);
  j.version = q.optionalInt64(3);
  j.state = stateFromName(q.text(4));
  j.progress = q.optionalReal(5).value_or(0);
  j.log = q.text(6);
  j.actor = q.text(7);
  j.createdMs = q.int64(8);
  j.startedMs = q.optionalInt64(9);
  j.finishedMs = q.optionalInt64(10);
  j.error = q.text(11);
  return j;
}
}  // namespace

std::string_view jobKindName(JobKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

std::optional<JobKind> jobKindFromName(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (kKindNames[i] == name) return static_cast<JobKind>(i);
  return std::nullopt;
}

std::string_view jobStateName(JobState state) { return kStateNames[static_cast<std::size_t>(state)]; }

Result<std::int64_t> JobBook::create(JobKind kind, const std::string &model, std::optional<std::int64_t> version,
                                     const std::string &actor) {
  return m_db.transaction([&]() -> Result<std::int64_t> {
    auto insert = m_db.prepare(
        "INSERT INTO jobs (kind, model, version, state, actor, created_ms) VALUES (?, ?, ?, 'queued', ?, ?)");
    if (!insert) return insert.status();
    insert->bind(1, jobKindName(kind)).bind(2, model);
    if (version)
      insert->bind(3, *version);
    else
      insert->bindNull(3);
    insert->bind(4, actor).bind(5, now());
    LMFRONT_RETURN_IF_ERROR(insert->run());
    const std::int64_t id = m_db.lastInsertRowId();
    LMFRONT_RETURN_IF_ERROR(
        m_audit.append({now(), actor, "job", model, version, "", "queued",
                        std::string(jobKindName(kind)) + " job " + std::to_string(id) + " queued", AuditOutcome::Ok}));
    return id;
  });
}

Status JobBook::move(std::int64_t id, std::initializer_list<JobState> from, JobState to, std::string_view error) {
  auto current = job(id);
  if (!current) return current.status();
  if (std::find(from.begin(), from.end(), current->state) == from.end())
    return Status::failedPrecondition("job " + std::to_string(id) + " is " + std::string(jobStateName(current->state)) +
                                      ", cannot become " + std::string(jobStateName(to)));
  const bool finished = to != JobState::Running;
  auto update = m_db.prepare(
      finished ? "UPDATE jobs SET state = ?1, finished_ms = ?2, error = ?3, progress = CASE WHEN ?1 = 'succeeded'"
                 " THEN 1 ELSE progress END WHERE id = ?4"
               : "UPDATE jobs SET state = ?1, started_ms = ?2, error = ?3 WHERE id = ?4");
  if (!update) return update.status();
  return update->bind(1, jobStateName(to)).bind(2, now()).bind(3, error).bind(4, id).run();
}

Status JobBook::start(std::int64_t id) { return move(id, {JobState::Queued}, JobState::Running, ""); }

Status JobBook::progress(std::int64_t id, double progress, std::string_view logLine) {
  auto current = job(id);
  if (!current) return current.status();
  if (current->state != JobState::Running)
    return Status::failedPrecondition("job " + std::to_string(id) + " is " + std::string(jobStateName(current->state)));
  auto update = m_db.prepare("UPDATE jobs SET progress = ?, log = log || ? WHERE id = ?");
  if (!update) return update.status();
  const std::string line = logLine.empty() ? std::string() : std::string(logLine) + "\n";
  return update->bind(1, std::clamp(progress, 0.0, 1.0)).bind(2, line).bind(3, id).run();
}

Status JobBook::finish(std::int64_t id, const Status &outcome) {
  return move(id, {JobState::Running}, outcome.isOk() ? JobState::Succeeded : JobState::Failed, outcome.message());
}

Status JobBook::cancel(std::int64_t id, const std::string &actor, const std::string &reason) {
  Status moved = Status::ok();
  LMFRONT_RETURN_IF_ERROR(m_db.transaction([&]() -> Status {
    auto current = job(id);
    if (!current) return current.status();
    moved = move(id, {JobState::Queued, JobState::Running}, JobState::Cancelled, "cancelled by " + actor);
    if (!moved && moved.code() != StatusCode::FailedPrecondition) return moved;
    // A refusal is audited too; its row commits and the refusal is returned afterwards.
    const std::string before(jobStateName(current->state));
    return m_audit.append({now(), actor, "cancel_job", current->model, current->version, before,
                           moved ? std::string(jobStateName(JobState::Cancelled)) : before,
                           moved ? reason : moved.message(), moved ? AuditOutcome::Ok : AuditOutcome::Refused});
  }));
  return moved;
}

Result<Job> JobBook::job(std::int64_t id) const {
  auto select = m_db.prepare("SELECT " + std::string(kColumns) + " FROM jobs WHERE id = ?");
  if (!select) return select.status();
  select->bind(1, id);
  auto row = select->step();
  if (!row) return row.status();
  if (!*row) return Status::notFound("no job " + std::to_string(id));
  Job j = readJob(*select);
  select->reset();
  return j;
}

Result<std::vector<Job>> JobBook::list(bool activeOnly, int limit) const {
  auto select = m_db.prepare("SELECT " + std::string(kColumns) +
                             " FROM jobs WHERE ?1 = 0 OR state IN ('queued', 'running') ORDER BY id DESC LIMIT ?2");
  if (!select) return select.status();
  select->bind(1, std::int64_t{activeOnly ? 1 : 0}).bind(2, std::int64_t{std::max(limit, 0)});
  return select->collect<Job>(readJob);
}

Result<int> JobBook::failInterrupted() {
  return m_db.transaction([&]() -> Result<int> {
    auto running = list(true, 1'000'000);
    if (!running) return running.status();
    int failed = 0;
    for (const Job &j : *running) {
      if (j.state != JobState::Running) continue;
      LMFRONT_RETURN_IF_ERROR(move(j.id, {JobState::Running}, JobState::Failed, "interrupted by a restart"));
      LMFRONT_RETURN_IF_ERROR(m_audit.append(
          {now(), "local", "job_interrupted", j.model, j.version, "running", "failed",
           std::string(jobKindName(j.kind)) + " job " + std::to_string(j.id) + " interrupted by a restart",
           AuditOutcome::Ok}));
      ++failed;
    }
    return failed;
  });
}

}  // namespace lmfront::registry
