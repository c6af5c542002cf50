// Authenticator: verifies `Authorization: Bearer lmf_…` on the request hot path.
//
// Holds an immutable snapshot of the keys (key id → salt, hash, role, revoked) that reload()
// builds from a KeyStore and publishes by bumping a generation counter; each thread keeps its own
// reference to the current snapshot and only takes the publishing mutex when the generation moved
// (once per reload), so authenticate() shares no written cache line between workers. It hashes
// the presented key once (SHA-256, ~150 ns) and compares in constant time. No SQLite on the hot
// path (bench/auth: ~250 ns CPU per call, docs/benchmarks/auth.md).
//
// Threads: authenticate(), authorize() and activeKeyCount() may be called from any number of
// threads at once, also while reload() runs. reload(), reloadIfChanged() and flushUsage() take a
// KeyStore and so belong to the thread that owns it (see keystore.h); they serialise among
// themselves with a mutex.
//
// last_used_at is kept lazily: authenticate() stamps an in-memory slot per key (at most once a
// second per key, a relaxed atomic), and flushUsage() writes the stamps in one transaction; the
// node calls it from a timer (e.g. every 60 s) and at shutdown.
//
// Errors: Unauthenticated for a missing, malformed, unknown, wrong or revoked key (the message
// never contains the presented secret); PermissionDenied from authorize() for too low a role.
#pragma once

#include "common/status.h"
#include "gateway/auth/keystore.h"
#include "gateway/auth/role.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lmfront::gateway::auth {

struct Principal {
  std::string keyId;  // empty for the anonymous local principal (see AuthGate)
  std::string name;
  Role role = Role::Viewer;

  bool anonymous() const { return keyId.empty(); }
};

class Authenticator {
public:
  Authenticator();
  ~Authenticator();
  Authenticator(const Authenticator &) = delete;
  Authenticator &operator=(const Authenticator &) = delete;

  // Rebuilds the snapshot from every key in the store. On error the old snapshot stays.
  Status reload(KeyStore &store);
  // reload() only when store.changeToken() moved since the last reload. Returns whether it did.
  Result<bool> reloadIfChanged(KeyStore &store);
  // Publishes these records as the snapshot (what reload() does after reading the store).
  void setKeys(const std::vector<KeyRecord> &records);

  Result<Principal> authenticate(std::string_view authorizationHeader) const;
  static Status authorize(const Principal &principal, Role need);

  std::size_t activeKeyCount() const;
  // Writes last-used stamps newer than the last flush. Keys deleted meanwhile are skipped.
  Status flushUsage(KeyStore &store);

private:
  struct UsageSlot {
    std::string keyId;
    std::atomic<std::int64_t> lastUsedMs{0};
    std::int64_t flushedMs = 0;  // guarded by m_reloadMutex
  };
  struct Entry {
    KeyRecord record;
    std::shared_ptr<UsageSlot> usage;
  };
  struct Snapshot {
    std::unordered_map<std::uint64_t, Entry> byId;  // packKeyId(keyId) → entry
    std::size_t active = 0;
  };

  // The calling thread's view of the current snapshot (refreshed when m_generation moved).
  const Snapshot &current() const;
  void publish(std::shared_ptr<const Snapshot> next);

  const std::uint64_t m_instance;  // tells this Authenticator's thread-local cache from another's
  std::atomic<std::uint64_t> m_generation{0};
  mutable std::mutex m_snapshotMutex;
  std::shared_ptr<const Snapshot> m_snapshot;  // GUARDED_BY(m_snapshotMutex)
  std::mutex m_reloadMutex;
  std::unordered_map<std::string, std::shared_ptr<UsageSlot>> m_usage;  // GUARDED_BY(m_reloadMutex)
  bool m_haveToken = false;                                             // GUARDED_BY(m_reloadMutex)
  std::uint64_t m_token = 0;                                            // GUARDED_BY(m_reloadMutex)
};

}  // namespace lmfront::gateway::auth
