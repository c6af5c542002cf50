// Sampler: draws match the model's distribution (chi-square, fixed seed) on both the exact
// back-off path and the enumeration path; seeds repeat; top-k / top-p restrict the support;
// stop strings and detokenisation.
// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

#include "engine/sampler.h"
#include "model_testutil.h"

#include <QtTest>

#include <cmath>
#include <set>

using namespace lmfront;
using namespace lmfront::engine;

namespace {

struct Fixture {
  std::shared_ptr<const Model> model;
  std::shared_ptr<const ContinuationIndex> index;
};

Fixture makeFixture(std::uint64_t seed) {
  auto m = Model::fromNgrams(testutil::randomNormalisedModel(seed, 14, 7));
  if (!m.isOk()) qFatal("%s", m.status().message().c_str());
  auto idx = ContinuationIndex::build(**m);
  if (!idx.isOk()) qFatal("%s", idx.status().message().c_str());
  return {*m, *idx};
}

// States reached by walking real histories, so some have length 2 (trigram contexts).
std::vector<State> someStates(const Model &m) {
  std::vector<State> out = {m.nullContextState(), m.beginSentenceState()};
  for (WordId a = 3; a < m.vocab().size() && out.size() < 12; ++a) {
    State s = m.beginSentenceState(), o;
    m.score(s, a, o);
    out.push_back(o);
    for (WordId b = 3; b < m.vocab().size(); ++b) {
      State t;
      m.score(o, b, t);
      if (t.length == 2) {
        out.push_back(t);
        break;
      }
    }
  }
  return out;
}

// Chi-square statistic of `counts` against `expected` probabilities (categories with expected
// count >= 5; the rest pooled). Returns {statistic, degrees of freedom}.
std::pair<double, int> chiSquare(const std::vector<double> &counts, const std::vector<double> &expected, double n) {
  double stat = 0, poolObs = 0, poolExp = 0;
  int cats = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double e = expected[i] * n;
    if (e < 5) {
      poolObs += counts[i];
      poolExp += e;
      continue;
    }
    stat += (counts[i] - e) * (counts[i] - e) / e;
    ++cats;
  }
  if (poolExp >= 5) {
    stat += (poolObs - poolExp) * (poolObs - poolExp) / poolExp;
    ++cats;
  }
  return {stat, cats - 1};
}

void checkFrequencies(Sampler &sampler, const State &state, const SamplingOptions &options, std::uint64_t seed) {
  std::vector<double> p;
  sampler.distribution(state, p);
  p[kUnk] = 0;  // allowUnk = false: the distribution conditioned on "not <unk>"
  for (double &x : p) x = std::pow(x, 1.0 / options.temperature);
  double total = 0;
  for (double x : p) total += x;
  for (double &x : p) x /= total;
  std::vector<double> counts(p.size(), 0);
  Rng rng(seed);
  const int n = 60000;
  for (int i = 0; i < n; ++i) counts[sampler.sample(state, options, rng)] += 1;
  QCOMPARE(counts[kUnk], 0.0);
  auto [stat, df] = chiSquare(counts, p, n);
  // df + 5 standard deviations of the chi-square distribution: a false alarm is ~1e-6 likely,
  // while a wrong backoff or a biased draw moves the statistic by hundreds or thousands.
  const double limit = df + 5 * std::sqrt(2.0 * df);
  QVERIFY2(stat < limit, (std::to_string(stat) + " >= " + std::to_string(limit) + " df " + std::to_string(df)).c_str());
}

}  // namespace

