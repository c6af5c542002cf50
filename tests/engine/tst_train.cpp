// Training end to end (real files): counts, modified Kneser-Ney estimates checked against values
// computed by hand, normalisation, the spilling path, and every input error.
#include "engine/trainer.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

using lmfront::StatusCode;
using namespace lmfront::engine;

namespace {

struct Entry {
  double prob = 0;
  double backoff = 0;
  bool hasBackoff = false;
};

// A minimal ARPA reader for the tests: "w1 w2" -> entry.
struct Arpa {
  int order = 0;
  std::map<std::string, Entry> grams;
  std::vector<std::uint64_t> counts;
  std::vector<std::string> vocab;

  const Entry *find(const std::string &g) const {
    auto it = grams.find(g);
    return it == grams.end() ? nullptr : &it->second;
  }
  // log10 p(w | context) with back-off, the way every ARPA consumer evaluates it.
  double score(const std::vector<std::string> &context, const std::string &w) const {
    double bo = 0;
    const std::size_t maxCtx = std::min<std::size_t>(context.size(), static_cast<std::size_t>(order - 1));
    for (std::size_t k = maxCtx + 1; k-- > 0;) {
      std::string ctx;
      for (std::size_t i = context.size() - k; i < context.size(); ++i) ctx += (ctx.empty() ? "" : " ") + context[i];
      const std::string g = ctx.empty() ? w : ctx + " " + w;
      if (const Entry *e = find(g)) return bo + e->prob;
      if (!ctx.empty())
        if (const Entry *c = find(ctx)) bo += c->backoff;
    }
    return -99;
  }
};

Arpa readArpa(const QString &path) {
  Arpa a;
  std::ifstream in(path.toStdString());
  std::string line;
  int section = 0;
  while (std::getline(in, line)) {
    if (line.rfind("ngram ", 0) == 0) {
      a.counts.push_back(std::stoull(line.substr(line.find('=') + 1)));
      a.order = static_cast<int>(a.counts.size());
    } else if (line.size() > 2 && line[0] == '\\' && line.find("-grams:") != std::string::npos) {
      section = std::stoi(line.substr(1));
    } else if (section > 0 && !line.empty() && line[0] != '\\') {
      std::vector<std::string> cols;
      std::stringstream ss(line);
      std::string col;
      while (std::getline(ss, col, '\t')) cols.push_back(col);
      Entry e;
      e.prob = std::stod(cols.at(0));
      if (cols.size() > 2) {
        e.backoff = std::stod(cols[2]);
        e.hasBackoff = true;
      }
      a.grams[cols.at(1)] = e;
      if (section == 1) a.vocab.push_back(cols[1]);
    }
  }
  return a;
}

QByteArray readAll(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeFile(const QString &path, const std::string &text) {
  std::ofstream out(path.toStdString(), std::ios::binary);
  out << text;
}

lmfront::Result<TrainSummary> trainText(const QTemporaryDir &dir, const std::string &text, int order,
                                        bool fallback = false, TokenizerMode mode = TokenizerMode::Whitespace,
                                        std::uint64_t memory = 1ULL << 30) {
  writeFile(dir.filePath(QStringLiteral("corpus.txt")), text);
  TrainOptions o;
  o.count.order = order;
  o.count.tokenizer.mode = mode;
  o.count.memoryBytes = memory;
  o.count.tempDir = dir.path().toStdString();
  o.count.progress = false;
  if (fallback) {
    Discount d;
    d.amount = {0.0, 0.5, 1.0, 1.5};
    o.kneserNey.fallback = d;
  }
  o.textPath = dir.filePath(QStringLiteral("corpus.txt")).toStdString();
  o.arpaPath = dir.filePath(QStringLiteral("model.arpa")).toStdString();
  return train(o);
}

// Deterministic Zipf-ish corpus over `vocab` words.
std::string syntheticCorpus(int sentences, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<double> weights;
  for (int i = 1; i <= vocab; ++i) weights.push_back(1.0 / i);
  std::discrete_distribution<int> word(weights.begin(), weights.end());
  std::uniform_int_distribution<int> length(0, 12);
  std::string text;
  for (int s = 0; s < sentences; ++s) {
    const int n = length(rng);
    for (int i = 0; i < n; ++i) text += (i ? " w" : "w") + std::to_string(word(rng));
    text += '\n';
  }
  return text;
}

// NaN when the n-gram is missing, so a comparison with it fails.
double prob(const Arpa &a, const std::string &g) {
  const Entry *e = a.find(g);
  return e ? e->prob : std::nan("");
}
double backoff(const Arpa &a, const std::string &g) {
  const Entry *e = a.find(g);
  return e && e->hasBackoff ? e->backoff : std::nan("");
}
bool hasBackoff(const Arpa &a, const std::string &g) {
  const Entry *e = a.find(g);
  return e && e->hasBackoff;
}

#define CHECK_LOG10(arpa, gram, expectedLinear)                                            \
  QVERIFY2(std::abs(prob(arpa, gram) - std::log10(expectedLinear)) < 1e-6,                 \
           (std::string(gram) + " = " + std::to_string(prob(arpa, gram)) + ", expected " + \
            std::to_string(std::log10(expectedLinear)))                                    \
               .c_str())

#define CHECK_BACKOFF(arpa, gram, expectedLinear) \
  QVERIFY2(std::abs(backoff(arpa, gram) - std::log10(expectedLinear)) < 1e-6, gram)

}  // namespace

class TstTrain : public QObject {
  Q_OBJECT
private Q_SLOTS:
  // Order 2 with discounts estimated from the counts-of-counts (no fallback).
  void bigramByHand() {
    QTemporaryDir dir;
    auto s = trainText(dir, "b a a a\na d b\na a\nc a\nb b b\n", 2);
    QVERIFY2(s.isOk(), s.status().message().c_str());
    const Arpa a = readArpa(dir.filePath(QStringLiteral("model.arpa")));
    // Padded: <s> b a a a </s> | <s> a d b </s> | <s> a a </s> | <s> c a </s> | <s> b b b </s>
    // Bigram raw counts: <s> b 2, <s> a 2, <s> c 1, b a 1, a a 3, a </s> 3, a d 1, d b 1,
    //   b </s> 2, c a 1, b b 2  -> 11 bigrams; n1=5 n2=4 n3=2 n4=0.
    //   Y = 5/(5+2*4) = 5/13; D1 = 1-2Y*4/5 = 5/13; D2 = 2-3Y*2/4 = 37/26; D3+ = 3-4Y*0/2 = 3.
    QCOMPARE(a.counts, (std::vector<std::uint64_t>{7, 11}));
    QVERIFY(std::abs(s->discounts[1].amount[1] - 5.0 / 13) < 1e-12);
    QVERIFY(std::abs(s->discounts[1].amount[2] - 37.0 / 26) < 1e-12);
    QVERIFY(std::abs(s->discounts[1].amount[3] - 3.0) < 1e-12);
    // Unigram adjusted counts = distinct left neighbours: b {<s>,d,b}=3, a {b,a,<s>,c}=4,
    //   </s> {a,b}=2, d {a}=1, c {<s>}=1; <unk> and <s> 0. n1=2 n2=1 n3=1 n4=1:
    //   Y = 2/(2+2) = 0.5; D1 = 1-2*0.5*1/2 = 0.5; D2 = 2-3*0.5*1/1 = 0.5; D3+ = 3-4*0.5*1/1 = 1.
    QVERIFY(std::abs(s->discounts[0].amount[1] - 0.5) < 1e-12);
    QVERIFY(std::abs(s->discounts[0].amount[2] - 0.5) < 1e-12);
    QVERIFY(std::abs(s->discounts[0].amount[3] - 1.0) < 1e-12);
    // Unigrams: total 11; gamma = (0.5*2 + 0.5*1 + 1*2)/11 = 3.5/11; uniform = 1/(7-1).
    const double g1 = 3.5 / 11, uni = 1.0 / 6;
    CHECK_LOG10(a, "<unk>", g1 * uni);                  // 0.0530303
    CHECK_LOG10(a, "a", (4 - 1.0) / 11 + g1 * uni);     // 0.3257576
    CHECK_LOG10(a, "b", (3 - 1.0) / 11 + g1 * uni);     // 0.2348485
    CHECK_LOG10(a, "</s>", (2 - 0.5) / 11 + g1 * uni);  // 0.1893939
    const double pD = (1 - 0.5) / 11 + g1 * uni;        // 0.0984848
    CHECK_LOG10(a, "d", pD);
    QCOMPARE(prob(a, "<s>"), 0.0);  // lmplz writes <s> with probability 1
    // Context "a": a a 3, a </s> 3, a d 1 -> denominator 7, N1=1 N3+=2;
    //   gamma(a) = (5/13*1 + 3*2)/7 = 0.9120879.
    const double gA = (5.0 / 13 + 3 * 2) / 7;
    CHECK_BACKOFF(a, "a", gA);
    CHECK_LOG10(a, "a a", (3 - 3.0) / 7 + gA * ((4 - 1.0) / 11 + g1 * uni));  // 0.2971195
    CHECK_LOG10(a, "a d", (1 - 5.0 / 13) / 7 + gA * pD);                      // 0.1777389
    // Context "b": b a 1, b </s> 2, b b 2 -> denominator 5, N1=1 N2=2;
    //   gamma(b) = (5/13 + 2*37/26)/5 = 0.6461538.
    const double gB = (5.0 / 13 + 2 * 37.0 / 26) / 5;
    CHECK_BACKOFF(a, "b", gB);
    CHECK_LOG10(a, "b b", (2 - 37.0 / 26) / 5 + gB * ((3 - 1.0) / 11 + g1 * uni));  // 0.2671329
    // Not contexts: backoff written as 0, as lmplz prints it.
    QCOMPARE(backoff(a, "</s>"), 0.0);
    QCOMPARE(backoff(a, "<unk>"), 0.0);
  }

