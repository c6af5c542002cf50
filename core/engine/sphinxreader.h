// SphinxReader: reads a CMU Sphinx binary trie language model ("Trie Language Model", the
// format sphinxbase's ngram_model_trie.c writes and pocketsphinx loads as *.lm.bin) into plain
// per-order n-gram tables, so lmfront can write it as ARPA or compile it.
//
// Contract:
// - read()/parse() validate everything taken from the file: magic, order (1..5), counts bounded by
//   the file size before anything is allocated from them, every bit-packed pointer and word id
//   inside its table, pointer ranges monotonic, words sorted within each range (a few unsorted
//   ranges, a sphinxbase bug, are kept and reported), every value finite, the vocabulary
//   NUL-separated with exactly one entry per unigram and no duplicates.
//   A truncated or corrupt file is a DataLoss Status naming what was wrong; never a crash.
// - Values are decoded as sphinxbase decodes them: unigram floats as stored, higher orders through
//   the 16-bit quantisation tables (lm_trie_quant.c), then converted from Sphinx's log base
//   (1.0001 unless told otherwise; the file does not record it) to log10.
// - Where the file disagrees with itself in a way sphinxbase tolerates (the header's n-gram counts
//   over-stating what the trie holds, a known sphinxbase bug in lm_trie_fix_counts), the trie
//   wins and `corrections` says, in a sentence each, what was corrected.
// - The result is a SphinxModel (sphinxmodel.h), which adds <unk> and is exported from there.
// Plain C++, no shared state: thread-compatible.
#pragma once

#include "common/status.h"
#include "engine/sphinxmodel.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lmfront::engine {

struct SphinxReadOptions {
  // Sphinx stores logs in base 1.0001 (logmath's default for every Sphinx tool); the binary file
  // does not record the base, so a model written with another -logbase needs it here.
  double logBase = 1.0001;
};

class SphinxReader {
public:
  static Result<SphinxModel> read(const std::string &path, const SphinxReadOptions &options = {});
  // `name` prefixes error messages (usually the path).
  static Result<SphinxModel> parse(std::span<const std::uint8_t> bytes, const std::string &name,
                                   const SphinxReadOptions &options = {});
};

}  // namespace lmfront::engine
