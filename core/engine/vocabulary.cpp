#include "vocabulary.h"

#include <algorithm>

namespace lmfront::engine {

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
      else if (word(candidate[i] - 1) == w)
        out[base + i] = candidate[i] - 1;
      else
        out[base + i] = index(w);  // a tag collision: the full probe sorts it out
    }
  }
}

}  // namespace lmfront::engine