  // Order 3: the text of KenLM's lm/common/test_data/generate.sh toy0 ("lmplz --discount_fallback
  // -o 3"), so every order uses the fallback discounts D1=0.5 D2=1 D3+=1.5.
  void trigramByHand() {
    QTemporaryDir dir;
    QCOMPARE(trainText(dir, "a a b a\nb a a b\n", 3).status().code(), StatusCode::InvalidArgument);
    auto s = trainText(dir, "a a b a\nb a a b\n", 3, true);
    QVERIFY2(s.isOk(), s.status().message().c_str());
    const Arpa a = readArpa(dir.filePath(QStringLiteral("model.arpa")));
    QCOMPARE(a.counts, (std::vector<std::uint64_t>{5, 7, 7}));
    // Windows: <s> <s> a | <s> a a | a a b | a b a | b a </s> | <s> <s> b | <s> b a | b a a |
    //   a a b | a b </s>. Trigrams (no <s> in position 2): <s> a a 1, a a b 2, a b a 1,
    //   b a </s> 1, <s> b a 1, b a a 1, a b </s> 1.
    // Bigrams (adjusted): <s> a 1 and <s> b 1 (raw: start with <s>), a a {<s>,b}=2, a b {a}=1,
    //   b a {a,<s>}=2, a </s> {b}=1, b </s> {a}=1.
    // Unigrams: a {<s>,a,b}=3, b {a,<s>}=2, </s> {a,b}=2; total 7;
    //   gamma = (0.5*0 + 1*2 + 1.5*1)/7 = 0.5; uniform = 1/4.
    const double pA = (3 - 1.5) / 7 + 0.5 / 4;  // 0.3392857
    const double pB = (2 - 1.0) / 7 + 0.5 / 4;  // 0.2678571 (</s> too)
    CHECK_LOG10(a, "<unk>", 0.125);
    CHECK_LOG10(a, "a", pA);
    CHECK_LOG10(a, "b", pB);
    CHECK_LOG10(a, "</s>", pB);
    // Context <s>: <s> a 1, <s> b 1 -> gamma = 0.5*2/2 = 0.5.
    CHECK_BACKOFF(a, "<s>", 0.5);
    const double pA_S = (1 - 0.5) / 2 + 0.5 * pA;  // 0.4196429
    CHECK_LOG10(a, "<s> a", pA_S);
    // Context a: a a 2, a b 1, a </s> 1 -> denominator 4, gamma = (0.5*2 + 1*1)/4 = 0.5.
    const double pA_A = (2 - 1.0) / 4 + 0.5 * pA;  // 0.4196429
    const double pB_A = (1 - 0.5) / 4 + 0.5 * pB;  // 0.2589286
    const double pE_A = (1 - 0.5) / 4 + 0.5 * pB;  // p(</s>|a) = 0.2589286
    CHECK_LOG10(a, "a a", pA_A);
    CHECK_LOG10(a, "a b", pB_A);
    CHECK_BACKOFF(a, "a", 0.5);
    // Context b: b a 2, b </s> 1 -> denominator 3, gamma = (0.5*1 + 1*1)/3 = 0.5.
    CHECK_LOG10(a, "b a", (2 - 1.0) / 3 + 0.5 * pA);  // 0.5029762
    // Trigram contexts. "<s> a": <s> a a 1 -> gamma 0.5; p = 0.5/1 + 0.5*p(a|a) = 0.7098214.
    CHECK_LOG10(a, "<s> a a", (1 - 0.5) / 1 + 0.5 * pA_A);
    CHECK_BACKOFF(a, "<s> a", 0.5);
    // "a a": a a b 2 -> gamma = 1*1/2 = 0.5; p = (2-1)/2 + 0.5*p(b|a) = 0.6294643.
    CHECK_LOG10(a, "a a b", (2 - 1.0) / 2 + 0.5 * pB_A);
    // "b a": b a </s> 1, b a a 1 -> gamma = 0.5*2/2 = 0.5; p(</s>|b a) = 0.25 + 0.5*0.2589286.
    CHECK_LOG10(a, "b a </s>", (1 - 0.5) / 2 + 0.5 * pE_A);
    QVERIFY(!a.find("<s> <s> a"));  // padding windows are not trigrams
    QVERIFY(a.find("a a b") && !hasBackoff(a, "a a b"));
  }

