// NgramKey: an n-gram of vocabulary ids packed into one 128-bit integer, and the record the
// trainer sorts, spills and merges.
//
// Word i of an n-gram (0 = oldest) sits at bits [i*b, (i+1)*b) with b = bitsPerWord(order), so the
// LAST word is the most significant. Ascending keys are therefore lmplz's "suffix order" (compare
// the last word first), and the two joins Kneser-Ney needs become integer operations on sorted
// arrays: an n-gram's context is its low (n-1)*b bits, its lower-order suffix is key >> b, and
// both are monotone in the key, so the trainer walks tables instead of hashing.
#pragma once

#include "arpareader.h"  // kMaxOrder

#include <cstdint>

namespace lmfront::engine {

__extension__ typedef unsigned __int128 U128;

// 32 bits up to order 4, 25 for order 5 (33 M types), 21 for order 6 (2 M types).
constexpr int bitsPerWord(int order) { return order <= 4 ? 32 : 128 / order; }

// One n-gram and its count, as sorted in memory and written to spill files (24 bytes).
struct NgramRecord {
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  std::uint64_t count = 0;

  U128 key() const { return (static_cast<U128>(hi) << 64) | lo; }
  void setKey(U128 k) {
    lo = static_cast<std::uint64_t>(k);
    hi = static_cast<std::uint64_t>(k >> 64);
  }
  friend bool operator<(const NgramRecord &a, const NgramRecord &b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }
  bool sameKey(const NgramRecord &o) const { return lo == o.lo && hi == o.hi; }
};

inline std::uint32_t wordAt(U128 key, int i, int bits) {
  return static_cast<std::uint32_t>((key >> (i * bits)) & ((static_cast<U128>(1) << bits) - 1));
}

inline U128 lowWords(U128 key, int words, int bits) {
  const int shift = words * bits;
  return shift >= 128 ? key : key & ((static_cast<U128>(1) << shift) - 1);
}

}  // namespace lmfront::engine
