#include "gateway/openai/hitmemo.h"

#include <charconv>
#include <functional>
#include <vector>

namespace lmfront::gateway::openai {

std::size_t HitMemoEntry::bytes() const {
  // The cached value counts too: an entry keeps it alive after the cache has evicted it.
  return sizeof(HitMemoEntry) + body.size() + model.size() + version.size() + idPrefix.size() + beforeCreated.size() +
         afterCreated.size() + (value ? value->size() : 0);
}

std::string HitMemoEntry::renderBody(std::string_view idDigits, std::int64_t created) const {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, created);
  std::string out;
  out.reserve(idPrefix.size() + idDigits.size() + beforeCreated.size() + 20 + afterCreated.size());
  out.append(idPrefix).append(idDigits).append(beforeCreated).append(digits, r.ptr).append(afterCreated);
  return out;
}

std::uint64_t HitMemo::fingerprint(bool chat, std::string_view body) {
  // libstdc++'s std::hash of bytes (64-bit murmur): fast, and find() compares the bytes anyway, so
  // neither a chance nor a crafted collision can serve another body's answer.
  const std::uint64_t h = std::hash<std::string_view>{}(body);
  return chat ? h ^ 0x9E3779B97F4A7C15ull : h;
}

std::shared_ptr<const HitMemoEntry> HitMemo::find(int worker, bool chat, std::string_view body) const {
  const std::uint64_t fp = fingerprint(chat, body);
  Shard &s = shard(worker);
  std::lock_guard lock(s.mutex);
  const auto it = s.entries.find(fp);
  if (it == s.entries.end() || it->second->chat != chat || it->second->body != body) return nullptr;
  ++s.found;
  return it->second;
}

void HitMemo::remember(int worker, std::shared_ptr<const HitMemoEntry> entry) {
  if (!entry) return;
  const std::size_t size = entry->bytes();
  if (size > kMaxBytes) return;
  const std::uint64_t fp = fingerprint(entry->chat, entry->body);
  Shard &s = shard(worker);
  std::shared_ptr<const HitMemoEntry> old;                   // released outside the lock
  std::vector<std::shared_ptr<const HitMemoEntry>> dropped;  // likewise
  std::lock_guard lock(s.mutex);
  if (auto it = s.entries.find(fp); it != s.entries.end()) {  // replaced (a refilled value, a new version)
    s.bytes -= it->second->bytes();
    old = std::move(it->second);
    s.entries.erase(it);
  }
  // Full: drop arbitrary entries (the hash order) rather than track recency or start over. An
  // entry costs one ordinary cache hit to rebuild, and a working set a little over the bound then
  // keeps most of its entries instead of losing all of them at once.
  while (!s.entries.empty() && (s.entries.size() >= kMaxEntries || s.bytes + size > kMaxBytes)) {
    auto victim = s.entries.begin();
    s.bytes -= victim->second->bytes();
    dropped.push_back(std::move(victim->second));
    s.entries.erase(victim);
  }
  s.entries.emplace(fp, std::move(entry));
  s.bytes += size;
}

void HitMemo::clear() {
  for (auto &s : m_shards) {
    std::lock_guard lock(s.mutex);
    s.entries.clear();
    s.bytes = 0;
  }
}

std::size_t HitMemo::size() const {
  std::size_t n = 0;
  for (auto &s : m_shards) {
    std::lock_guard lock(s.mutex);
    n += s.entries.size();
  }
  return n;
}

std::uint64_t HitMemo::found() const {
  std::uint64_t n = 0;
  for (auto &s : m_shards) {
    std::lock_guard lock(s.mutex);
    n += s.found;
  }
  return n;
}

}  // namespace lmfront::gateway::openai