  // lmplz (adjust_counts.cc) flushes the n-grams still open at the end of the suffix-ordered
  // stream with their raw count, so the last unigram enters the discount statistics with its raw
  // count, not its adjusted count. Matching lmplz means matching that too.
  void discountStatisticsFollowLmplz() {
    QTemporaryDir dir;
    auto s = trainText(dir, "c b a\na b\nc b\nb a\nc\na z\na z\na z\n", 2);
    QVERIFY2(s.isOk(), s.status().message().c_str());
    // ids: c=3 b=4 a=5 z=6, so "a z" is the last window in suffix order and z the last unigram.
    // Adjusted unigram counts (distinct left neighbours): c {<s>}=1, b {c,a,<s>}=3, a {b,<s>}=2,
    //   </s> {a,b,c,z}=4, z {a}=1. Counted as adjusted: n1=2 n2=1 n3=1 n4=1 -> D1=0.5.
    //   As lmplz counts them, z with its raw count 3: n1=1 n2=1 n3=2 n4=1, Y = 1/(1+2) = 1/3,
    //   D1 = 1-2Y*1/1 = 1/3, D2 = 2-3Y*2/1 = 0, D3+ = 3-4Y*1/2 = 7/3.
    QVERIFY(std::abs(s->discounts[0].amount[1] - 1.0 / 3) < 1e-12);
    QVERIFY(std::abs(s->discounts[0].amount[2] - 0.0) < 1e-12);
    QVERIFY(std::abs(s->discounts[0].amount[3] - 7.0 / 3) < 1e-12);
    // The probability itself still uses z's adjusted count 1: total adjusted = 1+3+2+4+1 = 11,
    //   gamma = (1/3*2 + 0*1 + 7/3*2)/11 = (16/3)/11, uniform = 1/(7-1)
    //   (<unk> <s> </s> c b a z, without <s>); p(z) = (1 - 1/3)/11 + gamma/6 = 0.1414141.
    const Arpa a = readArpa(dir.filePath(QStringLiteral("model.arpa")));
    CHECK_LOG10(a, "z", (1 - 1.0 / 3) / 11 + (16.0 / 3) / 11 / 6);
  }

