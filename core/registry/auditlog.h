// AuditLog: the catalog's record of every action on a model — who (an API key's name, or "local"),
// when, on what, the state before and after, why, and whether it was done or refused. Rows are
// only ever appended; a query filters by model and time, newest last, and exports as CSV.
//
// It writes to the `audit` table of the catalog database (catalogdb.h creates it) through the
// database's one connection, so an action's state change and its audit row commit in one
// transaction when the caller wraps both in SqliteDb::transaction(). Same thread rules as SqliteDb:
// one owning thread.
#pragma once

#include "common/status.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::storage {
class SqliteDb;
}

namespace lmfront::registry {

// The wall clock rows are stamped with, in unix milliseconds (injected: tests pass their own).
using WallClock = std::function<std::int64_t()>;

enum class AuditOutcome { Ok, Refused };
std::string_view auditOutcomeName(AuditOutcome outcome);  // "ok", "refused"

struct AuditEntry {
  std::int64_t timeMs = 0;  // unix milliseconds
  std::string actor;
  std::string action;  // a lifecycle verb, or "import", "create_model", "submit", "job", ...
  std::string model;
  std::optional<std::int64_t> version;
  std::string before;  // the version's state before ("" when there was none)
  std::string after;   // and after (the same as before when refused)
  std::string reason;  // the actor's comment, or why it was refused
  AuditOutcome outcome = AuditOutcome::Ok;
  std::int64_t id = 0;  // the row's number, increasing (set by query(); append() ignores it)
};

struct AuditQuery {
  std::string model;         // empty: every model
  std::int64_t sinceMs = 0;  // rows at or after this time
  int limit = 1000;          // the newest `limit` rows (returned oldest first)
  std::int64_t afterId = 0;  // rows with a larger id only (a reader's next batch)
};

class AuditLog {
public:
  explicit AuditLog(storage::SqliteDb &db) : m_db(db) {}

  Status append(const AuditEntry &entry);
  Result<std::vector<AuditEntry>> query(const AuditQuery &query) const;

private:
  storage::SqliteDb &m_db;
};

// "2026-12-07T14:52:23.123Z": how audit times are shown (JSON, CSV).
std::string isoUtcMs(std::int64_t unixMs);
// A `since` as a user writes it: unix seconds ("1765000000") or ISO 8601 ("2026-12-07",
// "2026-12-07T14:00:00Z"; without a zone it is UTC). Unix milliseconds, or InvalidArgument.
Result<std::int64_t> parseAuditTime(std::string_view text);
// RFC 4180 CSV with a header line: time,actor,action,model,version,before,after,reason,outcome.
// Fields with a comma, quote, CR or LF are quoted, quotes doubled; lines end with CRLF.
std::string auditCsv(const std::vector<AuditEntry> &entries);

}  // namespace lmfront::registry
