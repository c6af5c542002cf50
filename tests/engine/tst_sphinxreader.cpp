// SphinxReader on small trie files written here by a test-only writer (the layout of sphinxbase's
// lm_trie.c), so every field has a value known in advance: decoding, the header-count correction,
// <unk> with renormalisation, ARPA output, and every truncation and corruption giving a clear
// error. The real Debian en-us model is exercised by integration/tst_sphinximport.cpp.
#include "engine/model.h"
#include "engine/sphinxreader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

using namespace lmfront;
using namespace lmfront::engine;

namespace {

constexpr std::uint64_t kBins = 65536;

// A backoff trigram over {<s>, </s>, a, b, c} (ids 0..4), built so every context sums to 1, with
// probabilities in log10. Sphinx stores them in base 1.0001; the writer converts.
struct TinyModel {
  std::vector<std::string> words{"</s>", "<s>", "a", "b", "c"};  // ids 0..4
  std::map<std::vector<std::uint32_t>, double> prob;             // text-order ids -> log10 p
  std::map<std::vector<std::uint32_t>, double> backoff;
  std::uint32_t extraHeaderBigrams = 0;  // header over-states the 2-grams, as Debian's file does
  std::int32_t quantType = 1;
};

double lin(double log10p) { return std::pow(10.0, log10p); }

// P(w | hist) by the ARPA backoff rule over a map model.
double condProb(const std::map<std::vector<std::uint32_t>, double> &prob,
                const std::map<std::vector<std::uint32_t>, double> &backoff, std::vector<std::uint32_t> hist,
                std::uint32_t w) {
  std::vector<std::uint32_t> ng = hist;
  ng.push_back(w);
  if (auto it = prob.find(ng); it != prob.end()) return it->second;
  double bo = 0;
  if (auto it = backoff.find(hist); it != backoff.end()) bo = it->second;
  hist.erase(hist.begin());
  return bo + condProb(prob, backoff, hist, w);
}

TinyModel makeTinyModel() {
  TinyModel m;
  const double uni[5] = {0.25, 0.0, 0.35, 0.25, 0.15};  // <s> is never predicted
  for (std::uint32_t w = 0; w < 5; ++w) m.prob[{w}] = w == 1 ? -99.0 : std::log10(uni[w]);
  // Explicit 2-grams and 3-grams with chosen probabilities; backoffs make each context sum to 1.
  const std::vector<std::pair<std::vector<std::uint32_t>, double>> explicitProbs = {
      {{1, 2}, 0.6}, {{1, 3}, 0.2},    {{2, 3}, 0.5},    {{2, 0}, 0.3},   {{3, 4}, 0.4},
      {{4, 0}, 0.7}, {{1, 2, 3}, 0.7}, {{1, 2, 0}, 0.2}, {{2, 3, 4}, 0.6}};
  for (const auto &[ng, p] : explicitProbs) m.prob[ng] = std::log10(p);
  for (int n = 1; n <= 2; ++n) {
    std::map<std::vector<std::uint32_t>, double> seenMass, lowerMass;
    for (const auto &[ng, p] : m.prob) {
      if (static_cast<int>(ng.size()) != n + 1) continue;
      std::vector<std::uint32_t> h(ng.begin(), ng.end() - 1);
      seenMass[h] += lin(p);
      lowerMass[h] += lin(condProb(m.prob, m.backoff, std::vector<std::uint32_t>(h.begin() + 1, h.end()), ng.back()));
    }
    for (const auto &[h, s] : seenMass) m.backoff[h] = std::log10((1 - s) / (1 - lowerMass[h]));
  }
  return m;
}

void putBits(std::vector<std::uint8_t> &bytes, std::uint64_t offset, unsigned length, std::uint64_t value) {
  for (unsigned k = 0; k < length; ++k)
    if ((value >> k) & 1) bytes[(offset + k) >> 3] |= std::uint8_t(1u << ((offset + k) & 7));
}
void putU32(std::vector<std::uint8_t> &out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
}
void putF32(std::vector<std::uint8_t> &out, float v) { putU32(out, std::bit_cast<std::uint32_t>(v)); }
float sphinxLog(double log10p) { return static_cast<float>(log10p / std::log10(1.0001)); }
unsigned bitsFor(std::uint64_t max) { return static_cast<unsigned>(std::bit_width(max)); }

// Writes the model as sphinxbase's trie: reversed paths (last word, then the one before, ...),
// every probability and backoff of order >= 2 through its own quantisation code.
std::vector<std::uint8_t> writeTrie(const TinyModel &m) {
  const std::uint32_t vocab = static_cast<std::uint32_t>(m.words.size());
  std::vector<std::vector<std::uint32_t>> bigrams, trigrams;  // reversed paths
  for (const auto &[ng, p] : m.prob) {
    if (ng.size() == 2) bigrams.push_back({ng[1], ng[0]});
    if (ng.size() == 3) trigrams.push_back({ng[2], ng[1], ng[0]});
  }
  std::sort(bigrams.begin(), bigrams.end());
  std::sort(trigrams.begin(), trigrams.end());
  const std::uint32_t claimed2 = static_cast<std::uint32_t>(bigrams.size()) + m.extraHeaderBigrams;
  const std::uint32_t claimed3 = static_cast<std::uint32_t>(trigrams.size());

  std::vector<std::uint8_t> out(std::begin("Trie Language Model"), std::end("Trie Language Model") - 1);
  out.push_back(3);
  putU32(out, vocab);
  putU32(out, claimed2);
  putU32(out, claimed3);
  putU32(out, static_cast<std::uint32_t>(m.quantType));
  // Tables: 2-gram probs, 2-gram backoffs, 3-gram probs. Entry k of each order gets code k + 1.
  std::vector<float> tables(3 * kBins, 0.0f);
  for (std::size_t k = 0; k < bigrams.size(); ++k) {
    std::vector<std::uint32_t> text{bigrams[k][1], bigrams[k][0]};
    tables[k + 1] = sphinxLog(m.prob.at(text));
    auto bo = m.backoff.find(text);
    tables[kBins + k + 1] = bo == m.backoff.end() ? 0.0f : sphinxLog(bo->second);
  }
  for (std::size_t k = 0; k < trigrams.size(); ++k)
    tables[2 * kBins + k + 1] = sphinxLog(m.prob.at({trigrams[k][2], trigrams[k][1], trigrams[k][0]}));
  for (float v : tables) putF32(out, v);
  // Unigrams: prob, backoff, index of the first 2-gram whose last word this is.
  for (std::uint32_t w = 0; w <= vocab; ++w) {
    std::uint32_t next = 0;
    while (next < bigrams.size() && bigrams[next][0] < w) ++next;
    if (w == vocab) {
      putF32(out, 0.0f);
      putF32(out, 0.0f);
    } else {
      putF32(out, sphinxLog(m.prob.at({w})));
      auto bo = m.backoff.find({w});
      putF32(out, bo == m.backoff.end() ? 0.0f : sphinxLog(bo->second));
    }
    putU32(out, next);
  }
  // 2-grams: word, backoff code, prob code, first child; sized for the header's (claimed) count.
  const unsigned wordBits = bitsFor(vocab), nextBits = bitsFor(claimed3);
  const unsigned total2 = wordBits + 32 + nextBits, total3 = wordBits + 16;
  std::vector<std::uint8_t> level2(((1 + claimed2) * total2 + 7) / 8 + 8, 0);
  for (std::size_t k = 0; k <= bigrams.size(); ++k) {
    std::uint32_t next = 0;
    while (next < trigrams.size() &&
           (k == bigrams.size() ||
            std::vector<std::uint32_t>(trigrams[next].begin(), trigrams[next].begin() + 2) < bigrams[k]))
      ++next;
    const std::uint64_t at = k * total2;
    if (k < bigrams.size()) {
      putBits(level2, at, wordBits, bigrams[k][1]);
      putBits(level2, at + wordBits, 16, k + 1);       // backoff code
      putBits(level2, at + wordBits + 16, 16, k + 1);  // prob code
    }
    putBits(level2, at + wordBits + 32, nextBits, next);
  }
  std::vector<std::uint8_t> level3(((1 + claimed3) * total3 + 7) / 8 + 8, 0);
  for (std::size_t k = 0; k < trigrams.size(); ++k) {
    putBits(level3, k * total3, wordBits, trigrams[k][2]);
    putBits(level3, k * total3 + wordBits, 16, k + 1);
  }
  out.insert(out.end(), level2.begin(), level2.end());
  out.insert(out.end(), level3.begin(), level3.end());
  std::vector<std::uint8_t> text;
  for (const auto &w : m.words) {
    text.insert(text.end(), w.begin(), w.end());
    text.push_back(0);
  }
  putU32(out, static_cast<std::uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

// The log10 value of an n-gram in a decoded model, or NaN when absent.
double find(const SphinxModel &m, const std::vector<std::uint32_t> &ng, bool wantBackoff = false) {
  const int n = static_cast<int>(ng.size());
  const auto &ids = m.ids[n - 1];
  for (std::size_t i = 0; i < m.log10Probs[n - 1].size(); ++i)
    if (std::equal(ng.begin(), ng.end(), ids.begin() + static_cast<std::ptrdiff_t>(i * n)))
      return wantBackoff ? m.log10Backoffs[n - 1][i] : m.log10Probs[n - 1][i];
  return std::nan("");
}

// Copies a decoded model into maps keyed by text-order ids.
void toMaps(const SphinxModel &m, std::map<std::vector<std::uint32_t>, double> &prob,
            std::map<std::vector<std::uint32_t>, double> &backoff) {
  for (int n = 1; n <= m.order; ++n)
    for (std::size_t i = 0; i < m.log10Probs[n - 1].size(); ++i) {
      std::vector<std::uint32_t> ng(m.ids[n - 1].begin() + static_cast<std::ptrdiff_t>(i * n),
                                    m.ids[n - 1].begin() + static_cast<std::ptrdiff_t>(i * n + n));
      prob[ng] = m.log10Probs[n - 1][i];
      if (!m.log10Backoffs[n - 1].empty()) backoff[ng] = m.log10Backoffs[n - 1][i];
    }
}

}  // namespace

class TestSphinxReader : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void decodesEveryValue() {
    const TinyModel tiny = makeTinyModel();
    auto model = SphinxReader::parse(writeTrie(tiny), "tiny");
    QVERIFY2(model.isOk(), model.status().message().c_str());
    QCOMPARE(model->order, 3);
    QCOMPARE(model->counts, (std::vector<std::uint64_t>{5, 6, 3}));
    QCOMPARE(model->headerCounts, model->counts);
    QVERIFY(model->corrections.empty());
    QCOMPARE(model->words, tiny.words);
    QVERIFY(std::fabs(model->unigramMass - 1.0) < 1e-5);
    // Every value round-trips through base 1.0001 floats: within float precision of the truth.
    for (const auto &[ng, p] : tiny.prob) {
      const double got = find(*model, ng);
      QVERIFY2(std::fabs(got - p) < 2e-6 * std::max(1.0, std::fabs(p)),
               qPrintable(QStringLiteral("n-gram of %1 words: got %2, want %3").arg(ng.size()).arg(got).arg(p)));
    }
    for (const auto &[h, bo] : tiny.backoff) QVERIFY(std::fabs(find(*model, h, true) - bo) < 2e-6);
    // Higher orders come out sorted in text order: "<s> a" (1,2) precedes "a </s>" (2,0).
    QCOMPARE(model->ids[1][0], 1u);
    QCOMPARE(model->ids[1][1], 2u);
  }

  void correctsAnOverstatedHeaderCount() {
    TinyModel tiny = makeTinyModel();
    tiny.extraHeaderBigrams = 6;  // what Debian's en-us.lm.bin does: 2051547 claimed, 2051541 held
    auto model = SphinxReader::parse(writeTrie(tiny), "tiny");
    QVERIFY2(model.isOk(), model.status().message().c_str());
    QCOMPARE(model->headerCounts[1], std::uint64_t{12});
    QCOMPARE(model->counts[1], std::uint64_t{6});
    QCOMPARE(model->corrections.size(), std::size_t{1});
    QVERIFY(model->corrections[0].find("claims 12 2-grams but the trie holds 6") != std::string::npos);
    QVERIFY(std::fabs(find(*model, {2, 3, 4}) - std::log10(0.6)) < 1e-6);  // the 3-grams still line up
  }

  void keepsAnOutOfOrderRangeAndDropsDuplicates() {
    // The 2-grams ending in </s> are "a </s>" and "c </s>" (entries 0 and 1 of the 2-gram table);
    // rewriting entry 1's word to a's id gives an out-of-order range holding "a </s>" twice.
    std::vector<std::uint8_t> bytes = writeTrie(makeTinyModel());
    const std::size_t level2 = 36 + 3 * kBins * 4 + 6 * 12;
    const unsigned wordBits = 3, total2 = 3 + 32 + 2;
    for (unsigned k = 0; k < wordBits; ++k)
      bytes[level2 + (total2 + k) / 8] &= std::uint8_t(~(1u << ((total2 + k) % 8)));
    putBits(bytes, level2 * 8 + total2, wordBits, 2);
    auto model = SphinxReader::parse(bytes, "dup");
    QVERIFY2(model.isOk(), model.status().message().c_str());
    QCOMPARE(model->counts[1], std::uint64_t{5});
    QCOMPARE(model->corrections.size(), std::size_t{2});
    QVERIFY(model->corrections[0].find("1 range of 2-grams are out of word order") != std::string::npos);
    QVERIFY(model->corrections[0].find("\"a </s>\"") != std::string::npos);
    QVERIFY(model->corrections[1].find("1 duplicate 2-grams were dropped") != std::string::npos);
    QVERIFY(std::fabs(find(*model, {2, 0}) - std::log10(0.3)) < 1e-6);  // the first one was kept
    QVERIFY(std::isnan(find(*model, {4, 0})));
  }

  void addsUnknownWordKeepingEveryContextNormalised() {
    auto model = SphinxReader::parse(writeTrie(makeTinyModel()), "tiny");
    QVERIFY(model.isOk());
    std::map<std::vector<std::uint32_t>, double> prob, backoff;
    toMaps(*model, prob, backoff);
    const UnknownWordReport report = addUnknownWord(*model);
    QVERIFY(report.added);
    QCOMPARE(model->words.back(), std::string("<unk>"));
    QCOMPARE(model->counts[0], std::uint64_t{6});
    // The rule: the lowest unigram probability (c: 0.15), <s>'s -99 ignored.
    QVERIFY(std::fabs(double(report.log10Prob) - std::log10(0.15)) < 1e-6);
    QVERIFY(report.scaleLog10 < 0);
    std::map<std::vector<std::uint32_t>, double> newProb, newBackoff;
    toMaps(*model, newProb, newBackoff);
    // Every context (none, each word, each 2-gram) sums to 1 over the new vocabulary (with <unk>).
    std::vector<std::vector<std::uint32_t>> contexts{{}};
    for (std::uint32_t w = 0; w < 5; ++w) contexts.push_back({w});
    for (const auto &[ng, p] : prob)
      if (ng.size() == 2) contexts.push_back(ng);
    for (const auto &h : contexts) {
      double before = 0, after = 0;
      for (std::uint32_t w = 0; w < 6; ++w) {
        std::vector<std::uint32_t> hist = h;
        if (w < 5) before += lin(condProb(prob, backoff, hist, w));
        after += lin(condProb(newProb, newBackoff, hist, w));
      }
      QVERIFY2(
          std::fabs(after - before) < 1e-5,
          qPrintable(QStringLiteral("context of %1 words: %2 before, %3 after").arg(h.size()).arg(before).arg(after)));
      QVERIFY(std::fabs(after - 1.0) < 1e-5);
    }
    QVERIFY(!addUnknownWord(*model).added);  // idempotent: <unk> is there now
  }

  void writesArpa() {
    auto model = SphinxReader::parse(writeTrie(makeTinyModel()), "tiny");
    QVERIFY(model.isOk());
    addUnknownWord(*model);
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("tiny.arpa")).toStdString();
    QVERIFY(writeSphinxModelAsArpa(*model, path).isOk());
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string arpa = text.str();
    QVERIFY(arpa.find("\\data\\\nngram 1=6\nngram 2=6\nngram 3=3\n") != std::string::npos);
    QVERIFY(arpa.find("\t<s> a b\n") != std::string::npos);
    QVERIFY(arpa.find("\t<unk>\t0\n") != std::string::npos);
    QVERIFY(arpa.find("\\end\\") != std::string::npos);
  }

