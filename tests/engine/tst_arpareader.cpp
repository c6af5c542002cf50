// ArpaReader: the tiny fixture parses with the right counts, and every malformed input is one
// clear "FILE:LINE: what" error (these run under ASan too: label core).
#include "engine/arpareader.h"
#include "engine/modelbuilder.h"

#include <QtTest>

#include <fstream>
#include <sstream>

using namespace lmfront;
using namespace lmfront::engine;

namespace {

std::string fixturePath(const char *name) {
  return std::string(qgetenv("LMFRONT_SOURCE_DIR").constData()) + "/tests/engine/data/" + name;
}

std::string readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replaceOnce(std::string s, const std::string &from, const std::string &to) {
  auto pos = s.find(from);
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

class Counter : public ArpaVisitor {
public:
  Status onHeader(const std::vector<std::uint64_t> &c) override {
    header = c;
    return Status::ok();
  }
  Status onEntry(float p, std::span<const std::string_view> words, std::optional<float> bo) override {
    seen.resize(std::max(seen.size(), words.size()));
    ++seen[words.size() - 1];
    lastProb = p;
    lastBackoff = bo;
    return Status::ok();
  }
  std::vector<std::uint64_t> header, seen;
  float lastProb = 0;
  std::optional<float> lastBackoff;
};

}  // namespace

class TestArpaReader : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void readsFixture() {
    Counter c;
    Status st = ArpaReader::read(fixturePath("tiny_trigram.arpa"), c);
    QVERIFY2(st.isOk(), st.message().c_str());
    QCOMPARE(c.header, (std::vector<std::uint64_t>{6, 6, 3}));
    QCOMPARE(c.seen, (std::vector<std::uint64_t>{6, 6, 3}));
    QCOMPARE(c.lastProb, -0.25f);
    QVERIFY(!c.lastBackoff.has_value());
  }

  void fileAndBufferAgree() {
    const std::string text = readAll(fixturePath("tiny_trigram.arpa"));
    Counter a, b;
    QVERIFY(ArpaReader::read(fixturePath("tiny_trigram.arpa"), a).isOk());
    QVERIFY(ArpaReader::readBuffer(text, "mem", b).isOk());
    QCOMPARE(a.seen, b.seen);
  }

  void corruptInputs_data() {
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("expected");
    QTest::newRow("header count too high") << "ngram 2=6"
                                           << "ngram 2=7"
                                           << "tiny:22: section \\2-grams: has 6 entries, the header says 7";
    QTest::newRow("header count too low") << "ngram 2=6"
                                          << "ngram 2=5"
                                          << "tiny:20: more 2-grams than the header's 5";
    QTest::newRow("nan prob") << "-0.4\ta b"
                              << "nan\ta b"
                              << "tiny:16: log10 probability 'nan': not a finite number";
    QTest::newRow("inf backoff") << "a b\t-0.1"
                                 << "a b\tinf"
                                 << "tiny:16: backoff 'inf': not a finite number";
    QTest::newRow("garbage number") << "-0.9\tc"
                                    << "-0.9x\tc"
                                    << "tiny:12: log10 probability '-0.9x': not a number";
    QTest::newRow("positive prob") << "-0.9\tc"
                                   << "0.5\tc"
                                   << "tiny:12: log10 probability 0.5 is above 0";
    QTest::newRow("missing <s>") << "-99\t<s>\t-0.5"
                                 << "-99\td\t-0.5"
                                 << "tiny:14: required word <s> is not among";
    QTest::newRow("missing </s>") << "-0.6\t</s>"
                                  << "-0.6\te"
                                  << "tiny:14: required word </s> is not among";
    QTest::newRow("too many words") << "-0.2\tc </s>"
                                    << "-0.2\tc </s> a b"
                                    << "tiny:18: a 2-gram line needs 2 words";
    QTest::newRow("backoff on highest") << "-0.1\t<s> a b"
                                        << "-0.1\t<s> a b\t-0.3"
                                        << "tiny:23: a 3-gram line needs 3 words and a log10 probability (no backoff";
    QTest::newRow("unknown word") << "-0.9\ta c"
                                  << "-0.9\ta zz"
                                  << "tiny:20: word 'zz' of a 2-gram is not among the unigrams";
    QTest::newRow("order gap") << "ngram 2=6\nngram 3=3"
                               << "ngram 3=3"
                               << "tiny:3: header orders must be 1, 2, ... in sequence; got ngram 3 after 1";
    QTest::newRow("duplicate unigram") << "-0.9\tc\t-0.1"
                                       << "-0.9\tb\t-0.1"
                                       << "tiny:12: duplicate unigram 'b'";
    QTest::newRow("duplicate trigram") << "-0.2\ta b c"
                                       << "-0.2\t<s> a b"
                                       << "duplicate 3-gram '<s> a b'";
    QTest::newRow("no end") << "\\end\\"
                            << ""
                            << "no \\end\\";
    QTest::newRow("section order") << "\\2-grams:"
                                   << "\\3-grams:"
                                   << "tiny:14: expected section '\\2-grams:'";
    QTest::newRow("order too high") << "ngram 3=3"
                                    << "ngram 3=3\nngram 4=1\nngram 5=1\nngram 6=1\nngram 7=1"
                                    << "exceeds the maximum 6";
  }

