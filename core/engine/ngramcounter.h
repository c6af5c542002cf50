// NgramCounter: reads a corpus (one sentence per line) and counts its highest-order n-grams.
//
// Contract: count() tokenises every line, interns words as dense ids (<unk>=0, <s>=1, </s>=2,
// then words in order of first appearance, as lmplz numbers them), pads each sentence with
// order-1 <s> on the left and one </s> on the right, and returns every distinct order-N window
// with its count, sorted by NgramKey (lmplz's suffix order). Windows with <s> in position 1 are
// kept: the estimator needs them for the lower orders' counts. Counting stays within
// `memoryBytes`: when the record buffer fills it is sorted and combined, and if that does not
// free enough it is written as a sorted run to a temporary file (unlinked at once, so nothing is
// left behind) and all runs are k-way merged at the end. The merged table itself is held in
// memory (the estimator needs it). Errors: unreadable input (IoError), invalid UTF-8 (InvalidArgument
// "FILE:LINE: invalid UTF-8 at byte N") unless skipInvalid, no words at all (InvalidArgument),
// a vocabulary too large for the key width (ResourceExhausted). Not thread-safe.
#pragma once

#include "common/status.h"
#include "engine/ngramkey.h"
#include "engine/tokenizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmfront::engine {

struct CountOptions {
  int order = 3;
  TokenizerOptions tokenizer;
  bool skipInvalid = false;                // skip (and count) lines with invalid UTF-8
  std::uint64_t memoryBytes = 1ULL << 30;  // budget for the counting buffers
  std::string tempDir;                     // empty: $TMPDIR or /tmp
  bool progress = true;                    // progress bar when stderr is a terminal
};

struct CountResult {
  int order = 0;
  std::vector<std::string> vocab;     // id -> word
  std::vector<NgramRecord> grams;     // distinct order-N windows, sorted, raw counts
  std::uint64_t lines = 0;            // sentences counted (empty lines included, as lmplz)
  std::uint64_t tokens = 0;           // word tokens, without <s> and </s>
  std::uint64_t invalidLines = 0;     // skipped for invalid UTF-8 (skipInvalid only)
  std::uint64_t skippedSpecials = 0;  // literal <s>, </s>, <unk> in the text, dropped
  std::uint64_t spilledRuns = 0;      // sorted runs written to disk
  std::uint64_t inputBytes = 0;
};

constexpr std::uint32_t kUnkId = 0;
constexpr std::uint32_t kBosId = 1;
constexpr std::uint32_t kEosId = 2;

// path "-" reads standard input.
Result<CountResult> countNgrams(const std::string &path, const CountOptions &options);

}  // namespace lmfront::engine