  void compilesToTheSameModelAsItsArpa() {
    auto model = SphinxReader::parse(writeTrie(makeTinyModel()), "tiny");
    QVERIFY(model.isOk());
    addUnknownWord(*model);
    QTemporaryDir dir;
    const std::string arpa = dir.filePath(QStringLiteral("tiny.arpa")).toStdString();
    QVERIFY(writeSphinxModelAsArpa(*model, arpa).isOk());
    QVERIFY(!toNgramSet(SphinxModel(*model)).value().unkSynthesized);
    auto direct = Model::fromNgrams(toNgramSet(std::move(*model)).value());
    QVERIFY2(direct.isOk(), direct.status().message().c_str());
    auto viaArpa = Model::open(arpa);
    QVERIFY2(viaArpa.isOk(), viaArpa.status().message().c_str());
    QCOMPARE((*direct)->payloadSha256(), (*viaArpa)->payloadSha256());
    // And it scores what the tiny model says: P(b | <s> a) = 0.7, P(c | a b) = 0.6.
    const Model &m = **direct;
    QCOMPARE(m.vocab().word(0), std::string_view("<unk>"));
    State s = m.beginSentenceState(), next;
    m.score(s, m.vocab().index("a"), next);
    QVERIFY(std::fabs(double(m.score(next, m.vocab().index("b"), s)) - std::log10(0.7)) < 1e-6);
    QVERIFY(std::fabs(double(m.score(s, m.vocab().index("c"), next)) - std::log10(0.6)) < 1e-6);
  }

