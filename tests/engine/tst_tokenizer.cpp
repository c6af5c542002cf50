// Tokenizer: whitespace mode leaves bytes alone; default mode normalises (NFKC), splits
// punctuation, keeps numbers and contractions, splits CJK per ideograph; invalid UTF-8 is refused
// with the byte offset; the scorer's block splitter agrees with the whitespace tokenizer.
#include "engine/tokenizer.h"

#include <QtTest>

#include <random>

using lmfront::StatusCode;
using lmfront::engine::findInvalidUtf8;
using lmfront::engine::splitWhitespaceLines;
using lmfront::engine::Tokenizer;
using lmfront::engine::TokenizerMode;
using lmfront::engine::TokenizerOptions;

namespace {
using Tokens = std::vector<std::string>;

Tokens tok(std::string_view line, TokenizerMode mode = TokenizerMode::Default, bool lower = false) {
  Tokenizer t(TokenizerOptions{mode, lower});
  auto r = t.tokenizeToStrings(line);
  if (!r) return {"ERROR: " + r.status().message()};
  return *r;
}
}  // namespace

class TstTokenizer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void whitespaceSplitsOnlyOnAsciiBlanks() {
    QCOMPARE(tok("  Hello,\tworld!  x\r", TokenizerMode::Whitespace), (Tokens{"Hello,", "world!", "x"}));
    // No normalisation at all: full-width letters and no-break spaces stay inside tokens.
    QCOMPARE(tok("\xEF\xBC\xA1"
                 "b\xC2\xA0"
                 "c d",
                 TokenizerMode::Whitespace),
             (Tokens{"\xEF\xBC\xA1"
                     "b\xC2\xA0"
                     "c",
                     "d"}));
    QCOMPARE(tok("", TokenizerMode::Whitespace), Tokens{});
    QCOMPARE(tok(" \t ", TokenizerMode::Whitespace), Tokens{});
  }
  void specialMarkersAreDroppedAndCounted() {
    Tokenizer t(TokenizerOptions{TokenizerMode::Whitespace, false});
    auto r = t.tokenizeToStrings("<s> a </s> <unk> b <S>");
    QVERIFY(r.isOk());
    QCOMPARE(*r, (Tokens{"a", "b", "<S>"}));
    QCOMPARE(t.skippedSpecials(), std::uint64_t(3));
  }
  void nfkcFoldsCompatibilityForms() {
    QCOMPARE(tok("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3"), Tokens{"ABC"});  // full-width ＡＢＣ
    QCOMPARE(tok("\xEF\xAC\x81nd"), Tokens{"find"});                       // ligature ﬁ
    QCOMPARE(tok("e\xCC\x81t\xC3\xA9"), Tokens{"\xC3\xA9t\xC3\xA9"});      // e + U+0301 composes to é
    QCOMPARE(tok("x\xC2\xA0y"), (Tokens{"x", "y"}));                       // NBSP is a space
  }
  void punctuationIsSplitOff() {
    QCOMPARE(tok("Hello, world!"), (Tokens{"Hello", ",", "world", "!"}));
    QCOMPARE(tok("(a)\"b\"--c"), (Tokens{"(", "a", ")", "\"", "b", "\"", "-", "-", "c"}));
    QCOMPARE(tok("end."), (Tokens{"end", "."}));
  }
  void numbersAndContractionsStayWhole() {
    QCOMPARE(tok("pi is 3.14, about 1,000.5 $"), (Tokens{"pi", "is", "3.14", ",", "about", "1,000.5", "$"}));
    QCOMPARE(tok("don't 'quote'"), (Tokens{"don't", "'", "quote", "'"}));
    QCOMPARE(tok("v2 2nd"), (Tokens{"v2", "2nd"}));
  }
  void cjkIdeographsAreOneTokenEach() {
    // 我爱北京。 → 我 爱 北 京 。
    QCOMPARE(tok("\xE6\x88\x91\xE7\x88\xB1\xE5\x8C\x97\xE4\xBA\xAC\xE3\x80\x82"),
             (Tokens{"\xE6\x88\x91", "\xE7\x88\xB1", "\xE5\x8C\x97", "\xE4\xBA\xAC", "\xE3\x80\x82"}));
    // Mixed with Latin: the Latin word stays whole.
    QCOMPARE(tok("Linux\xE7\xB3\xBB\xE7\xBB\x9F"), (Tokens{"Linux", "\xE7\xB3\xBB", "\xE7\xBB\x9F"}));
  }
  void lineEndingsAndFormatCharacters() {
    QCOMPARE(tok("a b\r", TokenizerMode::Whitespace), (Tokens{"a", "b"}));  // CRLF files
    QCOMPARE(tok("a b\r"), (Tokens{"a", "b"}));
    QCOMPARE(tok("\xEF\xBB\xBFhello"), Tokens{"hello"});  // a BOM is not part of the first word
    QCOMPARE(tok("smile \xF0\x9F\x98\x80!"), (Tokens{"smile", "\xF0\x9F\x98\x80", "!"}));  // emoji: own token
    // Kana and Hangul are not ideographs: they stay words.
    QCOMPARE(tok("\xE3\x81\x82\xE3\x81\x84 \xED\x95\x9C\xEA\xB5\xAD"),
             (Tokens{"\xE3\x81\x82\xE3\x81\x84", "\xED\x95\x9C\xEA\xB5\xAD"}));
  }
  void lowercaseIsOptional() {
    QCOMPARE(tok("The \xC3\x89T\xC3\x89", TokenizerMode::Default, true), (Tokens{"the", "\xC3\xA9t\xC3\xA9"}));
    QCOMPARE(tok("The", TokenizerMode::Default, false), Tokens{"The"});
    QCOMPARE(tok("\xEF\xBC\xA1", TokenizerMode::Default, true), Tokens{"a"});  // NFKC then lowercase
  }
  void invalidUtf8NamesTheByte() {
    QCOMPARE(findInvalidUtf8("abc"), std::size_t(0));
    QCOMPARE(findInvalidUtf8("ab\xFF"), std::size_t(3));
    QCOMPARE(findInvalidUtf8("\xC3"), std::size_t(1));                         // truncated sequence
    QCOMPARE(findInvalidUtf8("a\xC0\xAF"), std::size_t(2));                    // overlong '/'
    QCOMPARE(findInvalidUtf8("xx\xED\xA0\x80"), std::size_t(3));               // surrogate
    QCOMPARE(findInvalidUtf8("abcdefghij\xF4\x90\x80\x80"), std::size_t(11));  // > U+10FFFF
    QCOMPARE(findInvalidUtf8("\xE4\xBD\xA0\xE5\xA5\xBD"), std::size_t(0));
    for (auto mode : {TokenizerMode::Whitespace, TokenizerMode::Default}) {
      Tokenizer t(TokenizerOptions{mode, false});
      std::vector<std::string_view> out;
      auto s = t.tokenize("ok \xFE bad", out);
      QCOMPARE(s.code(), StatusCode::InvalidArgument);
      QCOMPARE(s.message(), std::string("invalid UTF-8 at byte 4"));
    }
  }
  // The scorer's block splitter must give, line for line, what tokenize() gives each line.
  void blockSplitEqualsLineByLine() {
    const char alphabet[] = {'a', 'b', ' ', ' ', '\t', '\r', '\0', '\n', '<', '>', 's', '/', 'x'};
    std::mt19937_64 rng(11);
    // Every length from 0 to 299 (the splitter works on 64-byte chunks), random bytes, then
    // single words that end exactly at a chunk's end or just past it.
    for (int round = 0; round < 700; ++round) {
      std::string text;
      if (round < 300) {
        for (int i = 0; i < round; ++i) text += alphabet[rng() % sizeof alphabet];
      } else if (round < 500) {
        text.assign(static_cast<std::size_t>(round - 300), 'a');
      } else {
        for (std::uint64_t i = 0, n = rng() % 400; i < n; ++i) text += alphabet[rng() % sizeof alphabet];
      }
      if (round % 7 == 0) text += "<s> </s>\n<unk>";
      std::vector<std::string_view> words;
      std::vector<std::size_t> ends;
      bool ascii = false;
      const std::uint64_t skipped = splitWhitespaceLines(text, words, ends, &ascii);
      QVERIFY(ascii);
      Tokenizer t(TokenizerOptions{TokenizerMode::Whitespace, false});
      std::vector<std::string_view> expected;
      std::vector<std::size_t> expectedEnds;
      std::string_view rest(text);
      while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        QVERIFY(t.tokenize(rest.substr(0, nl), expected).isOk());
        expectedEnds.push_back(expected.size());
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      }
      QCOMPARE(words, expected);
      QCOMPARE(ends, expectedEnds);
      QCOMPARE(skipped, t.skippedSpecials());
    }
    std::vector<std::string_view> words;
    std::vector<std::size_t> ends;
    bool ascii = true;
    splitWhitespaceLines(std::string(70, 'a') + "\xC3\xA9", words, ends, &ascii);
    QVERIFY(!ascii);
  }

  void modeNamesParse() {
    QCOMPARE(*lmfront::engine::parseTokenizerMode("whitespace"), TokenizerMode::Whitespace);
    QCOMPARE(*lmfront::engine::parseTokenizerMode("default"), TokenizerMode::Default);
    QVERIFY(!lmfront::engine::parseTokenizerMode("spaces").isOk());
  }
};

QTEST_APPLESS_MAIN(TstTokenizer)
#include "tst_tokenizer.moc"
