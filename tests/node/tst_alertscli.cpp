// `lmfront alerts` (the real binary) against a real lmfrontd: real completions make a rule fire,
// then every verb of the CLI contract (docs/alerting.md, "From the command line") — the active
// list's exact JSON keys, rules, rules apply (a bad file refused naming its line), ack, silence,
// history as JSON and CSV, the summary's exact keys — and the exit codes (0, 1, 2).
#include "../support/daemonharness.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront::testing;

namespace {

constexpr char kRules[] =
    "rules:\n"
    "  - name: busy\n"
    "    metric: lmfront_requests_total\n"
    "    aggregate: rate\n"
    "    by: [model]\n"
    "    window: 5s\n"
    "    op: \">\"\n"
    "    threshold: 0.1\n"
    "    severity: warning\n"
    "    summary: \"{{ $labels.model }} is busy\"\n";

QStringList keys(const QJsonObject &o) {
  QStringList k = o.keys();
  k.sort();
  return k;
}

}  // namespace

class TstAlertsCli : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  Daemon m_node;

  QString node() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_node.port()); }
  int cli(QStringList args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
    args.prepend(u"alerts"_qs);
    args << u"--node"_qs << node();
    return runCli(args, out, err, 30'000);
  }
  QJsonDocument json(QStringList args) {
    QByteArray out, err;
    const int code = cli(args << u"--json"_qs, &out, &err);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }

private Q_SLOTS:
  void initTestCase() {
    const QString model = buildFortunesModel(m_dir.path(), u"fortunes"_qs, 800);
    QVERIFY(!model.isEmpty());
    QVERIFY(QDir().mkpath(m_dir.filePath(u"data/alerts"_qs)));
    QFile rules(m_dir.filePath(u"data/alerts/rules.yaml"_qs));
    QVERIFY(rules.open(QIODevice::WriteOnly));
    rules.write(kRules);
    rules.close();
    QVERIFY(m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.filePath(u"data"_qs),
                          u"--model"_qs, u"fortunes="_qs + model}));
    QVERIFY(m_node.waitReady());
  }
  void cleanupTestCase() { m_node.stop(); }

  void theContractsVerbsAgainstARealNode() {
    QCOMPARE(json({}).array().size(), 0);  // nothing fires without traffic

    // Real traffic until the rule fires (evaluated every second on the node's clock): bounded in
    // time, not rounds, since how many rounds a second holds depends on the machine.
    QJsonArray active;
    QElapsedTimer waited;
    waited.start();
    while (active.isEmpty() && waited.elapsed() < 30'000) {
      for (int i = 0; i < 5; ++i)
        QCOMPARE(
            httpRequest(m_node.port(), "POST", "/v1/completions",
                        R"({"model":"fortunes","prompt":"the","max_tokens":2})", {{"Content-Type", "application/json"}})
                .status,
            200);
      active = json({}).array();
      if (active.isEmpty()) QTest::qWait(100);
    }
    QCOMPARE(active.size(), 1);
    const QJsonObject alert = active[0].toObject();
    QCOMPARE(keys(alert),
             (QStringList{u"id"_qs, u"labels"_qs, u"rule"_qs, u"severity"_qs, u"since"_qs, u"state"_qs, u"value"_qs}));
    QCOMPARE(alert.value(u"rule").toString(), u"busy"_qs);
    QCOMPARE(alert.value(u"state").toString(), u"firing"_qs);
    QCOMPARE(alert.value(u"labels").toObject().value(u"model").toString(), u"fortunes"_qs);
    QVERIFY(alert.value(u"value").toDouble() > 0.1);
    const QString id = alert.value(u"id").toString();

    const QJsonObject acked = json({u"ack"_qs, id, u"--comment"_qs, u"looking"_qs}).object();
    QCOMPARE(acked.value(u"ack").toObject().value(u"comment").toString(), u"looking"_qs);
    QByteArray err;
    QCOMPARE(cli({u"ack"_qs, id}, nullptr, &err), 1);  // twice
    // (or, if the traffic's window already ran out, the alert has ended)
    QVERIFY2(err.contains("was acknowledged by") || err.contains("no active alert"), err.constData());

    const QJsonObject silence =
        json({u"silence"_qs, u"--match"_qs, u"model=fort.*"_qs, u"--for"_qs, u"1h"_qs, u"--comment"_qs, u"quiet"_qs})
            .object();
    QCOMPARE(silence.value(u"matchers").toObject().value(u"model").toString(), u"fort.*"_qs);
    QCOMPARE(silence.value(u"comment").toString(), u"quiet"_qs);

    const QJsonArray rules = json({u"rules"_qs}).array();
    QCOMPARE(rules.size(), 1);
    QCOMPARE(rules[0].toObject().value(u"name").toString(), u"busy"_qs);

    const QJsonArray history = json({u"history"_qs, u"--rule"_qs, u"busy"_qs}).array();
    QStringList kinds;
    for (const auto &e : history)
      kinds << e.toObject().value(u"kind").toString() + u' ' + e.toObject().value(u"state").toString();
    // The traffic stopped: by now the alert may have resolved too.
    if (kinds.size() == 3) QCOMPARE(kinds.takeLast(), u"state resolved"_qs);
    QCOMPARE(kinds, (QStringList{u"state firing"_qs, u"ack acknowledged"_qs}));
    QByteArray csv;
    QCOMPARE(cli({u"history"_qs, u"--format"_qs, u"csv"_qs, u"--text"_qs, u"looking"_qs}, &csv), 0);
    const QList<QByteArray> lines = csv.split('\n');
    QCOMPARE(lines.size(), 3);  // header, the ack, and the empty rest after the last CRLF
    QVERIFY(lines[0].startsWith("time,kind,alert_id,rule,severity,state,from,model,node,labels,value,summary"));
    const QByteArray ackCells =
        QByteArray(",ack,") + id.toUtf8() + QByteArray(",busy,warning,acknowledged,firing,fortunes,");
    QVERIFY2(lines[1].contains(ackCells), lines[1].constData());
    QVERIFY(lines[1].trimmed().endsWith(",local,looking"));

    const QJsonObject summary = json({u"summary"_qs, u"--since"_qs, u"1d"_qs}).object();
    QCOMPARE(keys(summary), (QStringList{u"mtta_s"_qs, u"mttr_s"_qs, u"noisiest"_qs, u"per_day"_qs}));
    QCOMPARE(summary.value(u"noisiest").toArray()[0].toObject().value(u"rule").toString(), u"busy"_qs);
    QVERIFY(summary.value(u"mtta_s").toDouble() >= 0);

    // rules apply: a bad file is refused with its line, a good one replaces the rules.
    const QString bad = m_dir.filePath(u"bad.yaml"_qs);
    QFile badFile(bad);
    QVERIFY(badFile.open(QIODevice::WriteOnly));
    badFile.write("rules:\n  - name: x\n    metric: nope_total\n");
    badFile.close();
    QCOMPARE(cli({u"rules"_qs, u"apply"_qs, bad}, nullptr, &err), 1);
    QVERIFY2(err.contains("apply_rules:3: rule \"x\": \"metric\": unknown metric"), err.constData());
    const QString good = m_dir.filePath(u"good.yaml"_qs);
    QFile goodFile(good);
    QVERIFY(goodFile.open(QIODevice::WriteOnly));
    goodFile.write(QByteArray(kRules).replace("busy", "busier"));
    goodFile.close();
    QCOMPARE(json({u"rules"_qs, u"apply"_qs, good}).object().value(u"rules").toInt(), 1);
    QCOMPARE(json({u"rules"_qs}).array()[0].toObject().value(u"name").toString(), u"busier"_qs);
  }

  void usageAndUnreachableNodes() {
    QCOMPARE(runCli({u"alerts"_qs}), 2);  // no --node
    QCOMPARE(cli({u"frobnicate"_qs}), 2);
    QCOMPARE(cli({u"silence"_qs, u"--for"_qs, u"1h"_qs}), 2);  // no --match
    QCOMPARE(cli({u"history"_qs, u"--format"_qs, u"xml"_qs}), 2);
    QByteArray err;
    QCOMPARE(runCli({u"alerts"_qs, u"--node"_qs, QStringLiteral("http://127.0.0.1:%1").arg(freePort())}, nullptr, &err,
                    60'000),
             1);
  }
};

QTEST_GUILESS_MAIN(TstAlertsCli)
#include "tst_alertscli.moc"