  void compilingNeedsUnknownWord() {
    auto model = SphinxReader::parse(writeTrie(makeTinyModel()), "tiny");
    QVERIFY(model.isOk());
    auto set = toNgramSet(std::move(*model));
    QCOMPARE(set.status().code(), StatusCode::InvalidArgument);
    QVERIFY(set.status().message().find("<unk>") != std::string::npos);
  }

  // A real file small enough for the sanitizer build: pocketsphinx-en-us's phone trigram, whose
  // <UNK> is ARPA's -99 placeholder. Expected values are libsphinxbase's scores on the same file
  // (integers in base 1.0001, truncated: one unit of tolerance; docs/models.md).
  void readsDebiansPhoneModel() {
    auto model = SphinxReader::read("/usr/share/pocketsphinx/model/en-us/en-us-phone.lm.bin");
    QVERIFY2(model.isOk(), model.status().message().c_str());
    QCOMPARE(model->order, 3);
    QCOMPARE(model->counts, (std::vector<std::uint64_t>{43, 1509, 21837}));
    QCOMPARE(model->headerCounts, model->counts);
    QVERIFY(model->corrections.empty());
    QVERIFY(std::fabs(model->unigramMass - 1.0) < 1e-3);
    auto id = [&](const char *w) {
      return static_cast<std::uint32_t>(std::find(model->words.begin(), model->words.end(), w) - model->words.begin());
    };
    const double unit = std::log10(1.0001);
    auto sphinx = [unit](double got, int sb) { return std::fabs(got - sb * unit) <= 1.5 * unit; };
    QVERIFY(sphinx(find(*model, {id("AA")}), -39818));
    QVERIFY(sphinx(find(*model, {id("AA"), id("B")}), -34183));
    QVERIFY(sphinx(find(*model, {id("SIL"), id("AA")}), -43398));
    QVERIFY(sphinx(find(*model, {id("SIL"), id("AA"), id("B")}), -39829));
    QVERIFY(find(*model, {id("<UNK>")}) < -98);

    std::map<std::vector<std::uint32_t>, double> prob, backoff;
    toMaps(*model, prob, backoff);
    const UnknownWordReport report = addUnknownWord(*model);
    QVERIFY(report.added);
    QVERIFY(report.rule.find("replaced the model's <UNK> (a -99 placeholder) by <unk>") != std::string::npos);
    QCOMPARE(model->counts[0], std::uint64_t{43});  // the placeholder's slot is reused
    QCOMPARE(id("<UNK>"), 43u);                     // renamed, in place
    QVERIFY(id("<unk>") < 43u);
    QVERIFY(report.log10Prob > -98);
    std::map<std::vector<std::uint32_t>, double> newProb, newBackoff;
    toMaps(*model, newProb, newBackoff);
    std::vector<std::vector<std::uint32_t>> contexts{{}};
    for (std::uint32_t w = 0; w < 43; ++w) contexts.push_back({w});
    for (const auto &[ng, p] : prob)
      if (ng.size() == 2) contexts.push_back(ng);
    // The source leaves 4 contexts (D, IY, SIL, UW) unnormalised: every phone follows them, and
    // their backoff of +99.99899 only cancels the -99 of <UNK> and <s>, so they sum to 20.95.
    // Those (and the 2-gram contexts backing off into them) stay broken; every sound context must
    // still sum to what it did, with <unk> given real mass.
    int unsound = 0, checked = 0;
    for (const auto &h : contexts) {
      double before = 0, after = 0;
      for (std::uint32_t w = 0; w < 43; ++w) {
        before += lin(condProb(prob, backoff, h, w));
        after += lin(condProb(newProb, newBackoff, h, w));
      }
      if (std::fabs(before - 1.0) > 1e-3) {
        unsound += h.size() == 1;
        continue;
      }
      ++checked;
      QVERIFY2(
          std::fabs(after - before) < 1e-4,
          qPrintable(QStringLiteral("context of %1 words: %2 before, %3 after").arg(h.size()).arg(before).arg(after)));
    }
    QCOMPARE(unsound, 4);
    QVERIFY(checked > 1300);  // of 1553 contexts
  }

