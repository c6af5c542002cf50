// Mixture: EM finds the likelihood-optimal weights (checked against a grid), the tuned mix is
// never worse than uniform or any single model, and the static merge equals the mixture on
// every listed n-gram, normalises over the vocabulary, and survives an ARPA round trip.
// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

#include "engine/mixture.h"
#include "engine/sampler.h"
#include "model_testutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace lmfront;
using namespace lmfront::engine;

namespace {

std::shared_ptr<const Model> build(std::uint64_t seed) {
  auto m = Model::fromNgrams(testutil::randomNormalisedModel(seed, 12, 6));
  if (!m.isOk()) qFatal("%s", m.status().message().c_str());
  return *m;
}

// Writes `lines` sentences sampled from `model` (whitespace-separated words).
void writeSample(const std::shared_ptr<const Model> &model, const std::string &path, int lines, std::uint64_t seed) {
  auto idx = ContinuationIndex::build(*model);
  Sampler sampler(model, *idx);
  std::ofstream out(path);
  SamplingOptions o;
  o.maxTokens = 30;
  for (int i = 0; i < lines; ++i) {
    o.seed = seed + static_cast<std::uint64_t>(i);
    std::string line;
    auto result = sampler.generate("", o, {TokenizerMode::Whitespace, false});
    for (WordId w : result->words) {
      if (!line.empty()) line += ' ';
      line += model->vocab().word(w);
    }
    out << line << '\n';
  }
}

double logProb(const Model &m, const std::vector<WordId> &context, WordId w) {
  State s = m.nullContextState(), o;
  for (WordId c : context) {
    m.score(s, c, o);
    s = o;
  }
  return m.score(s, w, o);
}

}  // namespace

