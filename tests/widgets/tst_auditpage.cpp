// The Audit section against a real lmfrontd (tests/support daemon harness), offscreen. Two models
// are put in the node's catalog through CatalogDb before it starts; the test then acts on them
// through the real CLI with two keys (so actors differ), a refusal included. Checked: the table
// holds exactly the node's audit log (the CLI's `audit --json`, row by row); the model, actor,
// action, text and time filters select the rows the same rows filtered by hand would give; the
// CSV export of a model's rows is byte for byte what the node itself exports for that model
// (`audit --model M --format csv`) and, parsed, matches the table row by row; a new action shows
// in the table without a refresh; the item models pass QAbstractItemModelTester.
#include "../support/daemonharness.h"
#include "../support/widgetchild.h"
#include "models/auditmodel.h"
#include "models/nodesession.h"
#include "registry/catalogdb.h"
#include "widgets/auditpage.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <memory>

using namespace lmfront;
using models::AuditModel;
using testing::child;

class TestAuditPage : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  testing::Daemon m_node;
  QString m_opsKey, m_adminKey;
  std::unique_ptr<models::NodeSession> m_session;
  std::unique_ptr<widgets::AuditPage> m_page;
  std::unique_ptr<QAbstractItemModelTester> m_tester, m_filterTester;

  QString data() const { return m_dir.filePath(u"data"_qs); }
  QString nodeUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_node.port()); }
  QString createKey(const QString &name, const QString &role) {
    QByteArray out;
    if (testing::runCli(
            {u"keys"_qs, u"create"_qs, u"--name"_qs, name, u"--role"_qs, role, u"--data-dir"_qs, data(), u"--json"_qs},
            &out) != 0)
      return {};
    return QJsonDocument::fromJson(out).object()[u"key"].toString();
  }
  int cli(QStringList args, const QString &key, QByteArray *out = nullptr) {
    args << u"--node"_qs << nodeUrl() << u"--key"_qs << key;
    return testing::runCli(args, out, nullptr, 30'000);
  }
  QJsonArray nodeAudit(const QStringList &filter = {}) {
    QByteArray out;
    if (cli(QStringList{u"audit"_qs} << filter << u"--json"_qs, m_adminKey, &out) != 0) return {};
    return QJsonDocument::fromJson(out).array();
  }
  // The rows the page shows, in the node's order (oldest first).
  QList<QJsonObject> shown() const { return m_page->rows()->entries(); }
  void expectShown(const std::function<bool(const QJsonObject &)> &keep) {
    QList<QJsonObject> expected;
    for (const QJsonValue &v : nodeAudit())
      if (keep(v.toObject())) expected << v.toObject();
    QCOMPARE(shown(), expected);
    QCOMPARE(m_page->rows()->rowCount(), expected.size());
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(data()));
    {
      auto db = registry::CatalogDb::open(QString(data() + u"/catalog.db"_qs).toStdString(),
                                          {[] { return QDateTime::currentMSecsSinceEpoch(); }});
      QVERIFY2(db, db.status().toString().c_str());
      for (const char *name : {"alpha", "beta"}) {
        QVERIFY((*db)->createModel({name, "", "team", ""}, "alice").isOk());
        for (int i = 1; i <= 2; ++i) {
          registry::NewVersion v;
          v.sha256 = std::string(name) + std::string(59, 'a') + std::to_string(i);
          v.bytes = 1000;
          v.order = 3;
          v.submitter = "alice";
          QVERIFY((*db)->addVersion(name, v, "alice").isOk());
        }
        QVERIFY((*db)->transition(name, 1, registry::LifecycleAction::Validate, "local", "").isOk());
      }
    }
    m_opsKey = createKey(u"ops"_qs, u"operator"_qs);
    m_adminKey = createKey(u"boss"_qs, u"admin"_qs);
    QVERIFY(!m_opsKey.isEmpty() && !m_adminKey.isEmpty());
    QVERIFY(m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, data()}));
    QVERIFY(m_node.waitReady());
    // Actions by two keys, with a comma and a quote in a reason (CSV quoting), and one refused.
    QCOMPARE(cli({u"approve"_qs, u"alpha"_qs, u"1"_qs, u"--comment"_qs, u"looks good, \"ship it\""_qs}, m_opsKey), 0);
    QCOMPARE(cli({u"reject"_qs, u"beta"_qs, u"1"_qs, u"--comment"_qs, u"corrupt ARPA counts"_qs}, m_adminKey), 0);
    QCOMPARE(cli({u"approve"_qs, u"alpha"_qs, u"2"_qs}, m_opsKey), 1);  // submitted: refused, and audited

    m_session = std::make_unique<models::NodeSession>();
    m_session->setApiKey(m_adminKey);
    m_session->setBaseUrl(QUrl(nodeUrl()));
    m_session->start();
    m_page = std::make_unique<widgets::AuditPage>();
    m_tester = std::make_unique<QAbstractItemModelTester>(m_page->model(),
                                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_filterTester = std::make_unique<QAbstractItemModelTester>(m_page->rows(),
                                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_page->resize(1200, 800);
    m_page->setSession(m_session.get());
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->model()->hasSnapshot(), 10000);
  }

  void cleanupTestCase() {
    m_filterTester.reset();
    m_tester.reset();
    m_page.reset();
    m_session.reset();
    m_node.stop();
  }

  void theTableHoldsTheNodesAuditLog() {
    const QJsonArray node = nodeAudit();
    QCOMPARE(m_page->model()->rowCount(), node.size());
    for (int r = 0; r < node.size(); ++r) QCOMPARE(m_page->model()->entry(r), node[r].toObject());
    QStringList actions;
    for (const QJsonValue &v : node) actions << v[u"action"].toString();
    QVERIFY2(actions.contains(u"create_model"_qs) && actions.contains(u"submit"_qs) &&
                 actions.contains(u"approve"_qs) && actions.contains(u"reject"_qs),
             qPrintable(actions.join(u',')));
    const QJsonObject refused = node.last().toObject();
    QCOMPARE(refused[u"outcome"].toString(), u"refused"_qs);
    QCOMPARE(m_page->model()->index(node.size() - 1, int(AuditModel::Column::Outcome)).data().toString(),
             u"refused"_qs);
    QCOMPARE(child<QLabel>(m_page.get(), "auditCount")->text(), u"%1 actions"_qs.arg(node.size()));
  }

  void filtersSelectTheRightRows() {
    auto *model = child<QComboBox>(m_page.get(), "auditModel");
    auto *actor = child<QComboBox>(m_page.get(), "auditActor");
    auto *action = child<QComboBox>(m_page.get(), "auditAction");
    auto *text = child<QLineEdit>(m_page.get(), "auditText");
    QVERIFY(model->findText(u"alpha"_qs) > 0 && model->findText(u"beta"_qs) > 0);  // the models seen
    QVERIFY(actor->findText(u"ops"_qs) > 0 && actor->findText(u"boss"_qs) > 0);

    model->setCurrentText(u"alpha"_qs);
    expectShown([](const QJsonObject &e) { return e[u"model"].toString() == u"alpha"_qs; });
    QCOMPARE(shown().size(), nodeAudit({u"--model"_qs, u"alpha"_qs}).size());

    actor->setCurrentText(u"OPS"_qs);  // case-insensitive, whole name
    expectShown([](const QJsonObject &e) {
      return e[u"model"].toString() == u"alpha"_qs && e[u"actor"].toString() == u"ops"_qs;
    });
    QCOMPARE(shown().size(), 2);  // the approve and the refused approve

    model->setCurrentText(QString());
    actor->setCurrentText(QString());
    action->setCurrentIndex(action->findData(u"reject"_qs));
    expectShown([](const QJsonObject &e) { return e[u"action"].toString() == u"reject"_qs; });
    QCOMPARE(shown().size(), 1);
    QCOMPARE(shown()[0][u"actor"].toString(), u"boss"_qs);

    action->setCurrentIndex(0);
    QTest::keyClicks(text, u"arpa"_qs);  // in the reason, case-insensitive
    expectShown([](const QJsonObject &e) { return e[u"reason"].toString().contains(u"ARPA"_qs); });
    QCOMPARE(shown().size(), 1);
    text->setText(u"approve is allowed from"_qs);  // the refusal's reason
    QCOMPARE(shown().size(), 1);
    QCOMPARE(shown()[0][u"outcome"].toString(), u"refused"_qs);
    text->clear();

    const QDateTime now = QDateTime::currentDateTime();
    m_page->setCustomRange(now.addSecs(3600), now.addSecs(7200));  // nothing happened in the next hour
    QTRY_VERIFY_WITH_TIMEOUT(m_page->model()->hasSnapshot(), 10000);
    QCOMPARE(m_page->rows()->rowCount(), 0);
    m_page->setCustomRange(now.addSecs(-3600), now.addSecs(3600));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->model()->hasSnapshot(), 10000);
    expectShown([](const QJsonObject &) { return true; });
    m_page->setRange(widgets::AuditPage::Range::LastWeek);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->model()->hasSnapshot(), 10000);
  }

  void csvIsTheNodesOwnExport() {
    child<QComboBox>(m_page.get(), "auditModel")->setCurrentText(u"alpha"_qs);
    const QString path = m_dir.filePath(u"audit.csv"_qs);
    QSignalSpy exported(m_page.get(), &widgets::AuditPage::exported);
    m_page->exportCsvTo(path);
    QCOMPARE(exported.count(), 1);
    QCOMPARE(exported[0][2].toString(), QString());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QByteArray fromNode;
    QCOMPARE(cli({u"audit"_qs, u"--model"_qs, u"alpha"_qs, u"--format"_qs, u"csv"_qs}, m_adminKey, &fromNode), 0);
    QCOMPARE(written, fromNode);

    // Row by row against the table: the header, then one CRLF line per row shown.
    const QList<QJsonObject> rows = shown();
    QCOMPARE(exported[0][1].toInt(), rows.size());
    QList<QByteArray> lines = written.split('\n');
    QCOMPARE(lines.takeLast(), QByteArray());
    QCOMPARE(lines.size(), rows.size() + 1);
    QCOMPARE(lines[0], QByteArray("time,actor,action,model,version,before,after,reason,outcome\r"));
    for (int r = 0; r < rows.size(); ++r) {
      const QJsonObject &e = rows[r];
      QByteArray reason = e[u"reason"].toString().toUtf8();
      if (reason.contains(',') || reason.contains('"')) reason = '"' + reason.replace("\"", "\"\"") + '"';
      const QByteArray expected = e[u"time"].toString().toUtf8() + ',' + e[u"actor"].toString().toUtf8() + ',' +
                                  e[u"action"].toString().toUtf8() + ',' + e[u"model"].toString().toUtf8() + ',' +
                                  (e[u"version"].isDouble() ? QByteArray::number(e[u"version"].toInteger()) : "") +
                                  ',' + e[u"before"].toString().toUtf8() + ',' + e[u"after"].toString().toUtf8() + ',' +
                                  reason + ',' + e[u"outcome"].toString().toUtf8() + '\r';
      QCOMPARE(lines[r + 1], expected);
    }
    QVERIFY(written.contains("\"looks good, \"\"ship it\"\"\""));
    QVERIFY2(m_page->statusText().startsWith(u"Exported %1 actions to "_qs.arg(rows.size())),
             qPrintable(m_page->statusText()));
  }

  void aNewActionShowsWithoutARefresh() {
    const int before = m_page->model()->rowCount();
    QCOMPARE(cli({u"reject"_qs, u"alpha"_qs, u"2"_qs, u"--comment"_qs, u"never validated"_qs}, m_opsKey), 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->model()->rowCount(), before + 1, 5000);
    const QJsonObject last = m_page->model()->entry(before);
    QCOMPARE(last[u"action"].toString(), u"reject"_qs);
    QCOMPARE(last[u"actor"].toString(), u"ops"_qs);
    QCOMPARE(last[u"reason"].toString(), u"never validated"_qs);
    QVERIFY(shown().contains(last));  // the alpha filter still applies to new rows
  }
};

QTEST_MAIN(TestAuditPage)
#include "tst_auditpage.moc"