  void corruptInputs() {
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, expected);
    // The fixture without its comment lines, so line numbers are easy to read here.
    std::string text = readAll(fixturePath("tiny_trigram.arpa"));
    text = text.substr(text.find("\n\\data\\\n") + 1);
    std::string bad = replaceOnce(text, from.toStdString(), to.toStdString());
    QVERIFY(bad != text);
    auto set = readArpaBuffer(bad, "tiny");
    if (set.isOk()) {
      // Some problems (duplicate higher-order n-grams) are found when the model is built.
      auto image = buildImage(std::move(set).value());
      QVERIFY(!image.isOk());
      QVERIFY2(image.status().message().find(expected.toStdString()) != std::string::npos,
               image.status().message().c_str());
      return;
    }
    QCOMPARE(set.status().code(), StatusCode::InvalidArgument);
    QVERIFY2(set.status().message().find(expected.toStdString()) != std::string::npos, set.status().message().c_str());
  }

  void truncatedEverywhere() {
    // Every prefix of the file is an error, never a crash or a silently smaller model.
    std::string text = readAll(fixturePath("tiny_trigram.arpa"));
    const std::size_t endMarker = text.rfind("\\end\\");
    for (std::size_t len = 0; len < endMarker + 4; len += 3) {
      auto set = readArpaBuffer(text.substr(0, len), "cut");
      QVERIFY2(!set.isOk(), std::to_string(len).c_str());
    }
  }

  void emptyAndGarbage() {
    auto empty = readArpaBuffer("", "empty.arpa");
    QCOMPARE(empty.status().message(), std::string("empty.arpa:0: empty file, not an ARPA model"));
    std::string garbage;
    for (int i = 0; i < 5000; ++i) garbage.push_back(static_cast<char>((i * 7919) % 251));
    auto g = readArpaBuffer(garbage, "garbage.bin");
    QVERIFY(!g.isOk());
    QVERIFY2(g.status().message().find("no \\data\\ header") != std::string::npos, g.status().message().c_str());
    Counter c;
    Status missing = ArpaReader::read("/nonexistent/model.arpa", c);
    QCOMPARE(missing.code(), StatusCode::IoError);
  }

  void noUnkGetsLowestUnigram() {
    std::string text = readAll(fixturePath("tiny_trigram.arpa"));
    text = replaceOnce(text, "-1.0\t<unk>\t0\n", "");
    text = replaceOnce(text, "ngram 1=6", "ngram 1=5");
    auto set = readArpaBuffer(text, "nounk");
    QVERIFY2(set.isOk(), set.status().message().c_str());
    QVERIFY(set->unkSynthesized);
    QCOMPARE(set->vocab[0], std::string("<unk>"));
    QCOMPARE(set->orders[0].prob[0], -0.9f);  // the rarest word (c), <s>'s -99 excluded
  }
};

QTEST_APPLESS_MAIN(TestArpaReader)
#include "tst_arpareader.moc"
