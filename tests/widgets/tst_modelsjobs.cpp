// The Models section's jobs against a real lmfrontd (tests/support daemon harness), driven
// offscreen as a user drives it. Before the node starts, a small bundle (the tiny model with a
// dev set and a card) is put in its artifact store and catalog as `tiny` v1, submitted and not
// validated yet, through the store's and the catalog's own doors. Checked: Validate clicked in
// the view starts the node's job, and once it ends the version's stored report shows (verdict,
// checks, dev perplexity against its threshold: the node's own `validation_report`, read back
// over HTTP); Compile follows its job's progress (the deltas of topic `jobs`, each one a step of
// the bar) to succeeded and the version compiled; a training job (a corpus bundle submitted
// through the CLI) shows running with its log on request and is cancelled from the view, which the
// node confirms; a viewer sees the jobs but may not cancel; a bundle directory submitted from the
// view is packed and uploaded in chunks with its progress reaching 100 %, the new version is
// selected once the catalog lists it and its validation report shows; a bundle the node refuses
// says why; two published versions mixed from the view (fixed weights) become a new model whose
// version depends on both; an upload whose node was killed half-way fails, and Resume (once the
// node is back) continues from the offset the node kept, not from the start; the item model
// passes QAbstractItemModelTester throughout.
#include "../registry/bundlefixture.h"
#include "../support/daemonharness.h"
#include "../support/widgetchild.h"
#include "models/catalogmodel.h"
#include "models/joblistmodel.h"
#include "models/nodesession.h"
#include "registry/artifactstore.h"
#include "registry/catalogdb.h"
#include "widgets/commentdialog.h"
#include "widgets/jobspanel.h"
#include "widgets/mixdialog.h"
#include "widgets/modelspage.h"
#include "widgets/submitdialog.h"
#include "widgets/uploadpanel.h"
#include "widgets/validationreportview.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <optional>

using namespace lmfront;
using models::CatalogModel;
using models::JobListModel;
using Action = registry::LifecycleAction;

namespace {

const QByteArray kManifest = R"({"name":"tiny","description":"five sentences","owner":"alice",
  "license":"CC0-1.0","tokenizer":"default","lowercase":true,"order":3})";
const QByteArray kTrainedManifest = R"({"name":"big","description":"trained by the node","owner":"alice",
  "license":"CC0-1.0","order":3,"train":{"corpus":"corpus.txt","discount_fallback":true}})";

QPushButton *button(const QWidget *page, Action action) {
  const std::string name = std::string(registry::lifecycleActionName(action)) + "Button";
  return testing::child<QPushButton>(page, name.c_str());
}

}  // namespace

