// Mixture: linear interpolation of several models, P(w|h) = sum_i weight_i * P_i(w|h).
//
// Contract: each model keeps its own vocabulary and State; a word a model does not know gets
// that model's <unk> probability, and a token is an OOV of the mixture only when no model knows
// it. tuneWeights() finds the weights that maximise the likelihood of held-out text by EM (the
// classic mixture update, which never decreases the likelihood). staticMerge() folds a mixture
// into one back-off model: the union of all n-grams, each with its interpolated probability, and
// backoff weights recomputed so every context normalises (docs/decisions/engine-model.md).
// A Mixture is immutable once built and safe to share between threads.
#pragma once

#include "common/status.h"
#include "model.h"
#include "modelbuilder.h"
#include "scorer.h"
#include "tokenizer.h"

#include <memory>
#include <string>
#include <vector>

namespace lmfront::engine {

class Mixture {
public:
  static Result<Mixture> create(std::vector<std::shared_ptr<const Model>> models, std::vector<double> weights);

  // Scores one sentence (adds </s>), like Scorer::scoreSentence.
  double scoreSentence(std::span<const std::string_view> words, ScoreTotals &totals) const;
  // Linear P_i(w | context) of every model for each token of the sentence (plus </s>),
  // appended row by row to `out` (models.size() values per token); returns the token count.
  std::size_t modelProbabilities(std::span<const std::string_view> words, std::vector<double> &out,
                                 std::vector<bool> *oov = nullptr) const;

  const std::vector<std::shared_ptr<const Model>> &models() const { return m_models; }
  const std::vector<double> &weights() const { return m_weights; }

private:
  std::vector<std::shared_ptr<const Model>> m_models;
  std::vector<double> m_weights;
};

struct TuneReport {
  std::vector<double> weights;
  std::vector<double> modelPerplexity;  // each model alone on the dev text
  double uniformPerplexity = 0;
  double tunedPerplexity = 0;
  int iterations = 0;
  std::uint64_t tokens = 0;
  std::uint64_t sentences = 0;
  std::uint64_t oov = 0;
};

// EM on the lines of `devPath`; stops when the log-likelihood gains < 1e-9 per token or after
// maxIterations.
Result<TuneReport> tuneWeights(const std::vector<std::shared_ptr<const Model>> &models, const std::string &devPath,
                               const TokenizerOptions &tokenizer, int maxIterations = 200);

// One back-off model equivalent to the mixture on every n-gram any model lists.
Result<NgramSet> staticMerge(const Mixture &mixture);
// Writes an NgramSet as ARPA (through ArpaWriter).
Status writeArpa(const NgramSet &set, const std::string &path);

}  // namespace lmfront::engine