  // For random contexts the model is a distribution over the vocabulary (without <s>).
  void probabilitiesSumToOne() {
    QTemporaryDir dir;
    auto s = trainText(dir, syntheticCorpus(3000, 500, 11), 4);
    QVERIFY2(s.isOk(), s.status().message().c_str());
    const Arpa a = readArpa(dir.filePath(QStringLiteral("model.arpa")));
    std::vector<std::string> vocab;
    for (const auto &w : a.vocab)
      if (w != "<s>") vocab.push_back(w);
    QCOMPARE(vocab.size(), std::size_t(s->vocabularySize - 1));
    std::mt19937 rng(5);
    std::vector<std::string> contexts = {"", "<s>", "<s> w1", "w1 w2 w3", "w499 w498", "zzz-unseen w1"};
    std::vector<std::string> highest;
    for (const auto &[g, e] : a.grams)
      if (std::count(g.begin(), g.end(), ' ') == 3) highest.push_back(g.substr(0, g.rfind(' ')));
    for (int i = 0; i < 20; ++i) contexts.push_back(highest[rng() % highest.size()]);
    for (const auto &c : contexts) {
      std::vector<std::string> ctx;
      std::stringstream ss(c);
      for (std::string w; ss >> w;) ctx.push_back(w);
      double sum = 0;
      for (const auto &w : vocab) sum += std::pow(10.0, a.score(ctx, w));
      QVERIFY2(std::abs(sum - 1.0) < 1e-6, (c + ": sum " + std::to_string(sum)).c_str());
    }
  }

