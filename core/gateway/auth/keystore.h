// KeyStore: the API keys of one node, in DATA_DIR/auth.sqlite (SQLite, WAL, versioned schema).
//
// Holds only what verification needs and nothing that would let a reader use a key: the key id
// (first 8 characters after "lmf_"), a per-key random salt and SHA-256(salt ‖ key), plus name,
// role and times. The key itself exists only in the CreatedKey returned by create().
//
// Threads: one KeyStore is one SQLite connection (storage/sqlitedb.h) owned by the thread that
// opened it (the node's thread, or the CLI); calls from another thread are refused. Several
// processes may open the same file: SQLite's locking serialises writers (busy timeout 5 s) and
// changeToken() lets a reader notice other writers.
// Errors: IoError (cannot create/open/write), DataLoss (corrupt or foreign file),
// FailedPrecondition (schema newer than this build), InvalidArgument/AlreadyExists/NotFound for
// the caller's input. Times are Unix milliseconds.
#pragma once

#include "common/status.h"
#include "gateway/auth/apikey.h"
#include "gateway/auth/role.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lmfront::storage {
class SqliteDb;
}

namespace lmfront::gateway::auth {

inline constexpr const char *kAuthDbFileName = "auth.sqlite";

struct KeyRecord {
  std::string keyId;  // 8 base62 characters; shown to users as "lmf_<keyId>…"
  std::string name;   // unique among keys that are not revoked
  Role role = Role::Viewer;
  std::int64_t createdAtMs = 0;
  std::optional<std::int64_t> revokedAtMs;
  std::optional<std::int64_t> lastUsedAtMs;  // coarse: written in batches by flushUsage()
  Salt salt{};
  KeyHash hash{};

  bool revoked() const { return revokedAtMs.has_value(); }
};

struct CreatedKey {
  KeyRecord record;
  std::string key;  // the secret "lmf_…": show it once, never store it
};

class KeyStore {
public:
  static constexpr int kSchemaVersion = 1;

  // Opens (creating if needed, mode 0600; the directory 0700 when created) DATA_DIR/auth.sqlite.
  static Result<std::unique_ptr<KeyStore>> open(const std::string &dataDir);
  static Result<std::unique_ptr<KeyStore>> openFile(const std::string &path);
  ~KeyStore();
  KeyStore(const KeyStore &) = delete;
  KeyStore &operator=(const KeyStore &) = delete;

  // Names: 1..64 of [A-Za-z0-9._@-]. AlreadyExists when an active key has the name.
  Result<CreatedKey> create(const std::string &name, Role role);
  // By key id ("abcd1234" or "lmf_abcd1234…") or by the name of an active key. NotFound when
  // nothing matches, FailedPrecondition when the key is already revoked.
  Result<KeyRecord> revoke(const std::string &idOrName);
  // Every key, revoked ones included, oldest first.
  Result<std::vector<KeyRecord>> list();
  Result<std::size_t> activeKeyCount();
  // Raises last_used_at to the given times (never lowers it); one transaction.
  Status recordUsage(const std::vector<std::pair<std::string, std::int64_t>> &keyIdToUnixMs);

  // Changes whenever keys may have changed, by this connection or any other (PRAGMA
  // data_version plus this connection's own writes). Cheap: poll it to decide on a reload.
  // Polling the file's mtime would miss changes: in WAL mode writes land in auth.sqlite-wal.
  Result<std::uint64_t> changeToken();
  const std::string &path() const { return m_path; }

  static std::int64_t nowUnixMs();

private:
  explicit KeyStore(std::unique_ptr<storage::SqliteDb> db);

  std::unique_ptr<storage::SqliteDb> m_db;
  std::string m_path;
  std::uint64_t m_ownWrites = 0;
};

// Name rule used by create(); exposed for the CLI's early validation.
Status validateKeyName(const std::string &name);

}  // namespace lmfront::gateway::auth
