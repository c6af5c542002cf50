#include "gateway/auth/keystore.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <system_error>

namespace lmfront::gateway::auth {

namespace {

// Migration i brings the schema from version i to i + 1. Append, never edit a released one.
constexpr const char *kMigrations[] = {
    // 1: keys. Names are unique among active keys only, so a revoked name can be reused.
    "CREATE TABLE api_keys ("
    "  key_id TEXT PRIMARY KEY NOT NULL,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  salt BLOB NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER,"
    "  last_used_at INTEGER);"
    "CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;",
};
static_assert(std::size(kMigrations) == KeyStore::kSchemaVersion);

constexpr int kBusyTimeoutMs = 5000;
constexpr int kMaxIdCollisions = 8;

// One prepared statement, finalized on scope exit (no statement outlives its use, so no read
// transaction stays open by accident).
class Stmt {
public:
  Stmt(sqlite3 *db, const char *sql) { m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr); }
  ~Stmt() { sqlite3_finalize(m_stmt); }
  Stmt(const Stmt &) = delete;
  Stmt &operator=(const Stmt &) = delete;

  bool ok() const { return m_rc == SQLITE_OK; }
  void bind(int i, const std::string &s) {
    sqlite3_bind_text(m_stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(m_stmt, i, v); }
  void bindBlob(int i, const void *p, std::size_t n) {
    sqlite3_bind_blob(m_stmt, i, p, static_cast<int>(n), SQLITE_TRANSIENT);
  }
  void reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }
  int step() { return sqlite3_step(m_stmt); }
  sqlite3_stmt *get() const { return m_stmt; }
  std::string text(int col) const {
    const unsigned char *p = sqlite3_column_text(m_stmt, col);
    return p ? std::string(reinterpret_cast<const char *>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
             : std::string();
  }
  std::optional<std::int64_t> optInt(int col) const {
    if (sqlite3_column_type(m_stmt, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(m_stmt, col);
  }
  template <std::size_t N>
  bool blob(int col, std::array<std::uint8_t, N> &out) const {
    const void *p = sqlite3_column_blob(m_stmt, col);
    if (!p || sqlite3_column_bytes(m_stmt, col) != static_cast<int>(N)) return false;
    std::memcpy(out.data(), p, N);
    return true;
  }

private:
  sqlite3_stmt *m_stmt = nullptr;
  int m_rc;
};

Status sqliteError(sqlite3 *db, int rc, const std::string &path, std::string_view what) {
  std::string msg = path + ": " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT: return Status::dataLoss(msg);
  case SQLITE_BUSY:
  case SQLITE_LOCKED: return Status::unavailable(msg);
  case SQLITE_FULL: return Status::resourceExhausted(msg);
  default: return Status::ioError(msg);
  }
}

bool isKeyIdShape(std::string_view s) {
  if (s.size() != kKeyIdChars) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

constexpr const char *kSelectColumns =
    "SELECT key_id, name, role, salt, hash, created_at, revoked_at, last_used_at FROM api_keys ";

Result<KeyRecord> readRow(const Stmt &s, const std::string &path) {
  KeyRecord r;
  r.keyId = s.text(0);
  r.name = s.text(1);
  auto role = parseRole(s.text(2));
  if (!role) return Status::dataLoss(path + ": key " + r.keyId + ": " + role.status().message());
  r.role = *role;
  if (!s.blob(3, r.salt) || !s.blob(4, r.hash))
    return Status::dataLoss(path + ": key " + r.keyId + ": salt or hash has the wrong size");
  r.createdAtMs = s.optInt(5).value_or(0);
  r.revokedAtMs = s.optInt(6);
  r.lastUsedAtMs = s.optInt(7);
  return r;
}

// Finds rows for `sql` with one text parameter.
Result<std::vector<KeyRecord>> query(sqlite3 *db, const std::string &path, const std::string &sql,
                                     const std::string *param) {
  Stmt s(db, sql.c_str());
  if (!s.ok()) return sqliteError(db, sqlite3_errcode(db), path, "query");
  if (param) s.bind(1, *param);
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    auto r = readRow(s, path);
    if (!r) return r.status();
    out.push_back(std::move(r).value());
  }
  if (rc != SQLITE_DONE) return sqliteError(db, rc, path, "query");
  return out;
}

std::string shown(const KeyRecord &r) { return std::string(kKeyPrefix) + r.keyId + "… (" + r.name + ")"; }

}  // namespace

Status validateKeyName(const std::string &name) {
  if (name.empty() || name.size() > 64) return Status::invalidArgument("key name must be 1 to 64 characters");
  for (char c : name) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' || c == '_' ||
              c == '@' || c == '-';
    if (!ok) return Status::invalidArgument("key name '" + name + "' may only use letters, digits and . _ @ -");
  }
  return Status::ok();
}

std::int64_t KeyStore::nowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<std::unique_ptr<KeyStore>> KeyStore::open(const std::string &dataDir) {
  if (dataDir.empty()) return Status::invalidArgument("no data directory given");
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir(dataDir);
  if (!fs::is_directory(dir, ec)) {
    if (!fs::create_directories(dir, ec) && ec)
      return Status::ioError("cannot create data directory " + dataDir + ": " + ec.message());
    // Only the directory we made: someone else's existing directory keeps its mode.
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  return openFile((dir / kAuthDbFileName).string());
}

Result<std::unique_ptr<KeyStore>> KeyStore::openFile(const std::string &path) {
  // Create the file ourselves so it starts 0600; SQLite gives -wal/-shm the same mode.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::fromErrno(errno, "cannot open " + path);
  ::close(fd);

  sqlite3 *db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = sqliteError(db, rc, path, "cannot open");
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<KeyStore> store(new KeyStore(db, path));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  LMFRONT_RETURN_IF_ERROR(store->exec("PRAGMA journal_mode=WAL"));
  // Revocations must survive a power cut: keep full fsync (writes are rare).
  LMFRONT_RETURN_IF_ERROR(store->exec("PRAGMA synchronous=FULL"));
  LMFRONT_RETURN_IF_ERROR(store->migrate());
  return store;
}

KeyStore::~KeyStore() { sqlite3_close(m_db); }

Status KeyStore::exec(const char *sql) {
  char *err = nullptr;
  int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::ok();
  std::string what = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  Status st = sqliteError(nullptr, rc, m_path, what);
  return Status(st.code(), m_path + ": " + what);
}

Status KeyStore::migrate() {
  LMFRONT_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
  auto rollback = [this](Status st) {
    (void)exec("ROLLBACK");
    return st;
  };
  Status st = exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  if (!st) return rollback(st);
  int version = 0;
  {
    Stmt s(m_db, "SELECT MAX(version) FROM schema_version");
    if (!s.ok() || s.step() != SQLITE_ROW) return rollback(sqliteError(m_db, sqlite3_errcode(m_db), m_path, "schema"));
    version = sqlite3_column_int(s.get(), 0);
  }
  if (version > kSchemaVersion)
    return rollback(Status::failedPrecondition(m_path + ": schema version " + std::to_string(version) +
                                               " is newer than this lmfront understands (" +
                                               std::to_string(kSchemaVersion) + "): upgrade lmfront"));
  for (int v = version; v < kSchemaVersion; ++v) {
    st = exec(kMigrations[v]);
    if (!st) return rollback(st.withContext("migration to schema " + std::to_string(v + 1)));
  }
  if (version != kSchemaVersion) {
    st = exec("DELETE FROM schema_version");
    if (st) {
      Stmt s(m_db, "INSERT INTO schema_version (version) VALUES (?)");
      s.bind(1, static_cast<std::int64_t>(kSchemaVersion));
      if (!s.ok() || s.step() != SQLITE_DONE) st = sqliteError(m_db, sqlite3_errcode(m_db), m_path, "schema");
    }
    if (!st) return rollback(st);
  }
  return exec("COMMIT");
}

Result<CreatedKey> KeyStore::create(const std::string &name, Role role) {
  LMFRONT_RETURN_IF_ERROR(validateKeyName(name));
  LMFRONT_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
  auto fail = [this](Status st) -> Result<CreatedKey> {
    (void)exec("ROLLBACK");
    return st;
  };
  auto existing = query(m_db, m_path, std::string(kSelectColumns) + "WHERE name = ? AND revoked_at IS NULL", &name);
  if (!existing) return fail(existing.status());
  if (!existing->empty())
    return fail(Status::alreadyExists("an active key named '" + name + "' already exists (id " +
                                      std::string(kKeyPrefix) + existing->front().keyId +
                                      "…): revoke it first or choose another name"));

  Stmt ins(m_db, "INSERT INTO api_keys (key_id, name, role, salt, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (!ins.ok()) return fail(sqliteError(m_db, sqlite3_errcode(m_db), m_path, "insert"));
  for (int attempt = 0; attempt < kMaxIdCollisions; ++attempt) {
    auto key = generateKey();
    auto salt = generateSalt();
    if (!key) return fail(key.status());
    if (!salt) return fail(salt.status());
    CreatedKey created;
    created.key = std::move(key).value();
    created.record.keyId = created.key.substr(kKeyPrefix.size(), kKeyIdChars);
    created.record.name = name;
    created.record.role = role;
    created.record.createdAtMs = nowUnixMs();
    created.record.salt = *salt;
    created.record.hash = hashKey(*salt, created.key);
    ins.reset();
    ins.bind(1, created.record.keyId);
    ins.bind(2, name);
    ins.bind(3, std::string(roleName(role)));
    ins.bindBlob(4, created.record.salt.data(), created.record.salt.size());
    ins.bindBlob(5, created.record.hash.data(), created.record.hash.size());
    ins.bind(6, created.record.createdAtMs);
    int rc = ins.step();
    if (rc == SQLITE_CONSTRAINT) continue;  // 1 in 62^8 per existing key: draw another key
    if (rc != SQLITE_DONE) return fail(sqliteError(m_db, rc, m_path, "insert"));
    Status st = exec("COMMIT");
    if (!st) return fail(st);
    ++m_ownWrites;
    return created;
  }
  return fail(Status::internal("could not draw an unused key id"));
}

Result<KeyRecord> KeyStore::revoke(const std::string &idOrName) {
  std::string id = idOrName;
  if (std::string_view(id).substr(0, kKeyPrefix.size()) == kKeyPrefix) id.erase(0, kKeyPrefix.size());
  for (std::string_view tail : {"…", "..."})
    if (id.size() > tail.size() && std::string_view(id).substr(id.size() - tail.size()) == tail)
      id.erase(id.size() - tail.size());
  // A whole key pasted by mistake still names its key (and is never echoed back).
  if (id.size() > kKeyIdChars && parseKey(idOrName)) id.resize(kKeyIdChars);

  LMFRONT_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
  auto fail = [this](Status st) -> Result<KeyRecord> {
    (void)exec("ROLLBACK");
    return st;
  };
  std::vector<KeyRecord> byId;
  if (isKeyIdShape(id)) {
    auto r = query(m_db, m_path, std::string(kSelectColumns) + "WHERE key_id = ?", &id);
    if (!r) return fail(r.status());
    byId = std::move(r).value();
  }
  auto byName =
      query(m_db, m_path, std::string(kSelectColumns) + "WHERE name = ? ORDER BY revoked_at IS NULL DESC", &idOrName);
  if (!byName) return fail(byName.status());

  const KeyRecord *target = nullptr;
  const KeyRecord *named = byName->empty() ? nullptr : &byName->front();  // the active one first
  if (!byId.empty()) {
    target = &byId.front();
    if (named && !named->revoked() && named->keyId != target->keyId)
      return fail(Status::invalidArgument("'" + idOrName + "' is both the id of " + shown(*target) +
                                          " and the name of " + shown(*named) + ": revoke by the other one's id"));
  } else {
    target = named;
  }
  if (!target) return fail(Status::notFound("no API key with id or name '" + idOrName + "' (see lmfront keys list)"));
  if (target->revoked()) return fail(Status::failedPrecondition("key " + shown(*target) + " is already revoked"));

  KeyRecord out = *target;
  out.revokedAtMs = nowUnixMs();
  Stmt upd(m_db, "UPDATE api_keys SET revoked_at = ? WHERE key_id = ?");
  upd.bind(1, *out.revokedAtMs);
  upd.bind(2, out.keyId);
  int rc = upd.ok() ? upd.step() : sqlite3_errcode(m_db);
  if (rc != SQLITE_DONE) return fail(sqliteError(m_db, rc, m_path, "revoke"));
  Status st = exec("COMMIT");
  if (!st) return fail(st);
  ++m_ownWrites;
  return out;
}

Result<std::vector<KeyRecord>> KeyStore::list() {
  return query(m_db, m_path, std::string(kSelectColumns) + "ORDER BY created_at, rowid",
               nullptr);  // rowid: creation order within a millisecond
}

Result<std::size_t> KeyStore::activeKeyCount() {
  Stmt s(m_db, "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL");
  int rc = s.ok() ? s.step() : sqlite3_errcode(m_db);
  if (rc != SQLITE_ROW) return sqliteError(m_db, rc, m_path, "count");
  return static_cast<std::size_t>(sqlite3_column_int64(s.get(), 0));
}

Status KeyStore::recordUsage(const std::vector<std::pair<std::string, std::int64_t>> &keyIdToUnixMs) {
  if (keyIdToUnixMs.empty()) return Status::ok();
  LMFRONT_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
  Stmt upd(m_db, "UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE key_id = ?");
  if (!upd.ok()) {
    Status st = sqliteError(m_db, sqlite3_errcode(m_db), m_path, "usage");
    (void)exec("ROLLBACK");
    return st;
  }
  for (const auto &[keyId, ms] : keyIdToUnixMs) {
    upd.reset();
    upd.bind(1, ms);
    upd.bind(2, keyId);
    int rc = upd.step();
    if (rc != SQLITE_DONE) {
      Status st = sqliteError(m_db, rc, m_path, "usage");
      (void)exec("ROLLBACK");
      return st;
    }
  }
  return exec("COMMIT");
}

Result<std::uint64_t> KeyStore::changeToken() {
  Stmt s(m_db, "PRAGMA data_version");
  int rc = s.ok() ? s.step() : sqlite3_errcode(m_db);
  if (rc != SQLITE_ROW) return sqliteError(m_db, rc, m_path, "data_version");
  const auto other = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0));
  return (m_ownWrites << 32) ^ other;
}

}  // namespace lmfront::gateway::auth
