// Tokenizer: turns one line of text (one sentence) into word tokens for training and scoring.
//
// Contract: tokenize() takes one line without its newline and appends the tokens to `out` as
// views that stay valid until the next call on the same Tokenizer (they point into the line or
// into the tokenizer's own buffer). Invalid UTF-8 is an InvalidArgument "invalid UTF-8 at byte N"
// (N is the 1-based byte offset in the line); callers prefix "FILE:LINE: ". The sentence markers
// <s>, </s> and <unk> are never produced as tokens: a token spelled like one is dropped and counted
// in skippedSpecials(), as lmplz --skip_symbols does, because they would corrupt the model.
//
// Modes:
//  - Whitespace: split on ASCII space, tab, CR and NUL (lmplz's delimiters), nothing else is
//    touched, so a pre-tokenised corpus gives exactly the reference toolkits' vocabulary.
//  - Default: Unicode NFKC (utf8proc), optional lowercase; words are runs of letters, marks and
//    digits; every other punctuation or symbol code point is a token of its own; a '.' or ','
//    between two digits stays inside a number (3.14, 1,000) and an apostrophe between two letters
//    inside a word (don't); every CJK ideograph is a token of its own, so Chinese needs no
//    segmenter. Unicode spaces and control/format characters separate tokens.
// A Tokenizer is cheap to create; one instance is not thread-safe (it owns scratch buffers).
#pragma once

#include "common/status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::engine {

enum class TokenizerMode { Whitespace, Default };

struct TokenizerOptions {
  TokenizerMode mode = TokenizerMode::Default;
  bool lowercase = false;  // Default mode only; Whitespace never changes a byte.
};

// Parses "whitespace" / "default"; anything else is an InvalidArgument naming the choices.
Result<TokenizerMode> parseTokenizerMode(std::string_view name);

// Returns 0 when `text` is valid UTF-8, otherwise the 1-based offset of the first bad byte.
std::size_t findInvalidUtf8(std::string_view text);

// Whitespace mode over many lines at once (the scorer's fast path, no per-line call): splits
// `text` (lines separated by '\n'; the last one may lack it) exactly as tokenize() splits each
// line, appends the words to `words` and, after each line, words.size() to `lineEnds`. It does
// not check UTF-8: `allAscii` (when given) says whether every byte is below 0x80, which makes
// the text valid; otherwise the caller checks findInvalidUtf8(text) before using the words.
// Returns the number of sentence markers dropped (see skippedSpecials()).
std::uint64_t splitWhitespaceLines(std::string_view text, std::vector<std::string_view> &words,
                                   std::vector<std::size_t> &lineEnds, bool *allAscii = nullptr);

class Tokenizer {
public:
  explicit Tokenizer(TokenizerOptions options = {});

  Status tokenize(std::string_view line, std::vector<std::string_view> &out);
  // Convenience for tests and small inputs: owned strings.
  Result<std::vector<std::string>> tokenizeToStrings(std::string_view line);

  std::uint64_t skippedSpecials() const { return m_skippedSpecials; }
  const TokenizerOptions &options() const { return m_options; }

private:
  Status tokenizeDefault(std::string_view line, std::vector<std::string_view> &out);
  void push(std::string_view token, std::vector<std::string_view> &out);

  TokenizerOptions m_options;
  std::uint64_t m_skippedSpecials = 0;
  std::vector<std::int32_t> m_codepoints;                    // NFKC buffer, reused across lines
  std::string m_text;                                        // normalised text the views point into
  std::vector<std::pair<std::size_t, std::size_t>> m_spans;  // token [begin, end) in m_text
};

}  // namespace lmfront::engine
