// AlertListModel fed the `alerts` topic's values directly (docs/alerting.md): a snapshot replaces
// the rows, deltas insert, update and remove them, and exactly the changes that make an alert
// fire unsilenced raise newlyFiring() — not a pending alert, an ack, a resolve, a silenced one or
// a snapshot. Matchers prefilled for a silence select that alert literally; typed matchers are
// parsed with the bad line named. AlertSummary fills the quiet days of its period. Every model
// runs under QAbstractItemModelTester.
#include "models/alerthistorymodel.h"
#include "models/alertlistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <regex>

using namespace lmfront;
using models::AlertListModel;
using Column = AlertListModel::Column;

namespace {

QJsonObject alert(const QString &id, const QString &state, const QString &severity = u"warning"_qs,
                  const QJsonValue &silencedBy = QJsonValue()) {
  return QJsonObject{{u"id"_qs, id},
                     {u"rule"_qs, u"busy"_qs},
                     {u"state"_qs, state},
                     {u"severity"_qs, severity},
                     {u"labels"_qs, QJsonObject{{u"model"_qs, u"engine:en.v1"_qs}}},
                     {u"since"_qs, u"2026-12-07T10:00:00.000Z"_qs},
                     {u"value"_qs, 12.345678},
                     {u"summary"_qs, u"en is busy"_qs},
                     {u"ack"_qs, QJsonValue()},
                     {u"silenced_by"_qs, silencedBy}};
}

QJsonObject change(QJsonObject a, const QString &from) {
  a.insert(u"from"_qs, from);
  return a;
}

QJsonObject changes(std::initializer_list<QJsonObject> list) {
  QJsonArray out;
  for (const auto &c : list) out.append(c);
  return QJsonObject{{u"changes"_qs, out}};
}

}  // namespace

