// Vocabulary: word <-> id for one model, a read-only view over the model's image.
//
// Ids are dense, 0..size()-1; id 0 is always <unk> (kUnk), so index() of any word the model does
// not know is kUnk. Lookup hashes the word once, probes an open-addressed table and confirms
// with a byte comparison (no false hits): against the slot itself for a short word, against
// the strings section for a long one. Immutable; safe to use from any number of threads.
#pragma once

#include "modelformat.h"
#include "state.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace lmfront::engine {

inline constexpr WordId kUnk = 0;

class Vocabulary {
public:
  Vocabulary() = default;
  Vocabulary(const char *strings, const std::uint32_t *offsets, const format::VocabSlot *slots, std::uint32_t size,
             std::uint32_t slotCount)
      : m_strings(strings), m_offsets(offsets), m_slots(slots), m_size(size), m_mask(slotCount - 1) {}

  WordId index(std::string_view word) const;
  // index() for many words at once, in two phases over chunks of words (hash and prefetch every
  // home slot, then probe) so the cache misses overlap. Same results as index() word by word.
  void indexBatch(std::span<const std::string_view> words, WordId *out) const;

  std::string_view word(WordId id) const {
    return {m_strings + m_offsets[id], static_cast<std::size_t>(m_offsets[id + 1] - m_offsets[id])};
  }
  std::uint32_t size() const { return m_size; }

private:
  // Whether occupied slot `s` holds `word` (whose hashWord is `hash`).
  bool holds(const format::VocabSlot &s, std::string_view word, std::uint64_t hash) const;

  const char *m_strings = nullptr;
  const std::uint32_t *m_offsets = nullptr;
  const format::VocabSlot *m_slots = nullptr;
  std::uint32_t m_size = 0;
  std::uint64_t m_mask = 0;
};

}  // namespace lmfront::engine
