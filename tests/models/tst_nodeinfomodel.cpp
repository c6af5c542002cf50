// NodeInfoModel without a view, under QAbstractItemModelTester.
#include "models/nodeinfomodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

using lmfront::client::HealthError;
using lmfront::client::NodeHealth;
using lmfront::models::NodeInfoModel;
using Row = NodeInfoModel::Row;
using Column = NodeInfoModel::Column;

namespace {
NodeHealth healthy(double uptime = 12.5) {
  NodeHealth h;
  h.reachable = true;
  h.status = QStringLiteral("ok");
  h.errorKind = HealthError::None;
  h.nodeId = QStringLiteral("box-8080");
  h.version = QStringLiteral("0.1.0");
  h.uptimeS = uptime;
  h.listen = QStringLiteral("127.0.0.1:8080");
  h.dataDir = QStringLiteral("/var/lib/lmfront");
  h.models = 3;
  return h;
}
NodeHealth refused() {
  NodeHealth h;
  h.errorKind = HealthError::ConnectionRefused;
  h.error = QStringLiteral("connection refused by http://127.0.0.1:8080");
  return h;
}
}  // namespace

class TestNodeInfoModel : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void shapeAndHeaders() {
    NodeInfoModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), int(Row::Count));
    QCOMPARE(model.columnCount(), int(Column::Count));
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Property"));
    QCOMPARE(model.data(model.indexOf(Row::Listen, Column::Property)).toString(), QStringLiteral("Listen address"));
    // Before the first poll: no identity, "checking".
    QCOMPARE(model.data(model.indexOf(Row::NodeId)).toString(), QStringLiteral("—"));
    QCOMPARE(model.data(model.indexOf(Row::Health)).toString(), QStringLiteral("checking…"));
    QCOMPARE(model.data(model.indexOf(Row::Health), Qt::DecorationRole).value<QColor>(), QColor(0x9a, 0xa3, 0xad));
    QVERIFY(!model.data(model.indexOf(Row::Uptime), NodeInfoModel::RawValueRole).isValid());
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);  // a table: no children
  }

  void healthyNodeFillsEveryRow() {
    NodeInfoModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHealth(healthy());
    auto text = [&](Row r) { return model.data(model.indexOf(r)).toString(); };
    QCOMPARE(text(Row::NodeId), QStringLiteral("box-8080"));
    QCOMPARE(text(Row::Version), QStringLiteral("0.1.0"));
    QCOMPARE(text(Row::Health), QStringLiteral("healthy"));
    QCOMPARE(text(Row::Uptime), QStringLiteral("12 s"));
    QCOMPARE(text(Row::Listen), QStringLiteral("127.0.0.1:8080"));
    QCOMPARE(text(Row::DataDir), QStringLiteral("/var/lib/lmfront"));
    QCOMPARE(text(Row::Models), QStringLiteral("3"));
    QCOMPARE(model.data(model.indexOf(Row::Models), NodeInfoModel::RawValueRole).toInt(), 3);
    QCOMPARE(model.data(model.indexOf(Row::Uptime), NodeInfoModel::RawValueRole).toDouble(), 12.5);
    QCOMPARE(model.data(model.indexOf(Row::Health), NodeInfoModel::RawValueRole).toBool(), true);
    QCOMPARE(model.data(model.indexOf(Row::Health), Qt::DecorationRole).value<QColor>(), QColor(0x2e, 0x9e, 0x5b));
    QCOMPARE(model.data(model.indexOf(Row::Models), NodeInfoModel::RowKeyRole).toInt(), int(Row::Models));
  }

  void setHealthEmitsOneBatchedDataChanged() {
    NodeInfoModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy spy(&model, &NodeInfoModel::dataChanged);
    model.setHealth(healthy());
    // One range for all rows' values, plus the health row's colour/tooltip.
    QCOMPARE(spy.count(), 2);
    auto first = spy.at(0);
    QCOMPARE(first.at(0).toModelIndex(), model.indexOf(Row::NodeId));
    QCOMPARE(first.at(1).toModelIndex(), model.indexOf(Row::Models));
    spy.clear();
    // Same health again: nothing changed, nothing emitted.
    model.setHealth(healthy());
    QCOMPARE(spy.count(), 0);
    // Only uptime moved: one signal, exactly that cell.
    model.setHealth(healthy(75));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toModelIndex(), model.indexOf(Row::Uptime));
    QCOMPARE(spy.at(0).at(1).toModelIndex(), model.indexOf(Row::Uptime));
    QCOMPARE(model.data(model.indexOf(Row::Uptime)).toString(), QStringLiteral("1 min 15 s"));
  }

  void uptimeTicksBetweenPolls() {
    NodeInfoModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHealth(healthy(3599));
    QSignalSpy spy(&model, &NodeInfoModel::dataChanged);
    model.setSecondsSinceUpdate(2);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(model.data(model.indexOf(Row::Uptime)).toString(), QStringLiteral("1 h 00 min"));
    model.setSecondsSinceUpdate(-1);  // nonsense is ignored
    model.setSecondsSinceUpdate(2);   // no change
    QCOMPARE(spy.count(), 1);
    model.setHealth(healthy(3700));  // a new poll resets the offset
    QCOMPARE(model.data(model.indexOf(Row::Uptime), NodeInfoModel::RawValueRole).toDouble(), 3700.0);
  }

  void unreachableKeepsIdentity() {
    NodeInfoModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHealth(healthy());
    model.setHealth(refused());
    auto text = [&](Row r) { return model.data(model.indexOf(r)).toString(); };
    QCOMPARE(text(Row::NodeId), QStringLiteral("box-8080"));
    QCOMPARE(text(Row::Health), QStringLiteral("unreachable: connection refused"));
    QCOMPARE(text(Row::Uptime), QStringLiteral("—"));
    QCOMPARE(text(Row::Models), QStringLiteral("—"));
    QVERIFY(model.data(model.indexOf(Row::Health), Qt::ToolTipRole).toString().contains(QStringLiteral("refused")));
    QCOMPARE(model.data(model.indexOf(Row::Health), Qt::DecorationRole).value<QColor>(), QColor(0xd1, 0x43, 0x43));
    QSignalSpy spy(&model, &NodeInfoModel::dataChanged);
    model.setSecondsSinceUpdate(5);  // no uptime to tick while down
    QCOMPARE(spy.count(), 0);
  }

  void formatsUptime_data() {
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << 0.0 << QStringLiteral("0 s");
    QTest::newRow("59.9") << 59.9 << QStringLiteral("59 s");
    QTest::newRow("61") << 61.0 << QStringLiteral("1 min 01 s");
    QTest::newRow("3600") << 3600.0 << QStringLiteral("1 h 00 min");
    QTest::newRow("90061") << 90061.0 << QStringLiteral("1 d 01 h");
    QTest::newRow("negative") << -3.0 << QStringLiteral("—");
    QTest::newRow("nan") << qQNaN() << QStringLiteral("—");
  }
  void formatsUptime() {
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(NodeInfoModel::formatUptime(seconds), text);
  }

  void retranslateTouchesEverything() {
    NodeInfoModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy data(&model, &NodeInfoModel::dataChanged);
    QSignalSpy headers(&model, &NodeInfoModel::headerDataChanged);
    model.retranslate();
    QCOMPARE(headers.count(), 2);
    QCOMPARE(data.count(), 1);
    QCOMPARE(data.at(0).at(1).toModelIndex(), model.indexOf(Row::Models, Column::Value));
  }
};

QTEST_GUILESS_MAIN(TestNodeInfoModel)
#include "tst_nodeinfomodel.moc"
