#include "gateway/auth/keystore.h"

#include "storage/sqlitedb.h"

#include <chrono>
#include <filesystem>
#include <iterator>
#include <system_error>

namespace lmfront::gateway::auth {

using storage::SqliteDb;
using storage::SqliteStatement;

namespace {

// Migration i brings the schema from version i to i + 1. Append, never edit a released one.
constexpr std::string_view kMigrations[] = {
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

constexpr int kMaxIdCollisions = 8;

bool isKeyIdShape(std::string_view s) {
  if (s.size() != kKeyIdChars) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

constexpr const char *kSelectColumns =
    "SELECT key_id, name, role, salt, hash, created_at, revoked_at, last_used_at FROM api_keys ";

Result<KeyRecord> readRow(const SqliteStatement &s, const std::string &path) {
  KeyRecord r;
  r.keyId = s.text(0);
  r.name = s.text(1);
  auto role = parseRole(s.text(2));
  if (!role) return Status::dataLoss(path + ": key " + r.keyId + ": " + role.status().message());
  r.role = *role;
  if (!s.blob(3, r.salt) || !s.blob(4, r.hash))
    return Status::dataLoss(path + ": key " + r.keyId + ": salt or hash has the wrong size");
  r.createdAtMs = s.optionalInt64(5).value_or(0);
  r.revokedAtMs = s.optionalInt64(6);
  r.lastUsedAtMs = s.optionalInt64(7);
  return r;
}

// Finds rows for `sql` with one text parameter.
Result<std::vector<KeyRecord>> query(SqliteDb &db, const std::string &sql, const std::string *param) {
  auto s = db.prepare(sql);
  if (!s) return s.status();
  if (param) s->bind(1, *param);
  std::vector<KeyRecord> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.status();
    if (!*row) return out;
    auto r = readRow(*s, db.path());
    if (!r) return r.status();
    out.push_back(std::move(r).value());
  }
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
  storage::SqliteOptions options;
  options.migrations.assign(std::begin(kMigrations), std::end(kMigrations));
  options.fullSync = true;  // revocations must survive a power cut (writes are rare)
  auto db = SqliteDb::open(path, options);
  if (!db) return db.status();
  return std::unique_ptr<KeyStore>(new KeyStore(std::move(*db)));
}

KeyStore::KeyStore(std::unique_ptr<SqliteDb> db) : m_db(std::move(db)), m_path(m_db->path()) {}

KeyStore::~KeyStore() = default;

Result<CreatedKey> KeyStore::create(const std::string &name, Role role) {
  LMFRONT_RETURN_IF_ERROR(validateKeyName(name));
  auto created = m_db->transaction([&]() -> Result<CreatedKey> {
    auto existing = query(*m_db, std::string(kSelectColumns) + "WHERE name = ? AND revoked_at IS NULL", &name);
    if (!existing) return existing.status();
    if (!existing->empty())
      return Status::alreadyExists("an active key named '" + name + "' already exists (id " + std::string(kKeyPrefix) +
                                   existing->front().keyId + "…): revoke it first or choose another name");
    auto ins =
        m_db->prepare("INSERT INTO api_keys (key_id, name, role, salt, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!ins) return ins.status();
    for (int attempt = 0; attempt < kMaxIdCollisions; ++attempt) {
      auto key = generateKey();
      auto salt = generateSalt();
      if (!key) return key.status();
      if (!salt) return salt.status();
      CreatedKey made;
      made.key = std::move(key).value();
      made.record.keyId = made.key.substr(kKeyPrefix.size(), kKeyIdChars);
      made.record.name = name;
      made.record.role = role;
      made.record.createdAtMs = nowUnixMs();
      made.record.salt = *salt;
      made.record.hash = hashKey(*salt, made.key);
      ins->reset();
      ins->bind(1, made.record.keyId)
          .bind(2, name)
          .bind(3, roleName(role))
          .bindBlob(4, made.record.salt.data(), made.record.salt.size())
          .bindBlob(5, made.record.hash.data(), made.record.hash.size())
          .bind(6, made.record.createdAtMs);
      Status inserted = ins->run();
      // Only the key id is unique among all rows here (the name was checked above): a collision
      // is 1 in 62^8 per existing key, so draw another key.
      if (inserted.code() == StatusCode::AlreadyExists) continue;
      if (!inserted) return inserted;
      return made;
    }
    return Status::internal("could not draw an unused key id");
  });
  if (created) ++m_ownWrites;
  return created;
}

Result<KeyRecord> KeyStore::revoke(const std::string &idOrName) {
  std::string id = idOrName;
  if (std::string_view(id).substr(0, kKeyPrefix.size()) == kKeyPrefix) id.erase(0, kKeyPrefix.size());
  for (std::string_view tail : {"…", "..."})
    if (id.size() > tail.size() && std::string_view(id).substr(id.size() - tail.size()) == tail)
      id.erase(id.size() - tail.size());
  // A whole key pasted by mistake still names its key (and is never echoed back).
  if (id.size() > kKeyIdChars && parseKey(idOrName)) id.resize(kKeyIdChars);

  auto revoked = m_db->transaction([&]() -> Result<KeyRecord> {
    std::vector<KeyRecord> byId;
    if (isKeyIdShape(id)) {
      auto r = query(*m_db, std::string(kSelectColumns) + "WHERE key_id = ?", &id);
      if (!r) return r.status();
      byId = std::move(r).value();
    }
    auto byName =
        query(*m_db, std::string(kSelectColumns) + "WHERE name = ? ORDER BY revoked_at IS NULL DESC", &idOrName);
    if (!byName) return byName.status();

    const KeyRecord *target = nullptr;
    const KeyRecord *named = byName->empty() ? nullptr : &byName->front();  // the active one first
    if (!byId.empty()) {
      target = &byId.front();
      if (named && !named->revoked() && named->keyId != target->keyId)
        return Status::invalidArgument("'" + idOrName + "' is both the id of " + shown(*target) + " and the name of " +
                                       shown(*named) + ": revoke by the other one's id");
    } else {
      target = named;
    }
    if (!target) return Status::notFound("no API key with id or name '" + idOrName + "' (see lmfront keys list)");
    if (target->revoked()) return Status::failedPrecondition("key " + shown(*target) + " is already revoked");

    KeyRecord out = *target;
    out.revokedAtMs = nowUnixMs();
    auto upd = m_db->prepare("UPDATE api_keys SET revoked_at = ? WHERE key_id = ?");
    if (!upd) return upd.status();
    upd->bind(1, *out.revokedAtMs).bind(2, out.keyId);
    if (Status st = upd->run(); !st) return st;
    return out;
  });
  if (revoked) ++m_ownWrites;
  return revoked;
}

Result<std::vector<KeyRecord>> KeyStore::list() {
  return query(*m_db, std::string(kSelectColumns) + "ORDER BY created_at, rowid",
               nullptr);  // rowid: creation order within a millisecond
}

Result<std::size_t> KeyStore::activeKeyCount() {
  auto s = m_db->prepare("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL");
  if (!s) return s.status();
  auto row = s->step();
  if (!row) return row.status();
  const auto count = *row ? s->int64(0) : 0;
  (void)s->step();  // past the single row: done, and the read transaction ends with it
  return static_cast<std::size_t>(count);
}

Status KeyStore::recordUsage(const std::vector<std::pair<std::string, std::int64_t>> &keyIdToUnixMs) {
  if (keyIdToUnixMs.empty()) return Status::ok();
  return m_db->transaction([&]() -> Status {
    auto upd = m_db->prepare("UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE key_id = ?");
    if (!upd) return upd.status();
    for (const auto &[keyId, ms] : keyIdToUnixMs) {
      upd->reset();
      upd->bind(1, ms).bind(2, keyId);
      LMFRONT_RETURN_IF_ERROR(upd->run());
    }
    return Status::ok();
  });
}

Result<std::uint64_t> KeyStore::changeToken() {
  auto s = m_db->prepare("PRAGMA data_version");
  if (!s) return s.status();
  auto row = s->step();
  if (!row) return row.status();
  if (!*row) return Status::internal(m_path + ": PRAGMA data_version returned no row");
  const auto other = static_cast<std::uint64_t>(s->int64(0));
  (void)s->step();
  return (m_ownWrites << 32) ^ other;
}

}  // namespace lmfront::gateway::auth
