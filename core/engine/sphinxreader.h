// SphinxReader: reads a CMU Sphinx binary trie language model ("Trie Language Model", the
// format sphinxbase's ngram_model_trie.c writes and pocketsphinx loads as *.lm.bin) into plain
// per-order n-gram tables, so lmfront can write it as ARPA or compile it.
//
// Contract:
// - read()/parse() validate everything taken from the file: magic, order (1..5), counts bounded by
//   the file size before anything is allocated from them, every bit-packed pointer and word id
//   inside its table, pointer ranges monotonic, words sorted within each range, every value
//   finite, the vocabulary NUL-separated with exactly one entry per unigram and no duplicates.
//   A truncated or corrupt file is a DataLoss Status naming what was wrong; never a crash.
// - Values are decoded as sphinxbase decodes them: unigram floats as stored, higher orders through
//   the 16-bit quantisation tables (lm_trie_quant.c), then converted from Sphinx's log base
//   (1.0001 unless told otherwise; the file does not record it) to log10.
// - Where the file disagrees with itself in a way sphinxbase tolerates (the header's n-gram counts
//   over-stating what the trie holds, a known sphinxbase bug in lm_trie_fix_counts), the trie
//   wins and `corrections` says, in a sentence each, what was corrected.
// - addUnknownWord() adds `<unk>` to a model without one by the rule in docs/models.md and keeps
//   every context's distribution summing to what it summed to before.
// - writeSphinxModelAsArpa() / toNgramSet() hand the result on as ARPA text or to the compiler.
// Plain C++, no shared state: thread-compatible.
#pragma once

#include "common/status.h"
#include "engine/modelbuilder.h"

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

struct SphinxModel {
  int order = 0;
  std::vector<std::uint64_t> headerCounts;  // as the file's header states them
  std::vector<std::uint64_t> counts;        // as the trie holds them (what is exported)
  std::vector<std::string> words;           // word id -> text
  // Per order n (index n-1), sorted by the word ids in text order (history first):
  // ids[n-1] holds n ids per n-gram, log10Probs[n-1] one value each, log10Backoffs[n-1] one
  // value each for n < order and is empty for the highest order.
  std::vector<std::vector<std::uint32_t>> ids;
  std::vector<std::vector<float>> log10Probs;
  std::vector<std::vector<float>> log10Backoffs;
  // Sentences, one per thing the reader had to correct to make the file consistent.
  std::vector<std::string> corrections;
  // Sum of the unigram probabilities (linear): about 1 for a sound model read with the right base.
  double unigramMass = 0;
};

// What addUnknownWord() did.
struct UnknownWordReport {
  bool added = false;           // false: the model had a usable <unk> (or <UNK>, then renamed: see rule)
  float log10Prob = 0;          // the probability <unk> got
  double scaleLog10 = 0;        // added to every other unigram's log10 probability
  double maxBackoffChange = 0;  // largest |change| of a unigram backoff, log10
  std::string rule;             // one sentence, for the user and the --json output
};

class SphinxReader {
public:
  static Result<SphinxModel> read(const std::string &path, const SphinxReadOptions &options = {});
  // `name` prefixes error messages (usually the path).
  static Result<SphinxModel> parse(std::span<const std::uint8_t> bytes, const std::string &name,
                                   const SphinxReadOptions &options = {});
};

// Adds <unk> when absent, or gives a -99 placeholder <unk>/<UNK> a real probability (see the
// contract above); renames a usable <UNK> to <unk>.
UnknownWordReport addUnknownWord(SphinxModel &model);

// Writes the model as ARPA through ArpaWriter ("-" is stdout).
Status writeSphinxModelAsArpa(const SphinxModel &model, const std::string &path);

// Hands the model to the engine's builder (Model::fromNgrams), ids renumbered so <unk> is 0 and
// the rest keep their order: the same set that reading the ARPA export would give, so the
// compiled file is the one `lmfront compile` makes of that ARPA. The model must have <unk>.
Result<NgramSet> toNgramSet(SphinxModel &&model);

}  // namespace lmfront::engine