  // A budget of a few KB forces many sorted runs to disk; the model must be byte-identical.
  void spillingMatchesInMemory() {
    QTemporaryDir dir;
    const std::string text = syntheticCorpus(2000, 300, 3);
    auto inMemory = trainText(dir, text, 3, true);
    QVERIFY2(inMemory.isOk(), inMemory.status().message().c_str());
    QCOMPARE(inMemory->spilledRuns, std::uint64_t(0));
    const QByteArray first = readAll(dir.filePath(QStringLiteral("model.arpa")));
    auto spilled = trainText(dir, text, 3, true, TokenizerMode::Whitespace, 16 << 10);
    QVERIFY2(spilled.isOk(), spilled.status().message().c_str());
    QVERIFY2(spilled->spilledRuns >= 3, std::to_string(spilled->spilledRuns).c_str());
    const QByteArray second = readAll(dir.filePath(QStringLiteral("model.arpa")));
    QVERIFY(first.size() > 1000);
    QVERIFY(first == second);
    QCOMPARE(QDir(dir.path()).entryList(QStringList{QStringLiteral("lmfront-count-*")}).size(), 0);
  }

  void defaultTokenizerTrainsChinese() {
    QTemporaryDir dir;
    // 我爱北京。/ 北京很大。/ 我很好。 -> one token per ideograph and punctuation mark.
    auto s = trainText(dir,
                       "\xE6\x88\x91\xE7\x88\xB1\xE5\x8C\x97\xE4\xBA\xAC\xE3\x80\x82\n"
                       "\xE5\x8C\x97\xE4\xBA\xAC\xE5\xBE\x88\xE5\xA4\xA7\xE3\x80\x82\n"
                       "\xE6\x88\x91\xE5\xBE\x88\xE5\xA5\xBD\xE3\x80\x82\n",
                       2, true, TokenizerMode::Default);
    QVERIFY2(s.isOk(), s.status().message().c_str());
    const Arpa a = readArpa(dir.filePath(QStringLiteral("model.arpa")));
    QVERIFY(a.find("\xE5\x8C\x97 \xE4\xBA\xAC"));  // 北 京
    QCOMPARE(s->vocabularySize, std::uint64_t(3 + 8));
    QCOMPARE(s->tokens, std::uint64_t(14));
  }

