// The Models section against a real lmfrontd (tests/support daemon harness), driven offscreen as a
// user drives it. The node serves a model trained here from Debian's fortunes (imported as
// `fortunes` v2, deployed); before it starts, a second model `reviewed` is put in its catalog
// through CatalogDb's own door (versions submitted, validated, compiled; a card; a dependency).
// Checked: the tree shows exactly the node's catalog (the CLI's `versions --json`, field by
// field) and a version's card; a viewer's key enables no action and says why; approve, reject
// (which needs a comment) and publish clicked in the view change the version on the node (read
// back through the CLI) and are audited with the key's name and the comment; an action taken
// elsewhere (the CLI) shows in the tree without a refresh; a published version (fortunes v1, its
// compiled file the serving artifact) deployed from the view serves on the node, and a rollback
// (the button, then the confirmation) shows the previous version serving within a second and is
// what the node serves and audits; the item model passes QAbstractItemModelTester throughout.
#include "../support/daemonharness.h"
#include "../support/widgetchild.h"
#include "models/catalogmodel.h"
#include "models/nodesession.h"
#include "registry/catalogdb.h"
#include "widgets/commentdialog.h"
#include "widgets/deploydialog.h"
#include "widgets/deploymentpanel.h"
#include "widgets/modelspage.h"

#include <QAbstractItemModelTester>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using models::CatalogModel;
using Action = registry::LifecycleAction;
using Column = CatalogModel::Column;

namespace {
const std::string kCard = "# reviewed\n\nA model for the **Models** view's test.\n";

QString fileSha256(const QString &path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha256);
  hash.addData(&f);
  return QString::fromLatin1(hash.result().toHex());
}

QPushButton *button(const QWidget *page, Action action) {
  const std::string name = std::string(registry::lifecycleActionName(action)) + "Button";
  return testing::child<QPushButton>(page, name.c_str());
}
}  // namespace

