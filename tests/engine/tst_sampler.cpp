// Sampler: draws match the model's distribution (chi-square, fixed seed) on both the exact
// back-off path and the enumeration path; seeds repeat; top-k / top-p restrict the support;
// stop strings and detokenisation.
// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

#include "engine/sampler.h"
#include "model_testutil.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>
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

// The distribution a draw takes after `adjust` (on linear probabilities, before temperature),
// temperature, top-k and top-p, normalised; <s> and <unk> excluded.
template <class Adjust>
std::vector<double> expectedDistribution(Sampler &sampler, const State &state, const SamplingOptions &o,
                                         Adjust adjust) {
  std::vector<double> p;
  sampler.distribution(state, p);
  p[kUnk] = 0;
  p[1] = 0;  // <s>
  for (WordId w = 0; w < p.size(); ++w) p[w] = p[w] > 0 ? std::pow(adjust(w, p[w]), 1.0 / o.temperature) : 0.0;
  std::vector<WordId> order(p.size());
  for (WordId w = 0; w < p.size(); ++w) order[w] = w;
  std::stable_sort(order.begin(), order.end(), [&](WordId a, WordId b) { return p[a] > p[b]; });
  double total = 0, best = p[order[0]];
  for (double x : p) total += x;
  std::vector<double> out(p.size(), 0.0);
  double run = 0, kept = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const WordId w = order[i];
    if (p[w] <= 0 || (o.topK > 0 && static_cast<int>(i) >= o.topK) || run >= o.topP * total) break;
    if (p[w] < o.minP * best) break;
    run += p[w];
    out[w] = p[w];
    kept += p[w];
  }
  for (double &x : out) x /= kept;
  return out;
}

