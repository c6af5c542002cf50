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

void Vocabulary::indexBatch(std::span<const std::string_view> words, WordId *out) const {
  constexpr std::size_t kChunk = 64;
  std::uint64_t hash[kChunk];
  std::uint32_t candidate[kChunk];  // id + 1 of the first tag match, 0 = none
  for (std::size_t base = 0; base < words.size(); base += kChunk) {
    const std::size_t n = std::min(kChunk, words.size() - base);
    for (std::size_t i = 0; i < n; ++i) {
      hash[i] = format::hashWord(words[base + i]);
      __builtin_prefetch(m_slots + (hash[i] & m_mask));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto tag = static_cast<std::uint32_t>(hash[i] >> 32);
      candidate[i] = 0;
      for (std::uint64_t s = hash[i] & m_mask;; s = (s + 1) & m_mask) {
        const format::VocabSlot &slot = m_slots[s];
        if (slot.idPlus1 == 0) break;
        if (slot.tag == tag) {
          candidate[i] = slot.idPlus1;
          __builtin_prefetch(m_offsets + slot.idPlus1 - 1);
          break;
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i)
      if (candidate[i]) __builtin_prefetch(m_strings + m_offsets[candidate[i] - 1]);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string_view w = words[base + i];
      if (candidate[i] == 0)
        out[base + i] = kUnk;
      else if (const std::string_view c = word(candidate[i] - 1);
               c.size() == w.size() && sameBytes(c.data(), w.data(), w.size()))
        out[base + i] = candidate[i] - 1;
      else
        out[base + i] = index(w);  // a tag collision: the full probe sorts it out
    }
  }
}

}  // namespace lmfront::engine
