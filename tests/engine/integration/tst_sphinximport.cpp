// SphinxReader and `lmfront import-sphinx` on the real CMU en-us trigram that Debian's
// pocketsphinx-en-us ships (27 MB, 3.8 M n-grams). Labelled integration: it takes a few seconds
// in a Release build and far longer under ASan; the small files of tst_sphinxreader.cpp cover the
// reader under the sanitizers.
//
// The expected values are sphinxbase's own: each `sb` below is the integer score (log base
// 1.0001) that libsphinxbase 0.8's ngram_ng_prob() returned for the n-gram on this very file
// (see docs/models.md, "How the importer was verified"), so they check the decoding by an
// independent route. sphinxbase truncates scores to integers, hence the tolerance of one unit.
#include "engine/model.h"
#include "engine/sphinxreader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <optional>

using namespace lmfront;
using namespace lmfront::engine;

namespace {

const char *const kModel = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";
const double kUnit = std::log10(1.0001);  // one sphinxbase score unit in log10

std::uint32_t idOf(const SphinxModel &m, const std::string &word) {
  auto it = std::find(m.words.begin(), m.words.end(), word);
  return it == m.words.end() ? ~0u : static_cast<std::uint32_t>(it - m.words.begin());
}

// Binary search in the sorted table of one order; NaN when the n-gram is absent.
double lookup(const SphinxModel &m, const std::vector<std::string> &text, bool wantBackoff = false) {
  const std::size_t n = text.size();
  std::vector<std::uint32_t> key;
  for (const auto &w : text) key.push_back(idOf(m, w));
  const auto &ids = m.ids[n - 1];
  std::size_t lo = 0, hi = m.log10Probs[n - 1].size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    auto at = ids.begin() + static_cast<std::ptrdiff_t>(mid * n);
    if (std::lexicographical_compare(at, at + static_cast<std::ptrdiff_t>(n), key.begin(), key.end()))
      lo = mid + 1;
    else
      hi = mid;
  }
  auto at = ids.begin() + static_cast<std::ptrdiff_t>(lo * n);
  if (lo == m.log10Probs[n - 1].size() || !std::equal(key.begin(), key.end(), at)) return std::nan("");
  return wantBackoff ? m.log10Backoffs[n - 1][lo] : m.log10Probs[n - 1][lo];
}

bool matchesSphinx(double log10, int sb) { return std::fabs(log10 - sb * kUnit) <= 1.5 * kUnit; }

}  // namespace

