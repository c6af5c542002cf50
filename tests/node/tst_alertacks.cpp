// Acks, silences and the history of a real AlertingService on a ManualClock, through its ops
// commands as a client sends them: an ack names its author and comment and is refused for an
// unknown alert, twice, or below the operator role; a silence mutes by regex and ends when the
// clock passes its end; a flapping alert is one history episode per flap; every change, ack and
// silence is in the history, filterable and exported as CSV; the summary counts them.
#include "alerttestparts.h"

#include <QJsonDocument>
#include <QtTest>

using namespace lmfront;
using namespace std::chrono_literals;
using cluster::Role;

namespace {

QJsonArray active(const node::AlertingService &a) { return a.snapshot().value(u"active").toArray(); }

QStringList historyLine(const QJsonArray &events) {
  QStringList out;
  for (const auto &v : events) {
    const QJsonObject e = v.toObject();
    out << e.value(u"kind").toString() + u' ' + e.value(u"state").toString();
  }
  return out;
}

}  // namespace

class TstAlertAcks : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void ackIsRecordedOnceByAnOperator() {
    testing::AlertParts p;
    node::AlertingService alerting(*p.context, p.store, {});
    QVERIFY(p.start(alerting).isOk());
    for (int s = 0; s < 3; ++s) p.second(alerting, 10);
    QCOMPARE(active(alerting).size(), 1);
    const QJsonObject alert = active(alerting)[0].toObject();
    QCOMPARE(alert.value(u"state").toString(), u"firing"_qs);
    QVERIFY(alert.value(u"ack").isNull());
    const QString id = alert.value(u"id").toString();

    const auto viewer = p.run(u"ack"_qs, {{u"id"_qs, id}}, Role::Viewer);
    QCOMPARE(viewer.errorPayload().code, client::OpsErrorCode::Forbidden);
    const auto unknown = p.run(u"ack"_qs, {{u"id"_qs, u"0000"_qs}}, Role::Operator);
    QCOMPARE(unknown.errorPayload().code, client::OpsErrorCode::NotFound);

    const auto acked = p.run(u"ack"_qs, {{u"id"_qs, id}, {u"comment"_qs, u"on it"_qs}}, Role::Operator);
    QCOMPARE(acked.type, client::OpsType::Result);
    QCOMPARE(acked.payload.toObject().value(u"ack").toObject().value(u"author").toString(), u"ana"_qs);
    const QJsonObject ack = active(alerting)[0].toObject().value(u"ack").toObject();
    QCOMPARE(ack.value(u"comment").toString(), u"on it"_qs);
    QCOMPARE(p.deltas.back().second.value(u"updated").toArray()[0].toObject().value(u"id").toString(), id);

    const auto twice = p.run(u"ack"_qs, {{u"id"_qs, id}}, Role::Operator);
    QCOMPARE(twice.errorPayload().code, client::OpsErrorCode::FailedPrecondition);

    p.clock.advance(90s);
    for (int s = 0; s < 3; ++s) p.second(alerting, 0);
    QVERIFY(active(alerting).isEmpty());

    const auto history = p.run(u"alert_history"_qs, {}, Role::Viewer);
    QCOMPARE(history.type, client::OpsType::Result);
    QCOMPARE(historyLine(history.payload.toObject().value(u"events").toArray()),
             (QStringList{u"state firing"_qs, u"ack acknowledged"_qs, u"state resolved"_qs}));
    const QJsonObject ackRow = history.payload.toObject().value(u"events").toArray()[1].toObject();
    QCOMPARE(ackRow.value(u"author").toString(), u"ana"_qs);
    QCOMPARE(ackRow.value(u"comment").toString(), u"on it"_qs);
    QCOMPARE(ackRow.value(u"model").toString(), u"english"_qs);