class TestModelsPage : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  testing::Daemon m_node;
  QString m_opsKey, m_viewerKey;
  std::unique_ptr<models::NodeSession> m_session;
  std::unique_ptr<widgets::ModelsPage> m_page;
  std::unique_ptr<QAbstractItemModelTester> m_tester;

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
  QJsonDocument cli(QStringList args) {
    QByteArray out, err;
    args << u"--node"_qs << nodeUrl() << u"--key"_qs << m_opsKey << u"--json"_qs;
    const int code = testing::runCli(args, &out, &err, 30'000);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }
  QJsonObject nodeVersion(const QString &model, int version) {
    for (const QJsonValue &v : cli({u"versions"_qs, model}).array())
      if (v[u"version"].toInt() == version) return v.toObject();
    return {};
  }
  QJsonObject nodeDeployment(const QString &model) {
    const QJsonDocument doc = cli({u"deployments"_qs});
    const QJsonArray all = doc.isArray() ? doc.array() : doc.object()[u"deployments"].toArray();
    for (const QJsonValue &d : all)
      if (d[u"model"].toString() == model) return d.toObject();
    return {};
  }
  QJsonObject lastAudit(const QString &model) {
    return cli({u"audit"_qs, u"--model"_qs, model}).array().last().toObject();
  }
  // Clicks `action` on the selected version; fills and accepts the comment dialog when one opens.
  void click(widgets::ModelsPage &page, Action action, const QString &comment = {}) {
    QPushButton *actionButton = button(&page, action);
    QVERIFY(actionButton->isEnabled());
    QSignalSpy finished(&page, &widgets::ModelsPage::actionFinished);
    QTest::mouseClick(actionButton, Qt::LeftButton);
    if (widgets::CommentDialog *dialog = page.pendingDialog()) {
      QVERIFY(dialog->isVisible());
      QTest::keyClicks(testing::child<QPlainTextEdit>(dialog, "commentText"), comment);
      QTest::mouseClick(testing::child<QPushButton>(dialog, "commentOk"), Qt::LeftButton);
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished[0][1].toString(), QString());
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir().mkpath(data() + u"/models"_qs));
    const QString served = testing::buildFortunesModel(m_dir.path(), u"fortunes"_qs, 600);
    QVERIFY(!served.isEmpty());
    QVERIFY(QFile::copy(served, data() + u"/models/fortunes.lmb"_qs));
    {
      // What a submission and its checks would have left, through the catalog's own door.
      auto db = registry::CatalogDb::open(QString(data() + u"/catalog.db"_qs).toStdString(),
                                          {[] { return QDateTime::currentMSecsSinceEpoch(); }});
      QVERIFY2(db, db.status().toString().c_str());
      // fortunes v1: published, its compiled file the serving artifact (what compile and publish
      // leave); the data dir's file is imported at start as v2, deployed.
      const QString dir = m_dir.filePath(u"v1"_qs);
      QVERIFY(QDir().mkpath(dir));
      const QString compiled = testing::buildFortunesModel(dir, u"fortunes"_qs, 300);
      QVERIFY(!compiled.isEmpty());
      const std::string sha = fileSha256(compiled).toStdString();
      QVERIFY((*db)->createModel({"fortunes", "", "", ""}, "alice").isOk());
      registry::NewVersion published;
      published.sha256 = sha;
      published.bytes = QFileInfo(compiled).size();
      published.order = 3;
      published.submitter = "alice";
      QVERIFY((*db)->addVersion("fortunes", published, "alice").isOk());
      for (const Action a : {Action::Validate, Action::Approve, Action::Compile, Action::Publish})
        QVERIFY((*db)->transition("fortunes", 1, a, "alice", "").isOk());
      QVERIFY((*db)->putArtifact({sha, compiled.toStdString(), published.bytes, "lmb", 0}).isOk());
      QVERIFY((*db)->setServingArtifact("fortunes", 1, sha).isOk());
      QVERIFY((*db)->createModel({"reviewed", "a model under review", "team-lm", "CC-BY-4.0"}, "alice").isOk());
      for (int i = 1; i <= 4; ++i) {
        registry::NewVersion v;
        v.sha256 = std::string(63, '0') + std::to_string(i);
        v.bytes = 1'500'000 * i;
        v.order = 3;
        v.vocabularySize = 12'000 + i;
        if (i != 4) v.devPerplexity = 200.5 + i;
        v.submitter = "alice";
        v.card = kCard;
        auto added = (*db)->addVersion("reviewed", v, "alice");
        QVERIFY2(added, added.status().toString().c_str());
      }
      for (int i = 1; i <= 3; ++i) QVERIFY((*db)->transition("reviewed", i, Action::Validate, "local", "").isOk());
      QVERIFY((*db)->transition("reviewed", 3, Action::Approve, "bob", "fine").isOk());
      QVERIFY((*db)->transition("reviewed", 3, Action::Compile, "local", "").isOk());
    }
    m_opsKey = createKey(u"ops"_qs, u"operator"_qs);
    m_viewerKey = createKey(u"watcher"_qs, u"viewer"_qs);
    QVERIFY(!m_opsKey.isEmpty() && !m_viewerKey.isEmpty());
    QVERIFY(m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, data()}));
    QVERIFY(m_node.waitReady());

    m_session = std::make_unique<models::NodeSession>();
    m_session->setApiKey(m_opsKey);
    m_session->setBaseUrl(QUrl(nodeUrl()));
    m_session->start();
    m_page = std::make_unique<widgets::ModelsPage>();
    m_tester = std::make_unique<QAbstractItemModelTester>(m_page->catalog(),
                                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_page->resize(1200, 800);
    m_page->setSession(m_session.get());
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->catalog()->hasSnapshot(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->roleText(), u"Signed in as ops (operator)"_qs, 10000);
  }

  void cleanupTestCase() {
    m_tester.reset();
    m_page.reset();
    m_session.reset();
    m_node.stop();
  }

  void theTreeShowsTheNodesCatalog() {
    CatalogModel *catalog = m_page->catalog();
    QCOMPARE(catalog->modelNames(), (QStringList{u"fortunes"_qs, u"reviewed"_qs}));
    for (const QString &model : catalog->modelNames()) {
      const QJsonArray versions = cli({u"versions"_qs, model}).array();
      const QModelIndex parent = catalog->indexOf(model);
      QCOMPARE(catalog->rowCount(parent), versions.size());
      for (int row = 0; row < versions.size(); ++row) {
        const QJsonObject v = versions[row].toObject();
        auto cell = [&](Column c) { return catalog->index(row, int(c), parent).data().toString(); };
        QCOMPARE(cell(Column::Name), u"v%1"_qs.arg(v[u"version"].toInt()));
        QCOMPARE(catalog->index(row, 0, parent).data(CatalogModel::StateRole).toString(), v[u"state"].toString());
        QCOMPARE(cell(Column::State), v[u"state"].toString());
        QCOMPARE(catalog->index(row, int(Column::Size), parent).data(CatalogModel::RawRole).toLongLong(),
                 v[u"bytes"].toInteger());
        QCOMPARE(cell(Column::Order), QString::number(v[u"order"].toInt()));
        QCOMPARE(catalog->index(row, int(Column::Vocabulary), parent).data(CatalogModel::RawRole).toLongLong(),
                 v[u"vocabulary"].toInteger());
        QCOMPARE(cell(Column::Submitter), v[u"submitter"].toString());
      }
    }
    const QModelIndex reviewed = catalog->indexOf(u"reviewed"_qs);
    auto cell = [&](int row, Column c) { return catalog->index(row, int(c), reviewed).data().toString(); };
    QCOMPARE(cell(0, Column::State), u"validated"_qs);
    QCOMPARE(cell(2, Column::State), u"compiled"_qs);
    QCOMPARE(cell(3, Column::State), u"submitted"_qs);
    QCOMPARE(cell(0, Column::DevPerplexity), u"201.5"_qs);
    QCOMPARE(cell(3, Column::DevPerplexity), u"—"_qs);
    QCOMPARE(cell(1, Column::Size), u"3.0 MB"_qs);
    QCOMPARE(cell(0, Column::Vocabulary), QLocale().toString(12001));
    QCOMPARE(catalog->index(0, 0, catalog->indexOf(u"fortunes"_qs)).data(CatalogModel::StateRole).toString(),
             u"published"_qs);
    QCOMPARE(catalog->index(1, 0, catalog->indexOf(u"fortunes"_qs)).data(CatalogModel::StateRole).toString(),
             u"deployed"_qs);

    QVERIFY(m_page->selectVersion(u"reviewed"_qs, 1));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->cardText().contains(u"A model for the Models view's test."_qs), 10000);
    QVERIFY(m_page->selectVersion(u"reviewed"_qs));
    QVERIFY(!button(m_page.get(), Action::Approve)->isEnabled());  // a model's row: no version to act on
  }

  void aViewerMayLookButNotAct() {
    models::NodeSession viewer;
    viewer.setApiKey(m_viewerKey);
    viewer.setBaseUrl(QUrl(nodeUrl()));
    viewer.start();
    widgets::ModelsPage page;
    page.setSession(&viewer);
    QTRY_VERIFY_WITH_TIMEOUT(page.catalog()->hasSnapshot(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(page.roleText(), u"Signed in as watcher (viewer)"_qs, 10000);
    QVERIFY(page.selectVersion(u"reviewed"_qs, 1));
    for (const Action a : {Action::Approve, Action::Reject, Action::Publish, Action::Retire}) {
      QVERIFY(!button(&page, a)->isEnabled());
      QCOMPARE(button(&page, a)->toolTip(), u"Needs the operator role; this key has viewer."_qs);
    }
  }

  void actionsFollowTheLifecycleTable() {
    QVERIFY(m_page->selectVersion(u"reviewed"_qs, 1));  // validated
    QVERIFY(button(m_page.get(), Action::Approve)->isEnabled());
    QVERIFY(button(m_page.get(), Action::Reject)->isEnabled());
    QVERIFY(!button(m_page.get(), Action::Publish)->isEnabled());
    QCOMPARE(button(m_page.get(), Action::Publish)->toolTip(),
             u"cannot publish a version that is validated (publish is allowed from: compiled)"_qs);
    QVERIFY(!button(m_page.get(), Action::Retire)->isEnabled());
    QVERIFY(m_page->selectVersion(u"reviewed"_qs, 3));  // compiled
    QVERIFY(!button(m_page.get(), Action::Approve)->isEnabled());
    QVERIFY(button(m_page.get(), Action::Publish)->isEnabled());
    QVERIFY(button(m_page.get(), Action::Retire)->isEnabled());
  }

  void approveFromTheViewChangesTheNode() {
    QVERIFY(m_page->selectVersion(u"reviewed"_qs, 1));
    click(*m_page, Action::Approve, u"dev perplexity 201, down from 240"_qs);
    QCOMPARE(nodeVersion(u"reviewed"_qs, 1)[u"state"].toString(), u"approved"_qs);
    QCOMPARE(m_page->messageText(), u"reviewed v1 is approved now."_qs);
    QVERIFY(!m_page->messageIsError());
    const QJsonObject audit = lastAudit(u"reviewed"_qs);
    QCOMPARE(audit[u"action"].toString(), u"approve"_qs);
    QCOMPARE(audit[u"actor"].toString(), u"ops"_qs);
    QCOMPARE(audit[u"version"].toInt(), 1);
    QCOMPARE(audit[u"reason"].toString(), u"dev perplexity 201, down from 240"_qs);
    // The node's delta brings the new state to the tree, and the actions follow it.
    CatalogModel *catalog = m_page->catalog();
    QTRY_COMPARE_WITH_TIMEOUT(catalog->indexOf(u"reviewed"_qs, 1).data(CatalogModel::StateRole).toString(),
                              u"approved"_qs, 5000);
    QCOMPARE(m_page->selectedVersion(), 1);
    QVERIFY(!button(m_page.get(), Action::Approve)->isEnabled());
    QVERIFY(button(m_page.get(), Action::Retire)->isEnabled());
  }

  void rejectNeedsAComment() {
    QVERIFY(m_page->selectVersion(u"reviewed"_qs, 2));
    QTest::mouseClick(button(m_page.get(), Action::Reject), Qt::LeftButton);
    widgets::CommentDialog *dialog = m_page->pendingDialog();
    QVERIFY(dialog);
    QVERIFY(!testing::child<QPushButton>(dialog, "commentOk")->isEnabled());
    dialog->reject();
    QTRY_VERIFY(!m_page->pendingDialog());
    QCOMPARE(nodeVersion(u"reviewed"_qs, 2)[u"state"].toString(), u"validated"_qs);  // cancelled: nothing sent

    click(*m_page, Action::Reject, u"dev set leaks into training"_qs);
    QCOMPARE(nodeVersion(u"reviewed"_qs, 2)[u"state"].toString(), u"rejected"_qs);
    QCOMPARE(lastAudit(u"reviewed"_qs)[u"reason"].toString(), u"dev set leaks into training"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->catalog()->indexOf(u"reviewed"_qs, 2).data(CatalogModel::StateRole).toString(),
                              u"rejected"_qs, 5000);
  }

  void publishFromTheView() {
    QVERIFY(m_page->selectVersion(u"reviewed"_qs, 3));
    click(*m_page, Action::Publish);
    QCOMPARE(nodeVersion(u"reviewed"_qs, 3)[u"state"].toString(), u"published"_qs);
    const QJsonObject audit = lastAudit(u"reviewed"_qs);
    QCOMPARE(audit[u"action"].toString(), u"publish"_qs);
    QCOMPARE(audit[u"after"].toString(), u"published"_qs);
  }

  void aChangeMadeElsewhereShowsInTheTree() {
    QVERIFY(m_page->selectVersion(u"reviewed"_qs, 1));
    QCOMPARE(cli({u"retire"_qs, u"reviewed"_qs, u"1"_qs, u"--comment"_qs, u"superseded"_qs}).object()[u"state"],
             u"retired"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->catalog()->indexOf(u"reviewed"_qs, 1).data(CatalogModel::StateRole).toString(),
                              u"retired"_qs, 5000);
    QCOMPARE(m_page->selectedVersion(), 1);  // the selection stayed on its version
    for (const Action a : {Action::Approve, Action::Reject, Action::Publish, Action::Retire})
      QVERIFY(!button(m_page.get(), a)->isEnabled());  // retired is final
  }

  void deployThenRollBackFromTheView() {
    QTRY_VERIFY_WITH_TIMEOUT(m_page->deployments()->hasSnapshot(), 10000);
    QVERIFY(m_page->selectVersion(u"fortunes"_qs, 1));  // published
    widgets::DeploymentPanel *panel = m_page->deployment();
    auto *deploy = testing::child<QPushButton>(panel, "deployButton");
    QVERIFY(deploy->isEnabled());
    QSignalSpy finished(panel, &widgets::DeploymentPanel::commandFinished);
    QTest::mouseClick(deploy, Qt::LeftButton);
    auto *dialog = qobject_cast<widgets::DeployDialog *>(panel->pendingDialog());
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->request().strategy, widgets::DeployDialog::Strategy::Replace);
    QTest::mouseClick(testing::child<QPushButton>(dialog, "deployOk"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished[0][1].toString(), QString());
    QJsonObject d = nodeDeployment(u"fortunes"_qs);
    QCOMPARE(d[u"stable_version"].toInt(), 1);
    QCOMPARE(d[u"previous_version"].toInt(), 2);
    QCOMPARE(nodeVersion(u"fortunes"_qs, 1)[u"state"].toString(), u"deployed"_qs);
    QVERIFY2(panel->servingText().startsWith(u"Serving v1. v2 is kept loaded for a rollback."_qs),
             qPrintable(panel->servingText()));

    // Roll back: the button, then the confirmation; nothing is sent before it.
    auto *rollback = testing::child<QPushButton>(panel, "rollbackButton");
    QVERIFY(rollback->isEnabled());
    QTest::mouseClick(rollback, Qt::LeftButton);
    auto *confirm = qobject_cast<QMessageBox *>(panel->pendingDialog());
    QVERIFY(confirm && confirm->isVisible());
    QCOMPARE(nodeDeployment(u"fortunes"_qs)[u"stable_version"].toInt(), 1);
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(testing::child<QPushButton>(confirm, "rollbackConfirmButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->servingText().startsWith(u"Serving v2."_qs), 5000);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(u"rollback visible after %1 ms"_qs.arg(clock.elapsed())));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
    QCOMPARE(finished[1][1].toString(), QString());
    QCOMPARE(nodeDeployment(u"fortunes"_qs)[u"stable_version"].toInt(), 2);
    // Audited as the node does it: v1 rolled back, then v2 deployed again.
    const QJsonArray audit = cli({u"audit"_qs, u"--model"_qs, u"fortunes"_qs}).array();
    QVERIFY(audit.size() >= 2);
    const QJsonObject rolledBack = audit[audit.size() - 2].toObject();
    QCOMPARE(rolledBack[u"action"].toString(), u"rollback"_qs);
    QCOMPARE(rolledBack[u"version"].toInt(), 1);
    QCOMPARE(rolledBack[u"actor"].toString(), u"ops"_qs);
    const QJsonObject redeployed = audit.last().toObject();
    QCOMPARE(redeployed[u"action"].toString(), u"deploy"_qs);
    QCOMPARE(redeployed[u"version"].toInt(), 2);
    QCOMPARE(redeployed[u"actor"].toString(), u"ops"_qs);
  }
};

QTEST_MAIN(TestModelsPage)
#include "tst_modelspage.moc"
