#include "vocabulary.h"

#include <algorithm>
#include <cstring>

namespace lmfront::engine {
namespace {

std::uint64_t load8(const char *p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
std::uint32_t load4(const char *p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// a == b for two words of `n` bytes each, without a call to memcmp for the short words that
// make up nearly all text: overlapping fixed-size loads that stay inside both words.
bool sameBytes(const char *a, const char *b, std::size_t n) {
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    return ((load8(a) ^ load8(b)) | (load8(a + n - 8) ^ load8(b + n - 8))) == 0;
  }
  if (n >= 4) return ((load4(a) ^ load4(b)) | (load4(a + n - 4) ^ load4(b + n - 4))) == 0;
  if (n == 0) return true;
  return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
}

}  // namespace

bool Vocabulary::holds(const format::VocabSlot &s, std::string_view w, std::uint64_t hash) const {
  if (w.size() <= format::kInlineBytes) return s.length == w.size() && sameBytes(s.bytes, w.data(), w.size());
  std::uint32_t tag;
  std::memcpy(&tag, s.bytes, sizeof tag);
  return s.length == format::kLongWord && tag == static_cast<std::uint32_t>(hash >> 32) && word(s.idPlus1 - 1) == w;
}

WordId Vocabulary::index(std::string_view w) const {
  const std::uint64_t h = format::hashWord(w);
  for (std::uint64_t i = h & m_mask;; i = (i + 1) & m_mask) {
    const format::VocabSlot &s = m_slots[i];
    if (s.idPlus1 == 0) return kUnk;
    if (holds(s, w, h)) return s.idPlus1 - 1;
  }
}

void Vocabulary::indexBatch(std::span<const std::string_view> words, WordId *out) const {
  constexpr std::size_t kChunk = 64;
  std::uint64_t hash[kChunk];
  for (std::size_t base = 0; base < words.size(); base += kChunk) {
    const std::size_t n = std::min(kChunk, words.size() - base);
    for (std::size_t i = 0; i < n; ++i) {
      hash[i] = format::hashWord(words[base + i]);
      __builtin_prefetch(m_slots + (hash[i] & m_mask));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::string_view w = words[base + i];
      WordId id = kUnk;
      for (std::uint64_t s = hash[i] & m_mask;; s = (s + 1) & m_mask) {
        const format::VocabSlot &slot = m_slots[s];
        if (slot.idPlus1 == 0) break;
        if (holds(slot, w, hash[i])) {
          id = slot.idPlus1 - 1;
          break;
        }
      }
      out[base + i] = id;
    }
  }
}

}  // namespace lmfront::engine