class TestSphinxImport : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    if (!QFile::exists(QString::fromUtf8(kModel))) QFAIL("pocketsphinx-en-us is not installed: run scripts/setup.sh");
  }

  void readsTheDebianModelAndCorrectsItsHeader() {
    auto model = SphinxReader::read(kModel);
    QVERIFY2(model.isOk(), model.status().message().c_str());
    m_model = *model;  // for the next test, which changes a copy
    QCOMPARE(model->order, 3);
    QCOMPARE(model->headerCounts, (std::vector<std::uint64_t>{72547, 2051547, 1669625}));
    QCOMPARE(model->counts, (std::vector<std::uint64_t>{72547, 2051541, 1669625}));
    QCOMPARE(model->corrections.size(), std::size_t{2});
    QVERIFY(model->corrections[0].find("claims 2051547 2-grams but the trie holds 2051541") != std::string::npos);
    QVERIFY(model->corrections[0].find("last 6 records are empty") != std::string::npos);
    QVERIFY(model->corrections[1].find("2 ranges of 3-grams are out of word order") != std::string::npos);
    QVERIFY(std::fabs(model->unigramMass - 1.0) < 1e-4);
    QCOMPARE(idOf(*model, "<unk>"), ~0u);  // CMU's model has none

    // Probabilities of each order, against sphinxbase's scores on the same file.
    QVERIFY(matchesSphinx(lookup(*model, {"the"}), -31995));
    QVERIFY(matchesSphinx(lookup(*model, {"</s>"}), -25929));
    QVERIFY(matchesSphinx(lookup(*model, {"<s>"}), -2279673));  // ARPA's -99
    QVERIFY(matchesSphinx(lookup(*model, {"of", "the"}), -16085));
    QVERIFY(matchesSphinx(lookup(*model, {"<s>", "the"}), -29219));
    QVERIFY(matchesSphinx(lookup(*model, {"the", "</s>"}), -51393));
    QVERIFY(matchesSphinx(lookup(*model, {"one", "of", "the"}), -7041));
    QVERIFY(matchesSphinx(lookup(*model, {"zora", "neale", "hurston"}), -4900));
    QVERIFY(matchesSphinx(lookup(*model, {"teased", "and", "bullhorns"}), -24065));
    // Backoffs, through scores that back off: "the bullinger" and "of the bullinger" are absent,
    // so sphinxbase adds bo(the), then bo(of the), to P(bullinger).
    const double pBullinger = lookup(*model, {"bullinger"});
    const double boThe = lookup(*model, {"the"}, true);
    const double boOfThe = lookup(*model, {"of", "the"}, true);
    QVERIFY(std::isnan(lookup(*model, {"the", "bullinger"})));
    QVERIFY(matchesSphinx(pBullinger + boThe, -222420));
    QVERIFY(matchesSphinx(pBullinger + boThe + boOfThe, -224086));
    QVERIFY(matchesSphinx(lookup(*model, {"the", "zebra"}) + boOfThe, -123405));
    // The same values to float precision, as decoded (quantisation table entries times log10(1.0001)).
    QCOMPARE(float(lookup(*model, {"of", "the"})), -0.69855744f);
    QCOMPARE(float(lookup(*model, {"of", "the"}, true)), -0.07235279f);
    QCOMPARE(float(lookup(*model, {"zora", "neale", "hurston"})), -0.21283376f);
  }

  void addsUnknownWordByTheDocumentedRule() {
    QVERIFY(m_model.order == 3);
    std::optional<SphinxModel> model = m_model;
    double lowest = 0;
    for (std::size_t i = 0; i < model->words.size(); ++i)
      if (model->words[i] != "<s>") lowest = std::min(lowest, double(model->log10Probs[0][i]));
    const UnknownWordReport unk = addUnknownWord(*model);
    QVERIFY(unk.added);
    QCOMPARE(double(unk.log10Prob), lowest);
    QCOMPARE(model->counts[0], std::uint64_t{72548});
    QVERIFY(std::fabs(unk.scaleLog10) < 1e-8);  // -9.47 leaves room for no visible change
    QVERIFY(std::fabs(model->unigramMass - 1.0) < 1e-4);
  }

  void truncatedCopyIsAClearError() {
    QFile source(QString::fromUtf8(kModel));
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QByteArray bytes = source.readAll();
    QTemporaryDir dir;
    for (qsizetype len : {qsizetype(20), bytes.size() / 2, bytes.size() - 1}) {
      const QString path = dir.filePath(QStringLiteral("cut-%1.lm.bin").arg(len));
      QFile out(path);
      QVERIFY(out.open(QIODevice::WriteOnly));
      out.write(bytes.left(len));
      out.close();
      auto model = SphinxReader::read(path.toStdString());
      QVERIFY(!model.isOk());
      QCOMPARE(model.status().code(), StatusCode::DataLoss);
      QVERIFY2(model.status().message().find("truncated") != std::string::npos, model.status().message().c_str());
    }
  }

  void cliWritesArpaAndReportsCorrections() {
    const QString bin = qEnvironmentVariable("LMFRONT_BIN_DIR") + QStringLiteral("/lmfront");
    if (!QFile::exists(bin)) QFAIL("the lmfront binary is missing: build the lmfront target");
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("en-us.arpa"));
    QProcess p;
    p.start(bin, {QStringLiteral("import-sphinx"), QString::fromUtf8(kModel), out, QStringLiteral("--json")});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(err.contains("warning: the header claims 2051547 2-grams but the trie holds 2051541"));
    QVERIFY(err.contains("added <unk>"));
    const QJsonObject json = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QCOMPARE(json.value(QStringLiteral("counts")).toArray(), (QJsonArray{72548, 2051541, 1669625}));
    QCOMPARE(json.value(QStringLiteral("header_counts")).toArray(), (QJsonArray{72547, 2051547, 1669625}));
    QCOMPARE(json.value(QStringLiteral("corrections")).toArray().size(), 2);
    QVERIFY(json.value(QStringLiteral("unk")).toObject().value(QStringLiteral("added")).toBool());
    std::ifstream arpa(out.toStdString());
    std::string line;
    int seen = 0;
    while (std::getline(arpa, line) && seen < 4) {
      if (line == "ngram 1=72548" || line == "ngram 2=2051541" || line == "ngram 3=1669625") ++seen;
      if (line.rfind("-0.69855744\tof the\t", 0) == 0) ++seen;
    }
    QCOMPARE(seen, 4);

    // OUT.lmb: compiled directly.
    const QString lmb = dir.filePath(QStringLiteral("en-us.lmb"));
    p.start(bin, {QStringLiteral("import-sphinx"), QString::fromUtf8(kModel), lmb, QStringLiteral("--json")});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    const QJsonObject lmbJson = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QCOMPARE(lmbJson.value(QStringLiteral("format")).toString(),
             QStringLiteral("lmb v%1").arg(engine::format::kVersion));
    auto compiled = Model::open(lmb.toStdString());
    QVERIFY2(compiled.isOk(), compiled.status().message().c_str());
    QCOMPARE(lmbJson.value(QStringLiteral("payload_sha256")).toString().toStdString(), (*compiled)->payloadSha256());
    QCOMPARE((*compiled)->count(2), std::uint64_t{2051541});
    // It scores what was decoded (byte-identity with compiling the ARPA export is checked on the
    // small files of tst_sphinxreader; compiling 90 MB of ARPA here would double this test).
    const Model &m = **compiled;
    State s = m.nullContextState(), next;
    m.score(s, m.vocab().index("of"), next);
    QCOMPARE(m.score(next, m.vocab().index("the"), s), -0.69855744f);
    m.score(m.nullContextState(), m.vocab().index("zora"), s);
    m.score(s, m.vocab().index("neale"), next);
    QCOMPARE(m.score(next, m.vocab().index("hurston"), s), -0.21283376f);
    QCOMPARE(m.vocab().index("qwertyuiopasdf"), WordId{0});  // OOV -> <unk>, with the rule's probability
    QCOMPARE(m.score(m.nullContextState(), 0, s),
             float(lmbJson.value(QStringLiteral("unk")).toObject().value(QStringLiteral("log10_prob")).toDouble()));
  }

private:
  SphinxModel m_model;
};

QTEST_APPLESS_MAIN(TestSphinxImport)
#include "tst_sphinximport.moc"
