// ArpaReader: a streaming, validating reader of ARPA back-off language models.
//
// Contract: read() parses the file front to back through a 1 MiB buffer (never the whole file
// in memory) and hands each n-gram to an ArpaVisitor as it is parsed; the word views are valid
// only during the call. It validates everything a later stage relies on and stops at the first
// problem with an InvalidArgument "FILE:LINE: what":
//   - a \data\ header with "ngram N=COUNT" for N = 1..order, contiguous, order <= kMaxOrder;
//   - sections \1-grams: .. \N-grams: in order, each with exactly the announced count, then \end\;
//   - each entry: a finite log10 prob <= 0 (lmplz's -99 for <s> is an ordinary finite number; NaN
//     and inf are errors; up to 1e-4 above 0 is accepted as another writer's rounding), exactly N words, an optional
//     finite backoff (none on the highest order);
//   - <s> and </s> among the unigrams, no duplicate unigram.
// <unk> may be missing: the caller decides (see docs/model-format.md, "Models without <unk>").
// Blank lines are allowed between entries and sections; text before \data\ is ignored (as SRILM
// and KenLM do). "-" reads stdin. Not thread-safe; one reader per file.
#pragma once

#include "common/status.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::engine {

inline constexpr int kMaxOrder = 6;

class ArpaVisitor {
public:
  virtual ~ArpaVisitor() = default;
  // Called once, after \data\, with counts[n-1] = announced n-grams of order n.
  virtual Status onHeader(const std::vector<std::uint64_t> &counts) = 0;
  // Called for each entry of order words.size(); words are in text order (history first).
  virtual Status onEntry(float log10Prob, std::span<const std::string_view> words, std::optional<float> backoff) = 0;
};

class ArpaReader {
public:
  // Parses `path` ("-" = stdin). The visitor's errors are returned with "FILE:LINE: " prepended.
  static Status read(const std::string &path, ArpaVisitor &visitor);
  // The same over text already in memory; `name` is used in messages.
  static Status readBuffer(std::string_view text, const std::string &name, ArpaVisitor &visitor);
};

}  // namespace lmfront::engine