class TestMixture : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void emFindsTheOptimum() {
    QTemporaryDir dir;
    auto a = build(21), b = build(22);
    const std::string dev = dir.filePath(QStringLiteral("dev.txt")).toStdString();
    writeSample(a, dev, 300, 1000);  // text from A: A should get most of the weight
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    auto r = tuneWeights({a, b}, dev, ws);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QVERIFY(r->weights[0] > 0.5);
    QVERIFY(std::abs(r->weights[0] + r->weights[1] - 1) < 1e-12);
    QVERIFY(r->tunedPerplexity <= r->uniformPerplexity + 1e-9);
    QVERIFY(r->tunedPerplexity <= std::min(r->modelPerplexity[0], r->modelPerplexity[1]) + 1e-9);
    // The dev perplexity as a function of weight A is convex-ish around EM's answer: no grid
    // point does better.
    for (double wa = 0.0; wa <= 1.0; wa += 0.01) {
      auto mix = Mixture::create({a, b}, {wa, 1 - wa});
      QVERIFY(mix.isOk());
      ScoreTotals t;
      std::ifstream in(dev);
      std::string line;
      Tokenizer tok(ws);
      std::vector<std::string_view> words;
      while (std::getline(in, line)) {
        words.clear();
        QVERIFY(tok.tokenize(line, words).isOk());
        mix->scoreSentence(words, t);
      }
      QCOMPARE(t.tokens, r->tokens);
      QVERIFY2(t.perplexity() >= r->tunedPerplexity - 1e-6, std::to_string(wa).c_str());
    }
  }

  void staticMergeEqualsMixtureAndNormalises() {
    auto a = build(31), b = build(32);
    const std::vector<double> lambda = {0.3, 0.7};
    auto mix = Mixture::create({a, b}, lambda);
    QVERIFY(mix.isOk());
    auto merged = staticMerge(*mix);
    QVERIFY2(merged.isOk(), merged.status().message().c_str());
    NgramSet set = *merged;
    auto m = Model::fromNgrams(set);
    QVERIFY2(m.isOk(), m.status().message().c_str());
    // Same vocabulary order in a and b (same generator), so ids agree across the three models.
    const NgramSet &tri = set;
    int checked = 0;
    for (int n = 2; n <= 3; ++n) {
      const auto nn = static_cast<std::size_t>(n);
      const NgramSet::Order &o = tri.orders[nn - 1];
      for (std::size_t e = 0; e < o.prob.size(); ++e) {
        std::vector<WordId> ids(o.words.begin() + static_cast<std::ptrdiff_t>(e * nn),
                                o.words.begin() + static_cast<std::ptrdiff_t>((e + 1) * nn));
        std::vector<WordId> ctx(ids.begin(), ids.end() - 1);
        auto id = [&](const Model &mm, WordId w) { return mm.vocab().index(set.vocab[w]); };
        std::vector<WordId> ca, cb, cm;
        for (WordId w : ctx) {
          ca.push_back(id(*a, w));
          cb.push_back(id(*b, w));
          cm.push_back(id(**m, w));
        }
        const double expected = lambda[0] * std::pow(10.0, logProb(*a, ca, id(*a, ids.back()))) +
                                lambda[1] * std::pow(10.0, logProb(*b, cb, id(*b, ids.back())));
        const double got = std::pow(10.0, logProb(**m, cm, id(**m, ids.back())));
        QVERIFY2(std::abs(got / expected - 1) < 1e-5,
                 (std::to_string(got) + " vs " + std::to_string(expected)).c_str());
        ++checked;
      }
    }
    QVERIFY(checked > 20);
    // Normalisation over the whole vocabulary, for every one- and two-word context.
    const Model &mm = **m;
    for (WordId x = 0; x < mm.vocab().size(); ++x) {
      for (WordId y = 0; y < mm.vocab().size(); y += 3) {
        State s = mm.nullContextState(), o;
        mm.score(s, x, o);
        s = o;
        if (y) {
          mm.score(s, y, o);
          s = o;
        }
        double sum = 0;
        for (WordId w = 0; w < mm.vocab().size(); ++w) sum += std::pow(10.0, double(mm.score(s, w, o)));
        QVERIFY2(std::abs(sum - 1) < 1e-5, std::to_string(sum).c_str());
      }
    }
  }

  void mergeRoundTripsThroughArpa() {
    QTemporaryDir dir;
    auto mix = Mixture::create({build(41), build(42)}, {0.5, 0.5});
    auto merged = staticMerge(*mix);
    QVERIFY(merged.isOk());
    const std::string path = dir.filePath(QStringLiteral("merged.arpa")).toStdString();
    QVERIFY(writeArpa(*merged, path).isOk());
    auto fromFile = Model::open(path);
    QVERIFY2(fromFile.isOk(), fromFile.status().message().c_str());
    auto inMemory = Model::fromNgrams(*merged);
    QVERIFY(inMemory.isOk());
    QCOMPARE((*fromFile)->vocab().size(), (*inMemory)->vocab().size());
    for (WordId x = 0; x < (*inMemory)->vocab().size(); ++x) {
      const std::string_view word = (*inMemory)->vocab().word(x);
      const WordId y = (*fromFile)->vocab().index(word);
      QCOMPARE((*fromFile)->vocab().word(y), word);
      State s1 = (*inMemory)->beginSentenceState(), s2 = (*fromFile)->beginSentenceState(), o;
      QVERIFY(std::abs((*inMemory)->score(s1, x, o) - (*fromFile)->score(s2, y, o)) < 1e-4f);
    }
  }

  void rejectsBadInput() {
    auto a = build(51);
    QVERIFY(!Mixture::create({a}, {}).isOk());
    QVERIFY(!Mixture::create({a, a}, {1.0}).isOk());
    QVERIFY(!Mixture::create({a, a}, {-1.0, 2.0}).isOk());
    QVERIFY(!Mixture::create({a, a}, {0.0, 0.0}).isOk());
    QVERIFY(!tuneWeights({a, a}, "/nonexistent/dev.txt", {}).isOk());
  }
};

QTEST_APPLESS_MAIN(TestMixture)
#include "tst_mixture.moc"
