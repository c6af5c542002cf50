// ContinuationIndex stored in the compiled file (lmb v5): mapped in place with exactly the numbers
// build() computes, so sampling is identical (same seed -> same tokens and logprobs); v4 files
// still load and get the index built; a damaged or inconsistent index is refused at load.
#include "engine/continuationindex.h"
#include "engine/sampler.h"
#include "engine/trainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>
#include <random>

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

// What `lmfront compile` writes for `model`, written to `path` and opened from there (mmapped).
std::shared_ptr<const Model> compileToFile(const Model &model, const std::string &path) {
  auto image = ContinuationIndex::compiledImage(model);
  if (!image.isOk()) qFatal("%s", image.status().message().c_str());
  writeBytes(path, image->bytes(), image->size);
  auto opened = Model::open(path);
  if (!opened.isOk()) qFatal("%s", opened.status().message().c_str());
  return *opened;
}

// An order-4 model trained by the engine's own trainer on a small Zipf-ish corpus.
std::shared_ptr<const Model> trainTinyModel(const QTemporaryDir &dir) {
  std::mt19937 rng(7);
  std::discrete_distribution<int> word({8, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1});
  std::string text;
  for (int s = 0; s < 300; ++s) {
    const int n = 1 + static_cast<int>(rng() % 10);
    for (int i = 0; i < n; ++i) text += (i ? " w" : "w") + std::to_string(word(rng));
    text += '\n';
  }
  const std::string corpus = dir.filePath(QStringLiteral("corpus.txt")).toStdString();
  writeBytes(corpus, text.data(), text.size());
  TrainOptions o;
  o.count.order = 4;
  o.count.tokenizer.mode = TokenizerMode::Whitespace;
  o.count.tempDir = dir.path().toStdString();
  o.count.progress = false;
  Discount d;  // lmplz's --discount-fallback: a corpus this small has no reliable counts-of-counts
  d.amount = {0.0, 0.5, 1.0, 1.5};
  o.kneserNey.fallback = d;
  o.textPath = corpus;
  o.arpaPath = dir.filePath(QStringLiteral("model.arpa")).toStdString();
  auto trained = train(o);
  if (!trained.isOk()) qFatal("%s", trained.status().message().c_str());
  auto model = Model::open(o.arpaPath);
  if (!model.isOk()) qFatal("%s", model.status().message().c_str());
  return *model;
}

struct Draw {
  std::vector<WordId> words;
  std::vector<double> logprobs;
  std::vector<double> topLogprobs;
};

// Several generations with fixed seeds, under the exact path and the top-k / top-p / temperature
// path, each token with its logprob and top alternatives.
std::vector<Draw> sampleMany(std::shared_ptr<const Model> model, std::shared_ptr<const ContinuationIndex> index) {
  Sampler sampler(std::move(model), std::move(index));
  std::vector<Draw> out;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SamplingOptions o;
    o.seed = seed;
    o.maxTokens = 30;
    o.logprobs = 3;
    if (seed % 2 == 0) {
      o.temperature = 0.8;
      o.topK = 5;
      o.topP = 0.9;
    }
    Draw d;
    auto r =
        sampler.generate(seed % 3 ? "" : "w1 w2", o, {TokenizerMode::Whitespace, false}, [&](const GeneratedToken &t) {
          d.words.push_back(t.word);
          d.logprobs.push_back(t.logprob);
          for (const auto &alt : t.top) d.topLogprobs.push_back(alt.logprob);
          return true;
        });
    if (!r.isOk()) qFatal("%s", r.status().message().c_str());
    out.push_back(std::move(d));
  }
  return out;
}

void compareDraws(const std::vector<Draw> &a, const std::vector<Draw> &b, std::size_t minTokens = 100) {
  QCOMPARE(a.size(), b.size());
  std::size_t tokens = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    QCOMPARE(a[i].words, b[i].words);
    QCOMPARE(a[i].logprobs, b[i].logprobs);  // exact, not within a tolerance
    QCOMPARE(a[i].topLogprobs, b[i].topLogprobs);
    tokens += a[i].words.size();
  }
  QVERIFY(tokens >= minTokens);
}

