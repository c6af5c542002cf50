// Sampler: draws words from a Model's distribution and generates text token by token.
//
// Contract: with temperature 1 and no top-k/top-p, a draw is EXACTLY from the model's
// conditional distribution P(w | context) as back-off defines it, without enumerating the
// vocabulary: at the longest context h the explicit continuations hold mass(h); otherwise the
// draw recurses to the shorter context and is rejected if it lands on an explicit continuation
// of h (see docs/decisions/engine-model.md for the proof). Temperature, top-k and top-p need
// the whole distribution: they use its shape (explicit continuations, plus one shared backoff
// factor times the unigram distribution, whose order is precomputed) so a draw costs
// O(|explicit| log |explicit| + kept), with an O(vocabulary) pass only when T changes. <s> is never drawn (it is
// a context marker; lmplz gives it -99); <unk> is redrawn unless allowUnk (the result is the
// model's distribution conditioned on "not <unk>").
// Beyond temperature / top-k / top-p, the knobs of samplingparams.h (penalties, min_p, min_tokens,
// ignore_eos) and logit_bias reshape the distribution word by word: such a draw enumerates the
// vocabulary (O(vocabulary) a token), the others keep the fast paths above. Temperature 0 is
// greedy. Log-probabilities (options.logprobs >= 0) are natural logs under the distribution the
// word was drawn from (after reshaping, temperature and the top-k / top-p / min_p cut, normalised
// over what may be drawn); at temperature 0 they are those of temperature 1. They cost nothing
// when not asked for.
// The PRNG is splitmix64 with our own uniform mapping, so a seed gives the same text on every
// platform. A Sampler borrows nothing mutable: it holds the shared Model and index, plus
// scratch buffers, so use one Sampler per thread.
#pragma once

#include "common/status.h"
#include "continuationindex.h"
#include "model.h"
#include "samplingparams.h"
#include "tokenizer.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::engine {

struct SamplingOptions : SamplingKnobs {
  int maxTokens = 64;  // words generated at most (</s> ends earlier)
  std::uint64_t seed = 0;
  std::vector<std::string> stop;  // generation ends before the first occurrence of any
  bool allowUnk = false;
  // Added to a word's natural-log probability before temperature (OpenAI's logit_bias): -100
  // bans the word, 100 all but forces it. Word ids as `lmfront info --vocab` lists them.
  std::vector<std::pair<WordId, double>> logitBias;
  // -1: no log-probabilities; N >= 0: each token carries its own and the N most likely
  // alternatives (at most kMaxTopLogprobs).
  int logprobs = -1;
  bool promptLogprobs = false;  // also score the prompt's tokens (GenerationResult::prompt)

  bool reshapes(int generated) const { return SamplingKnobs::reshapes(generated) || !logitBias.empty(); }
};
inline constexpr int kMaxTopLogprobs = 20;
Status validate(const SamplingOptions &options);

class Rng {
public:
  explicit Rng(std::uint64_t seed) : m_state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)

private:
  std::uint64_t m_state;
};

struct TokenAlternative {
  WordId word = kUnk;
  std::string text;  // as it would have been appended
  double logprob = 0;
};

struct GeneratedToken {
  WordId word = kUnk;
  std::string text;                   // the detokenised piece, with its leading space if any
  float log10Prob = 0;                // the model's own log10 P(word | context)
  double logprob = 0;                 // natural log under the distribution drawn from (when options.logprobs >= 0)
  std::vector<TokenAlternative> top;  // the options.logprobs most likely words, most likely first
};

struct GenerationResult {
  std::string text;
  std::vector<WordId> words;
  std::string finishReason;  // "stop" (</s> or a stop string) or "length"
  std::uint64_t promptTokens = 0;
  // With options.promptLogprobs: the prompt's tokens with the model's log-probabilities (natural
  // log, temperature 1, from <s>) and their alternatives.
  std::vector<GeneratedToken> prompt;
};

class Sampler {
public:
  Sampler(std::shared_ptr<const Model> model, std::shared_ptr<const ContinuationIndex> index);

