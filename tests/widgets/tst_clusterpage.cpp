// The cluster Overview as an operator drives it, offscreen, against three real lmfrontd nodes and a
// real etcd on loopback (lease TTL 2 s): the console's session reaches node-a only and the page
// shows all three nodes, each healthy through its own ops connection; drain and undrain of node-b
// from the page (asked, then confirmed) reach it through etcd; a key below operator cannot; and
// node-c killed with SIGKILL turns `down`, its row marked, within a few seconds. node-a and node-c
// serve a tiny model, node-b none. The Overview's charts follow the node chosen in its selector
// (node-b's own figures, then all three summed) over the very connections the Cluster page uses,
// held while either view needs them; the Models tree says which nodes serve each model, live as
// node-b loads and unloads it and as node-c dies.
#include "../support/daemonharness.h"
#include "../support/etcdserver.h"
#include "../support/tinymodel.h"
#include "../support/widgetchild.h"
#include "gateway/auth/keystore.h"
#include "models/catalogmodel.h"
#include "models/clustermetrics.h"
#include "models/clustermodel.h"
#include "models/nodesession.h"
#include "widgets/clusterpage.h"
#include "widgets/modelspage.h"
#include "widgets/overviewpage.h"
#include "widgets/sparkline.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <array>
#include <memory>

using namespace lmfront;
using models::ClusterModel;
using testing::child;
using widgets::ClusterPage;
using widgets::OverviewPage;
using Column = ClusterModel::Column;
using Series = models::LiveNodeState::Series;

namespace {

constexpr int kTtlSeconds = 2;
const std::array<QString, 3> kIds = {u"node-a"_qs, u"node-b"_qs, u"node-c"_qs};

}  // namespace

