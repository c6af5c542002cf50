// SphinxModel: a CMU Sphinx model as SphinxReader decoded it (plain per-order n-gram tables), and
// what is done with it on the way out of `lmfront import-sphinx`.
//
// Contract:
// - addUnknownWord() gives a model without a usable <unk> one by the rule in docs/models.md (the
//   lowest unigram probability, <s> and -99 placeholders aside) and renormalises the unigrams and
//   unigram backoffs so every context sums to what it summed to before.
// - writeSphinxModelAsArpa() writes ARPA text through ArpaWriter; toNgramSet() hands the model to
//   the compiler (Model::fromNgrams) with the ids reading that ARPA would give, so both routes
//   compile to the same bytes.
// Plain data and free functions, no shared state: thread-compatible.
#pragma once

#include "common/status.h"
#include "engine/modelbuilder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmfront::engine {

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