class TestModelsJobs : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  testing::Daemon m_node;
  testing::GoodBundle m_good;
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
    const int code = testing::runCli(args, &out, &err, 60'000);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }
  QJsonObject nodeJob(qint64 id) {
    const auto reply = testing::httpRequest(m_node.port(), "GET", "/admin/jobs/" + QByteArray::number(id), {},
                                            {{"Authorization", "Bearer " + m_opsKey.toUtf8()}});
    return QJsonDocument::fromJson(reply.body).object();
  }
  // A command's result through the session's ops client, apart from the view.
  QJsonObject ops(const QString &name, const QJsonObject &args) {
    std::optional<client::OpsReply> answer;
    m_session->opsClient()->command(name, args, this, [&answer](const client::OpsReply &r) { answer = r; });
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 10000) || !answer->ok()) return {};
    return answer->result.toObject();
  }
  QString versionState(const QString &model, qint64 version) {
    return m_page->catalog()->indexOf(model, version).data(CatalogModel::StateRole).toString();
  }
  // Submits `path` through the Submit dialog; the upload's progress values until it ended.
  QList<qint64> submit(const QString &path, bool *ok) {
    *ok = false;
    QList<qint64> sent;
    auto *submitButton = testing::child<QPushButton>(m_page.get(), "submitButton");
    if (!submitButton->isEnabled()) return sent;
    QSignalSpy progress(m_page->upload(), &models::BundleUpload::progress);
    QSignalSpy finished(m_page->upload(), &models::BundleUpload::finished);
    QSignalSpy failed(m_page->upload(), &models::BundleUpload::failed);
    QTest::mouseClick(submitButton, Qt::LeftButton);
    widgets::SubmitDialog *dialog = m_page->pendingSubmit();
    if (!dialog || !dialog->isVisible()) return sent;
    auto *field = testing::child<QLineEdit>(dialog, "submitPath");
    field->clear();
    QTest::keyClicks(field, path);
    QTest::mouseClick(testing::child<QPushButton>(dialog, "submitOk"), Qt::LeftButton);
    *ok = QTest::qWaitFor([&] { return finished.count() + failed.count() > 0; }, 60000);
    for (const QList<QVariant> &p : progress) sent << p[0].toLongLong();
    return sent;
  }
  // Clicks a lifecycle action of the selected version; fills and accepts its comment dialog.
  void click(Action action, const QString &comment = {}) {
    QPushButton *actionButton = button(m_page.get(), action);
    QVERIFY2(actionButton->isEnabled(), qPrintable(actionButton->toolTip()));
    QSignalSpy finished(m_page.get(), &widgets::ModelsPage::actionFinished);
    QTest::mouseClick(actionButton, Qt::LeftButton);
    if (widgets::CommentDialog *dialog = m_page->pendingDialog()) {
      QTest::keyClicks(testing::child<QPlainTextEdit>(dialog, "commentText"), comment);
      QTest::mouseClick(testing::child<QPushButton>(dialog, "commentOk"), Qt::LeftButton);
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished[0][1].toString(), QString());
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(m_good.make(m_dir.path()));
    m_good.manifest = kManifest;
    QVERIFY(QDir().mkpath(data()));
    {
      // What an upload leaves before its validation ran: the bundle stored, the version recorded.
      const QString bundle = m_dir.filePath(u"tiny.tar.gz"_qs);
      QVERIFY(testing::writeTarGz(bundle, m_good.entries()));
      auto store = registry::ArtifactStore::open(QString(data() + u"/artifacts"_qs).toStdString());
      QVERIFY2(store, store.status().toString().c_str());
      auto stored = (*store)->put(bundle.toStdString());
      QVERIFY2(stored, stored.status().toString().c_str());
      auto db = registry::CatalogDb::open(QString(data() + u"/catalog.db"_qs).toStdString(),
                                          {[] { return QDateTime::currentMSecsSinceEpoch(); }});
      QVERIFY2(db, db.status().toString().c_str());
      QVERIFY((*db)->createModel({"tiny", "five sentences", "alice", "CC0-1.0"}, "alice").isOk());
      registry::NewVersion v;
      v.sha256 = stored->sha256;
      v.bytes = static_cast<std::int64_t>(stored->bytes);
      v.order = 3;
      v.submitter = "alice";
      v.card = m_good.card.toStdString();
      QVERIFY((*db)->addVersion("tiny", v, "alice").isOk());
      QVERIFY((*db)->putArtifact({stored->sha256, (*store)->path(stored->sha256), v.bytes, "bundle", 0}).isOk());
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
    m_tester = std::make_unique<QAbstractItemModelTester>(m_page->jobs(),
                                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_page->resize(1280, 860);
    m_page->setSession(m_session.get());
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->catalog()->hasSnapshot(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->jobs()->hasSnapshot(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->roleText(), u"Signed in as ops (operator)"_qs, 10000);
  }

  void cleanupTestCase() {
    m_tester.reset();
    m_page.reset();
    m_session.reset();
    m_node.stop();
  }

  void validateShowsTheStoredReport() {
    QVERIFY(m_page->selectVersion(u"tiny"_qs, 1));
    QCOMPARE(versionState(u"tiny"_qs, 1), u"submitted"_qs);
    widgets::ValidationReportView *report = m_page->report();
    QTRY_COMPARE_WITH_TIMEOUT(report->plainText(), u"No validation report yet: this version has not been validated."_qs,
                              10000);
    QVERIFY(!button(m_page.get(), Action::Approve)->isEnabled());
    QVERIFY(!button(m_page.get(), Action::Compile)->isEnabled());

    QSignalSpy ended(m_page.get(), &widgets::ModelsPage::jobFinished);
    QSignalSpy shown(m_page.get(), &widgets::ModelsPage::reportShown);
    click(Action::Validate);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 30000);
    const QJsonObject job = ended[0][0].toJsonObject();
    QCOMPARE(job[u"kind"].toString(), u"validate"_qs);
    QCOMPARE(job[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(nodeJob(job[u"id"].toInteger())[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(m_page->messageText(), u"Job %1 (validate tiny v1) succeeded."_qs.arg(job[u"id"].toInteger()));
    QTRY_VERIFY_WITH_TIMEOUT(report->hasReport(), 10000);
    QVERIFY(shown.count() >= 1);
    QCOMPARE(testing::child<QTabWidget>(m_page.get(), "versionTabs")->currentWidget(), report);

    // What shows is the node's stored report.
    const QJsonObject node = ops(u"validation_report"_qs, {{u"model"_qs, u"tiny"_qs}, {u"version"_qs, 1}});
    QVERIFY(node[u"passed"].toBool());
    QVERIFY(report->verdictPassed());
    const QJsonArray checks = node[u"checks"].toArray();
    QCOMPARE(checks.size(), 7);
    const QString text = report->plainText();
    QVERIFY2(text.startsWith(u"Passed: 7 of 7 checks."_qs), qPrintable(text));
    for (const QJsonValue &c : checks) {
      QVERIFY2(text.contains(widgets::ValidationReportView::checkText(c[u"name"].toString())), qPrintable(text));
      QVERIFY2(text.contains(c[u"detail"].toString()), qPrintable(c[u"detail"].toString()));
    }
    const QJsonObject dev = node[u"dev"].toObject();
    const QString perplexity = u"Dev perplexity\n%1, within the threshold of %2"_qs.arg(
        QLocale().toString(dev[u"perplexity"].toDouble(), 'f', 2),
        QLocale().toString(dev[u"threshold"].toDouble(), 'f', 0));
    QVERIFY2(text.contains(perplexity), qPrintable(text));
    QVERIFY2(text.contains(u"Dev set\n2 sentences, 13 tokens, 0 out of vocabulary (0.0 %)"_qs), qPrintable(text));
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"tiny"_qs, 1), u"validated"_qs, 5000);
  }

  void compileFollowsItsJobsProgress() {
    QVERIFY(m_page->selectVersion(u"tiny"_qs, 1));
    click(Action::Approve, u"dev perplexity is fine"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"tiny"_qs, 1), u"approved"_qs, 5000);

    JobListModel *jobs = m_page->jobs();
    QList<double> progress;  // of the compile job, in the order the node reported it
    QObject listening;       // ends the connection with this function
    connect(jobs, &JobListModel::jobChanged, &listening, [&progress](const QJsonObject &job) {
      if (job[u"kind"].toString() == u"compile"_qs) progress << job[u"progress"].toDouble();
    });
    QSignalSpy ended(m_page.get(), &widgets::ModelsPage::jobFinished);
    click(Action::Compile);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
    const QJsonObject job = ended[0][0].toJsonObject();
    QCOMPARE(job[u"kind"].toString(), u"compile"_qs);
    QCOMPARE(job[u"state"].toString(), u"succeeded"_qs);
    // Every step the work reported reached the view, in order, ending full.
    QVERIFY2(progress.size() >= 4, qPrintable(QString::number(progress.size())));
    QVERIFY(std::is_sorted(progress.cbegin(), progress.cend()));
    QVERIFY(std::count_if(progress.cbegin(), progress.cend(), [](double p) { return p > 0 && p < 1; }) >= 3);
    QCOMPARE(progress.last(), 1.0);
    const int row = jobs->rowOfJob(job[u"id"].toInteger());
    QCOMPARE(row, 0);  // newest first
    QCOMPARE(jobs->index(row, int(JobListModel::Column::Progress)).data().toString(), u"100 %"_qs);
    QCOMPARE(jobs->index(row, int(JobListModel::Column::State)).data().toString(), u"succeeded"_qs);
    QCOMPARE(jobs->index(row, int(JobListModel::Column::Target)).data().toString(), u"tiny v1"_qs);
    QCOMPARE(nodeJob(job[u"id"].toInteger())[u"progress"].toDouble(), 1.0);
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"tiny"_qs, 1), u"compiled"_qs, 5000);
    QVERIFY(button(m_page.get(), Action::Publish)->isEnabled());
  }

  void aRunningTrainingIsCancelledFromTheView() {
    const QString big = m_dir.filePath(u"big.tar.gz"_qs);
    QVERIFY(testing::writeTarGz(
        big, {testing::file("model.json", kTrainedManifest), testing::file("corpus.txt", testing::bigCorpus())}));
    const QJsonObject submitted = cli({u"submit"_qs, big}).object();
    QCOMPARE(submitted[u"model"].toString(), u"big"_qs);
    JobListModel *jobs = m_page->jobs();
    qint64 id = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (id = jobs->index(0, 0).data(JobListModel::IdRole).toLongLong(),
         jobs->job(id)[u"kind"].toString() == u"train"_qs && jobs->job(id)[u"state"].toString() == u"running"_qs),
        30000);
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"big"_qs, 1), u"submitted"_qs, 5000);

    widgets::JobsPanel *panel = m_page->jobsPanel();
    QVERIFY(panel->selectJob(id));
    QSignalSpy logShown(panel, &widgets::JobsPanel::logShown);
    QTest::mouseClick(testing::child<QPushButton>(panel, "jobLogButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(logShown.count() >= 1, 10000);
    QVERIFY2(panel->logText().startsWith(u"opening the bundle"_qs), qPrintable(panel->logText()));
    // The log follows the job while it shows.
    QTRY_VERIFY_WITH_TIMEOUT(panel->logText().contains(u"\ntraining an order-3 model on "_qs), 10000);

    auto *cancel = testing::child<QPushButton>(panel, "cancelJobButton");
    QVERIFY(cancel->isEnabled());
    QSignalSpy cancelled(panel, &widgets::JobsPanel::cancelFinished);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 10000);
    QCOMPARE(cancelled[0][1].toString(), QString());
    QCOMPARE(panel->messageText(), u"Job %1 cancelled."_qs.arg(id));
    QCOMPARE(jobs->job(id)[u"state"].toString(), u"cancelled"_qs);
    QVERIFY(!cancel->isEnabled());
    QCOMPARE(cancel->toolTip(), u"The job has ended."_qs);
    const QJsonObject node = nodeJob(id);
    QCOMPARE(node[u"state"].toString(), u"cancelled"_qs);
    QCOMPARE(node[u"error"].toString(), u"cancelled by ops"_qs);
    QCOMPARE(versionState(u"big"_qs, 1), u"submitted"_qs);  // a cancelled job changes nothing
  }

  void aViewerSeesJobsButMayNotCancel() {
    models::NodeSession viewer;
    viewer.setApiKey(m_viewerKey);
    viewer.setBaseUrl(QUrl(nodeUrl()));
    viewer.start();
    widgets::ModelsPage page;
    page.setSession(&viewer);
    QTRY_VERIFY_WITH_TIMEOUT(page.jobs()->hasSnapshot(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(page.roleText(), u"Signed in as watcher (viewer)"_qs, 10000);
    QCOMPARE(page.jobs()->rowCount(), m_page->jobs()->rowCount());
    QVERIFY(page.jobsPanel()->selectJob(page.jobs()->index(0, 0).data(JobListModel::IdRole).toLongLong()));
    auto *cancel = testing::child<QPushButton>(page.jobsPanel(), "cancelJobButton");
    QVERIFY(!cancel->isEnabled());
    QCOMPARE(cancel->toolTip(), u"Needs the operator role; this key has viewer."_qs);
    QVERIFY(testing::child<QPushButton>(page.jobsPanel(), "jobLogButton")->isEnabled());
    QVERIFY(page.selectVersion(u"tiny"_qs, 1));
    QVERIFY(!button(&page, Action::Publish)->isEnabled());
    QCOMPARE(button(&page, Action::Validate)->toolTip(), u"Needs the operator role; this key has viewer."_qs);
  }

  void aBundleSubmittedFromTheViewShowsItsUpload() {
    const QString dir = m_dir.filePath(u"tiny-bundle"_qs);
    QVERIFY(m_good.writeDirectory(dir));
    m_page->upload()->setChunkBytes(512);  // several chunks, so the bar moves
    QSignalSpy ended(m_page.get(), &widgets::ModelsPage::jobFinished);
    bool done = false;
    const QList<qint64> sent = submit(dir, &done);
    QVERIFY(done);
    QCOMPARE(m_page->upload()->state(), models::BundleUpload::State::Done);
    const qint64 total = m_page->upload()->total();
    QVERIFY(total > 512 * 2);
    QVERIFY2(sent.size() >= 3, qPrintable(QString::number(sent.size())));
    QVERIFY(std::is_sorted(sent.cbegin(), sent.cend()));
    QCOMPARE(sent.last(), total);
    widgets::UploadPanel *panel = m_page->uploadPanel();
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->percent(), 100);
    QVERIFY(!panel->isError());
    QVERIFY2(panel->text().startsWith(u"Submitted tiny-bundle as tiny v2; its validation is job "_qs),
             qPrintable(panel->text()));

    // The node has it; the tree lists it and selects it; its validation ends with a report.
    QJsonObject v2;
    for (const QJsonValue &v : cli({u"versions"_qs, u"tiny"_qs}).array())
      if (v[u"version"].toInt() == 2) v2 = v.toObject();
    QCOMPARE(v2[u"submitter"].toString(), u"ops"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->selectedVersion(), 2, 10000);
    QCOMPARE(m_page->selectedModel(), u"tiny"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 30000);
    QCOMPARE(ended[0][0].toJsonObject()[u"kind"].toString(), u"validate"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->report()->hasReport(), 10000);
    QVERIFY(m_page->report()->verdictPassed());
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"tiny"_qs, 2), u"validated"_qs, 5000);
  }

  void aBundleTheNodeRefusesSaysWhy() {
    const QString dir = m_dir.filePath(u"no-manifest"_qs);
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(testing::writeAll(dir + u"/model.arpa"_qs, m_good.arpa));
    bool done = false;
    (void)submit(dir, &done);
    QVERIFY(done);
    QCOMPARE(m_page->upload()->state(), models::BundleUpload::State::Failed);
    widgets::UploadPanel *panel = m_page->uploadPanel();
    QVERIFY(panel->isError());
    QVERIFY2(panel->text().startsWith(u"Upload of no-manifest failed: "_qs), qPrintable(panel->text()));
    QVERIFY2(panel->text().contains(u"model.json"_qs), qPrintable(panel->text()));
    QCOMPARE(m_page->catalog()->modelNames(), (QStringList{u"big"_qs, u"tiny"_qs}));  // nothing recorded
  }

  void twoPublishedVersionsAreMixedFromTheView() {
    // tiny v1 is compiled (above): publish it; v2 validated: approve, compile, publish.
    QVERIFY(m_page->selectVersion(u"tiny"_qs, 1));
    click(Action::Publish);
    QVERIFY(m_page->selectVersion(u"tiny"_qs, 2));
    click(Action::Approve, u"fine"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"tiny"_qs, 2), u"approved"_qs, 5000);
    QSignalSpy ended(m_page.get(), &widgets::ModelsPage::jobFinished);
    click(Action::Compile);
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"tiny"_qs, 2), u"compiled"_qs, 5000);
    click(Action::Publish);
    QTRY_COMPARE_WITH_TIMEOUT(versionState(u"tiny"_qs, 2), u"published"_qs, 5000);

    auto *mix = testing::child<QPushButton>(m_page.get(), "mixButton");
    QTRY_VERIFY(mix->isEnabled());
    QTest::mouseClick(mix, Qt::LeftButton);
    widgets::MixDialog *dialog = m_page->pendingMix();
    QVERIFY(dialog && dialog->isVisible());
    auto *ok = testing::child<QPushButton>(dialog, "mixOk");
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(testing::child<QLineEdit>(dialog, "mixModel"), u"blend"_qs);
    QVERIFY(dialog->setSource(u"tiny"_qs, 1, true, 0.7));
    QVERIFY(!ok->isEnabled());
    QCOMPARE(dialog->hintText(), u"Check two or more versions to mix."_qs);
    QVERIFY(dialog->setSource(u"tiny"_qs, 2, true, 0.3));
    QCOMPARE(dialog->hintText(), u"Give a dev text to tune the weights on, or fix the weights."_qs);
    QVERIFY(!ok->isEnabled());
    dialog->setFixedWeights(true);
    QVERIFY(ok->isEnabled());
    ended.clear();
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 60000);
    const QJsonObject job = ended[0][0].toJsonObject();
    QCOMPARE(job[u"kind"].toString(), u"mix"_qs);
    QCOMPARE(job[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(m_page->messageText(), u"Job %1 (mix blend) succeeded."_qs.arg(job[u"id"].toInteger()));
    // The mixed bundle is the first version of `blend`, depending on both sources.
    QTRY_VERIFY_WITH_TIMEOUT(m_page->catalog()->indexOf(u"blend"_qs, 1).isValid(), 10000);
    const QModelIndex blend = m_page->catalog()->indexOf(u"blend"_qs, 1);
    QCOMPARE(blend.siblingAtColumn(int(CatalogModel::Column::DependsOn)).data().toString(), u"tiny v1, tiny v2"_qs);
    const QJsonArray versions = cli({u"versions"_qs, u"blend"_qs}).array();
    QCOMPARE(versions.size(), 1);
    QCOMPARE(versions[0][u"depends_on"].toArray().size(), 2);
  }

  void anUploadCutByAKilledNodeIsResumed() {
    // A bundle of a few hundred KB, sent in 4 KiB chunks: the node dies after the second.
    const QString dir = m_dir.filePath(u"resumed"_qs);
    QVERIFY(m_good.writeDirectory(dir));
    QByteArray dev;
    QRandomGenerator random(11);
    while (dev.size() < 600'000) dev += 'w' + QByteArray::number(random.bounded(5000)) + (dev.size() % 9 ? ' ' : '\n');
    QVERIFY(testing::writeAll(dir + u"/dev.txt"_qs, dev + '\n'));
    QByteArray manifest = kManifest;
    QVERIFY(testing::writeAll(dir + u"/model.json"_qs, manifest.replace("\"tiny\"", "\"resumed\"")));
    models::BundleUpload *upload = m_page->upload();
    upload->setChunkBytes(4096);
    const quint16 port = m_node.port();
    QList<qint64> acknowledged;
    QObject listening;
    bool killed = false;
    connect(upload, &models::BundleUpload::progress, &listening, [&](qint64 sent, qint64) {
      acknowledged << sent;
      if (sent >= 2 * 4096 && !killed) {
        killed = true;
        m_node.process().kill();  // SIGKILL, mid-upload
        m_node.process().waitForFinished(10'000);
      }
    });
    bool done = false;
    (void)submit(dir, &done);
    QVERIFY(done);
    QCOMPARE(upload->state(), models::BundleUpload::State::Failed);
    QVERIFY(upload->canResume());
    widgets::UploadPanel *panel = m_page->uploadPanel();
    QVERIFY(panel->isError());
    auto *resume = testing::child<QPushButton>(panel, "uploadResume");
    QVERIFY(resume->isVisible());
    const qint64 cut = acknowledged.last();
    QCOMPARE(cut, 2 * 4096);
    QVERIFY(cut < upload->total());

    QVERIFY(m_node.start({u"--listen"_qs, u"127.0.0.1:%1"_qs.arg(port), u"--data-dir"_qs, data()}));
    QVERIFY(m_node.waitReady());
    QCOMPARE(m_node.port(), port);
    acknowledged.clear();
    QSignalSpy finished(upload, &models::BundleUpload::finished);
    QVERIFY(upload->canResume());
    QTRY_VERIFY(resume->isVisible() && resume->width() > 0);  // laid out
    QTest::mouseClick(resume, Qt::LeftButton);
    QCOMPARE(upload->state(), models::BundleUpload::State::Uploading);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || upload->state() == models::BundleUpload::State::Failed, 60000);
    QVERIFY2(finished.count() == 1, qPrintable(upload->error()));
    // From the offset the node kept: nothing acknowledged was sent again.
    QVERIFY(acknowledged.size() >= 2);
    QCOMPARE(*std::min_element(acknowledged.cbegin(), acknowledged.cend()), cut);
    QCOMPARE(acknowledged.last(), upload->total());
    QCOMPARE(panel->percent(), 100);
    QCOMPARE(finished[0][0].toJsonObject()[u"model"].toString(), u"resumed"_qs);
    QCOMPARE(cli({u"versions"_qs, u"resumed"_qs}).array().size(), 1);
  }
};

QTEST_MAIN(TestModelsJobs)
#include "tst_modelsjobs.moc"
