// Model: hand-computed queries on the tiny fixture, ARPA == compiled scores, normalisation over
// the whole vocabulary, blanks for missing prefixes/suffixes, and refusal of every corrupt
// compiled file (truncated, flipped bytes, garbage) with a DataLoss error and no crash.
// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

#include "engine/model.h"
#include "engine/scorer.h"
#include "model_testutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

using namespace lmfront;
using namespace lmfront::engine;

namespace {

std::string fixturePath(const char *name) {
  return std::string(qgetenv("LMFRONT_SOURCE_DIR").constData()) + "/tests/engine/data/" + name;
}

void writeBytes(const std::string &path, const void *data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char *>(data), static_cast<std::streamsize>(size));
}

double sentenceLog10(const Model &m, const std::vector<std::string_view> &words, ScoreTotals *totals = nullptr) {
  ScoreTotals t;
  double s = Scorer(m).scoreSentence(words, t);
  if (totals) *totals = t;
  return s;
}

}  // namespace

class TestModel : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void handComputedQueries() {
    auto r = Model::open(fixturePath("tiny_trigram.arpa"));
    QVERIFY2(r.isOk(), r.status().message().c_str());
    const Model &m = **r;
    QCOMPARE(m.order(), 3);
    QCOMPARE(m.vocab().size(), 6u);
    QCOMPARE(m.vocab().index("<unk>"), kUnk);
    QCOMPARE(m.vocab().index("zzz"), kUnk);
    QCOMPARE(m.vocab().word(m.vocab().index("b")), std::string_view("b"));
    const std::vector<std::string_view> many = {"a", "zzz", "</s>", "c", "", "<unk>", "b", "<s>"};
    std::vector<WordId> ids(many.size());
    m.vocab().indexBatch(many, ids.data());
    for (std::size_t i = 0; i < many.size(); ++i) QCOMPARE(ids[i], m.vocab().index(many[i]));
    // "a b c": P(a|<s>) = -0.3 (bigram), P(b|<s> a) = -0.1 (trigram), P(c|a b) = -0.2 (trigram),
    // P(</s>|b c) = -0.25 (trigram). Sum -0.85.
    QVERIFY(std::abs(sentenceLog10(m, {"a", "b", "c"}) - -0.85) < 1e-6);
    // "b a": P(b|<s>) = bo(<s>) -0.5 + P(b) -0.8 = -1.3; state is just (b).
    // P(a|b) = bo(b) -0.2 + P(a) -0.7 = -0.9; P(</s>|a) = bo(a) -0.3 + P(</s>) -0.6 = -0.9. Sum -3.1.
    QVERIFY(std::abs(sentenceLog10(m, {"b", "a"}) - -3.1) < 1e-6);
    // "a b a": -0.3, -0.1, then P(a|a b): no "a b a", no "b a": bo(a b) -0.1 + bo(b) -0.2 + P(a)
    // -0.7 = -1.0 (two backoffs), then P(</s>|a) = -0.9. Sum -2.3.
    QVERIFY(std::abs(sentenceLog10(m, {"a", "b", "a"}) - -2.3) < 1e-6);
    // "a c": -0.3; P(c|<s> a) = bo(<s> a) -0.2 + "a c" -0.9 = -1.1; P(</s>|a c): no "a c </s>"
    // ("a c" has backoff 0), "c </s>" = -0.2. Sum -1.6.
    QVERIFY(std::abs(sentenceLog10(m, {"a", "c"}) - -1.6) < 1e-6);
    // OOV "a zzz": -0.3; P(<unk>|<s> a) = bo(<s> a) -0.2 + bo(a) -0.3 + P(<unk>) -1.0 = -1.5;
    // P(</s>|<unk>) = 0 + -0.6. Sum -2.4; 3 tokens, 1 OOV.
    ScoreTotals t;
    QVERIFY(std::abs(sentenceLog10(m, {"a", "zzz"}, &t) - -2.4) < 1e-6);
    QCOMPARE(t.tokens, 3u);
    QCOMPARE(t.oov, 1u);
    QVERIFY(std::abs(t.perplexity() / std::pow(10.0, 2.4 / 3) - 1) < 1e-6);
    QVERIFY(std::abs(t.perplexityExclOov() / std::pow(10.0, 0.9 / 2) - 1) < 1e-6);
    // State semantics: after "<s> a b" the context holds (b) and (a b).
    State s = m.beginSentenceState(), o;
    m.score(s, m.vocab().index("a"), o);
    s = o;
    int len = 0;
    QCOMPARE(m.score(s, m.vocab().index("b"), o, &len), -0.1f);
    QCOMPARE(len, 3);
    QCOMPARE(int(o.length), 2);
  }

  void modelWithoutUnkScoresOovAsRarestWord() {
    std::string text = std::string(
        "\\data\\\nngram 1=4\nngram 2=1\n\n\\1-grams:\n-99\t<s>\t-0.5\n-0.4\t</s>\n-0.5\tx\t-0.1\n-1.5\ty\n\n"
        "\\2-grams:\n-0.2\t<s> x\n\n\\end\\\n");
    auto set = readArpaBuffer(text, "nounk");
    QVERIFY2(set.isOk(), set.status().message().c_str());
    auto r = Model::fromNgrams(std::move(set).value());
    QVERIFY(r.isOk());
    QVERIFY((*r)->unkSynthesized());
    // "qq": OOV = the rarest word's -1.5 plus bo(<s>) -0.5 = -2.0; then P(</s>|<unk>) = -0.4.
    ScoreTotals t;
    QVERIFY(std::abs(sentenceLog10(**r, {"qq"}, &t) - -2.4) < 1e-6);
    QCOMPARE(t.oov, 1u);
  }

  void blanksKeepBackoffSemantics() {
    // "x y z" exists but neither "x y" (prefix) nor "y z" (suffix) does: the builder adds blanks
    // whose values equal what backoff gives, so every score follows ARPA semantics.
    const char *text =
        "\\data\\\nngram 1=6\nngram 2=1\nngram 3=1\n\n\\1-grams:\n-1\t<unk>\n-99\t<s>\t-0.4\n-0.5\t</s>\n"
        "-0.6\tx\t-0.2\n-0.7\ty\t-0.3\n-0.8\tz\n\n\\2-grams:\n-0.3\t<s> x\t-0.1\n\n\\3-grams:\n-0.05\tx y "
        "z\n\n\\end\\\n";
    auto set = readArpaBuffer(text, "blank");
    QVERIFY2(set.isOk(), set.status().message().c_str());
    auto r = Model::fromNgrams(std::move(set).value());
    QVERIFY2(r.isOk(), r.status().message().c_str());
    const Model &m = **r;
    QCOMPARE(m.arpaCount(2), 1u);
    QCOMPARE(m.count(2), 3u);  // "<s> x" + blanks "x y", "y z"
    // "x y z": P(x|<s>) = -0.3; P(y|<s> x) = bo(<s> x) -0.1 + bo(x) -0.2 + P(y) -0.7 = -1.0;
    // P(z|x y) = -0.05 (the trigram); P(</s>|y z) = bo(z) 0 + -0.5. Sum -1.85.
    QVERIFY(std::abs(sentenceLog10(m, {"x", "y", "z"}) - -1.85) < 1e-6);
    // "y z": P(y|<s>) = -0.4 + -0.7 = -1.1; P(z|y) = bo(y) -0.3 + -0.8 = -1.1; P(</s>|z) = -0.5.
    QVERIFY(std::abs(sentenceLog10(m, {"y", "z"}) - -2.7) < 1e-6);
  }

  void sumsToOneOverVocabulary() {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      auto r = Model::fromNgrams(testutil::randomNormalisedModel(seed));
      QVERIFY2(r.isOk(), r.status().message().c_str());
      const Model &m = **r;
      std::mt19937_64 rng(seed * 77);
      for (int trial = 0; trial < 50; ++trial) {
        // A random history, walked through the model so the state is a real one.
        State s = trial % 5 == 0 ? m.nullContextState() : m.beginSentenceState(), o;
        const int steps = static_cast<int>(rng() % 4);
        for (int i = 0; i < steps; ++i) {
          WordId w = static_cast<WordId>(rng() % m.vocab().size());
          if (w == m.bos() || w == m.eos()) w = kUnk;
          m.score(s, w, o);
          s = o;
        }
        double sum = 0;
        for (WordId w = 0; w < m.vocab().size(); ++w) sum += std::pow(10.0, double(m.score(s, w, o)));
        QVERIFY2(std::abs(sum - 1.0) < 1e-6, (std::to_string(seed) + ": " + std::to_string(sum)).c_str());
      }
    }
  }

  void arpaAndCompiledScoreIdentically() {
    QTemporaryDir dir;
    const std::string arpa = fixturePath("tiny_trigram.arpa");
    const std::string lmb = dir.filePath(QStringLiteral("tiny.lmb")).toStdString();
    auto fromArpa = Model::open(arpa);
    QVERIFY(fromArpa.isOk());
    writeBytes(lmb, (*fromArpa)->imageData(), (*fromArpa)->imageSize());
    LoadOptions verify;
    verify.verifySha256 = true;
    auto compiled = Model::open(lmb, verify);
    QVERIFY2(compiled.isOk(), compiled.status().message().c_str());
    QCOMPARE((*compiled)->format(), "lmb v" + std::to_string(format::kVersion));
    QCOMPARE((*fromArpa)->format(), std::string("arpa"));
    QCOMPARE((*compiled)->payloadSha256(), (*fromArpa)->payloadSha256());
    // Every sentence of up to 4 words over the vocabulary plus an OOV: bit-identical scores.
    const std::vector<std::string_view> words = {"a", "b", "c", "</s>", "<s>", "zzz"};
    std::vector<std::string_view> sentence;
    int checked = 0;
    for (int len = 0; len <= 4; ++len) {
      const int total = static_cast<int>(std::pow(words.size(), len));
      for (int code = 0; code < total; ++code) {
        sentence.clear();
        for (int i = 0, c = code; i < len; ++i, c /= static_cast<int>(words.size()))
          sentence.push_back(words[c % words.size()]);
        QCOMPARE(sentenceLog10(**compiled, sentence), sentenceLog10(**fromArpa, sentence));
        ++checked;
      }
    }
    QVERIFY(checked > 1000);
  }

  void corruptCompiledFilesAreRefused() {
    QTemporaryDir dir;
    auto model = Model::open(fixturePath("tiny_trigram.arpa"));
    QVERIFY(model.isOk());
    const auto *bytes = reinterpret_cast<const char *>((*model)->imageData());
    const std::string good(bytes, (*model)->imageSize());
    const std::string path = dir.filePath(QStringLiteral("bad.lmb")).toStdString();
    // Truncated at many lengths (keeping the magic so it is taken as compiled).
    for (std::size_t len = 8; len < good.size(); len += 37) {
      writeBytes(path, good.data(), len);
      auto r = Model::open(path);
      QVERIFY2(!r.isOk(), std::to_string(len).c_str());
      QCOMPARE(r.status().code(), StatusCode::DataLoss);
    }
    // One flipped bit anywhere after the magic: the header or a section checksum catches it.
    int refused = 0, tried = 0;
    for (std::size_t pos = 8; pos < good.size(); pos += 13) {
      std::string bad = good;
      bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
      writeBytes(path, bad.data(), bad.size());
      auto r = Model::open(path);
      ++tried;
      if (!r.isOk()) {
        ++refused;
        QCOMPARE(r.status().code(), StatusCode::DataLoss);
        QVERIFY(r.status().message().find(path) == 0);
      }
    }
    QVERIFY2(refused == tried, (std::to_string(refused) + "/" + std::to_string(tried)).c_str());
    for (std::size_t pos = good.size() / 2; pos < good.size(); pos += 97) {
      std::string bad = good;
      bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
      writeBytes(path, bad.data(), bad.size());
      LoadOptions verify;
      verify.verifySha256 = true;
      QVERIFY(!Model::open(path, verify).isOk());
    }
    // Garbage after a valid magic; garbage without one is parsed as ARPA and refused there.
    std::string garbage(4096, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 2654435761u) >> 13);
    std::memcpy(garbage.data(), "LMFRONTB", 8);
    writeBytes(path, garbage.data(), garbage.size());
    QCOMPARE(Model::open(path).status().code(), StatusCode::DataLoss);
    writeBytes(path, garbage.data() + 8, garbage.size() - 8);
    QCOMPARE(Model::open(path).status().code(), StatusCode::InvalidArgument);
    writeBytes(path, "", 0);
    QCOMPARE(Model::open(path).status().code(), StatusCode::InvalidArgument);
  }

  // hashWord is part of the file format (the vocabulary index): its tail loads must give the
  // same value as copying the tail bytes into a zeroed word, for every length.
  void hashWordIsTheFormatsHash() {
    auto reference = [](std::string_view s) {
      std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0xff51afd7ed558ccdULL);
      std::size_t i = 0;
      for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = format::mix64(h ^ w) + 0x632BE59BD9B4E019ULL;
      }
      if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = format::mix64(h ^ w ^ 0x8CB92BA72F3D8DD7ULL);
      }
      return format::mix64(h);
    };
    std::string text;
    for (int i = 0; i < 64; ++i) text += static_cast<char>(0x80 + i * 37 % 128);
    for (std::size_t off = 0; off < 8; ++off)
      for (std::size_t len = 0; off + len <= text.size(); ++len) {
        const std::string_view s(text.data() + off, len);
        QCOMPARE(format::hashWord(s), reference(s));
      }
  }

  // v2 changed the n-gram tables, v3 the vocabulary index, v4 the n-gram hash: files before v4
  // must be refused (with the way out), never misread; v4 still loads (tst_continuationindex).
  void otherFormatVersionIsRefusedWithAHint() {
    QTemporaryDir dir;
    auto model = Model::open(fixturePath("tiny_trigram.arpa"));
    QVERIFY(model.isOk());
    for (std::uint32_t version : {1u, 2u, 3u, format::kVersion + 1}) {
      std::string image(reinterpret_cast<const char *>((*model)->imageData()), (*model)->imageSize());
      format::Header h{};
      std::memcpy(&h, image.data(), sizeof h);
      h.version = version;
      std::memcpy(image.data(), &h, sizeof h);
      h.headerChecksum = format::headerChecksum(image.data(), h.headerSize);
      std::memcpy(image.data(), &h, sizeof h);
      const std::string path = dir.filePath(QStringLiteral("old.lmb")).toStdString();
      writeBytes(path, image.data(), image.size());
      auto r = Model::open(path);
      QCOMPARE(r.status().code(), StatusCode::DataLoss);
      const std::string expected = "format version " + std::to_string(version) + " is not supported";
      QVERIFY2(r.status().message().find(expected) != std::string::npos &&
                   r.status().message().find("lmfront compile") != std::string::npos,
               r.status().message().c_str());
    }
  }

  // Words of every length around the inline limit, long words and near misses: each word finds
  // its own id, one at a time and in batches; a word one byte off finds <unk>.
  void vocabularyFindsShortAndLongWords() {
    NgramSet set = testutil::randomNormalisedModel(6, 3, 2);
    std::vector<std::string> extra;
    for (std::size_t len = 1; len <= 40; ++len)
      for (char c : {'a', 'q', '\xC3'}) {
        std::string w(len, c);
        if (c == '\xC3') w = std::string(len, 'z') + "\xC3\xA9";  // UTF-8 tail
        if (len > 1) w[len / 2] = static_cast<char>('A' + len % 26);
        extra.push_back(w);
      }
    for (const std::string &w : extra) {
      set.vocab.push_back(w);
      set.orders[0].words.push_back(static_cast<WordId>(set.orders[0].words.size()));
      set.orders[0].prob.push_back(-9.0f);
      set.orders[0].backoff.push_back(0.0f);
    }
    auto r = Model::fromNgrams(std::move(set));
    QVERIFY2(r.isOk(), r.status().message().c_str());
    const Vocabulary &v = (*r)->vocab();
    std::vector<std::string_view> all, missing;
    std::vector<std::string> near;
    for (WordId id = 0; id < v.size(); ++id) all.push_back(v.word(id));
    for (const std::string &w : extra) {
      near.push_back(w + "x");
      near.push_back(w.substr(0, w.size() - 1));
      std::string flipped = w;
      flipped[0] = static_cast<char>(flipped[0] ^ 1);
      near.push_back(flipped);
    }
    for (const std::string &w : near) missing.push_back(w);
    std::vector<WordId> ids(all.size()), none(missing.size());
    v.indexBatch(all, ids.data());
    v.indexBatch(missing, none.data());
    for (WordId id = 0; id < v.size(); ++id) {
      QCOMPARE(v.index(all[id]), id);
      QCOMPARE(ids[id], id);
    }
    for (std::size_t i = 0; i < missing.size(); ++i) {
      if (std::find(all.begin(), all.end(), missing[i]) != all.end()) continue;  // became another word
      QCOMPARE(v.index(missing[i]), kUnk);
      QCOMPARE(none[i], kUnk);
    }
  }

  // Every stored n-gram is found at its own slot through the bucketed probe, in tables filled
  // to different loads, and absent keys are not found.
  void everyStoredNgramIsFound() {
    for (double multiplier : {1.05, 1.5, 4.0}) {
      BuildOptions options;
      options.probingMultiplier = multiplier;
      auto r = Model::fromNgrams(testutil::randomNormalisedModel(5, 40, 12), options);
      QVERIFY(r.isOk());
      const Model &m = **r;
      int checked = 0;
      for (int n = 2; n <= m.order(); ++n) {
        QCOMPARE(m.capacity(n) % format::kBucketSlots, 0u);
        for (std::uint64_t s = 0; s < m.capacity(n); ++s) {
          const bool high = n == m.order();
          const WordId w = high ? m.high()[s].word : m.middle(n)[s].word;
          if (w == format::kEmptyWord) continue;
          const std::uint32_t parent = high ? m.high()[s].parent : m.middle(n)[s].parent;
          QCOMPARE(m.find(n, parent, w), static_cast<std::int64_t>(s));
          QCOMPARE(m.find(n, parent, static_cast<WordId>(m.vocab().size() + 7)), std::int64_t{-1});
          ++checked;
        }
      }
      QVERIFY(checked > 100);
    }
  }

  void batchEqualsOneByOne() {
    auto r = Model::fromNgrams(testutil::randomNormalisedModel(4));
    QVERIFY(r.isOk());
    const Model &m = **r;
    std::mt19937_64 rng(8);
    std::vector<std::vector<WordId>> sentences(45);
    for (auto &s : sentences)
      for (std::uint64_t i = 0, n = rng() % 12; i < n; ++i) s.push_back(static_cast<WordId>(rng() % m.vocab().size()));
    std::vector<ScoreTotals> batched(sentences.size());
    Scorer(m).scoreBatch(sentences, batched);
    for (std::size_t i = 0; i < sentences.size(); ++i) {
      ScoreTotals one;
      Scorer(m).scoreIds(sentences[i], one);
      QCOMPARE(batched[i].log10Prob, one.log10Prob);
      QCOMPARE(batched[i].tokens, one.tokens);
      QCOMPARE(batched[i].oov, one.oov);
      QCOMPARE(batched[i].sentences, 1u);
    }
  }

  void threadsShareOneModel() {
    auto r = Model::fromNgrams(testutil::randomNormalisedModel(9));
    QVERIFY(r.isOk());
    std::shared_ptr<const Model> m = *r;
    std::vector<WordId> text;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 20000; ++i) text.push_back(static_cast<WordId>(3 + rng() % (m->vocab().size() - 3)));
    ScoreTotals expected;
    Scorer(*m).scoreIds(text, expected);
    std::vector<ScoreTotals> got(4);
    std::vector<std::thread> threads;
    for (auto &g : got) threads.emplace_back([&] { Scorer(*m).scoreIds(text, g); });
    for (auto &t : threads) t.join();
    for (const auto &g : got) QCOMPARE(g.log10Prob, expected.log10Prob);
  }
};

QTEST_APPLESS_MAIN(TestModel)
#include "tst_model.moc"
