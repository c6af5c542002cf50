// JobListModel without a view, under QAbstractItemModelTester: the `jobs` topic's snapshot and
// deltas as the node sends them (docs/ops-protocol.md) — rows newest first, a job's progress
// updated in place, a new job inserted by its id, jobEnded() once per job that ends, the row cap.
#include "models/joblistmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using lmfront::models::JobListModel;
using lmfront::models::MixRequest;
using Column = JobListModel::Column;

namespace {
QJsonObject job(qint64 id, const char *state, double progress, const char *kind = "compile") {
  return {{u"id"_qs, id},
          {u"kind"_qs, QString::fromLatin1(kind)},
          {u"model"_qs, u"english"_qs},
          {u"version"_qs, id},
          {u"state"_qs, QString::fromLatin1(state)},
          {u"progress"_qs, progress},
          {u"actor"_qs, u"ops"_qs},
          {u"started"_qs, QJsonValue()},
          {u"error"_qs, QJsonValue()}};
}
QJsonObject delta(const QJsonObject &j) { return {{u"job"_qs, j}}; }
}  // namespace

class TestJobListModel : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void snapshotThenDeltas() {
    JobListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy ended(&m, &JobListModel::jobEnded);
    m.applySnapshot(u"jobs"_qs, 0, {{u"jobs"_qs, QJsonArray{job(2, "running", 0.5), job(1, "succeeded", 1)}}});
    QVERIFY(m.hasSnapshot());
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.index(0, int(Column::Id)).data(JobListModel::IdRole).toLongLong(), 2);
    QCOMPARE(m.index(0, int(Column::Progress)).data().toString(), u"50 %"_qs);
    QCOMPARE(m.index(0, int(Column::Target)).data().toString(), u"english v2"_qs);
    QCOMPARE(m.index(0, 0).data(JobListModel::ActiveRole).toBool(), true);
    QCOMPARE(m.index(1, 0).data(JobListModel::ActiveRole).toBool(), false);

    m.applyDelta(u"catalog"_qs, 1, delta(job(2, "succeeded", 1)));  // another topic: ignored
    QCOMPARE(m.index(0, int(Column::Progress)).data(JobListModel::ProgressRole).toDouble(), 0.5);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    m.applyDelta(u"jobs"_qs, 1, delta(job(2, "running", 0.9)));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.index(0, int(Column::Progress)).data().toString(), u"90 %"_qs);
    QCOMPARE(ended.count(), 0);
    m.applyDelta(u"jobs"_qs, 2, delta(job(2, "succeeded", 1)));
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended[0][0].toJsonObject()[u"id"].toInteger(), 2);
    m.applyDelta(u"jobs"_qs, 3, delta(job(2, "succeeded", 1)));  // a repeat: ends once
    QCOMPARE(ended.count(), 1);

    m.applyDelta(u"jobs"_qs, 4, delta(job(3, "queued", 0, "mix")));
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.rowOfJob(3), 0);
    QCOMPARE(m.index(0, int(Column::Kind)).data().toString(), u"mix"_qs);
    QCOMPARE(m.index(0, int(Column::Started)).data().toString(), u"—"_qs);
    QCOMPARE(m.rowOfJob(4), -1);
    QVERIFY(m.job(4).isEmpty());
  }

  void aMixWithoutItsVersionNamesTheModel() {
    QJsonObject mix = job(5, "queued", 0, "mix");
    mix.insert(u"version"_qs, QJsonValue());
    QCOMPARE(JobListModel::targetText(mix), u"english"_qs);
  }

  void rowsAreCapped() {
    JobListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int id = 1; id <= JobListModel::kMaxRows + 3; ++id) m.applyDelta(u"jobs"_qs, id, delta(job(id, "queued", 0)));
    QCOMPARE(m.rowCount(), JobListModel::kMaxRows);
    QCOMPARE(m.rowOfJob(JobListModel::kMaxRows + 3), 0);
    QCOMPARE(m.rowOfJob(3), -1);  // the oldest went
  }

  void mixArguments() {
    MixRequest tuned{u"blend"_qs, {{u"english"_qs, 2, {}}, {u"chinese"_qs, 1, {}}}, u"the cat\n"_qs};
    QCOMPARE(tuned.args(),
             (QJsonObject{{u"model"_qs, u"blend"_qs},
                          {u"sources"_qs, QJsonArray{QJsonObject{{u"model"_qs, u"english"_qs}, {u"version"_qs, 2}},
                                                     QJsonObject{{u"model"_qs, u"chinese"_qs}, {u"version"_qs, 1}}}},
                          {u"dev_text"_qs, u"the cat\n"_qs}}));
    MixRequest fixed{u"blend"_qs, {{u"english"_qs, 2, 0.7}, {u"chinese"_qs, 1, 0.3}}, {}};
    const QJsonObject args = fixed.args();
    QVERIFY(!args.contains(u"dev_text"_qs));
    QCOMPARE(args[u"sources"][1][u"weight"].toDouble(), 0.3);
  }

  void commandsWithoutANodeSayWhy() {
    JobListModel m;
    QSignalSpy cancelled(&m, &JobListModel::cancelFinished);
    m.cancel(4);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(cancelled[0][1].toString(), u"Not connected to a node."_qs);
  }
};

QTEST_GUILESS_MAIN(TestJobListModel)
#include "tst_joblistmodel.moc"
