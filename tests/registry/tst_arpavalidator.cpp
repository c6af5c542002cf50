// Validating a bundle's model: a good bundle (and a trained corpus bundle) passes every check,
// fully or on a sample; a corrupt ARPA fails naming the line; a tampered probability fails the
// normalisation check under both methods; a wrong order, too many n-grams and a dev perplexity
// over the threshold fail their checks; the report's JSON reads back to the same report.
#include "bundlefixture.h"
#include "engine/trainer.h"
#include "registry/arpavalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::registry;
using lmfront::testing::file;

namespace {

QString failing(const ValidationReport &r) {
  QStringList out;
  for (const ValidationCheck &c : r.checks)
    if (!c.passed) out << c.name + u": "_qs + c.detail;
  return out.join(u"; "_qs);
}

}  // namespace

class TstArpaValidator : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  testing::GoodBundle m_good;
  QString work() const { return m_dir.filePath(u"work"_qs); }

  // The good bundle with `arpa`, `manifest` and `dev` swapped in where given.
  Result<Bundle> open(const QByteArray &arpa = {}, const QByteArray &manifest = {}, const QByteArray &dev = {}) {
    auto entries = m_good.entries();
    if (!manifest.isEmpty()) entries[0].data = manifest;
    if (!arpa.isEmpty()) entries[1].data = arpa;
    if (!dev.isEmpty()) entries[2].data = dev;
    const QString path = m_dir.filePath(u"b.tar.gz"_qs);
    QFile::remove(path);
    if (!testing::writeTarGz(path, entries)) return Status::internal("writing the bundle");
    return openBundle(path, {}, work());
  }
  Result<ValidationReport> validate(const QByteArray &arpa = {}, const ValidationOptions &options = {}) {
    auto b = open(arpa);
    if (!b) return b.status();
    return validateBundle(*b, options);
  }

  // The ARPA with the probability of its first bigram that follows `context` multiplied by 10
  // (or divided, when it is already above 0.1): that context no longer sums to one.
  QByteArray tampered(const QByteArray &context) const {
    QList<QByteArray> lines = m_good.arpa.split('\n');
    bool inBigrams = false;
    for (QByteArray &line : lines) {
      if (line.startsWith("\\2-grams:")) inBigrams = true;
      const QList<QByteArray> fields = line.split('\t');
      if (!inBigrams || fields.size() < 2 || !fields[1].startsWith(QByteArray(context + ' '))) continue;
      const double p = fields[0].toDouble();
      line = QByteArray::number(p > -1 ? p - 1 : p + 1) + line.mid(fields[0].size());
      return lines.join('\n');
    }
    return {};
  }