// The alternatives are the `n` most likely words of `want`, with their log-probabilities.
void checkAlternatives(const GeneratedToken &t, const std::vector<double> &want, int n) {
  std::vector<double> sorted;
  for (double x : want)
    if (x > 0) sorted.push_back(x);
  std::sort(sorted.rbegin(), sorted.rend());
  QCOMPARE(t.top.size(), std::min(sorted.size(), static_cast<std::size_t>(n)));
  for (std::size_t i = 0; i < t.top.size(); ++i) {
    QVERIFY(std::abs(t.top[i].logprob - std::log(sorted[i])) < 1e-6);
    QVERIFY(std::abs(t.top[i].logprob - std::log(want[t.top[i].word])) < 1e-6);
  }
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
    o.temperature = -1;
    QVERIFY(!sampler.generate("", o, ws).isOk());
  }

  // Temperature 0 is greedy, in the engine as in the API: every word is the most likely one.
  void temperatureZeroIsGreedy() {
    Fixture f = makeFixture(21);
    Sampler sampler(f.model, f.index);
    SamplingOptions o;
    o.temperature = 0;
    o.maxTokens = 20;
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    std::vector<std::string> texts;
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      o.seed = seed;
      auto r = sampler.generate("w1", o, ws);
      QVERIFY(r.isOk());
      texts.push_back(r->text);
      State s = f.model->beginSentenceState(), next;
      f.model->score(s, f.model->vocab().index("w1"), next);
      s = next;
      for (WordId w : r->words) {
        std::vector<double> p;
        sampler.distribution(s, p);
        p[kUnk] = 0;
        QCOMPARE(w, static_cast<WordId>(std::max_element(p.begin(), p.end()) - p.begin()));
        f.model->score(s, w, next);
        s = next;
      }
    }
    QCOMPARE(texts[0], texts[1]);
    QCOMPARE(texts[1], texts[2]);
  }

  // describe(): the chosen word's log-probability and the alternatives are those of the
  // distribution drawn from, after temperature / top-k / top-p, normalised (natural log).
  void logprobsAreOfTheDistributionDrawnFrom() {
    Fixture f = makeFixture(22);
    Sampler sampler(f.model, f.index);
    struct Case {
      double t;
      int k;
      double p;
    };
    for (const Case c : {Case{1, 0, 1}, Case{0.5, 0, 1}, Case{1.6, 0, 1}, Case{1, 3, 1}, Case{1, 0, 0.7},
                         Case{0.7, 4, 1}, Case{1.5, 0, 0.8}}) {
      SamplingOptions o;
      o.temperature = c.t;
      o.topK = c.k;
      o.topP = c.p;
      Rng rng(7);
      for (const State &s : someStates(*f.model)) {
        const std::vector<double> want = expectedDistribution(sampler, s, o, [](WordId, double q) { return q; });
        for (int draw = 0; draw < 5; ++draw) {
          const WordId w = sampler.sample(s, o, rng);
          GeneratedToken t;
          sampler.describe(s, o, w, 5, "", t);
          QVERIFY2(want[w] > 0, "drew a word outside the kept set");
          const std::string why = "T " + std::to_string(c.t) + " k " + std::to_string(c.k) + " p " +
                                  std::to_string(c.p) + ": " + std::to_string(t.logprob) + " vs " +
                                  std::to_string(std::log(want[w]));
          QVERIFY2(std::abs(t.logprob - std::log(want[w])) < 1e-6, why.c_str());
          checkAlternatives(t, want, 5);
        }
      }
    }
  }

  // generate() describes each token from what its draw built; the values must be those of the
  // distribution at the token's state, computed from scratch.
  void generatedLogprobsMatchTheDistribution() {
    Fixture f = makeFixture(23);
    Sampler sampler(f.model, f.index);
    for (const auto &[t, k] : {std::pair{1.0, 0}, std::pair{0.8, 0}, std::pair{1.4, 0}, std::pair{0.8, 5}}) {
      SamplingOptions o;
      o.temperature = t;
      o.topK = k;
      o.logprobs = 5;
      o.maxTokens = 30;
      std::size_t checked = 0;
      for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        o.seed = seed;
        std::vector<GeneratedToken> tokens;
        auto r = sampler.generate("", o, {TokenizerMode::Whitespace, false}, [&](const GeneratedToken &token) {
          tokens.push_back(token);
          return true;
        });
        QVERIFY(r.isOk());
        checked += tokens.size();
        State state = f.model->beginSentenceState(), next;
        for (const GeneratedToken &token : tokens) {
          const std::vector<double> want = expectedDistribution(sampler, state, o, [](WordId, double q) { return q; });
          QVERIFY2(std::abs(token.logprob - std::log(want[token.word])) < 1e-6,
                   ("T " + std::to_string(t) + " seed " + std::to_string(seed)).c_str());
          checkAlternatives(token, want, 5);
          f.model->score(state, token.word, next);
          state = next;
        }
      }
      QVERIFY(checked >= 8);
    }
  }

  // The reshaping controls, replayed word by word against their definitions (samplingparams.h):
  // repetition on prompt and completion words, frequency and presence on completion words, then
  // the logit bias, then min_p; the reported log-probabilities are of that distribution.
  void penaltiesFollowTheirDefinitions() {
    Fixture f = makeFixture(23);
    Sampler sampler(f.model, f.index);
    const Model &m = *f.model;
    SamplingOptions o;
    o.presencePenalty = 0.7;
    o.frequencyPenalty = 0.4;
    o.repetitionPenalty = 1.3;
    o.minP = 0.02;
    o.logitBias = {{m.vocab().index("w5"), 2.0}};
    o.logprobs = kMaxTopLogprobs;
    o.maxTokens = 12;
    o.seed = 3;
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    std::vector<GeneratedToken> tokens;
    auto r = sampler.generate("w1 w2", o, ws, [&](const GeneratedToken &t) {
      tokens.push_back(t);
      return true;
    });
    QVERIFY(r.isOk());
    QVERIFY(!tokens.empty());
    std::map<WordId, int> counts;
    std::set<WordId> seen = {m.vocab().index("w1"), m.vocab().index("w2")};
    State s = m.beginSentenceState(), next;
    m.score(s, m.vocab().index("w1"), next);
    m.score(next, m.vocab().index("w2"), s);
    for (const GeneratedToken &t : tokens) {
      const std::vector<double> want = expectedDistribution(sampler, s, o, [&](WordId w, double q) {
        if (seen.count(w)) q = std::pow(q, o.repetitionPenalty);
        if (counts[w] > 0) q *= std::exp(-(counts[w] * o.frequencyPenalty + o.presencePenalty));
        if (w == m.vocab().index("w5")) q *= std::exp(2.0);
        return q;
      });
      QVERIFY2(std::abs(t.logprob - std::log(want[t.word])) < 1e-6, std::to_string(t.logprob).c_str());
      checkAlternatives(t, want, kMaxTopLogprobs);
      ++counts[t.word];
      seen.insert(t.word);
      m.score(s, t.word, next);
      s = next;
    }
  }

  void logitBiasBansAndForces() {
    Fixture f = makeFixture(24);
    Sampler sampler(f.model, f.index);
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    SamplingOptions o;
    o.maxTokens = 1;
    o.temperature = 0;
    auto plain = sampler.generate("w3", o, ws);
    QVERIFY(plain.isOk() && plain->words.size() == 1);
    const WordId best = plain->words[0];
    o.logitBias = {{best, -100}};
    auto banned = sampler.generate("w3", o, ws);
    QVERIFY(banned.isOk());
    QVERIFY(banned->words.empty() || banned->words[0] != best);
    const WordId forced = f.model->vocab().index("w9");
    o.logitBias = {{forced, 100}};
    o.temperature = 1;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      o.seed = seed;
      QCOMPARE(sampler.generate("w3", o, ws)->words.front(), forced);
    }
  }

  void minTokensAndIgnoreEosHoldTheEnd() {
    Fixture f = makeFixture(25);
    Sampler sampler(f.model, f.index);
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    SamplingOptions o;
    o.maxTokens = 30;
    o.ignoreEos = true;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      o.seed = seed;
      auto r = sampler.generate("", o, ws);
      QCOMPARE(r->words.size(), 30u);
      QCOMPARE(r->finishReason, std::string("length"));
    }
    o.ignoreEos = false;
    o.minTokens = 6;
    int ended = 0;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      o.seed = seed;
      auto r = sampler.generate("", o, ws);
      QVERIFY(r->words.size() >= 6);
      ended += r->finishReason == "stop";
    }
    QVERIFY(ended > 0);  // </s> still ends texts after the minimum
  }

  // A stop string split across tokens never reaches the stream: what is streamed is the text
  // before the stop string, exactly.
  void stopStringAcrossTokens() {
    Fixture f = makeFixture(26);
    Sampler sampler(f.model, f.index);
    TokenizerOptions ws{TokenizerMode::Whitespace, false};
    SamplingOptions o;
    o.maxTokens = 20;
    o.seed = 9;
    o.ignoreEos = true;
    auto full = sampler.generate("w0", o, ws);
    QVERIFY(full.isOk() && full->words.size() >= 4);
    // The end of the second word, the space and the start of the third: three tokens' text.
    const std::string text = full->text;
    const std::size_t boundary = text.find(' ', 1);
    const std::size_t third = text.find(' ', boundary + 1);
    const std::string stop = text.substr(third - 1, 3);
    const std::size_t at = text.find(stop);
    o.stop = {stop};
    std::string streamed;
    auto cut = sampler.generate("w0", o, ws, [&](const GeneratedToken &t) {
      streamed += t.text;
      return true;
    });
    QVERIFY(cut.isOk());
    QCOMPARE(cut->finishReason, std::string("stop"));
    QCOMPARE(cut->text, text.substr(0, at));
    QCOMPARE(streamed, cut->text);
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