  void errorsAreClear() {
    QTemporaryDir dir;
    auto empty = trainText(dir, "", 3);
    QCOMPARE(empty.status().code(), StatusCode::InvalidArgument);
    QVERIFY(empty.status().message().find("no words") != std::string::npos);
    QCOMPARE(trainText(dir, "\n \n\t\n", 3).status().code(), StatusCode::InvalidArgument);

    auto bad = trainText(dir, "a b\nc d\nok \xC3\x28 x\n", 2);
    QCOMPARE(bad.status().code(), StatusCode::InvalidArgument);
    const std::string path = dir.filePath(QStringLiteral("corpus.txt")).toStdString();
    QCOMPARE(bad.status().message(), path + ":3: invalid UTF-8 at byte 4");
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("model.arpa"))));

    // --skip-invalid drops the line and counts it.
    writeFile(dir.filePath(QStringLiteral("corpus.txt")), "a b\n\xFF\xFE\nb a\n");
    TrainOptions o;
    o.count.order = 2;
    o.count.tokenizer.mode = TokenizerMode::Whitespace;
    o.count.skipInvalid = true;
    o.count.progress = false;
    Discount d;
    d.amount = {0.0, 0.5, 1.0, 1.5};
    o.kneserNey.fallback = d;
    o.textPath = path;
    o.arpaPath = dir.filePath(QStringLiteral("model.arpa")).toStdString();
    auto skipped = train(o);
    QVERIFY2(skipped.isOk(), skipped.status().message().c_str());
    QCOMPARE(skipped->invalidLines, std::uint64_t(1));
    QCOMPARE(skipped->sentences, std::uint64_t(2));

    o.count.order = 7;
    QCOMPARE(train(o).status().code(), StatusCode::InvalidArgument);
    o.count.order = 0;
    QCOMPARE(train(o).status().code(), StatusCode::InvalidArgument);
    o.count.order = 2;
    o.textPath = dir.filePath(QStringLiteral("missing.txt")).toStdString();
    QCOMPARE(train(o).status().code(), StatusCode::IoError);

    // An output that cannot be created fails up front, naming the file.
    o.arpaPath = dir.filePath(QStringLiteral("no-such-dir/model.arpa")).toStdString();
    o.textPath = path;
    auto noOut = train(o);
    QCOMPARE(noOut.status().code(), StatusCode::IoError);
    QVERIFY2(noOut.status().message().find("no-such-dir/model.arpa") != std::string::npos,
             noOut.status().message().c_str());
    o.arpaPath = dir.filePath(QStringLiteral("model.arpa")).toStdString();

    // A temp dir that does not exist fails when counting has to spill, naming the directory.
    o.textPath = path;
    o.count.memoryBytes = 4096;
    o.count.tempDir = dir.filePath(QStringLiteral("no-such-dir")).toStdString();
    writeFile(dir.filePath(QStringLiteral("corpus.txt")), syntheticCorpus(500, 50, 1));
    auto noTemp = train(o);
    QCOMPARE(noTemp.status().code(), StatusCode::IoError);
    QVERIFY2(noTemp.status().message().find("no-such-dir") != std::string::npos, noTemp.status().message().c_str());

    // Too little data for Kneser-Ney discounts, without the fallback: a clear error, no file.
    QFile::remove(dir.filePath(QStringLiteral("model.arpa")));
    auto tiny = trainText(dir, "a b c\n", 3);
    QCOMPARE(tiny.status().code(), StatusCode::InvalidArgument);
    QVERIFY(tiny.status().message().find("discount") != std::string::npos);
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("model.arpa"))));
  }

  void specialTokensInTextAreDropped() {
    QTemporaryDir dir;
    auto s = trainText(dir, "<s> a b </s>\na <unk> b\n", 2, true);
    QVERIFY(s.isOk());
    QCOMPARE(s->skippedSpecials, std::uint64_t(3));
    QCOMPARE(s->tokens, std::uint64_t(4));
  }
};

QTEST_APPLESS_MAIN(TstTrain)
#include "tst_train.moc"
