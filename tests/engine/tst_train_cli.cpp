// `lmfront train` as users and scripts see it: flags, exit codes (2 usage, 1 failure), one-line
// errors, the JSON summary. Runs the real binary from LMFRONT_BIN_DIR, so it is registered only
// where that binary is built (not in the core-only sanitizer build).
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include "cli_testutil.h"

namespace {
using Run = lmfront::testing::CliRun;
QString binary() { return lmfront::testing::lmfrontBinary(); }
Run cli(const QStringList &args) { return lmfront::testing::runLmfront(args); }
void write(const QString &path, const QByteArray &data) { lmfront::testing::writeFile(path, data); }
}  // namespace

class TstTrainCli : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    if (!QFile::exists(binary())) QFAIL("the lmfront binary is missing: build the lmfront target");
  }
  void usageErrorsExitTwo() {
    QTemporaryDir dir;
    const QString text = dir.filePath(QStringLiteral("t.txt")), arpa = dir.filePath(QStringLiteral("m.arpa"));
    write(text, "a b c\n");
    auto missing = cli({QStringLiteral("train"), QStringLiteral("--order"), QStringLiteral("3")});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.startsWith("lmfront train: missing required flag --text"));
    auto order7 = cli({QStringLiteral("train"), QStringLiteral("--order"), QStringLiteral("7"),
                       QStringLiteral("--text"), text, QStringLiteral("--arpa"), arpa});
    QCOMPARE(order7.exitCode, 2);
    QCOMPARE(order7.err, QByteArray("lmfront train: --order must be between 1 and 6, got 7\n"));
    auto tokenizer =
        cli({QStringLiteral("train"), QStringLiteral("--order"), QStringLiteral("2"), QStringLiteral("--text"), text,
             QStringLiteral("--arpa"), arpa, QStringLiteral("--tokenizer"), QStringLiteral("chars")});
    QCOMPARE(tokenizer.exitCode, 2);
    QVERIFY(!QFile::exists(arpa));
  }
  void failuresExitOneWithOneLine() {
    QTemporaryDir dir;
    const QString text = dir.filePath(QStringLiteral("t.txt")), arpa = dir.filePath(QStringLiteral("m.arpa"));
    write(text, "fine line\nbad \xC3\x28 line\n");
    auto bad = cli({QStringLiteral("train"), QStringLiteral("--order"), QStringLiteral("2"), QStringLiteral("--text"),
                    text, QStringLiteral("--arpa"), arpa});
    QCOMPARE(bad.exitCode, 1);
    QCOMPARE(bad.err, "lmfront train: " + text.toUtf8() + ":2: invalid UTF-8 at byte 5\n");
    write(text, "");
    auto empty = cli({QStringLiteral("train"), QStringLiteral("--order"), QStringLiteral("2"), QStringLiteral("--text"),
                      text, QStringLiteral("--arpa"), arpa});
    QCOMPARE(empty.exitCode, 1);
    QVERIFY(empty.err.contains("no words"));
    QVERIFY(!QFile::exists(arpa));
  }
  void jsonSummaryOnStdout() {
    QTemporaryDir dir;
    const QString text = dir.filePath(QStringLiteral("t.txt")), arpa = dir.filePath(QStringLiteral("m.arpa"));
    write(text, "a a b a\nb a a b\n");
    auto ok = cli({QStringLiteral("train"), QStringLiteral("--order"), QStringLiteral("3"), QStringLiteral("--text"),
                   text, QStringLiteral("--arpa"), arpa, QStringLiteral("--tokenizer"), QStringLiteral("whitespace"),
                   QStringLiteral("--discount-fallback"), QStringLiteral("--json")});
    QCOMPARE(ok.exitCode, 0);
    QVERIFY2(ok.out.contains("\"ngrams\":[5,7,7]"), ok.out.constData());
    QVERIFY(ok.out.contains("\"vocab_size\":5"));
    QVERIFY(ok.err.isEmpty());
    QVERIFY(QFile::exists(arpa));
  }
};

QTEST_APPLESS_MAIN(TstTrainCli)
#include "tst_train_cli.moc"