  void everyTruncationIsAClearError() {
    const std::vector<std::uint8_t> bytes = writeTrie(makeTinyModel());
    // Every prefix: the magic, order, counts, tables, unigrams, levels and vocabulary each cut.
    std::vector<std::size_t> lengths;
    for (std::size_t len = 0; len < 64; ++len) lengths.push_back(len);
    for (std::size_t len = 64; len < bytes.size() - 300; len += 4093) lengths.push_back(len);
    for (std::size_t len = bytes.size() - 300; len < bytes.size(); ++len) lengths.push_back(len);
    int errors = 0;
    for (std::size_t len : lengths) {
      auto model = SphinxReader::parse(std::span(bytes.data(), len), "cut");
      QVERIFY2(!model.isOk(), qPrintable(QStringLiteral("a %1-byte prefix parsed").arg(len)));
      QCOMPARE(model.status().code(), StatusCode::DataLoss);
      QVERIFY(model.status().message().rfind("cut: ", 0) == 0);
      ++errors;
    }
    QVERIFY(errors > 300);
    auto cut = SphinxReader::parse(std::span(bytes.data(), bytes.size() - 40), "cut");
    QVERIFY(cut.status().message().find("truncated") != std::string::npos ||
            cut.status().message().find("vocabulary") != std::string::npos);
  }

