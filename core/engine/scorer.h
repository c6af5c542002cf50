// Scorer: log10 probabilities of text under a Model, per token, per sentence and per corpus.
//
// Contract: each input line is one sentence; it is scored from the <s> context and ends with
// </s>, which is scored and counted as a token, as KenLM's `query` does. An OOV (a word the
// model does not know) is scored as <unk> and counted in `oov`; perplexityExclOov() drops OOV
// tokens from both the log-probability sum and the token count (KenLM's "excluding OOVs").
// A Scorer borrows the Model (which must outlive it) and is cheap; one Scorer per thread.
#pragma once

#include "common/status.h"
#include "model.h"
#include "tokenizer.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::engine {

struct ScoreTotals {
  std::uint64_t tokens = 0;  // scored tokens, including each sentence's </s>
  std::uint64_t sentences = 0;
  std::uint64_t oov = 0;
  double log10Prob = 0;     // sum over all tokens
  double log10ProbOov = 0;  // the part of log10Prob that OOV tokens contributed

  double perplexity() const;
  double perplexityExclOov() const;
  void add(const ScoreTotals &other);
};

struct TokenScore {
  WordId word = kUnk;
  float log10Prob = 0;
  int ngramLength = 0;  // length of the n-gram that matched (1 = unigram)
};

class Scorer {
public:
  explicit Scorer(const Model &model) : m_model(model) {}

  // Scores one tokenised sentence (without <s>/</s>), adds it to `totals`, returns its log10
  // probability. `perToken`, when given, receives one entry per word plus one for </s>.
  double scoreSentence(std::span<const std::string_view> words, ScoreTotals &totals,
                       std::vector<TokenScore> *perToken = nullptr) const;
  // The same over word ids (the caller looked them up).
  double scoreIds(std::span<const WordId> ids, ScoreTotals &totals, std::vector<TokenScore> *perToken = nullptr) const;

  // Scores several sentences of ids in lockstep, one token of each per round, prefetching the
  // next round's lookups first so the memory latencies overlap. Results equal scoreIds() one by
  // one; perSentence[i] receives sentence i's totals (added to, not reset).
  void scoreBatch(std::span<const std::vector<WordId>> sentences, std::span<ScoreTotals> perSentence) const;

  // Scores a run of sentences stored back to back: sentence i is ids[ends[i-1], ends[i]) (from 0
  // for i = 0). A fixed number of lanes each score one sentence, one token per round, and a lane
  // whose sentence ends takes the next one at once, so every round keeps that many independent
  // lookups in flight (the tail of a fixed batch would wait on one sentence's memory latency).
  // Results equal scoreIds() one by one; perSentence[i] receives sentence i's totals (added to).
  void scoreRun(std::span<const WordId> ids, std::span<const std::size_t> ends,
                std::span<ScoreTotals> perSentence) const;

private:
  const Model &m_model;
};

// Scores every line of `path` ("-" = stdin). `onSentence` (optional) sees each sentence's totals.
Result<ScoreTotals> scoreFile(const Model &model, const std::string &path, const TokenizerOptions &tokenizer,
                              const std::function<void(const ScoreTotals &sentence)> &onSentence = {});

// Calls `onLine` for each line of `path` ("-" = stdin) through a large buffer; stops at the
// first non-ok Status it returns (which is returned with "PATH:LINE: " prepended).
Status forEachLine(const std::string &path, const std::function<Status(std::string_view line)> &onLine);

}  // namespace lmfront::engine