class TestClusterPage : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  testing::EtcdServer m_etcd;
  std::array<testing::Daemon, 3> m_nodes;
  QString m_viewerKey;  // a viewer's key on node-a
  std::unique_ptr<models::NodeSession> m_session;
  std::unique_ptr<ClusterPage> m_page;
  std::unique_ptr<OverviewPage> m_overview;
  std::unique_ptr<widgets::ModelsPage> m_models;

  QString url(int i) const { return QStringLiteral("http://127.0.0.1:%1").arg(m_nodes[static_cast<size_t>(i)].port()); }
  ClusterModel *model() const { return m_session->cluster(); }
  QString cell(const QString &id, Column column) const {
    const int row = model()->rowOf(id);
    return row < 0 ? QString() : model()->index(row, static_cast<int>(column)).data().toString();
  }
  // What the Models tree says serves `model` (its row's "Served by" cell).
  QString servedBy(const QString &model) const {
    models::CatalogModel *catalog = m_models->catalog();
    const QModelIndex row = catalog->indexOf(model);
    return row.isValid() ? row.siblingAtColumn(int(models::CatalogModel::Column::ServedBy)).data().toString()
                         : QString();
  }
  void choose(const QString &label) {
    QComboBox *selector = m_overview->nodeSelector();
    const int index = selector->findText(label);
    QVERIFY2(index >= 0, qPrintable(label));
    selector->setCurrentIndex(index);
    Q_EMIT selector->activated(index);  // what a user's pick emits
  }
  void click(const char *name) {
    auto *b = child<QPushButton>(m_page.get(), name);
    QVERIFY2(b->isEnabled(), name);
    QTest::mouseClick(b, Qt::LeftButton);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    {
      auto store = gateway::auth::KeyStore::open(m_dir.filePath(kIds[0]).toStdString());
      QVERIFY(store.isOk());
      auto created = (*store)->create("watcher", gateway::auth::Role::Viewer);
      QVERIFY(created.isOk());
      m_viewerKey = QString::fromStdString(created->key);
    }
    QCOMPARE(m_etcd.start(), QString());
    const QString tiny = testing::trainTinyModel(m_dir.path());
    QVERIFY(!tiny.isEmpty());
    for (size_t i = 0; i < kIds.size(); ++i) {
      QStringList args{u"--listen"_qs,  u"127.0.0.1:0"_qs, u"--data-dir"_qs,  m_dir.filePath(kIds[i]),
                       u"--node-id"_qs, kIds[i],           u"--etcd"_qs,      m_etcd.url(),
                       u"--cluster"_qs, u"test"_qs,        u"--lease-ttl"_qs, QString::number(kTtlSeconds)};
      // node-b holds the same file under another name: what it serves as `tiny` is routed to the
      // others until a pool of its own engine takes the name (modelsSayWhichNodesServeThem).
      args << u"--model"_qs << (i != 1 ? u"tiny="_qs : u"other="_qs) + tiny;
      QVERIFY2(m_nodes[i].start(args), qPrintable(kIds[i]));
    }
    m_session = std::make_unique<models::NodeSession>();
    m_session->setBaseUrl(QUrl(url(0)));
    m_session->start();
    m_page = std::make_unique<ClusterPage>();
    m_page->setSession(m_session.get());
    m_page->resize(1200, 700);
    m_page->show();
  }

  void cleanupTestCase() {
    m_models.reset();
    m_overview.reset();
    m_page.reset();
    m_session.reset();
    for (auto &node : m_nodes) node.stop();
  }

  void threeNodesUpEachReachedDirectly() {
    QAbstractItemModelTester tester(model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model()->isActive());  // the page is shown
    QTRY_COMPARE_WITH_TIMEOUT(model()->rowCount(), 3, 15000);
    for (const QString &id : kIds) {
      QTRY_COMPARE_WITH_TIMEOUT(cell(id, Column::State), u"up"_qs, 10000);
      QTRY_COMPARE_WITH_TIMEOUT(cell(id, Column::Health), u"healthy"_qs, 10000);
      QCOMPARE(cell(id, Column::Address), url(static_cast<int>(&id - kIds.data())));
      // CPU and memory come from the member's own `metrics` topic, over its own connection.
      QTRY_VERIFY_WITH_TIMEOUT(cell(id, Column::Memory) != u"—"_qs, 10000);
      const int row = model()->rowOf(id);
      QCOMPARE(model()->liveStateAt(row)->nodeId(), id);
    }
    QCOMPARE(model()->liveStateAt(model()->rowOf(kIds[0])), m_session->liveState());
    QCOMPARE(m_page->table()->model()->rowCount(), 3);
    QCOMPARE(m_page->tileValue(ClusterPage::Tile::Nodes), u"3 / 3"_qs);
    QVERIFY2(m_page->subtitleText().contains(u"test"_qs), qPrintable(m_page->subtitleText()));
    QCOMPARE(model()->clusterName(), u"test"_qs);
    QVERIFY(!model()->leaderId().isEmpty());
  }

  void drainAndUndrainFromThePage() {
    QVERIFY(m_page->selectNode(kIds[1]));
    QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>(m_page.get(), "drainButton")->isEnabled(), 5000);
    QVERIFY(!child<QPushButton>(m_page.get(), "undrainButton")->isEnabled());
    click("drainButton");
    auto *bar = child<QWidget>(m_page.get(), "confirmDrain");
    QVERIFY(bar->isVisible());
    QCOMPARE(cell(kIds[1], Column::State), u"up"_qs);  // nothing happens before the confirmation
    click("cancelDrainButton");
    QVERIFY(!bar->isVisible());
    click("drainButton");
    click("confirmDrainButton");
    QTRY_COMPARE_WITH_TIMEOUT(cell(kIds[1], Column::State), u"draining"_qs, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->outcomeText(), u"node-b is draining."_qs, 5000);
    QCOMPARE(testing::httpRequest(m_nodes[1].port(), "GET", "/readyz").status, 503);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->tileDetail(ClusterPage::Tile::Nodes), u"1 draining · 0 down"_qs, 5000);
    QCOMPARE(m_page->tileValue(ClusterPage::Tile::Nodes), u"2 / 3"_qs);

    QVERIFY(m_page->selectNode(kIds[1]));
    QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>(m_page.get(), "undrainButton")->isEnabled(), 5000);
    QVERIFY(!child<QPushButton>(m_page.get(), "drainButton")->isEnabled());
    click("undrainButton");
    click("confirmDrainButton");
    QTRY_COMPARE_WITH_TIMEOUT(cell(kIds[1], Column::State), u"up"_qs, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(testing::httpRequest(m_nodes[1].port(), "GET", "/readyz").status, 200, 5000);
  }

  void aViewerCannotDrain() {
    models::NodeSession viewer;
    viewer.setBaseUrl(QUrl(url(0)));
    viewer.setApiKey(m_viewerKey);
    viewer.start();
    ClusterPage page;
    page.setSession(&viewer);
    page.show();
    QTRY_COMPARE_WITH_TIMEOUT(viewer.opsClient()->state(), client::OpsClient::State::Live, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(page.selectNode(kIds[1]), 10000);
    QVERIFY(!child<QPushButton>(&page, "drainButton")->isEnabled());
    QVERIFY(!child<QPushButton>(&page, "undrainButton")->isEnabled());
    bool said = false;
    for (const QLabel *label : page.findChildren<QLabel *>())
      said |= label->text() == u"Draining needs the operator role; this key has viewer."_qs;
    QVERIFY(said);
  }

  void overviewChartsFollowTheChosenNode() {
    m_overview = std::make_unique<OverviewPage>();
    m_overview->setSession(m_session.get());
    m_overview->resize(1200, 800);
    m_overview->show();
    QComboBox *selector = m_overview->nodeSelector();
    QTRY_COMPARE_WITH_TIMEOUT(selector->count(), 4, 10000);
    QVERIFY(selector->isVisible());
    QCOMPARE(selector->itemText(0), u"All nodes"_qs);
    QCOMPARE(selector->currentText(), u"node-a (connected)"_qs);  // the connected node by default
    QTRY_VERIFY_WITH_TIMEOUT(m_overview->liveFactValue(OverviewPage::LiveFact::Models).contains(u"tiny"_qs), 10000);

    // Only the Overview looks, at the connected node: no member connection is held.
    m_page->hide();
    QVERIFY(!model()->isActive());
    QCOMPARE(model()->liveStateAt(model()->rowOf(kIds[1])), nullptr);

    choose(kIds[1]);
    QCOMPARE(m_overview->shownNode(), kIds[1]);
    QVERIFY(model()->isActive());  // the Overview holds them now
    models::LiveNodeState *b = model()->liveStateAt(model()->rowOf(kIds[1]));
    QVERIFY(b);
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->liveStatusText(), u"Live"_qs, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_overview->liveFactValue(OverviewPage::LiveFact::Models).contains(u"other"_qs), 10000);
    QCOMPARE(b->nodeId(), kIds[1]);
    // node-b's own samples, its history included (the snapshot's seconds before the pick).
    QTRY_VERIFY_WITH_TIMEOUT(b->sampleCount() >= 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->sparkline(Series::RssBytes)->values(), b->values(Series::RssBytes), 5000);
    QCOMPARE(m_overview->metricValue(Series::RssBytes),
             QLocale().formattedDataSize(static_cast<qint64>(b->latest(Series::RssBytes))));

    // The Cluster page shown again uses the same connection; hidden, the Overview keeps it.
    m_page->show();
    QCOMPARE(model()->liveStateAt(model()->rowOf(kIds[1])), b);
    m_page->hide();
    QCOMPARE(model()->liveStateAt(model()->rowOf(kIds[1])), b);
    QVERIFY(model()->isActive());

    choose(u"All nodes"_qs);
    QCOMPARE(m_overview->shownNode(), QString(OverviewPage::kAllNodes));
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->liveStatusText(), u"Live from 3 of 3 nodes"_qs, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->liveFactValue(OverviewPage::LiveFact::Health), u"3 of 3 nodes healthy"_qs,
                              10000);
    QCOMPARE(m_overview->liveFactValue(OverviewPage::LiveFact::Models), u"other, tiny"_qs);
    // The memory shown is the three nodes' newest samples summed.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          double sum = 0;
          for (const QString &id : kIds) {
            const models::LiveNodeState *live = model()->liveStateAt(model()->rowOf(id));
            if (!live || live->sampleCount() == 0) return false;
            sum += live->latest(Series::RssBytes);
          }
          return m_overview->metricValue(Series::RssBytes) == QLocale().formattedDataSize(static_cast<qint64>(sum));
        }(),
        10000);
    QVERIFY(m_overview->sparkline(Series::CpuPercent)->values().size() >= 2);

    // Nobody looks: the member connections close.
    m_overview->hide();
    QVERIFY(!model()->isActive());
    QCOMPARE(model()->liveStateAt(model()->rowOf(kIds[1])), nullptr);
    m_overview->show();
    QVERIFY(model()->isActive());
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->liveStatusText(), u"Live from 3 of 3 nodes"_qs, 10000);
    m_page->show();
  }

  void modelsSayWhichNodesServeThem() {
    m_models = std::make_unique<widgets::ModelsPage>();
    m_models->setSession(m_session.get());
    m_models->resize(1200, 800);
    m_models->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_models->catalog()->indexOf(u"tiny"_qs).isValid(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(servedBy(u"tiny"_qs), u"node-a, node-c"_qs, 10000);
    const QModelIndex versionRow = m_models->catalog()->indexOf(u"tiny"_qs, 1);
    QVERIFY(versionRow.isValid());
    QCOMPARE(versionRow.siblingAtColumn(int(models::CatalogModel::Column::ServedBy)).data().toString(), QString());

    // node-b starts serving `tiny` itself (a pool of its own engine), then stops.
    const QByteArray pool = R"({"tiny":{"backends":[{"engine":"other"}]}})";
    QCOMPARE(
        testing::httpRequest(m_nodes[1].port(), "PUT", "/admin/pools", pool, {{"Content-Type", "application/json"}})
            .status,
        200);
    QTRY_COMPARE_WITH_TIMEOUT(servedBy(u"tiny"_qs), u"node-a, node-b, node-c"_qs, 5000);
    QCOMPARE(
        testing::httpRequest(m_nodes[1].port(), "PUT", "/admin/pools", "{}", {{"Content-Type", "application/json"}})
            .status,
        200);
    QTRY_COMPARE_WITH_TIMEOUT(servedBy(u"tiny"_qs), u"node-a, node-c"_qs, 5000);
    // The details of the model's row say it too.
    QVERIFY(m_models->selectVersion(u"tiny"_qs, 0));
    bool said = false;
    for (const QLabel *label : m_models->findChildren<QLabel *>())
      said |= label->text().contains(u"Served by"_qs) && label->text().contains(u"node-a, node-c"_qs);
    QVERIFY(said);
  }

  void aKilledNodeGoesDownWithinSeconds() {
    QTRY_COMPARE_WITH_TIMEOUT(cell(kIds[2], Column::Health), u"healthy"_qs, 10000);
    m_nodes[2].process().kill();  // SIGKILL: no revoke, no goodbye
    m_nodes[2].process().waitForFinished(5000);
    QElapsedTimer timer;
    timer.start();
    QTRY_COMPARE_WITH_TIMEOUT(cell(kIds[2], Column::State), u"down"_qs, 10000);
    const qint64 elapsed = timer.elapsed();
    qInfo() << "node-c down on the page after" << elapsed << "ms";
    // The lease's TTL, plus the watch and a second of slack on a loaded machine.
    QVERIFY2(elapsed < kTtlSeconds * 1000 + 3000, qPrintable(QString::number(elapsed)));
    const int row = model()->rowOf(kIds[2]);
    QVERIFY(model()->index(row, static_cast<int>(Column::Node)).data(Qt::BackgroundRole).isValid());
    QCOMPARE(cell(kIds[2], Column::Cpu), u"—"_qs);
    QCOMPARE(cell(kIds[0], Column::State), u"up"_qs);
    QCOMPARE(cell(kIds[1], Column::State), u"up"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(m_page->tileValue(ClusterPage::Tile::Nodes), u"2 / 3"_qs, 2000);
    QCOMPARE(m_page->tileDetail(ClusterPage::Tile::Nodes), u"0 draining · 1 down"_qs);
    // A node that is down cannot be drained.
    QVERIFY(m_page->selectNode(kIds[2]));
    QVERIFY(!child<QPushButton>(m_page.get(), "drainButton")->isEnabled());
    // A node that is down serves nothing, and the cluster's charts are the two left.
    QTRY_COMPARE_WITH_TIMEOUT(servedBy(u"tiny"_qs), u"node-a"_qs, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->liveStatusText(), u"Live from 2 of 2 nodes"_qs, 2000);
    choose(kIds[2]);
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->liveReasonText(), u"gone: its lease in etcd expired"_qs, 2000);
  }
};

QTEST_MAIN(TestClusterPage)
#include "tst_clusterpage.moc"