class TestAlertListModel : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void snapshotAndDeltas() {
    AlertListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy firing(&model, &AlertListModel::newlyFiring);
    const QJsonObject silence{{u"id"_qs, u"s1"_qs}};
    model.applySnapshot(u"alerts"_qs, 1,
                        {{u"active"_qs, QJsonArray{alert(u"a"_qs, u"firing"_qs, u"critical"_qs)}},
                         {u"silences"_qs, QJsonArray{silence}}});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.silences().size(), 1);
    QCOMPARE(firing.count(), 0);  // old news on (re)connect
    QCOMPARE(model.index(0, int(Column::Severity)).data().toString(), u"critical"_qs);
    QCOMPARE(model.index(0, int(Column::Severity)).data(AlertListModel::RawRole).toInt(), 0);
    QCOMPARE(model.index(0, int(Column::Labels)).data().toString(), u"model=engine:en.v1"_qs);
    QCOMPARE(model.index(0, int(Column::Value)).data().toString(), u"12.35"_qs);
    QCOMPARE(model.index(0, int(Column::Ack)).data().toString(), u"not acknowledged"_qs);
    QCOMPARE(model.index(0, int(Column::Rule)).data(Qt::ToolTipRole).toString(), u"en is busy"_qs);

    model.applyDelta(u"metrics"_qs, 2, changes({change(alert(u"x"_qs, u"firing"_qs), u"pending"_qs)}));
    QCOMPARE(model.rowCount(), 1);  // another topic's delta is not ours

    model.applyDelta(u"alerts"_qs, 2, changes({change(alert(u"b"_qs, u"pending"_qs), u"inactive"_qs)}));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(firing.count(), 0);
    model.applyDelta(u"alerts"_qs, 3, changes({change(alert(u"b"_qs, u"firing"_qs), u"pending"_qs)}));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(firing.count(), 1);
    QCOMPARE(firing.takeFirst().at(0).toJsonObject().value(u"id").toString(), u"b"_qs);
    QCOMPARE(model.index(model.rowOf(u"b"_qs), int(Column::State)).data().toString(), u"firing"_qs);

    QJsonObject acked = alert(u"b"_qs, u"firing"_qs);
    acked.insert(u"ack"_qs, QJsonObject{{u"author"_qs, u"ana"_qs}, {u"comment"_qs, u"on it"_qs}});
    model.applyDelta(u"alerts"_qs, 4, {{u"updated"_qs, QJsonArray{acked}}});
    QCOMPARE(model.index(model.rowOf(u"b"_qs), int(Column::Ack)).data().toString(), u"by ana: on it"_qs);
    QCOMPARE(firing.count(), 0);

    model.applyDelta(u"alerts"_qs, 5, changes({change(alert(u"b"_qs, u"resolved"_qs), u"firing"_qs)}));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rowOf(u"b"_qs), -1);
    QCOMPARE(firing.count(), 0);

    model.applyDelta(u"alerts"_qs, 6, {{u"silences"_qs, QJsonArray{}}});
    QVERIFY(model.silences().isEmpty());
  }

  void whichChangesNotify_data() {
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("silenced");
    QTest::addColumn<bool>("notifies");
    QTest::newRow("pending to firing") << u"pending"_qs << u"firing"_qs << false << true;
    QTest::newRow("inactive to firing (no for)") << u"inactive"_qs << u"firing"_qs << false << true;
    QTest::newRow("silenced firing") << u"pending"_qs << u"firing"_qs << true << false;
    QTest::newRow("inactive to pending") << u"inactive"_qs << u"pending"_qs << false << false;
    QTest::newRow("firing to resolved") << u"firing"_qs << u"resolved"_qs << false << false;
    QTest::newRow("pending to inactive") << u"pending"_qs << u"inactive"_qs << false << false;
  }
  void whichChangesNotify() {
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(bool, silenced);
    QFETCH(bool, notifies);
    const QJsonObject c = change(alert(u"a"_qs, to, u"info"_qs, silenced ? QJsonValue(u"s1"_qs) : QJsonValue()), from);
    QCOMPARE(AlertListModel::isNewlyFiring(c), notifies);
    AlertListModel model;
    QSignalSpy spy(&model, &AlertListModel::newlyFiring);
    model.applyDelta(u"alerts"_qs, 1, changes({c}));
    QCOMPARE(spy.count(), notifies ? 1 : 0);
  }

  void silenceMatchersSelectTheAlertLiterally() {
    const QJsonObject m = AlertListModel::silenceMatchers(alert(u"a"_qs, u"firing"_qs));
    QCOMPARE(m.value(u"rule").toString(), u"busy"_qs);
    const QString model = m.value(u"model").toString();
    QCOMPARE(model, u"engine:en\\.v1"_qs);
    // The node matches with std::regex (ECMAScript), over the whole value.
    const std::regex re(model.toStdString(), std::regex::ECMAScript);
    QVERIFY(std::regex_match("engine:en.v1", re));
    QVERIFY(!std::regex_match("engine:enXv1", re));
    QCOMPARE(AlertListModel::matchersText(m), u"model=engine:en\\.v1\nrule=busy"_qs);

    QString error;
    const QJsonObject parsed = AlertListModel::parseMatchers(u"model = eng.*\n\n rule=busy \n"_qs, &error);
    QCOMPARE(parsed, (QJsonObject{{u"model"_qs, u"eng.*"_qs}, {u"rule"_qs, u"busy"_qs}}));
    QVERIFY(AlertListModel::parseMatchers(u"rule=busy\nmodel\n"_qs, &error).isEmpty());
    QCOMPARE(error, u"Line 2: write a matcher as label=regular expression"_qs);
    QVERIFY(AlertListModel::parseMatchers(u"  \n"_qs, &error).isEmpty());
    QVERIFY(error.startsWith(u"Give at least one matcher"_qs));
  }

  void summaryFillsQuietDays() {
    const QJsonObject json{
        {u"since"_qs, u"2026-12-01T09:00:00.000Z"_qs},
        {u"until"_qs, u"2026-12-07T09:00:00.000Z"_qs},
        {u"per_day"_qs, QJsonArray{QJsonObject{{u"date"_qs, u"2026-12-02"_qs}, {u"critical"_qs, 2}, {u"warning"_qs, 1}},
                                   QJsonObject{{u"date"_qs, u"2026-12-07"_qs}, {u"info"_qs, 4}}}},
        {u"mtta_s"_qs, 90.5},
        {u"mttr_s"_qs, QJsonValue()},
        {u"fired"_qs, 7},
        {u"acknowledged"_qs, 1},
        {u"resolved"_qs, 0},
        {u"noisiest"_qs, QJsonArray{QJsonObject{{u"rule"_qs, u"busy"_qs}, {u"fired"_qs, 7}}}}};
    const auto s = models::AlertSummary::fromJson(json);
    QCOMPARE(s.mttaS.value_or(-1), 90.5);
    QVERIFY(!s.mttrS);
    QCOMPARE(s.fired, 7);
    QCOMPARE(s.noisiest.size(), 1);
    const auto days = s.days();
    QCOMPARE(days.size(), 7);  // Dec 1 … Dec 7
    QCOMPARE(days[0].date, QDate(2026, 12, 1));
    QCOMPARE(days[0].total(), 0);
    QCOMPARE(days[1].critical, 2);
    QCOMPARE(days[1].warning, 1);
    QCOMPARE(days[6].info, 4);
    QCOMPARE(days[3].total(), 0);

    // A period from the epoch starts at its first day with alerts.
    QJsonObject all = json;
    all.insert(u"since"_qs, u"1970-01-01T00:00:00.000Z"_qs);
    const auto fromFirst = models::AlertSummary::fromJson(all).days();
    QCOMPARE(fromFirst.size(), 6);
    QCOMPARE(fromFirst.front().date, QDate(2026, 12, 2));
  }

  void historyFilterArgs() {
    models::AlertHistoryFilter f;
    f.since = u"7d"_qs;
    f.severity = u"critical"_qs;
    f.text = u"  disk "_qs;
    QCOMPARE(f.args(),
             (QJsonObject{{u"since"_qs, u"7d"_qs}, {u"severity"_qs, u"critical"_qs}, {u"text"_qs, u"disk"_qs}}));
    models::AlertHistoryModel history;
    QAbstractItemModelTester tester(&history, QAbstractItemModelTester::FailureReportingMode::QtTest);
    history.setEvents(QJsonArray{QJsonObject{{u"time"_qs, u"2026-12-07T10:00:00.000Z"_qs},
                                             {u"kind"_qs, u"state"_qs},
                                             {u"state"_qs, u"firing"_qs},
                                             {u"from"_qs, u"pending"_qs},
                                             {u"value"_qs, 3.0}}});
    using HColumn = models::AlertHistoryModel::Column;
    QCOMPARE(history.index(0, int(HColumn::State)).data().toString(), u"pending → firing"_qs);
    QCOMPARE(history.index(0, int(HColumn::Time)).data(models::AlertHistoryModel::RawRole).toLongLong(),
             QDateTime(QDate(2026, 12, 7), QTime(10, 0), Qt::UTC).toMSecsSinceEpoch());
  }
};

QTEST_GUILESS_MAIN(TestAlertListModel)
#include "tst_alertlistmodel.moc"