  void garbageAndCorruptFieldsAreClearErrors() {
    std::mt19937 rng(7);
    std::vector<std::uint8_t> garbage(1 << 16);
    for (auto &b : garbage) b = static_cast<std::uint8_t>(rng());
    auto g = SphinxReader::parse(garbage, "garbage");
    QVERIFY(!g.isOk());
    QVERIFY(g.status().message().find("not a Sphinx binary trie") != std::string::npos);

    const std::vector<std::uint8_t> good = writeTrie(makeTinyModel());
    auto expectError = [](std::vector<std::uint8_t> bytes, const char *needle) {
      auto model = SphinxReader::parse(bytes, "bad");
      QVERIFY2(!model.isOk(), needle);
      QVERIFY2(model.status().message().find(needle) != std::string::npos, model.status().message().c_str());
    };
    auto patched = [&good](std::size_t at, std::uint32_t v, int width = 4) {
      std::vector<std::uint8_t> b = good;
      for (int i = 0; i < width; ++i) b.at(at + i) = std::uint8_t(v >> (8 * i));
      return b;
    };
    expectError(patched(19, 0, 1), "order 0");
    expectError(patched(19, 9, 1), "order 9");
    // A corrupt count must not size an allocation: 4 billion unigrams is refused by the file size.
    expectError(patched(20, 0xFFFFFFFFu), "truncated");
    expectError(patched(24, 0xFFFFFFF0u), "truncated");
    expectError(patched(32, 7), "unknown quantisation type 7");
    auto unquantised = SphinxReader::parse(patched(32, 0), "old");
    QCOMPARE(unquantised.status().code(), StatusCode::Unimplemented);
    // A NaN in the 2-gram probability table where an entry points.
    {
      std::vector<std::uint8_t> b = good;
      const std::size_t table = 36 + 4 * 1;  // code 1 of the 2-gram prob table
      const std::uint32_t nan = 0x7fc00000u;
      std::memcpy(&b[table], &nan, 4);
      expectError(b, "not a finite number");
    }
    // The unigram `next` pointers: the sentinel past the header's 2-gram count.
    const std::size_t unigrams = 36 + 3 * kBins * 4;
    expectError(patched(unigrams + 5 * 12 + 8, 1000), "more than the 6 the header sized");
    expectError(patched(unigrams + 2 * 12 + 8, 5), "out of order");
    expectError(patched(unigrams + 8, 1), "first 2-gram pointer is 1");
    // The vocabulary: a duplicate word, a word with a space, a wrong size.
    std::vector<std::uint8_t> dup = good;
    dup[dup.size() - 2] = 'b';  // "c" -> "b"
    expectError(dup, "appears twice");
    std::vector<std::uint8_t> space = good;
    space[space.size() - 2] = ' ';
    expectError(space, "space or control character");
    const std::size_t vocabSize = good.size() - 15 - 4;  // "</s>\0<s>\0a\0b\0c\0" after its size
    expectError(patched(vocabSize, 13), "NUL-terminated words");
    expectError(patched(vocabSize, 0x7FFFFFFFu), "truncated");
    expectError(patched(vocabSize, 0x80000000u), "negative vocabulary size");
  }

