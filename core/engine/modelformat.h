// The on-disk layout of a compiled model ("lmb v5"); docs/model-format.md is the user-facing
// spec and must change with this file. All integers little-endian, every section 64-byte
// aligned, the file is used in place through mmap (no parsing at load).
//
//   Header (fixed size, below) | sections (enum SectionId) | index sections (enum IndexSection)
//
// The index sections hold the sampler's ContinuationIndex, so a compiled model generates its
// first token without building anything; they are present when kFlagContinuationIndex is set.
// Version 4 files (no index table in the header, headerSize 448) are still read: their index is
// built in memory when first needed.
//
// Integrity: the header carries its own checksum, the file size, a fast 64-bit checksum per
// section (fastChecksum, verified at every load) and the sha256 of everything after the header
// (the model's identity; verified at load only when asked, see LoadOptions).
#pragma once

#include "arpareader.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lmfront::engine::format {

inline constexpr char kMagic[8] = {'L', 'M', 'F', 'R', 'O', 'N', 'T', 'B'};
inline constexpr std::uint32_t kVersion = 5;
inline constexpr std::uint32_t kOldestReadableVersion = 4;
inline constexpr std::uint32_t kEmptyWord = 0xFFFFFFFFu;  // marks a free hash slot
inline constexpr std::size_t kAlign = 64;

enum class SectionId : std::uint32_t {
  VocabStrings = 0,  // the words, concatenated, no separators
  VocabOffsets,      // uint32 x (V + 1): word i is strings[off[i], off[i+1])
  VocabSlots,        // VocabSlot x power-of-two capacity: string hash -> word id (+ short words)
  Unigrams,          // UnigramEntry x V, indexed by word id
  Order2,            // MiddleSlot (or HighSlot when order == 2) x capacity, then 3, 4, ...
};
inline constexpr std::size_t kSectionCount = 4 + (kMaxOrder - 1);

inline constexpr std::uint32_t kFlagUnkSynthesized = 1u;     // the ARPA had no <unk>; see the doc
inline constexpr std::uint32_t kFlagContinuationIndex = 2u;  // the index sections are present (v5)

// The continuation index (ContinuationIndex): the unigram arrays, then five arrays per context
// order k = 1..kMaxOrder-1 at kIndexLevelBase + (k-1) * kIndexLevelArrays + IndexArray. Context
// ids are the model's: word ids at k = 1 (V contexts), slot indices of order k above
// (capacity[k-1] contexts).
enum class IndexSection : std::uint32_t {
  UnigramLinear = 0,  // double x V: linear unigram probability (0 for <s> and a synthesized <unk>)
  UnigramCumulative,  // double x V: running sums of UnigramLinear
  ByUnigram,          // uint32 x V: word ids by UnigramLinear, highest first (stable)
};
enum class IndexArray : std::uint32_t {
  Begin = 0,   // uint32 x (contexts + 1): context c's continuations are [begin[c], begin[c+1])
  Words,       // uint32 x continuations: the continuation's word, by probability, highest first
  Prob,        // float x continuations: its linear probability P(w | c)
  Cumulative,  // double x continuations: running sums of Prob within the context (the last one
               // is the context's explicit mass)
  Lower,       // double x contexts: sum over its continuations of P(w | shorter context)
};
inline constexpr std::size_t kIndexLevelBase = 3;
inline constexpr std::size_t kIndexLevelArrays = 5;
inline constexpr std::size_t kIndexSectionCount = kIndexLevelBase + kIndexLevelArrays * (kMaxOrder - 1);
inline constexpr std::size_t indexSection(int k, IndexArray a) {
  return kIndexLevelBase + static_cast<std::size_t>(k - 1) * kIndexLevelArrays + static_cast<std::size_t>(a);
}

struct SectionEntry {
  std::uint64_t offset;
  std::uint64_t size;
  std::uint64_t checksum;  // fastChecksum of the section's bytes and its padding up to kAlign
};

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t headerSize;
  std::uint64_t fileSize;
  std::uint32_t order;
  std::uint32_t flags;
  std::uint64_t counts[kMaxOrder];      // n-grams stored per order (ARPA entries + blanks)
  std::uint64_t arpaCounts[kMaxOrder];  // n-grams in the source ARPA per order
  std::uint64_t capacity[kMaxOrder];    // hash slots per order (order 1: V, direct index)
  std::uint32_t vocabSize;
  std::uint32_t vocabSlotCount;  // power of two
  std::uint32_t bosId;
  std::uint32_t eosId;
  SectionEntry sections[kSectionCount];
  std::uint8_t payloadSha256[32];
  std::uint64_t headerChecksum;  // fastChecksum of the headerSize bytes, this field read as 0
  // v5 onwards (a v4 header ends above): the continuation index, all zero without the flag.
  SectionEntry indexSections[kIndexSectionCount];
};
inline constexpr std::size_t kHeaderV4Size = offsetof(Header, indexSections);  // 448

