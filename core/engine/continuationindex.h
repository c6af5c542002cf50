// ContinuationIndex: for every context n-gram of a Model, its explicit continuations and the
// sums the exact sampler needs. Immutable once made: share one instance between threads.
//
// A compiled file (lmb v5) carries the index (format::IndexSection): forModel() then views it
// in place over the file's mapping, with no work proportional to the model, so a freshly loaded
// model samples its first token at once. A model without it (a v4 file, an ARPA, a model built
// in memory) gets it built: about a second for a million-n-gram model. Both are the same
// numbers, bit for bit (compiledImage() stores what build() computes).
//
// For a context h (a k-gram, k < order) with explicit continuations S(h) (the n-grams "h w",
// blanks included, <s> excluded):
//   mass(h)  = sum over w in S(h) of p(h w)          (the explicit probability mass)
//   lower(h) = sum over w in S(h) of P(w | h')        (what the shorter context h' gives them)
// Contexts are named as the Model names them: a word id at k = 1, a slot index above.
#pragma once

#include "common/status.h"
#include "model.h"

#include <cstdint>
#include <memory>
#include <span>

namespace lmfront::engine {

class ContinuationIndex {
public:
  // The model's stored index when its file has one, else a built one.
  static Result<std::shared_ptr<const ContinuationIndex>> forModel(std::shared_ptr<const Model> model);
  // Computes the index from the model's tables (ignores a stored one).
  static Result<std::shared_ptr<const ContinuationIndex>> build(const Model &model);
  // The stored index as views over the model's image (which it keeps alive), or null.
  static std::shared_ptr<const ContinuationIndex> mapped(std::shared_ptr<const Model> model);
  // The model's compiled file (the current format version) with its index built and stored:
  // what `lmfront compile` writes. Works from any model (ARPA, v4 or v5 file, in memory).
  static Result<ModelImage> compiledImage(const Model &model);

  bool isMapped() const { return m_mapped; }

  struct Children {
    std::span<const WordId> words;
    std::span<const float> prob;         // linear P(w | h), explicit
    std::span<const double> cumulative;  // running sums of prob, same length
  };
  // Continuations of the k-gram context `ctx` (1 <= k < order).
  Children children(int k, std::uint32_t ctx) const;
  double mass(int k, std::uint32_t ctx) const {
    const Level &l = m_levels[static_cast<std::size_t>(k - 1)];
    const std::uint32_t e = l.begin[ctx + 1];
    return e == l.begin[ctx] ? 0.0 : l.cum[e - 1];  // the running sum is the mass, bit for bit
  }
  double lower(int k, std::uint32_t ctx) const { return m_levels[static_cast<std::size_t>(k - 1)].lower[ctx]; }

  // Unigram base: linear probabilities (0 for <s> and a synthesized <unk>) and their running sums.
  std::span<const double> unigramCumulative() const { return m_uniCum; }
  double unigramTotal() const { return m_uniCum.empty() ? 0.0 : m_uniCum.back(); }
  double unigram(WordId w) const { return m_uni[w]; }
  // Words sorted by unigram probability, highest first (for top-k / top-p).
  std::span<const WordId> byUnigram() const { return m_byUnigram; }

private:
  struct Storage;
  // Per context order k (index k-1): CSR over context ids, as in format::IndexArray.
  struct Level {
    std::span<const std::uint32_t> begin;
    std::span<const WordId> words;
    std::span<const float> prob;
    std::span<const double> cum, lower;
  };
  Level m_levels[kMaxOrder - 1];
  std::span<const double> m_uni, m_uniCum;
  std::span<const WordId> m_byUnigram;
  std::shared_ptr<const void> m_owner;  // what the spans point into: built Storage, or the Model
  bool m_mapped = false;
};

}  // namespace lmfront::engine