  void readsAUnigramModel() {
    // Order 1: no quantisation section and no bit-packed levels, just the unigram records.
    std::vector<std::uint8_t> b(std::begin("Trie Language Model"), std::end("Trie Language Model") - 1);
    b.push_back(1);
    putU32(b, 2);
    for (double p : {std::log10(0.4), std::log10(0.6), 0.0}) {
      putF32(b, sphinxLog(p));
      putF32(b, 0.0f);
      putU32(b, 0);
    }
    const std::string words("</s>\0x\0", 7);
    putU32(b, static_cast<std::uint32_t>(words.size()));
    b.insert(b.end(), words.begin(), words.end());
    auto model = SphinxReader::parse(b, "uni");
    QVERIFY2(model.isOk(), model.status().message().c_str());
    QCOMPARE(model->order, 1);
    QCOMPARE(model->counts, (std::vector<std::uint64_t>{2}));
    QVERIFY(std::fabs(find(*model, {1}) - std::log10(0.6)) < 1e-6);
    const UnknownWordReport unk = addUnknownWord(*model);
    QVERIFY(std::fabs(double(unk.log10Prob) - std::log10(0.4)) < 1e-6);  // </s> is a word one can meet
    QVERIFY(std::fabs(model->unigramMass - 1.0) < 1e-6);
    QVERIFY(toNgramSet(std::move(*model)).isOk());
  }

