// Scorer: the lane scheduler (scoreRun) and the block reader (scoreFile) give exactly what
// scoring each sentence on its own gives, bit for bit, whatever the sentence lengths, line
// endings, block boundaries and tokenizer; errors name the line even deep into a file.
// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

#include "engine/model.h"
#include "engine/scorer.h"
#include "model_testutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <random>

using namespace lmfront;
using namespace lmfront::engine;

namespace {

void writeText(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

bool sameTotals(const ScoreTotals &a, const ScoreTotals &b) {
  return a.tokens == b.tokens && a.sentences == b.sentences && a.oov == b.oov && a.log10Prob == b.log10Prob &&
         a.log10ProbOov == b.log10ProbOov;
}

// What scoreFile must give: each line on its own through Tokenizer + scoreSentence.
std::vector<ScoreTotals> lineByLine(const Model &m, const std::string &text, TokenizerMode mode) {
  std::vector<ScoreTotals> out;
  Tokenizer tokenizer(TokenizerOptions{mode, false});
  std::string_view rest(text);
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> words;
    if (!tokenizer.tokenize(line, words).isOk()) return {};
    ScoreTotals t;
    Scorer(m).scoreSentence(words, t);
    out.push_back(t);
  }
  return out;
}

}  // namespace

class TstScorer : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void runEqualsOneByOne() {
    auto r = Model::fromNgrams(testutil::randomNormalisedModel(21, 30, 8));
    QVERIFY(r.isOk());
    const Model &m = **r;
    std::mt19937_64 rng(4);
    for (std::size_t count : {0u, 1u, 5u, 16u, 17u, 300u}) {
      std::vector<std::vector<WordId>> sentences(count);
      std::vector<WordId> ids;
      std::vector<std::size_t> ends;
      for (auto &s : sentences) {
        // Lengths from 0 to 40 so lanes finish at very different rounds; some <unk>.
        for (std::uint64_t i = 0, n = rng() % 41; i < n; ++i)
          s.push_back(rng() % 9 == 0 ? kUnk : static_cast<WordId>(3 + rng() % (m.vocab().size() - 3)));
        ids.insert(ids.end(), s.begin(), s.end());
        ends.push_back(ids.size());
      }
      std::vector<ScoreTotals> run(count);
      Scorer(m).scoreRun(ids, ends, run);
      for (std::size_t i = 0; i < count; ++i) {
        ScoreTotals one;
        Scorer(m).scoreIds(sentences[i], one);
        QVERIFY2(sameTotals(run[i], one), (std::to_string(count) + "/" + std::to_string(i)).c_str());
      }
    }
  }

  // Several 64 KB blocks, a line longer than a block, CRLF, blank lines, sentence markers, OOVs,
  // no newline at the end: same per-sentence results, in order, as line by line.
  void fileEqualsLineByLine() {
    auto r = Model::fromNgrams(testutil::randomNormalisedModel(22, 30, 8));
    QVERIFY(r.isOk());
    const Model &m = **r;
    std::mt19937_64 rng(5);
    std::string text;
    for (int line = 0; line < 12000; ++line) {
      const std::uint64_t n = line == 5000 ? 20000 : rng() % 14;
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t pick = rng() % 40;
        text += pick < 30 ? "w" + std::to_string(pick) : pick < 34 ? std::string("oov") : std::string("<s>");
        text += rng() % 5 ? " " : "\t ";
      }
      text += line % 3 ? "\n" : "\r\n";
    }
    text += "w1 w2";
    QVERIFY(text.size() > 4 * (64 << 10));
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("text.txt")).toStdString();
    writeText(path, text);
    for (TokenizerMode mode : {TokenizerMode::Whitespace, TokenizerMode::Default}) {
      const std::vector<ScoreTotals> expected = lineByLine(m, text, mode);
      QCOMPARE(expected.size(), std::size_t{12001});
      std::vector<ScoreTotals> got;
      auto totals = scoreFile(m, path, TokenizerOptions{mode, false}, [&](const ScoreTotals &s) { got.push_back(s); });
      QVERIFY2(totals.isOk(), totals.status().message().c_str());
      QCOMPARE(got.size(), expected.size());
      ScoreTotals sum;
      for (std::size_t i = 0; i < got.size(); ++i) {
        QVERIFY2(sameTotals(got[i], expected[i]), std::to_string(i).c_str());
        sum.add(expected[i]);
      }
      QVERIFY(sameTotals(*totals, sum));
      QVERIFY(totals->oov > 0);
    }
  }

  void emptyFileAndEmptyLines() {
    auto r = Model::fromNgrams(testutil::randomNormalisedModel(23));
    QVERIFY(r.isOk());
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("e.txt")).toStdString();
    writeText(path, "");
    auto none = scoreFile(**r, path, TokenizerOptions{TokenizerMode::Whitespace, false});
    QVERIFY(none.isOk());
    QCOMPARE(none->sentences, 0u);
    writeText(path, "\n\n");  // two empty sentences: </s> twice
    auto two = scoreFile(**r, path, TokenizerOptions{TokenizerMode::Whitespace, false});
    QVERIFY(two.isOk());
    QCOMPARE(two->sentences, 2u);
    QCOMPARE(two->tokens, 2u);
  }

  // The fast path validates a whole block at once; the error must still name the exact line.
  void invalidUtf8DeepInAFileNamesTheLine() {
    auto r = Model::fromNgrams(testutil::randomNormalisedModel(24));
    QVERIFY(r.isOk());
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "w1 w2 w3\n";
    text += "w1 \xC3\x28 w2\nw3\n";
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("bad.txt")).toStdString();
    writeText(path, text);
    for (TokenizerMode mode : {TokenizerMode::Whitespace, TokenizerMode::Default}) {
      auto totals = scoreFile(**r, path, TokenizerOptions{mode, false});
      QVERIFY(!totals.isOk());
      QCOMPARE(totals.status().code(), StatusCode::InvalidArgument);
      QVERIFY2(totals.status().message().find(path + ":20001: invalid UTF-8 at byte 4") != std::string::npos,
               totals.status().message().c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TstScorer)
#include "tst_scorer.moc"
