#include "storage/sqlitedb.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <climits>

namespace lmfront::storage {

namespace {
int sqlSize(std::string_view sql) { return sql.size() > INT_MAX ? INT_MAX : static_cast<int>(sql.size()); }
}  // namespace

// --- SqliteStatement ---------------------------------------------------------------------------

SqliteStatement::SqliteStatement(SqliteStatement &&other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt) {
  other.m_stmt = nullptr;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(m_stmt); }

SqliteStatement &SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text(m_stmt, index, text.data(), sqlSize(text), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement &SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(m_stmt, index, value);
  return *this;
}

SqliteStatement &SqliteStatement::bind(int index, double value) {
  sqlite3_bind_double(m_stmt, index, value);
  return *this;
}

SqliteStatement &SqliteStatement::bindNull(int index) {
  sqlite3_bind_null(m_stmt, index);
  return *this;
}

SqliteStatement &SqliteStatement::bindBlob(int index, const void *data, std::size_t size) {
  sqlite3_bind_blob(m_stmt, index, data, static_cast<int>(size), SQLITE_TRANSIENT);
  return *this;
}

void SqliteStatement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

Result<bool> SqliteStatement::step() {
  LMFRONT_RETURN_IF_ERROR(m_db->checkThread());
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  // Reset at once: a statement left mid-result would hold its read transaction open.
  sqlite3_reset(m_stmt);
  if (rc == SQLITE_DONE) return false;
  return m_db->error(rc, "query");
}

Status SqliteStatement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.status();
    if (!*row) return Status::ok();
  }
}

std::string SqliteStatement::text(int column) const {
  const unsigned char *p = sqlite3_column_text(m_stmt, column);
  return p ? std::string(reinterpret_cast<const char *>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
           : std::string();
}

std::int64_t SqliteStatement::int64(int column) const { return sqlite3_column_int64(m_stmt, column); }

std::optional<std::int64_t> SqliteStatement::optionalInt64(int column) const {
  if (sqlite3_column_type(m_stmt, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(m_stmt, column);
}

std::optional<double> SqliteStatement::optionalReal(int column) const {
  if (sqlite3_column_type(m_stmt, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(m_stmt, column);
}

const void *SqliteStatement::blobData(int column) const { return sqlite3_column_blob(m_stmt, column); }

std::size_t SqliteStatement::blobSize(int column) const {
  return static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column));
}

// --- SqliteDb ----------------------------------------------------------------------------------

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string &path, const SqliteOptions &options) {
  // Create the file ourselves so it starts 0600; SQLite gives -wal/-shm the same mode.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::fromErrno(errno, "cannot open " + path);
  ::close(fd);

  sqlite3 *handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(handle, path));
  if (rc != SQLITE_OK) return db->error(rc, "cannot open");
  sqlite3_busy_timeout(handle, options.busyTimeoutMs);
  // The first statements read the header: a file that is not a database fails here (DataLoss).
  LMFRONT_RETURN_IF_ERROR(db->exec("PRAGMA journal_mode=WAL"));
  LMFRONT_RETURN_IF_ERROR(db->exec(options.fullSync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  LMFRONT_RETURN_IF_ERROR(db->migrate(options.migrations));
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close(m_db); }

Status SqliteDb::checkThread() const {
  if (std::this_thread::get_id() == m_owner) return Status::ok();
  return Status::failedPrecondition(m_path + ": used from a thread that does not own this connection");
}

Status SqliteDb::error(int rc, std::string_view what) const {
  // The connection's message is more precise than the code's (it names the table, the column).
  const bool fresh = m_db && (sqlite3_errcode(m_db) & 0xff) == (rc & 0xff);
  std::string msg = m_path + ": " + std::string(what) + ": " + (fresh ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT: return Status::dataLoss(msg);
  case SQLITE_BUSY:
  case SQLITE_LOCKED: return Status::unavailable(msg);
  case SQLITE_FULL: return Status::resourceExhausted(msg);
  case SQLITE_CONSTRAINT: return Status::alreadyExists(msg);
  default: return Status::ioError(msg);
  }
}

Status SqliteDb::exec(std::string_view sql) {
  LMFRONT_RETURN_IF_ERROR(checkThread());
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  char *message = nullptr;
  const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::ok();
  std::string what = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  const Status coded = error(rc, what);
  return Status(coded.code(), m_path + ": " + what);
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  LMFRONT_RETURN_IF_ERROR(checkThread());
  sqlite3_stmt *stmt = nullptr;
  const int rc = sqlite3_prepare_v2(m_db, sql.data(), sqlSize(sql), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return error(rc, "prepare");
  }
  return SqliteStatement(this, stmt);
}

std::int64_t SqliteDb::changes() const { return sqlite3_changes(m_db); }

std::int64_t SqliteDb::lastInsertRowId() const { return sqlite3_last_insert_rowid(m_db); }

void SqliteDb::rollback() { (void)exec("ROLLBACK"); }

Status SqliteDb::migrate(const std::vector<std::string_view> &migrations) {
  const int target = static_cast<int>(migrations.size());
  return transaction([&]() -> Status {
    LMFRONT_RETURN_IF_ERROR(exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    int version = 0;
    {
      auto read = prepare("SELECT MAX(version) FROM schema_version");
      if (!read) return read.status();
      auto row = read->step();
      if (!row) return row.status();
      if (*row) version = static_cast<int>(read->int64(0));
    }
    m_schemaVersion = version;
    if (version > target)
      return Status::failedPrecondition(m_path + ": schema version " + std::to_string(version) +
                                        " is newer than this lmfront understands (" + std::to_string(target) +
                                        "): upgrade lmfront");
    if (version == target) return Status::ok();
    for (int v = version; v < target; ++v) {
      Status st = exec(migrations[static_cast<std::size_t>(v)]);
      if (!st) return st.withContext("migration to schema " + std::to_string(v + 1));
    }
    LMFRONT_RETURN_IF_ERROR(exec("DELETE FROM schema_version"));
    auto write = prepare("INSERT INTO schema_version (version) VALUES (?)");
    if (!write) return write.status();
    write->bind(1, static_cast<std::int64_t>(target));
    LMFRONT_RETURN_IF_ERROR(write->run());
    m_schemaVersion = target;
    return Status::ok();
  });
}

}  // namespace lmfront::storage