format::Header headerOf(const std::string &image) {
  format::Header h{};
  std::memcpy(&h, image.data(), sizeof h);
  return h;
}

}  // namespace

class TestContinuationIndex : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void storedIndexIsMappedAndEqualToTheBuiltOne() {
    QTemporaryDir dir;
    auto arpa = trainTinyModel(dir);
    auto compiled = compileToFile(*arpa, dir.filePath(QStringLiteral("m.lmb")).toStdString());
    QCOMPARE(compiled->format(), "lmb v" + std::to_string(format::kVersion));
    QVERIFY(compiled->hasContinuationIndex());
    QVERIFY(!arpa->hasContinuationIndex());
    auto mapped = ContinuationIndex::forModel(compiled);
    QVERIFY(mapped.isOk());
    QVERIFY((*mapped)->isMapped());
    // Views into the file's mapping, not copies.
    const std::byte *begin = compiled->imageData(), *end = begin + compiled->imageSize();
    const auto *cum = reinterpret_cast<const std::byte *>((*mapped)->unigramCumulative().data());
    QVERIFY(cum >= begin && cum < end);
    auto built = ContinuationIndex::build(*compiled);
    QVERIFY(built.isOk());
    QVERIFY(!(*built)->isMapped());
    const ContinuationIndex &m = **mapped, &b = **built;
    QVERIFY(std::ranges::equal(m.unigramCumulative(), b.unigramCumulative()));
    QVERIFY(std::ranges::equal(m.byUnigram(), b.byUnigram()));
    std::size_t kids = 0;
    for (int k = 1; k < compiled->order(); ++k) {
      const std::uint64_t contexts = k == 1 ? compiled->vocab().size() : compiled->capacity(k);
      for (std::uint64_t c = 0; c < contexts; ++c) {
        const auto ctx = static_cast<std::uint32_t>(c);
        const auto x = m.children(k, ctx), y = b.children(k, ctx);
        QVERIFY(std::ranges::equal(x.words, y.words) && std::ranges::equal(x.prob, y.prob) &&
                std::ranges::equal(x.cumulative, y.cumulative));
        QCOMPARE(m.mass(k, ctx), b.mass(k, ctx));
        QCOMPARE(m.lower(k, ctx), b.lower(k, ctx));
        kids += x.words.size();
      }
    }
    QVERIFY(kids > 500);
  }

  void samplingIsIdenticalWithTheMappedAndTheBuiltIndex() {
    QTemporaryDir dir;
    auto arpa = trainTinyModel(dir);
    auto compiled = compileToFile(*arpa, dir.filePath(QStringLiteral("m.lmb")).toStdString());
    auto mapped = ContinuationIndex::mapped(compiled);
    QVERIFY(mapped);
    auto built = ContinuationIndex::build(*compiled);
    QVERIFY(built.isOk());
    compareDraws(sampleMany(compiled, mapped), sampleMany(compiled, *built));
    // And the ARPA the file was compiled from, with its index built: the same draws.
    auto fromArpa = ContinuationIndex::forModel(arpa);
    QVERIFY(fromArpa.isOk() && !(*fromArpa)->isMapped());
    compareDraws(sampleMany(compiled, mapped), sampleMany(arpa, *fromArpa));
  }

  // A file written by the v4 compiler (tests/engine/data/tiny_trigram.v4.lmb): loads, scores as
  // its ARPA, has no stored index (built on demand), and compiles to v5 with the same draws.
  void version4FilesStillLoad() {
    QTemporaryDir dir;
    auto v4 = Model::open(fixturePath("tiny_trigram.v4.lmb"));
    QVERIFY2(v4.isOk(), v4.status().message().c_str());
    QCOMPARE((*v4)->format(), std::string("lmb v4"));
    QVERIFY(!(*v4)->hasContinuationIndex());
    QVERIFY(!ContinuationIndex::mapped(*v4));
    auto arpa = Model::open(fixturePath("tiny_trigram.arpa"));
    QVERIFY(arpa.isOk());
    for (WordId a = 0; a < (*arpa)->vocab().size(); ++a)
      for (WordId b = 0; b < (*arpa)->vocab().size(); ++b) {
        State s = (*arpa)->beginSentenceState(), t = (*v4)->beginSentenceState(), o1, o2;
        QCOMPARE((*v4)->score(t, a, o2), (*arpa)->score(s, a, o1));
        QCOMPARE((*v4)->score(o2, b, t), (*arpa)->score(o1, b, s));
      }
    auto lazy = ContinuationIndex::forModel(*v4);
    QVERIFY(lazy.isOk() && !(*lazy)->isMapped());
    auto upgraded = compileToFile(**v4, dir.filePath(QStringLiteral("v5.lmb")).toStdString());
    QCOMPARE(upgraded->format(), "lmb v" + std::to_string(format::kVersion));
    auto mapped = ContinuationIndex::mapped(upgraded);
    QVERIFY(mapped);
    compareDraws(sampleMany(*v4, *lazy), sampleMany(upgraded, mapped), 40);
  }

  void damagedIndexIsRefused() {
    QTemporaryDir dir;
    auto arpa = trainTinyModel(dir);
    auto image = ContinuationIndex::compiledImage(*arpa);
    QVERIFY(image.isOk());
    const std::string good(reinterpret_cast<const char *>(image->bytes()), image->size);
    const format::Header h = headerOf(good);
    const std::string path = dir.filePath(QStringLiteral("bad.lmb")).toStdString();
    const std::uint64_t first = h.indexSections[0].offset;
    QVERIFY(first >= h.sections[format::kSectionCount - 1].offset && first < good.size());
    // A flipped bit anywhere in the index sections: caught by their checksums.
    int tried = 0;
    for (std::size_t pos = first; pos < good.size(); pos += 61) {
      std::string bad = good;
      bad[pos] = static_cast<char>(bad[pos] ^ 0x04);
      writeBytes(path, bad.data(), bad.size());
      auto r = Model::open(path);
      QCOMPARE(r.status().code(), StatusCode::DataLoss);
      QVERIFY2(r.status().message().find("continuation index") != std::string::npos, r.status().message().c_str());
      ++tried;
    }
    QVERIFY(tried > 20);
    // Consistent checksums over inconsistent offsets (a context's range running backwards):
    // refused by the content checks, so no sampler can read outside the arrays.
    std::string forged = good;
    format::Header f = headerOf(forged);
    format::SectionEntry &begin = f.indexSections[format::indexSection(2, format::IndexArray::Begin)];
    std::uint32_t wild = 0xFFFFFFF0u;
    std::memcpy(forged.data() + begin.offset + 4 * 3, &wild, 4);
    begin.checksum = format::fastChecksum(forged.data() + begin.offset, format::alignUp(begin.size));
    f.headerChecksum = 0;
    std::memcpy(forged.data(), &f, sizeof f);
    f.headerChecksum = format::headerChecksum(forged.data(), f.headerSize);
    std::memcpy(forged.data(), &f, sizeof f);
    writeBytes(path, forged.data(), forged.size());
    auto r = Model::open(path);
    QCOMPARE(r.status().code(), StatusCode::DataLoss);
    QVERIFY2(r.status().message().find("inconsistent continuation index") != std::string::npos,
             r.status().message().c_str());
    // The flag without the sections, or sections without the flag: an inconsistent header.
    std::string noFlag = good;
    format::Header g = headerOf(noFlag);
    g.flags &= ~format::kFlagContinuationIndex;
    g.headerChecksum = 0;
    std::memcpy(noFlag.data(), &g, sizeof g);
    g.headerChecksum = format::headerChecksum(noFlag.data(), g.headerSize);
    std::memcpy(noFlag.data(), &g, sizeof g);
    writeBytes(path, noFlag.data(), noFlag.size());
    QCOMPARE(Model::open(path).status().code(), StatusCode::DataLoss);
  }
};

QTEST_GUILESS_MAIN(TestContinuationIndex)
#include "tst_continuationindex.moc"
