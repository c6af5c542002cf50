// ModelListModel without a view, under QAbstractItemModelTester: refreshes keep rows in place.
#include "models/modellistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using lmfront::client::ApiModel;
using lmfront::models::ModelListModel;

namespace {
ApiModel model(const char *id, int backends = 1, const char *version = "0123456789abcdef") {
  return {QString::fromLatin1(id), QStringLiteral("about ") + QString::fromLatin1(id), QString::fromLatin1(version),
          backends};
}
}  // namespace

class TestModelListModel : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void rolesAndTooltip() {
    ModelListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setModels({model("english", 2), model("chinese")});
    QCOMPARE(m.rowCount(), 2);
    const QModelIndex i = m.index(0);
    QCOMPARE(i.data().toString(), QStringLiteral("english"));
    QCOMPARE(i.data(ModelListModel::IdRole).toString(), QStringLiteral("english"));
    QCOMPARE(i.data(ModelListModel::DescriptionRole).toString(), QStringLiteral("about english"));
    QCOMPARE(i.data(ModelListModel::BackendsRole).toInt(), 2);
    QCOMPARE(i.data(ModelListModel::VersionRole).toString(), QStringLiteral("0123456789abcdef"));
    const QString tip = i.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("version 0123456789ab")) && !tip.contains(QStringLiteral("abcdef")),
             qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("backends: 2")), qPrintable(tip));
    QVERIFY(m.index(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("backends: 1")));
    QCOMPARE(m.rowOf(QStringLiteral("chinese")), 1);
    QCOMPARE(m.rowOf(QStringLiteral("nope")), -1);
    QVERIFY(!m.index(5).data().isValid());
    QVERIFY(m.roleNames().value(ModelListModel::IdRole) == "id");
  }

  void refreshUpdatesInPlace() {
    ModelListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setModels({model("a"), model("b"), model("c")});
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QPersistentModelIndex c = m.index(2);

    m.setModels({model("a"), model("b"), model("c")});  // nothing new: no signal at all
    QVERIFY(removed.isEmpty() && inserted.isEmpty() && changed.isEmpty());

    m.setModels({model("c", 3), model("a"), model("d")});  // b gone, c changed, d new
    QCOMPARE(reset.size(), 0);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
    QStringList ids;
    for (int r = 0; r < m.rowCount(); ++r) ids << m.index(r).data().toString();
    QCOMPARE(ids, QStringList({QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("d")}));
    QVERIFY(c.isValid());
    QCOMPARE(c.row(), 1);  // the persistent index followed c
    QCOMPARE(c.data(ModelListModel::BackendsRole).toInt(), 3);

    m.setModels({});
    QCOMPARE(m.rowCount(), 0);
    QVERIFY(!c.isValid());
  }

  void retranslateTouchesOnlyTooltips() {
    ModelListModel m;
    m.retranslate();  // empty: nothing to do, no invalid range
    m.setModels({model("a"), model("b")});
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    m.retranslate();
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>({Qt::ToolTipRole}));
  }
};

QTEST_GUILESS_MAIN(TestModelListModel)
#include "tst_modellistmodel.moc"
