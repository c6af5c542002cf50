// SqliteDb: one SQLite connection of lmfront's own databases (API keys today; catalog, alert
// history and audit as they land), with the habits every one of them needs.
//
// - open() creates the file (mode 0600) when missing, turns WAL on, sets a busy timeout (writers
//   of other processes are waited for, then Unavailable), and brings the schema up to date.
// - Migrations are numbered: step i takes the schema from version i to i + 1 and is never edited
//   once released (append a new step instead). The version lives in a one-row `schema_version`
//   table. All pending steps run in one IMMEDIATE transaction, so a crash or a failing step leaves
//   the previous version intact; re-opening an up-to-date file runs nothing. A file whose version
//   is newer than the steps this build knows is refused (FailedPrecondition, "upgrade lmfront"),
//   never touched.
// - Statements are finalized when they go out of scope, and a statement that returned its last
//   row is reset at once: no read transaction stays open by accident (an open one freezes this
//   connection's snapshot and stalls WAL checkpoints).
//
// Threads: one owning thread, the one that called open(). SQLite is opened without its own
// mutex, so every call from another thread is refused with FailedPrecondition instead of racing
// (a service that owns a database runs its work on its own thread). Several processes may open
// the same file; SQLite's locking serialises their writers.
//
// Errors: IoError (cannot create/open/write), DataLoss (corrupt file, or not a database),
// Unavailable (locked by another writer past the busy timeout), ResourceExhausted (disk full),
// AlreadyExists (a constraint refused a row), FailedPrecondition (schema too new, wrong thread).
// Every message starts with the file's path.
#pragma once

#include "common/status.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace lmfront::storage {

struct SqliteOptions {
  // Step i brings the schema from version i to i + 1; their count is the version this build writes.
  std::vector<std::string_view> migrations;
  // synchronous=FULL survives a power cut at the cost of an fsync per commit (right for rare,
  // important writes such as key revocations); NORMAL is safe against crashes of the process.
  bool fullSync = false;
  int busyTimeoutMs = 5000;
};

class SqliteDb;

// A prepared statement of one SqliteDb, finalized on destruction. Bind parameters are 1-based,
// columns 0-based (as in SQLite).
class SqliteStatement {
public:
  SqliteStatement(SqliteStatement &&other) noexcept;
  SqliteStatement &operator=(SqliteStatement &&) = delete;
  SqliteStatement(const SqliteStatement &) = delete;
  ~SqliteStatement();

  SqliteStatement &bind(int index, std::string_view text);
  SqliteStatement &bind(int index, std::int64_t value);
  SqliteStatement &bind(int index, double value);
  SqliteStatement &bindNull(int index);
  SqliteStatement &bindBlob(int index, const void *data, std::size_t size);
  // Back to the start with no bindings, to run again.
  void reset();

  // true: a row is ready to read; false: done (and the statement is reset).
  Result<bool> step();
  // Steps to the end, ignoring rows: for INSERT/UPDATE/DELETE.
  Status run();
  // Steps to the end, collecting readRow(*this) of every row.
  template <typename T, typename ReadRow>
  Result<std::vector<T>> collect(ReadRow readRow) {
    std::vector<T> out;
    for (;;) {
      auto row = step();
      if (!row) return row.status();
      if (!*row) return out;
      out.push_back(readRow(*this));
    }
  }

  std::string text(int column) const;
  std::int64_t int64(int column) const;
  std::optional<std::int64_t> optionalInt64(int column) const;  // nullopt for NULL
  std::optional<double> optionalReal(int column) const;         // nullopt for NULL
  // False when the column is not a blob of exactly N bytes.
  template <std::size_t N>
  bool blob(int column, std::array<std::uint8_t, N> &out) const {
    const void *p = blobData(column);
    if (!p || blobSize(column) != N) return false;
    std::memcpy(out.data(), p, N);
    return true;
  }

private:
  friend class SqliteDb;
  SqliteStatement(const SqliteDb *db, sqlite3_stmt *stmt) : m_db(db), m_stmt(stmt) {}
  const void *blobData(int column) const;
  std::size_t blobSize(int column) const;

  const SqliteDb *m_db;
  sqlite3_stmt *m_stmt;
};

class SqliteDb {
public:
  static Result<std::unique_ptr<SqliteDb>> open(const std::string &path, const SqliteOptions &options);
  ~SqliteDb();
  SqliteDb(const SqliteDb &) = delete;
  SqliteDb &operator=(const SqliteDb &) = delete;

  // One or more statements without parameters or results (DDL, PRAGMA with side effects, BEGIN).
  Status exec(std::string_view sql);
  Result<SqliteStatement> prepare(std::string_view sql);

  // Runs fn() inside BEGIN IMMEDIATE … COMMIT; any error (fn's or COMMIT's) rolls back and is
  // returned. fn returns Status, or Result<T> (then the value is returned after the commit).
  template <typename Fn>
  auto transaction(Fn &&fn) -> decltype(fn()) {
    if (Status begun = exec("BEGIN IMMEDIATE"); !begun.isOk()) return begun;
    auto result = fn();
    if (!result.isOk()) {
      rollback();
      return result;
    }
    if (Status committed = exec("COMMIT"); !committed.isOk()) {
      rollback();
      return committed;
    }
    return result;
  }

  // The schema version found at open() and brought up to date (= migrations.size()).
  int schemaVersion() const { return m_schemaVersion; }
  // Rows changed by the last INSERT/UPDATE/DELETE of this connection.
  std::int64_t changes() const;
  // The rowid of the last successful INSERT of this connection.
  std::int64_t lastInsertRowId() const;
  const std::string &path() const { return m_path; }

  // A Status for SQLite result code `rc` (see Errors above) naming the file and `what`.
  Status error(int rc, std::string_view what) const;

private:
  friend class SqliteStatement;
  SqliteDb(sqlite3 *db, std::string path) : m_db(db), m_path(std::move(path)) {}
  Status checkThread() const;
  Status migrate(const std::vector<std::string_view> &migrations);
  void rollback();

  sqlite3 *m_db;
  const std::string m_path;
  const std::thread::id m_owner = std::this_thread::get_id();
  int m_schemaVersion = 0;
};

}  // namespace lmfront::storage