  // One draw from P(. | state) under the options' temperature / top-k / top-p (not reshaped).
  WordId sample(const State &state, const SamplingOptions &options, Rng &rng);
  // The natural-log probability of `chosen` under the distribution sample() draws from, and the
  // `top` most likely words with theirs (texts appended after `previous`), for any state.
  void describe(const State &state, const SamplingOptions &options, WordId chosen, int top, std::string_view previous,
                GeneratedToken &out);
  // The full conditional distribution (linear, over word ids; <s> is 0), as enumeration sees it.
  void distribution(const State &state, std::vector<double> &out) const;

  // Tokenises the prompt, then draws until </s>, a stop string or maxTokens. onToken (optional)
  // sees each token as it is produced; returning false stops early (finishReason "stop").
  Result<GenerationResult> generate(std::string_view prompt, const SamplingOptions &options,
                                    const TokenizerOptions &tokenizer = {},
                                    const std::function<bool(const GeneratedToken &)> &onToken = {});

private:
  WordId sampleExact(const State &state, Rng &rng);
  WordId drawLevel(int k, const std::uint32_t *ctx, const double *z, Rng &rng, int &rejections);
  WordId sampleHead(const State &state, const SamplingOptions &options, Rng &rng);
  WordId sampleEnumerated(const State &state, const SamplingOptions &options, Rng &rng);
  double totalMass(const State &state, bool allowUnk) const;
  double totalMass(double zL, const State &state, bool allowUnk) const;  // from a known Z_L
  void collectHead(const State &state, const SamplingOptions &options, std::size_t limit, double target);
  void prepareEnumerated(const State &state, const SamplingOptions &options);
  void mergeEnumerated(std::size_t limit, double target);
  WordId pickKept(Rng &rng);
  // The reshaping path (samplerreshape.cpp): counts[w] = times w is in the completion so far,
  // seen[w] = w is in the prompt or completion.
  WordId sampleReshaped(const State &state, const SamplingOptions &options, int generated, Rng &rng);
  void noteWord(WordId w, bool inCompletion);
  void resetHistory();
  // describe() right after sample() on the same state with the same options (generate() does): reuses
  // what the draw built, and `chosenLog10`, the model's log10 P(chosen | state) as score() gives it.
  void describeScored(const State &state, const SamplingOptions &options, WordId chosen, float chosenLog10, int top,
                      std::string_view previous, GeneratedToken &out);
  void describeKept(WordId chosen, int top, std::string_view previous, GeneratedToken &out) const;
  void fillAlternatives(int top, std::string_view previous, GeneratedToken &out) const;

  std::shared_ptr<const Model> m_model;
  std::shared_ptr<const ContinuationIndex> m_index;
  struct Candidate {
    WordId w;
    double q;  // tempered, unnormalised
  };
  std::vector<Candidate> m_explicit, m_kept;
  std::vector<std::uint32_t> m_stamp;  // m_stamp[w] == m_stampNow: w is already placed this draw
  std::uint32_t m_stampNow = 0;
  double m_powInvT = 0;                 // the 1/T that m_pow was computed for
  std::vector<double> m_pow, m_powCum;  // unigram^(1/T) by word id, and running sums
  double m_zE = 0, m_zR = 0, m_bT = 0;  // prepareEnumerated: explicit total, rest total, tempered backoff
  // m_kept as the last draw left it (all it could draw, most likely first) and its total; valid
  // for describe() while m_keptFor is the State it was built for.
  double m_keptTotal = 0;
  bool m_keptFresh = false;
  // Z_L of the last exact draw (before <unk> is taken out): describe() reads it instead of
  // recomputing it while m_exactFresh, which sample() clears.
  double m_exactZ = 0;
  bool m_exactFresh = false;
  // prepareEnumerated() ran for the last draw's state, with m_powInvT and this allowUnk.
  bool m_enumeratedFresh = false;
  bool m_enumeratedAllowUnk = false;
  // Reshaping: the distribution, the completion's word counts and the words seen.
  std::vector<double> m_dist;
  std::vector<std::uint32_t> m_counts;
  std::vector<std::uint8_t> m_seen;
  std::vector<WordId> m_seenList;
};

// Joins tokens as text: Latin words with spaces, CJK without, no space before closing
// punctuation or after opening brackets. piece() returns what to append after `previous`.
std::string detokenizePiece(std::string_view previous, std::string_view token);
std::string detokenize(const std::vector<std::string_view> &tokens);

}  // namespace lmfront::engine