  void rejectsANonsenseLogBase() {
    SphinxReadOptions options;
    options.logBase = 1.0;
    auto model = SphinxReader::parse(writeTrie(makeTinyModel()), "tiny", options);
    QCOMPARE(model.status().code(), StatusCode::InvalidArgument);
  }

  void truncatedAndGarbageFilesOnDiskAreClearErrors() {
    // Real files through read(): a cut copy of Debian's phone model and random bytes.
    std::ifstream in("/usr/share/pocketsphinx/model/en-us/en-us-phone.lm.bin", std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    QVERIFY(bytes.size() > 800000);
    QTemporaryDir dir;
    auto writeFile = [&dir](const char *name, const char *data, std::size_t size) {
      const std::string path = dir.filePath(QString::fromUtf8(name)).toStdString();
      std::ofstream(path, std::ios::binary).write(data, static_cast<std::streamsize>(size));
      return path;
    };
    for (std::size_t len : {std::size_t{10}, bytes.size() / 3, bytes.size() - 5}) {
      auto model = SphinxReader::read(writeFile("cut.lm.bin", bytes.data(), len));
      QCOMPARE(model.status().code(), StatusCode::DataLoss);
      QVERIFY2(model.status().message().find("cut.lm.bin: ") != std::string::npos, model.status().message().c_str());
    }
    std::mt19937 rng(11);
    std::vector<char> garbage(bytes.size());
    for (char &c : garbage) c = static_cast<char>(rng());
    auto model = SphinxReader::read(writeFile("garbage.lm.bin", garbage.data(), garbage.size()));
    QCOMPARE(model.status().code(), StatusCode::DataLoss);
    QVERIFY(model.status().message().find("not a Sphinx binary trie") != std::string::npos);
    // The right magic in front of garbage: the counts it implies overrun the file.
    std::memcpy(garbage.data(), "Trie Language Model\x03", 20);
    model = SphinxReader::read(writeFile("garbage2.lm.bin", garbage.data(), garbage.size()));
    QVERIFY(!model.isOk());
    QCOMPARE(model.status().code(), StatusCode::DataLoss);
  }

  void missingFileIsAnIoError() {
    auto model = SphinxReader::read("/nonexistent/en-us.lm.bin");
    QCOMPARE(model.status().code(), StatusCode::IoError);
    QVERIFY(model.status().message().find("/nonexistent/en-us.lm.bin") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestSphinxReader)
#include "tst_sphinxreader.moc"