    const auto summary = p.run(u"alert_summary"_qs, {{u"since"_qs, u"1d"_qs}}, Role::Viewer);
    QCOMPARE(summary.type, client::OpsType::Result);
    const QJsonObject s = summary.payload.toObject();
    QCOMPARE(s.value(u"fired").toInt(), 1);
    const QJsonArray rows = history.payload.toObject().value(u"events").toArray();
    auto at = [&](int i) {
      return QDateTime::fromString(rows[i].toObject().value(u"time").toString(), Qt::ISODateWithMs);
    };
    QCOMPARE(s.value(u"mtta_s").toDouble(), at(0).msecsTo(at(1)) / 1000.0);
    QCOMPARE(s.value(u"mttr_s").toDouble(), at(0).msecsTo(at(2)) / 1000.0);
    QVERIFY(s.value(u"mttr_s").toDouble() >= 90.0);  // resolved after the 90 s jump
    QCOMPARE(s.value(u"noisiest").toArray()[0].toObject().value(u"rule").toString(), u"busy"_qs);
    int perDay = 0;
    for (const auto &d : s.value(u"per_day").toArray()) perDay += d.toObject().value(u"critical").toInt();
    QCOMPARE(perDay, 1);
  }

  void silenceMutesByRegexAndExpiresOnTheClock() {
    testing::AlertParts p;
    node::AlertingService alerting(*p.context, p.store, {});
    QVERIFY(p.start(alerting).isOk());
    const auto bad =
        p.run(u"silence"_qs, {{u"matchers"_qs, QJsonObject{{u"model"_qs, u"eng("_qs}}}, {u"for"_qs, u"1h"_qs}},
              Role::Operator);
    QCOMPARE(bad.errorPayload().code, client::OpsErrorCode::BadRequest);
    QVERIFY2(bad.errorPayload().message.contains(u"matcher model"_qs), qPrintable(bad.errorPayload().message));

    const auto silenced = p.run(u"silence"_qs,
                                {{u"matchers"_qs, QJsonObject{{u"model"_qs, u"eng.*"_qs}, {u"rule"_qs, u"busy"_qs}}},
                                 {u"for"_qs, u"10m"_qs},
                                 {u"comment"_qs, u"load test"_qs}},
                                Role::Operator);
    QCOMPARE(silenced.type, client::OpsType::Result);
    const QString silenceId = silenced.payload.toObject().value(u"id").toString();
    QCOMPARE(alerting.snapshot().value(u"silences").toArray().size(), 1);

    for (int s = 0; s < 3; ++s) {
      p.requests->withLabels({"tiny", "engine:tiny", "200"}).inc(10);
      p.second(alerting, 10);
    }
    QCOMPARE(active(alerting).size(), 2);
    for (const auto &v : active(alerting)) {
      const QJsonObject a = v.toObject();
      const bool english = a.value(u"labels").toObject().value(u"model").toString() == u"english"_qs;
      QCOMPARE(a.value(u"silenced_by").toString(), english ? silenceId : QString());
    }

    // Traffic goes on, so the alerts stay; the silence ends at 10 min on the node's clock.
    int seconds = 3;
    while (alerting.snapshot().value(u"silences").toArray().size() == 1 && seconds < 700) {
      p.requests->withLabels({"tiny", "engine:tiny", "200"}).inc(10);
      p.second(alerting, 10);
      ++seconds;
    }
    QCOMPARE(seconds, 600);
    QCOMPARE(active(alerting).size(), 2);
    for (const auto &v : active(alerting)) QVERIFY(v.toObject().value(u"silenced_by").isNull());
    bool heard = false;
    for (const auto &[topic, delta] : p.deltas)
      if (delta.contains(u"silences") && delta.value(u"silences").toArray().isEmpty()) heard = true;
    QVERIFY(heard);

    const auto history = p.run(u"alert_history"_qs, {{u"kind"_qs, u"silence"_qs}}, Role::Viewer);
    const QJsonArray rows = history.payload.toObject().value(u"events").toArray();
    QCOMPARE(historyLine(rows), (QStringList{u"silence silenced"_qs, u"silence expired"_qs}));
    QCOMPARE(rows[0].toObject().value(u"labels").toObject().value(u"model").toString(), u"eng.*"_qs);
    QCOMPARE(rows[0].toObject().value(u"comment").toString(), u"load test"_qs);
  }

  void aFlappingAlertIsOneEpisodePerFlapAndExportsAsCsv() {
    testing::AlertParts p;
    node::AlertingService alerting(*p.context, p.store, {});
    QVERIFY(p.start(alerting).isOk());
    QStringList ids;
    for (int flap = 0; flap < 3; ++flap) {
      for (int s = 0; s < 2; ++s) p.second(alerting, 10);
      ids << active(alerting)[0].toObject().value(u"id").toString();
      for (int s = 0; s < 3; ++s) p.second(alerting, 0);
      QVERIFY(active(alerting).isEmpty());
    }
    ids.removeDuplicates();
    QCOMPARE(ids.size(), 3);

    const auto firing =
        p.run(u"alert_history"_qs, {{u"state"_qs, u"firing"_qs}, {u"rule"_qs, u"busy"_qs}}, Role::Viewer);
    QCOMPARE(firing.payload.toObject().value(u"events").toArray().size(), 3);
    const auto csv = p.run(u"alert_history"_qs, {{u"format"_qs, u"csv"_qs}}, Role::Viewer);
    const QStringList lines = csv.payload.toObject().value(u"csv").toString().split(u"\r\n"_qs, Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 6);
    for (int i = 1; i < lines.size(); ++i) {
      const QStringList cells = lines[i].split(u',');
      QCOMPARE(cells[1], u"state"_qs);
      QCOMPARE(cells[2], ids[(i - 1) / 2]);
      QCOMPARE(cells[3], u"busy"_qs);
      QCOMPARE(cells[5], i % 2 ? u"firing"_qs : u"resolved"_qs);
      QCOMPARE(cells[7], u"english"_qs);
    }
    const auto bad = p.run(u"alert_history"_qs, {{u"since"_qs, u"yesterday"_qs}}, Role::Viewer);
    QCOMPARE(bad.errorPayload().code, client::OpsErrorCode::BadRequest);
  }
};

QTEST_GUILESS_MAIN(TstAlertAcks)
#include "tst_alertacks.moc"