class TestSampler : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void exactPathMatchesModel() {
    Fixture f = makeFixture(11);
    Sampler sampler(f.model, f.index);
    std::uint64_t seed = 100;
    for (const State &s : someStates(*f.model)) checkFrequencies(sampler, s, {}, seed++);
  }

  void enumeratedPathMatchesModel() {
    Fixture f = makeFixture(12);
    Sampler sampler(f.model, f.index);
    SamplingOptions o;
    o.topK = static_cast<int>(f.model->vocab().size());  // forces enumeration, restricts nothing
    std::uint64_t seed = 200;
    for (const State &s : someStates(*f.model)) checkFrequencies(sampler, s, o, seed++);
  }

  void temperedPathsMatchModel() {
    Fixture f = makeFixture(18);
    Sampler sampler(f.model, f.index);
    std::uint64_t seed = 300;
    for (double t : {0.5, 1.7}) {
      SamplingOptions o;
      o.temperature = t;  // no top-k/top-p: the full-distribution path
      for (const State &s : someStates(*f.model)) checkFrequencies(sampler, s, o, seed++);
      o.topK = static_cast<int>(f.model->vocab().size());  // the merged-streams path
      for (const State &s : someStates(*f.model)) checkFrequencies(sampler, s, o, seed++);
    }
  }

  void distributionSumsToOne() {
    Fixture f = makeFixture(13);
    Sampler sampler(f.model, f.index);
    for (const State &s : someStates(*f.model)) {
      std::vector<double> p;
      sampler.distribution(s, p);
      double sum = 0;
      for (double x : p) sum += x;
      QVERIFY(std::abs(sum - 1) < 1e-6);
      // ... and each entry is the model's own probability.
      for (WordId w = 0; w < p.size(); ++w) {
        if (w == f.model->bos()) continue;
        State o;
        const double fromScore = std::pow(10.0, double(f.model->score(s, w, o)));
        QVERIFY(std::abs(p[w] / fromScore - 1) < 1e-5);  // float storage: ~1e-7 relative
      }
    }
  }

  void topKAndTopPRestrictSupport() {
    Fixture f = makeFixture(14);
    Sampler sampler(f.model, f.index);
    for (const State &s : someStates(*f.model)) {
      std::vector<double> p;
      sampler.distribution(s, p);
      p[kUnk] = 0;
      std::vector<WordId> ranked;
      for (WordId w = 0; w < p.size(); ++w)
        if (p[w] > 0) ranked.push_back(w);
      std::sort(ranked.begin(), ranked.end(),
                [&](WordId a, WordId b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
      SamplingOptions k3;
      k3.topK = 3;
      const std::set<WordId> top3(ranked.begin(), ranked.begin() + 3);
      SamplingOptions nucleus;
      nucleus.topP = 0.5;
      double total = 0, run = 0;
      for (WordId w : ranked) total += p[w];
      std::set<WordId> core;
      for (WordId w : ranked) {
        core.insert(w);
        run += p[w];
        if (run >= 0.5 * total) break;
      }
      Rng rng(7);
      std::set<WordId> seenK, seenP;
      for (int i = 0; i < 3000; ++i) {
        seenK.insert(sampler.sample(s, k3, rng));
        seenP.insert(sampler.sample(s, nucleus, rng));
      }
      QVERIFY(std::includes(top3.begin(), top3.end(), seenK.begin(), seenK.end()));
      QCOMPARE(seenK.size(), top3.size());
      QVERIFY(std::includes(core.begin(), core.end(), seenP.begin(), seenP.end()));
      QCOMPARE(seenP.size(), core.size());
      // Top-p at T = 2: the nucleus of the tempered distribution (a larger set), full path.
      SamplingOptions warm;
      warm.topP = 0.5;
      warm.temperature = 2.0;
      double totalT = 0, runT = 0;
      for (WordId w : ranked) totalT += std::sqrt(p[w]);
      std::set<WordId> coreT, seenT;
      for (WordId w : ranked) {
        coreT.insert(w);
        runT += std::sqrt(p[w]);
        if (runT >= 0.5 * totalT) break;
      }
      for (int i = 0; i < 3000; ++i) seenT.insert(sampler.sample(s, warm, rng));
      QVERIFY(std::includes(coreT.begin(), coreT.end(), seenT.begin(), seenT.end()));
      QCOMPARE(seenT.size(), coreT.size());
    }
  }

  void lowTemperatureIsNearlyArgmax() {
    Fixture f = makeFixture(15);
    Sampler sampler(f.model, f.index);
    State s = f.model->beginSentenceState();
    std::vector<double> p;
    sampler.distribution(s, p);
    p[kUnk] = 0;
    const auto best = static_cast<WordId>(std::max_element(p.begin(), p.end()) - p.begin());
    SamplingOptions cold;
    cold.temperature = 0.01;
    Rng rng(1);
    int hits = 0;
    for (int i = 0; i < 500; ++i) hits += sampler.sample(s, cold, rng) == best;
    QVERIFY(hits > 495);
  }

  void sameSeedSameText() {
    Fixture f = makeFixture(16);
    Sampler a(f.model, f.index), b(f.model, f.index);
    SamplingOptions o;
    o.maxTokens = 200;
    o.seed = 42;
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    auto r1 = a.generate("w1 w2", o, ws);
    auto r2 = b.generate("w1 w2", o, ws);
    QVERIFY(r1.isOk() && r2.isOk());
    QCOMPARE(r1->text, r2->text);
    QCOMPARE(r1->words, r2->words);
    QCOMPARE(r1->promptTokens, 2u);
    std::set<std::string> texts;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      o.seed = seed;
      texts.insert(a.generate("w1", o, ws)->text);
    }
    QVERIFY(texts.size() > 10);
  }

  void streamingAndStopStrings() {
    Fixture f = makeFixture(17);
    Sampler sampler(f.model, f.index);
    SamplingOptions o;
    o.maxTokens = 50;
    o.seed = 5;
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    std::string streamed;
    int calls = 0;
    auto full = sampler.generate("", o, ws, [&](const GeneratedToken &t) {
      streamed += t.text;
      ++calls;
      return true;
    });
    QVERIFY(full.isOk());
    QCOMPARE(streamed, full->text);
    QCOMPARE(static_cast<std::size_t>(calls), full->words.size());
    QVERIFY2(full->words.size() >= 2, full->text.c_str());
    // Stop at the second word: the text ends right before it.
    const std::string second = std::string(f.model->vocab().word(full->words[1]));
    o.stop = {" " + second};
    auto cut = sampler.generate("", o, ws);
    QVERIFY(cut.isOk());
    QCOMPARE(cut->finishReason, std::string("stop"));
    QVERIFY2(full->text.rfind(cut->text, 0) == 0, cut->text.c_str());
    QVERIFY(cut->text.find(" " + second) == std::string::npos);
    o.stop.clear();
    o.maxTokens = 1;
    auto one = sampler.generate("", o, ws);
    QVERIFY(one->words.size() <= 1);
    o.temperature = 0;
    QVERIFY(!sampler.generate("", o, ws).isOk());
  }

  void detokenizes() {
    QCOMPARE(detokenize({"Hello", ",", "world", "!"}), std::string("Hello, world!"));
    QCOMPARE(detokenize({"你", "好", "。", "世", "界"}), std::string("你好。世界"));
    QCOMPARE(detokenize({"I", "said", "你", "好", "(", "hi", ")", "."}), std::string("I said 你好 (hi)."));
    QCOMPARE(detokenizePiece("", "a"), std::string("a"));
    QCOMPARE(detokenizePiece("a", "b"), std::string(" b"));
  }
};

QTEST_APPLESS_MAIN(TestSampler)
#include "tst_sampler.moc"
