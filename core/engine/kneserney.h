// KneserNey: interpolated modified Kneser-Ney estimation exactly as KenLM's lmplz does by
// default (no pruning, --interpolate_unigrams on), from the counts of NgramCounter.
//
// What "exactly" means here, each point checked against kpu/kenlm lm/builder:
//  - adjusted counts (adjust_counts.cc): orders below N use the number of distinct left
//    extensions, except n-grams that start with <s>, which keep their raw count; order N keeps
//    raw counts; windows with <s> in position 1 exist only to feed the lower orders.
//  - discounts per order from the counts-of-counts n1..n4 of the adjusted counts (Chen & Goodman
//    eq. 26): Y = n1/(n1+2 n2), D_k = k - (k+1) Y n_{k+1}/n_k for k = 1, 2, 3+. As in lmplz, the
//    last n-gram of each lower order (in suffix order) enters the statistics with its raw count.
//    n_k == 0 or D_k outside [0, k] is an error unless fallback discounts are given
//    (lmplz --discount_fallback: 0.5, 1, 1.5).
//  - initial_probabilities.cc: p(w|c) = (a(cw) - D(a(cw))) / sum_x a(cx) and
//    gamma(c) = (D1 N1(c) + D2 N2(c) + D3 N3+(c)) / sum_x a(cx); <unk> gets only interpolated
//    mass and <s> probability 1 (log10 0).
//  - interpolate.cc: p(w|c) += gamma(c) p(w|c'), down to the uniform 1/(|V|-1) (<s> excluded);
//    log10 clamped to <= 0; the backoff of a context is gamma, of anything else (and of n-grams
//    ending in </s> or <unk>) log10 0, written for every n-gram below order N as lmplz prints it.
// Everything is computed in double (lmplz uses float), so values agree to ~1e-6 in log10.
#pragma once

#include "common/status.h"
#include "engine/ngramcounter.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lmfront::engine {

class ArpaWriter;

struct Discount {
  std::array<double, 4> amount{0.0, 0.0, 0.0, 0.0};  // [0] unused (count 0), [3] is D3+
  double apply(std::uint64_t count) const { return amount[count >= 3 ? 3 : count]; }
};

struct KneserNeyOptions {
  std::optional<Discount> fallback;  // used for an order whose discounts cannot be estimated
  int threads = 2;                   // worker threads for the per-order passes
  bool progress = false;             // progress bar on stderr (only when it is a terminal)
};

// One order of the finished model, in suffix order (unigrams in id order, like lmplz).
struct OrderTable {
  std::vector<NgramRecord> grams;  // key + adjusted count
  std::vector<float> log10Prob;
  std::vector<float> log10Backoff;  // empty for the highest order
};

struct KneserNeyModel {
  int order = 0;
  std::vector<std::string> vocab;
  std::vector<OrderTable> orders;                            // orders[k-1] holds the k-grams
  std::vector<Discount> discounts;                           // per order
  std::vector<std::array<std::uint64_t, 5>> countsOfCounts;  // n0..n4 of the adjusted counts
  std::vector<bool> usedFallback;
};

// Consumes counts.grams (moved from) and counts.vocab.
Result<KneserNeyModel> estimateKneserNey(CountResult &&counts, const KneserNeyOptions &options = {});

// Writes the model through ArpaWriter ("-" for stdout); a progress bar when stderr is a terminal.
Status writeArpa(const KneserNeyModel &model, const std::string &path, bool progress = false);
// The same through a writer opened earlier (the trainer opens it first so that an unwritable
// output fails before the corpus is read); finishes the writer.
Status writeArpa(const KneserNeyModel &model, ArpaWriter &writer, bool progress = false);

}  // namespace lmfront::engine