inline std::size_t alignUp(std::size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
static_assert(sizeof(Header) % 8 == 0 && kHeaderV4Size == 448);

// One slot of the vocabulary index, four per cache line. A word of at most kInlineBytes bytes
// (nearly every word of real text) is stored in the slot itself, so looking it up reads this one
// line; a longer word keeps the high 32 bits of its hash here and is confirmed against the
// strings section.
inline constexpr std::size_t kInlineBytes = 11;
inline constexpr std::uint8_t kLongWord = 0xFF;
struct VocabSlot {
  std::uint32_t idPlus1;     // 0 = empty
  std::uint8_t length;       // the word's length in bytes, or kLongWord when > kInlineBytes
  char bytes[kInlineBytes];  // short word: its bytes, zero padded; long word: the tag, then zeros
};
static_assert(sizeof(VocabSlot) == 16);
struct UnigramEntry {
  float prob;
  float backoff;
};
// An n-gram of order 2..N-1 is (parent, word): parent = slot index of its first n-1 words in the
// previous order's table (for order 2: the word id), word = its last word.
struct MiddleSlot {
  std::uint32_t parent;
  std::uint32_t word;  // kEmptyWord = free
  float prob;
  float backoff;
};
struct HighSlot {  // the highest order has no backoff
  std::uint32_t parent;
  std::uint32_t word;
  float prob;
  std::uint32_t zero;  // padding, always 0: four slots make one 64-byte bucket
};
static_assert(sizeof(MiddleSlot) == 16 && sizeof(HighSlot) == 16);
inline constexpr std::uint64_t kBucketSlots = 4;  // kAlign / 16

// A backoff stored as -0.0f (numerically 0) marks a dead-end context: no n-gram extends it, so
// a State never needs to hold it.
inline const float kDeadEndBackoff = -0.0f;
inline bool isDeadEnd(float backoff) {
  std::uint32_t bits;
  std::memcpy(&bits, &backoff, 4);
  return bits == 0x80000000u;
}

inline std::uint64_t mix64(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// The home slot of (parent, word) in a table of `capacity` slots: the first slot of bucket
// (h * buckets) >> 64 (Lemire's range reduction, so capacities need not be powers of two) for
// h = key * 2^64/phi, Knuth's multiplicative hash of key = word << 32 | parent. One multiply:
// hashing is a large share of a query's instructions, and on real models' keys this spreads
// as evenly as a full 64-bit mixer (same bucket overflow rates, measured).
__extension__ typedef unsigned __int128 Uint128;
inline constexpr std::uint64_t kKeyMultiplier = 0x9E3779B97F4A7C15ULL;
inline std::uint64_t homeBucket(std::uint64_t key, std::uint64_t buckets) {
  return static_cast<std::uint64_t>((static_cast<Uint128>(key * kKeyMultiplier) * buckets) >> 64);
}
inline std::uint64_t homeSlot(std::uint32_t parent, std::uint32_t word, std::uint64_t capacity) {
  return homeBucket(std::uint64_t{word} << 32 | parent, capacity / kBucketSlots) * kBucketSlots;
}

// The last `t` (1..7) bytes before `end` as a little-endian integer, zero-extended, reading
// only bytes in [end - t, end), or [end - 8, end) when `whole8` says those are part of the word.
// Fixed-size loads only: a variable-length memcpy is a library call and its byte stores stall
// the 8-byte load that follows (no store-to-load forwarding).
inline std::uint64_t loadTail(const char *end, std::size_t t, bool whole8) {
  if (whole8) {
    std::uint64_t w;
    std::memcpy(&w, end - 8, 8);
    return w >> ((8 - t) * 8);
  }
  const char *p = end - t;
  if (t >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + t - 4, 4);
    return lo | std::uint64_t{hi} << ((t - 4) * 8);
  }
  const auto b = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])} << (i * 8); };
  return b(0) | b(t / 2) | b(t - 1);
}

// A 64-bit hash of a word's bytes (8 at a time; the tail zero-extended).
inline std::uint64_t hashWord(std::string_view s) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0xff51afd7ed558ccdULL);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix64(h ^ w) + 0x632BE59BD9B4E019ULL;
  }
  if (i < s.size()) {
    const std::uint64_t w = loadTail(s.data() + s.size(), s.size() - i, s.size() >= 8);
    h = mix64(h ^ w ^ 0x8CB92BA72F3D8DD7ULL);
  }
  return mix64(h);
}

// A fast 64-bit checksum (four independent multiply-rotate lanes, ~10 GB/s). Each lane step is a
// bijection of the input word, so any change confined to one 8-byte word always changes the
// result; it guards against truncation, bit rot and stray edits, not against an adversary
// (that is sha256's job).
std::uint64_t fastChecksum(const void *data, std::size_t size);
// The header checksum: fastChecksum over the first headerSize bytes with headerChecksum as 0
// (0 for a headerSize below kHeaderV4Size).
std::uint64_t headerChecksum(const void *image, std::size_t headerSize);

}  // namespace lmfront::engine::format
