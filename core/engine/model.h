// Model: an immutable n-gram back-off language model, loaded once and queried by any number of
// threads at once (KenLM's model.hh idea).
//
// Contract: Model::open() detects the file type by content: the "LMFRONTB" magic means a compiled
// file, mmapped read-only (MAP_SHARED) and used in place; anything else is parsed as ARPA and
// compiled in memory to the very same structure, so both give bit-identical scores. A loaded
// Model never changes: score() and every accessor are const, lock-free and thread-safe; the
// caller owns each State. Load checks (docs/model-format.md, "Integrity"): magic, version,
// header checksum, file size, section bounds and a fast checksum of every section; a truncated or
// altered file is a DataLoss error naming the file. LoadOptions::verifySha256 also recomputes
// the payload's sha256 (slower, proportional to the file size). Files of format versions 4 and
// 5 load; only v5 carries the sampler's continuation index (ContinuationIndex::forModel).
#pragma once

#include "common/status.h"
#include "modelbuilder.h"
#include "modelformat.h"
#include "state.h"
#include "vocabulary.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lmfront::engine {

struct LoadOptions {
  bool verifySha256 = false;  // also check the payload's sha256 (full read of the file)
  BuildOptions build;         // used when the input is ARPA
};

class Model {
public:
  static Result<std::shared_ptr<const Model>> open(const std::string &path, const LoadOptions &options = {});
  // Builds a model in memory from an NgramSet (used by tests and by the mixer).
  static Result<std::shared_ptr<const Model>> fromNgrams(NgramSet set, const BuildOptions &options = {});
  // Takes a compiled image built in memory (ContinuationIndex::compiledImage), checked as at load.
  static Result<std::shared_ptr<const Model>> fromImage(ModelImage image);
  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  // log10 P(w | context in `in`); `out` becomes the context after w. `out` may alias `in`.
  // `ngramLength`, when given, receives the length of the n-gram that matched (1 = unigram).
  float score(const State &in, WordId w, State &out, int *ngramLength = nullptr) const;

  // Starts loading the memory score(in, w, ...) will read; lets a caller overlap the lookups of
  // several independent sentences (Scorer::scoreBatch).
  void prefetch(const State &in, WordId w) const;

  // The hash slots a score(in, w) call probes, computed once by prepare() (which also starts
  // loading their cache lines) and consumed by the score() overload below. Lets a caller keep
  // many lookups in flight (Scorer::scoreRun) without hashing each key twice.
  struct Lookahead {
    std::uint64_t home[kMaxOrder - 1];
  };
  void prepare(const State &in, WordId w, Lookahead &ahead) const;
  // score(in, w, out) for an `ahead` that prepare(in, w, ahead) filled; same result. Fastest
  // when `out` is another State than `in` (Scorer::scoreRun alternates two per sentence).
  float score(const State &in, WordId w, const Lookahead &ahead, State &out) const;

  State beginSentenceState() const;  // the context "<s>"
  State nullContextState() const { return {}; }

  int order() const { return static_cast<int>(m_header.order); }
  const Vocabulary &vocab() const { return m_vocab; }
  WordId bos() const { return m_header.bosId; }
  WordId eos() const { return m_header.eosId; }
  bool unkSynthesized() const { return (m_header.flags & format::kFlagUnkSynthesized) != 0; }

  // Description, for `info` and the registry.
  std::string format() const { return m_isArpa ? "arpa" : "lmb v" + std::to_string(m_header.version); }
  const std::string &path() const { return m_path; }
  std::uint64_t fileSize() const { return m_fileSize; }
  std::uint64_t count(int n) const { return m_header.counts[n - 1]; }          // stored, incl. blanks
  std::uint64_t arpaCount(int n) const { return m_header.arpaCounts[n - 1]; }  // as in the ARPA
  std::string payloadSha256() const;
  // The compiled image (header + sections): what `compile` writes.
  const std::byte *imageData() const { return m_base; }
  std::size_t imageSize() const { return static_cast<std::size_t>(m_header.fileSize); }

  const format::Header &header() const { return m_header; }
  // The continuation index stored in the file (format::IndexSection / indexSection()), checked
  // at load; absent (empty spans) in a v4 file and in a model built in memory.
  bool hasContinuationIndex() const { return (m_header.flags & format::kFlagContinuationIndex) != 0; }
  std::span<const std::byte> indexSection(std::size_t i) const;

  // Raw tables, for enumeration (sampler, mixer, ARPA export). Slot indices are stable.
  const format::UnigramEntry *unigrams() const { return m_unigrams; }
  std::uint64_t capacity(int n) const { return m_header.capacity[n - 1]; }
  const format::MiddleSlot *middle(int n) const { return m_middle[n - 1]; }  // 2 <= n < order
  const format::HighSlot *high() const { return m_high; }                    // order >= 2
  // Slot of (parent, word) at order n >= 2, or -1.
  std::int64_t find(int n, std::uint32_t parent, WordId word) const;

private:
  Model() = default;
  float scoreAhead(const State &in, WordId w, const Lookahead &ahead, State &out, int *ngramLength) const;
  Status attach(const std::byte *base, std::uint64_t size, const std::string &name, bool verifySha256);

  format::Header m_header{};
  const std::byte *m_base = nullptr;
  Vocabulary m_vocab;
  const format::UnigramEntry *m_unigrams = nullptr;
  const format::MiddleSlot *m_middle[kMaxOrder] = {};
  const format::HighSlot *m_high = nullptr;
  const unsigned char *m_tables[kMaxOrder] = {};  // order n >= 2 at [n - 1]: 16-byte slots
  std::uint64_t m_buckets[kMaxOrder] = {};        // order n >= 2 at [n - 1]: capacity / 4
  // Ownership: either an mmap of the file, or an image built in memory.
  void *m_map = nullptr;
  std::size_t m_mapSize = 0;
  ModelImage m_image;
  bool m_isArpa = false;
  std::string m_path;
  std::uint64_t m_fileSize = 0;
};

}  // namespace lmfront::engine