private Q_SLOTS:
  void initTestCase() { QVERIFY(m_good.make(m_dir.path())); }
  void cleanup() {  // validation writes nothing; every bundle's scratch copy is gone
    QCOMPARE(QDir(work()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
  }

  void aGoodBundlePassesEveryCheck() {
    auto r = validate();
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QVERIFY2(r->passed, qPrintable(failing(*r)));
    QStringList names;
    for (const ValidationCheck &c : r->checks) names << c.name;
    QCOMPARE(names, (QStringList{u"manifest"_qs, u"arpa"_qs, u"special_tokens"_qs, u"order"_qs, u"size"_qs,
                                 u"normalization"_qs, u"dev_perplexity"_qs}));
    QCOMPARE(r->order, 3);
    QCOMPARE(r->counts.size(), std::size_t(3));
    QVERIFY(r->unkPresent);
    QVERIFY(r->normalization.has_value());
    QVERIFY(!r->normalization->sampled);
    QCOMPARE(r->normalization->checked, r->normalization->contexts);  // every context
    QVERIFY(r->normalization->contexts > r->counts[0]);
    QCOMPARE(r->normalization->failed, std::uint64_t(0));
    QVERIFY(r->normalization->worstDeviation < 1e-4);
    QVERIFY(r->dev.has_value());
    QCOMPARE(r->dev->sentences, std::uint64_t(2));
    QCOMPARE(r->dev->tokens, std::uint64_t(13));  // 11 words + 2 </s>
    QCOMPARE(r->dev->oov, std::uint64_t(0));
    QVERIFY(r->dev->perplexity > 1 && r->dev->perplexity < 20);
  }

  void theReportReadsBackFromItsJson() {
    auto r = validate();
    QVERIFY(r.isOk());
    const QJsonObject json = r->toJson();
    QCOMPARE(json.value(u"passed"_qs).toBool(), true);
    QCOMPARE(json.value(u"unk"_qs).toString(), u"present"_qs);
    QCOMPARE(json.value(u"checks"_qs).toArray().size(), 7);
    auto back = ValidationReport::fromJson(QJsonDocument::fromJson(QJsonDocument(json).toJson()).object());
    QVERIFY2(back.isOk(), back.status().message().c_str());
    QCOMPARE(back->toJson(), json);
    QJsonObject extra = json;
    extra.insert(u"surprise"_qs, 1);
    QVERIFY(!ValidationReport::fromJson(extra).isOk());
  }

  void aLargeModelIsCheckedOnADeterministicSample() {
    ValidationOptions options;
    options.fullCheckNgrams = 0;  // treat the tiny model as large
    options.sampleQueries = 200;  // a few contexts per order
    auto r = validate({}, options);
    QVERIFY(r.isOk());
    QVERIFY2(r->passed, qPrintable(failing(*r)));
    QVERIFY(r->normalization->sampled);
    QVERIFY(r->normalization->checked > 0);
    QVERIFY(r->normalization->checked < r->normalization->contexts);
    QVERIFY(r->check(u"normalization"_qs)->detail.contains(u"a deterministic sample of"_qs));
    auto again = validate({}, options);
    QVERIFY(again.isOk());
    QCOMPARE(again->toJson(), r->toJson());
  }

  void aCorruptArpaFailsNamingTheLine_data() {
    QTest::addColumn<QByteArray>("arpa");
    QTest::addColumn<QString>("expected");
    QByteArray badCount = m_good.arpa;
    badCount.replace("ngram 3=", "ngram 3=1");  // the header now announces more trigrams than listed
    QTest::newRow("bad count") << badCount << u"model.arpa:"_qs;
    QByteArray badNumber = m_good.arpa;
    const qsizetype at = badNumber.indexOf("\\2-grams:\n") + 10;
    badNumber.replace(at, badNumber.indexOf('\t', at) - at, "abc");
    QTest::newRow("bad number") << badNumber << u"model.arpa:"_qs;
    QByteArray noEnd = m_good.arpa;
    noEnd.truncate(noEnd.indexOf("\\end\\"));
    QTest::newRow("no end") << noEnd << u"no \\end\\"_qs;
  }
  void aCorruptArpaFailsNamingTheLine() {
    QFETCH(QByteArray, arpa);
    QFETCH(QString, expected);
    auto r = validate(arpa);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QVERIFY(!r->passed);
    const ValidationCheck *c = r->check(u"arpa"_qs);
    QVERIFY(c && !c->passed);
    QVERIFY2(c->detail.contains(expected), qPrintable(c->detail));
    QVERIFY2(c->detail.contains(QRegularExpression(u"^model\\.arpa:\\d+: "_qs)), qPrintable(c->detail));
    QCOMPARE(r->check(u"normalization"_qs), nullptr);  // nothing runs on a model that does not parse
    QVERIFY(!r->toJson().contains(u"unk"_qs));         // no figures of a model that was not read
    QCOMPARE(ValidationReport::fromJson(r->toJson())->toJson(), r->toJson());
  }

  void aTamperedProbabilityBreaksNormalization_data() {
    QTest::addColumn<bool>("sampled");
    QTest::newRow("every context") << false;
    QTest::newRow("sampled") << true;
  }
  void aTamperedProbabilityBreaksNormalization() {
    QFETCH(bool, sampled);
    const QByteArray arpa = tampered("cat");
    QVERIFY(!arpa.isEmpty());
    ValidationOptions options;
    if (sampled) {
      options.fullCheckNgrams = 0;
      options.sampleQueries = 1'000'000;  // enough to reach every context of this model
    }
    auto r = validate(arpa, options);
    QVERIFY(r.isOk());
    QVERIFY(!r->passed);
    const ValidationCheck *c = r->check(u"normalization"_qs);
    QVERIFY(c && !c->passed);
    QCOMPARE(r->normalization->sampled, sampled);
    QVERIFY(r->normalization->failed >= 1);
    QVERIFY(r->normalization->worstDeviation > 1e-2);
    QVERIFY2(c->detail.contains(u"\"cat\" sums to"_qs), qPrintable(c->detail));
    QVERIFY(r->check(u"arpa"_qs)->passed);  // still a well-formed ARPA
  }

  void wrongOrderAndTooManyNgramsFail() {
    QByteArray manifest = m_good.manifest;
    manifest.replace("\"order\":3", "\"order\":2");
    auto b = open({}, manifest);
    QVERIFY(b.isOk());
    auto r = validateBundle(*b, {});
    QVERIFY(r.isOk());
    QVERIFY(!r->passed);
    QVERIFY(!r->check(u"order"_qs)->passed);
    QCOMPARE(r->check(u"order"_qs)->detail, u"the ARPA's order is 3, model.json says 2"_qs);

    ValidationOptions small;
    small.maxNgrams = 10;
    auto big = validate({}, small);
    QVERIFY(big.isOk());
    QVERIFY(!big->passed);
    QVERIFY2(big->check(u"size"_qs)->detail.contains(u"over the limit of 10"_qs), qPrintable(failing(*big)));
  }

  void aDevSetOverTheThresholdFails() {
    ValidationOptions strict;
    strict.maxDevPerplexity = 1.5;
    auto r = validate({}, strict);
    QVERIFY(r.isOk());
    QVERIFY(!r->passed);
    const ValidationCheck *c = r->check(u"dev_perplexity"_qs);
    QVERIFY(c && !c->passed);
    QVERIFY2(c->detail.contains(u"over the threshold 1.5"_qs), qPrintable(c->detail));
    QCOMPARE(r->dev->threshold, 1.5);

    auto b = open({}, {}, "zebra quagga okapi\nthe cat\n");  // three unknown words of five
    QVERIFY(b.isOk());
    auto oov = validateBundle(*b, {});
    QVERIFY(oov.isOk() && oov->dev.has_value());
    QCOMPARE(oov->dev->oov, std::uint64_t(3));
    QCOMPARE(oov->dev->oovRate, 0.6);
    QVERIFY(oov->dev->perplexity > oov->dev->perplexityExclOov);

    auto badText = open({}, {}, "the cat\nthe \xff dog\n");
    QVERIFY(badText.isOk());
    auto bad = validateBundle(*badText, {});
    QVERIFY(bad.isOk());
    QVERIFY(!bad->passed);
    QVERIFY2(bad->check(u"dev_perplexity"_qs)->detail.startsWith(u"dev.txt:2: invalid UTF-8"_qs),
             qPrintable(bad->check(u"dev_perplexity"_qs)->detail));
  }

  void aCorpusBundleIsValidatedAfterTraining() {
    const QByteArray manifest = R"({"name":"tiny","owner":"bob","license":"MIT","order":3,
        "train":{"corpus":"corpus.txt","discount_fallback":true}})";
    const QString path = m_dir.filePath(u"corpus.tar.gz"_qs);
    QVERIFY(testing::writeTarGz(
        path, {file("model.json", manifest), file("corpus.txt", m_good.corpus), file("dev.txt", m_good.dev)}));
    auto b = openBundle(path, {}, work());
    QVERIFY2(b.isOk(), b.status().message().c_str());
    QCOMPARE(validateBundle(*b, {}).status().code(), StatusCode::FailedPrecondition);
    const QString trained = m_dir.filePath(u"trained.arpa"_qs);
    auto options = trainingOptions(*b, trained, m_dir.path());
    QVERIFY(options.isOk());
    auto summary = engine::train(*options);
    QVERIFY2(summary.isOk(), summary.status().message().c_str());
    auto r = validateBundle(*b, {}, trained);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QVERIFY2(r->passed, qPrintable(failing(*r)));
    QCOMPARE(r->counts, summary->ngramCounts);
  }
};

QTEST_GUILESS_MAIN(TstArpaValidator)
#include "tst_arpavalidator.moc"
