// The engine verbs as scripts see them (compile, info, score, generate, mix): exact JSON keys,
// hand-computed values on the tiny fixture, identical output for ARPA and compiled input, exit
// codes and one-line errors. Runs the real binary from LMFRONT_BIN_DIR (integration label).
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include "cli_testutil.h"
#include "engine/modelformat.h"

#include <cmath>

namespace {
using Run = lmfront::testing::CliRun;
QString binary() { return lmfront::testing::lmfrontBinary(); }
QString fixture() {
  return qEnvironmentVariable("LMFRONT_SOURCE_DIR") + QStringLiteral("/tests/engine/data/tiny_trigram.arpa");
}

Run cli(const QStringList &args) { return lmfront::testing::runLmfront(args); }
void write(const QString &path, const QByteArray &data) { lmfront::testing::writeFile(path, data); }

QStringList keys(const QJsonObject &o) {
  QStringList k = o.keys();
  k.sort();
  return k;
}
}  // namespace

class TstScoreCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    if (!QFile::exists(binary())) QFAIL("the lmfront binary is missing: build the lmfront target");
  }

  void compileInfoScore() {
    QTemporaryDir dir;
    const QString lmb = dir.filePath(QStringLiteral("tiny.lmb")), text = dir.filePath(QStringLiteral("t.txt"));
    auto c = cli({QStringLiteral("compile"), fixture(), lmb});
    QCOMPARE(c.exitCode, 0);
    for (const QString &model : {fixture(), lmb}) {
      auto info = cli({QStringLiteral("info"), QStringLiteral("--model"), model, QStringLiteral("--json")});
      QCOMPARE(info.exitCode, 0);
      const QJsonObject o = QJsonDocument::fromJson(info.out).object();
      QCOMPARE(o.value(QStringLiteral("order")).toInt(), 3);
      QCOMPARE(o.value(QStringLiteral("ngrams")).toArray(), (QJsonArray{6, 6, 3}));
      QCOMPARE(o.value(QStringLiteral("vocab_size")).toInt(), 6);
      QCOMPARE(
          o.value(QStringLiteral("format")).toString(),
          model == lmb ? QStringLiteral("lmb v%1").arg(lmfront::engine::format::kVersion) : QStringLiteral("arpa"));
      QFile f(model);
      QVERIFY(f.open(QIODevice::ReadOnly));
      QCOMPARE(o.value(QStringLiteral("sha256")).toString(),
               QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex()));
      QCOMPARE(o.value(QStringLiteral("file_size")).toInteger(), QFileInfo(model).size());
    }
    // "a b c" = -0.85 and "b a" = -3.1 (computed by hand in tst_model.cpp); 3 + 1 and 2 + 1 tokens.
    write(text, "a b c\nb a\n");
    QByteArray first;
    for (const QString &model : {fixture(), lmb}) {
      auto s = cli({QStringLiteral("score"), QStringLiteral("--model"), model, QStringLiteral("--text"), text,
                    QStringLiteral("--tokenizer"), QStringLiteral("whitespace"), QStringLiteral("--json")});
      QCOMPARE(s.exitCode, 0);
      const QJsonObject o = QJsonDocument::fromJson(s.out).object();
      QCOMPARE(keys(o), (QStringList{QStringLiteral("log10_prob"), QStringLiteral("oov"), QStringLiteral("perplexity"),
                                     QStringLiteral("perplexity_excl_oov"), QStringLiteral("sentences"),
                                     QStringLiteral("tokens")}));
      QCOMPARE(o.value(QStringLiteral("tokens")).toInt(), 7);
      QCOMPARE(o.value(QStringLiteral("sentences")).toInt(), 2);
      QCOMPARE(o.value(QStringLiteral("oov")).toInt(), 0);
      QVERIFY(std::abs(o.value(QStringLiteral("log10_prob")).toDouble() - -3.95) < 1e-5);
      QVERIFY(std::abs(o.value(QStringLiteral("perplexity")).toDouble() / std::pow(10.0, 3.95 / 7) - 1) < 1e-5);
      if (first.isEmpty())
        first = s.out;
      else
        QCOMPARE(s.out, first);  // ARPA and compiled: the same bytes
    }
  }

  void errorsAreOneLine() {
    QTemporaryDir dir;
    const QString lmb = dir.filePath(QStringLiteral("tiny.lmb")), text = dir.filePath(QStringLiteral("t.txt"));
    write(text, "a\n");
    QCOMPARE(cli({QStringLiteral("compile"), fixture(), lmb}).exitCode, 0);
    QFile f(lmb);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.resize(f.size() - 100));
    f.close();
    auto s = cli({QStringLiteral("score"), QStringLiteral("--model"), lmb, QStringLiteral("--text"), text});
    QCOMPARE(s.exitCode, 1);
    QVERIFY2(s.err.startsWith("lmfront score: ") && s.err.contains("truncated") && s.err.count('\n') == 1,
             s.err.constData());
    auto usage = cli({QStringLiteral("score"), QStringLiteral("--text"), text});
    QCOMPARE(usage.exitCode, 2);
    // Out of the shared range (engine/samplingparams.h): refused naming the flag. 0 is greedy.
    auto badTemp = cli({QStringLiteral("generate"), QStringLiteral("--model"), fixture(),
                        QStringLiteral("--temperature"), QStringLiteral("2.5")});
    QCOMPARE(badTemp.exitCode, 2);
    QVERIFY2(badTemp.err.contains("--temperature") && badTemp.err.contains("[0, 2]"), badTemp.err.constData());
  }

  // The API's meanings on the command line: temperature 0 is greedy (the seed does not matter),
  // --logprobs gives each token's natural-log probability and alternatives, and `info --vocab`
  // lists the ids --logit-bias takes.
  void generateSharesTheApiParameters() {
    auto greedy = [&](const char *seed) {
      auto r =
          cli({QStringLiteral("generate"), QStringLiteral("--model"), fixture(), QStringLiteral("--temperature"),
               QStringLiteral("0"), QStringLiteral("--seed"), QString::fromLatin1(seed), QStringLiteral("--max-tokens"),
               QStringLiteral("8"), QStringLiteral("--logprobs"), QStringLiteral("2"), QStringLiteral("--json")});
      if (r.exitCode != 0) qWarning("%s", r.err.constData());
      return QJsonDocument::fromJson(r.out).object();
    };
    const QJsonObject a = greedy("1"), b = greedy("2");
    QCOMPARE(a.value(QStringLiteral("text")), b.value(QStringLiteral("text")));
    const QJsonArray tokens = a.value(QStringLiteral("tokens")).toArray();
    QCOMPARE(tokens.size(), a.value(QStringLiteral("completion_tokens")).toInt());
    for (const QJsonValue &t : tokens) {
      QVERIFY(t.toObject().value(QStringLiteral("logprob")).toDouble() <= 0);
      QVERIFY(t.toObject().value(QStringLiteral("top")).toArray().size() <= 2);
    }
    auto vocab = cli({QStringLiteral("info"), QStringLiteral("--model"), fixture(), QStringLiteral("--vocab")});
    QCOMPARE(vocab.exitCode, 0);
    QVERIFY2(vocab.out.startsWith("0\t<unk>\n"), vocab.out.left(40).constData());
    auto badBias = cli({QStringLiteral("generate"), QStringLiteral("--model"), fixture(),
                        QStringLiteral("--logit-bias"), QStringLiteral("999999=5")});
    QCOMPARE(badBias.exitCode, 2);
    QVERIFY(badBias.err.contains("no word has id 999999"));
  }

  void generateRepeatsWithSeed() {
    const QStringList args = {QStringLiteral("generate"), QStringLiteral("--model"), fixture(),
                              QStringLiteral("--seed"),   QStringLiteral("7"),       QStringLiteral("--max-tokens"),
                              QStringLiteral("20"),       QStringLiteral("--json")};
    auto a = cli(args), b = cli(args);
    QCOMPARE(a.exitCode, 0);
    const QJsonObject oa = QJsonDocument::fromJson(a.out).object(), ob = QJsonDocument::fromJson(b.out).object();
    QCOMPARE(oa.value(QStringLiteral("text")), ob.value(QStringLiteral("text")));
    QVERIFY(oa.contains(QStringLiteral("finish_reason")));
    QCOMPARE(oa.value(QStringLiteral("seed")).toInt(), 7);
  }

  void mixReportsWeightsAndPerplexities() {
    QTemporaryDir dir;
    const QString dev = dir.filePath(QStringLiteral("dev.txt")), out = dir.filePath(QStringLiteral("m.arpa"));
    write(dev, "a b c\nb a\na c\n");
    auto m = cli({QStringLiteral("mix"), QStringLiteral("--model"), fixture(), QStringLiteral("--model"), fixture(),
                  QStringLiteral("--tune"), dev, QStringLiteral("--tokenizer"), QStringLiteral("whitespace"),
                  QStringLiteral("--out"), out, QStringLiteral("--json")});
    QCOMPARE(m.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(m.out).object();
    QCOMPARE(o.value(QStringLiteral("weights")).toArray().size(), 2);
    const double tuned = o.value(QStringLiteral("tuned_perplexity")).toDouble();
    QVERIFY(tuned > 1);
    QVERIFY(std::abs(tuned - o.value(QStringLiteral("uniform_perplexity")).toDouble()) < 1e-6);  // same model twice
    QVERIFY(QFile::exists(out));
    auto info = cli({QStringLiteral("info"), QStringLiteral("--model"), out, QStringLiteral("--json")});
    QCOMPARE(info.exitCode, 0);
  }
};

QTEST_APPLESS_MAIN(TstScoreCli)
#include "tst_score_cli.moc"
