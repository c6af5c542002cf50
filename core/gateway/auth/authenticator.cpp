#include "gateway/auth/authenticator.h"

#include "gateway/auth/apikey.h"

#include <chrono>

namespace lmfront::gateway::auth {

namespace {

// last_used_at is an operator's hint ("is this key still in use?"), not an audit log: one
// stamp per key per second keeps the hot path to a relaxed load on the common case.
constexpr std::int64_t kUsageResolutionMs = 1000;

std::int64_t wallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::atomic<std::uint64_t> g_instances{0};

}  // namespace

Authenticator::Authenticator() : m_instance(++g_instances) { publish(std::make_shared<const Snapshot>()); }
Authenticator::~Authenticator() = default;

void Authenticator::publish(std::shared_ptr<const Snapshot> next) {
  std::lock_guard lock(m_snapshotMutex);
  m_snapshot = std::move(next);
  m_generation.fetch_add(1, std::memory_order_release);
}

const Authenticator::Snapshot &Authenticator::current() const {
  struct Cache {
    std::uint64_t instance = 0;
    std::uint64_t generation = 0;
    std::shared_ptr<const Snapshot> snapshot;
  };
  // One slot per thread: a worker serves one Authenticator, so the slot only changes on reload.
  // A thread alternating between instances still gets the right snapshot, just slower.
  thread_local Cache cache;
  const std::uint64_t generation = m_generation.load(std::memory_order_acquire);
  if (cache.instance != m_instance || cache.generation != generation || !cache.snapshot) {
    std::lock_guard lock(m_snapshotMutex);
    cache.instance = m_instance;
    cache.generation = m_generation.load(std::memory_order_relaxed);  // matches m_snapshot under the lock
    cache.snapshot = m_snapshot;
  }
  return *cache.snapshot;
}

Status Authenticator::reload(KeyStore &store) {
  auto records = store.list();
  if (!records) return records.status();
  setKeys(*records);
  return Status::ok();
}

Result<bool> Authenticator::reloadIfChanged(KeyStore &store) {
  // Read the token before the rows: a write landing in between moves the token again, so the
  // next poll reloads once more instead of missing it.
  auto token = store.changeToken();
  if (!token) return token.status();
  {
    std::lock_guard lock(m_reloadMutex);
    if (m_haveToken && m_token == *token) return false;
  }
  auto records = store.list();
  if (!records) return records.status();
  setKeys(*records);
  std::lock_guard lock(m_reloadMutex);
  m_haveToken = true;
  m_token = *token;
  return true;
}

void Authenticator::setKeys(const std::vector<KeyRecord> &records) {
  std::lock_guard lock(m_reloadMutex);
  auto next = std::make_shared<Snapshot>();
  std::unordered_map<std::string, std::shared_ptr<UsageSlot>> usage;
  for (const KeyRecord &r : records) {
    std::shared_ptr<UsageSlot> &slot = usage[r.keyId];
    if (auto it = m_usage.find(r.keyId); it != m_usage.end()) {
      slot = it->second;  // keep stamps taken under the previous snapshot
    } else {
      slot = std::make_shared<UsageSlot>();
      slot->keyId = r.keyId;
      slot->flushedMs = r.lastUsedAtMs.value_or(0);
      slot->lastUsedMs.store(slot->flushedMs, std::memory_order_relaxed);
    }
    next->byId[packKeyId(r.keyId)] = Entry{r, slot};
    if (!r.revoked()) ++next->active;
  }
  m_usage = std::move(usage);
  publish(std::move(next));
}

Result<Principal> Authenticator::authenticate(std::string_view authorizationHeader) const {
  auto token = parseAuthorizationHeader(authorizationHeader);
  if (!token) return token.status();
  const Snapshot &snap = current();
  auto it = snap.byId.find(packKeyId(token->keyId));
  // Unknown id and wrong secret give the same answer: the id is not secret, but there is no
  // reason to help anyone enumerate them.
  if (it == snap.byId.end() || it->second.record.keyId != token->keyId)
    return Status::unauthenticated("invalid API key");
  const Entry &e = it->second;
  if (!hashesEqual(hashKey(e.record.salt, token->key), e.record.hash))
    return Status::unauthenticated("invalid API key");
  // Only a holder of the real key learns that it was revoked.
  if (e.record.revoked())
    return Status::unauthenticated("API key " + std::string(kKeyPrefix) + e.record.keyId + "… ('" + e.record.name +
                                   "') was revoked");
  const std::int64_t now = wallMs();
  if (now - e.usage->lastUsedMs.load(std::memory_order_relaxed) >= kUsageResolutionMs)
    e.usage->lastUsedMs.store(now, std::memory_order_relaxed);
  return Principal{e.record.keyId, e.record.name, e.record.role};
}

Status Authenticator::authorize(const Principal &principal, Role need) {
  if (allows(principal.role, need)) return Status::ok();
  return Status::permissionDenied("this needs the " + std::string(roleName(need)) + " role; key '" + principal.name +
                                  "' has " + std::string(roleName(principal.role)));
}

std::size_t Authenticator::activeKeyCount() const {
  std::lock_guard lock(m_snapshotMutex);
  return m_snapshot->active;
}

Status Authenticator::flushUsage(KeyStore &store) {
  std::lock_guard lock(m_reloadMutex);
  std::vector<std::pair<std::string, std::int64_t>> batch;
  std::vector<UsageSlot *> slots;
  for (auto &[id, slot] : m_usage) {
    const std::int64_t seen = slot->lastUsedMs.load(std::memory_order_relaxed);
    if (seen > slot->flushedMs) {
      batch.emplace_back(id, seen);
      slots.push_back(slot.get());
    }
  }
  LMFRONT_RETURN_IF_ERROR(store.recordUsage(batch));
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i]->flushedMs = batch[i].second;
  return Status::ok();
}

}  // namespace lmfront::gateway::auth
