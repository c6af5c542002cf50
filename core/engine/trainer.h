// Trainer: corpus -> counts -> modified Kneser-Ney -> ARPA file, the library behind
// `lmfront train`. See NgramCounter and KneserNey for the contracts of each step.
//
// Contract: train() either writes a complete ARPA file at options.arpaPath (atomically, via
// ArpaWriter) and returns what it did, or returns the first error and leaves no output file.
// Synchronous; uses up to options.threads threads internally.
#pragma once

#include "common/status.h"
#include "engine/kneserney.h"
#include "engine/ngramcounter.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmfront::engine {

struct TrainOptions {
  CountOptions count;  // order, tokenizer, memory budget, temp dir, skipInvalid, progress
  KneserNeyOptions kneserNey;
  std::string textPath;  // "-" = stdin
  std::string arpaPath;  // "-" = stdout
};

struct TrainSummary {
  int order = 0;
  std::vector<std::uint64_t> ngramCounts;  // per order, as in the ARPA header
  std::uint64_t vocabularySize = 0;        // including <unk>, <s>, </s>
  std::uint64_t sentences = 0;
  std::uint64_t tokens = 0;
  std::uint64_t invalidLines = 0;
  std::uint64_t skippedSpecials = 0;
  std::uint64_t spilledRuns = 0;
  std::vector<Discount> discounts;
  std::vector<bool> usedFallback;
  double countSeconds = 0, estimateSeconds = 0, writeSeconds = 0, totalSeconds = 0;
  std::uint64_t peakRssBytes = 0;
};

Result<TrainSummary> train(const TrainOptions &options);

// Peak resident set size of this process so far (getrusage), in bytes.
std::uint64_t peakRssBytes();

}  // namespace lmfront::engine
