// ContinuationIndex: for every context n-gram of a Model, its explicit continuations and the
// sums the exact sampler needs. Derived data, built once per model (about a second for a
// million-n-gram model) and then immutable: share one instance between threads.
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
#include <vector>

namespace lmfront::engine {

class ContinuationIndex {
public:
  static Result<std::shared_ptr<const ContinuationIndex>> build(const Model &model);

  struct Children {
    std::span<const WordId> words;
    std::span<const float> prob;         // linear P(w | h), explicit
    std::span<const double> cumulative;  // running sums of prob, same length
  };
  // Continuations of the k-gram context `ctx` (1 <= k < order).
  Children children(int k, std::uint32_t ctx) const;
  double mass(int k, std::uint32_t ctx) const { return m_mass[static_cast<std::size_t>(k - 1)][ctx]; }
  double lower(int k, std::uint32_t ctx) const { return m_lower[static_cast<std::size_t>(k - 1)][ctx]; }

  // Unigram base: linear probabilities (0 for <s> and a synthesized <unk>) and their running sums.
  std::span<const double> unigramCumulative() const { return m_uniCum; }
  double unigramTotal() const { return m_uniCum.empty() ? 0.0 : m_uniCum.back(); }
  double unigram(WordId w) const { return m_uni[w]; }
  // Words sorted by unigram probability, highest first (for top-k / top-p).
  std::span<const WordId> byUnigram() const { return m_byUnigram; }

private:
  // Per context order k (index k-1): CSR over context ids.
  std::vector<std::vector<std::uint32_t>> m_begin;
  std::vector<std::vector<WordId>> m_words;
  std::vector<std::vector<float>> m_prob;
  std::vector<std::vector<double>> m_cum;
  std::vector<std::vector<double>> m_mass, m_lower;
  std::vector<double> m_uni, m_uniCum;
  std::vector<WordId> m_byUnigram;
};

}  // namespace lmfront::engine
