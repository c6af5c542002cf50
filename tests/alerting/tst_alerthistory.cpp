// AlertHistory on a real SQLite file: events come back by every filter (time range, severity,
// rule, model, node, state, kind, text) oldest first; CSV is checked row by row (quoting too);
// the summary counts alerts per day by severity, MTTA, MTTR and the noisiest rules; retention
// prunes by time; everything survives re-opening the file.
#include "alerting/alertdb.h"
#include "alerting/alerthistory.h"

#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::alerting;

namespace {

constexpr std::int64_t kDay0 = 1'796'601'600'000;  // 2026-12-07T00:00:00Z
constexpr std::int64_t kS = 1000;

HistoryEvent state(std::int64_t at, const std::string &id, const std::string &rule, const std::string &severity,
                   const std::string &to, const std::string &from, const std::string &model, double value) {
  HistoryEvent e;
  e.atMs = at;
  e.kind = "state";
  e.alertId = id;
  e.rule = rule;
  e.severity = severity;
  e.state = to;
  e.fromState = from;
  e.model = model;
  e.node = model == "tiny" ? "node-b" : "node-a";
  e.labelsJson = "{\"model\":\"" + model + "\"}";
  e.value = value;
  e.summary = model + ": error ratio " + std::to_string(value);
  return e;
}

HistoryEvent ack(std::int64_t at, const std::string &id, const std::string &rule, const std::string &severity) {
  HistoryEvent e;
  e.atMs = at;
  e.kind = "ack";
  e.alertId = id;
  e.rule = rule;
  e.severity = severity;
  e.state = "acknowledged";
  e.author = "ana";
  e.comment = "looking, \"now\"";
  return e;
}

std::vector<HistoryEvent> sample() {
  return {
      state(kDay0 + 10 * kS, "a1", "high_error_ratio", "critical", "pending", "inactive", "english", 0.2),
      state(kDay0 + 70 * kS, "a1", "high_error_ratio", "critical", "firing", "pending", "english", 0.25),
      ack(kDay0 + 130 * kS, "a1", "high_error_ratio", "critical"),
      state(kDay0 + 670 * kS, "a1", "high_error_ratio", "critical", "resolved", "firing", "english", 0.01),
      state(kDay0 + 86'400 * kS + 5 * kS, "b1", "p99_latency", "warning", "firing", "inactive", "tiny", 2.5),
      state(kDay0 + 86'400 * kS + 35 * kS, "b1", "p99_latency", "warning", "resolved", "firing", "tiny", 0.5),
      state(kDay0 + 86'400 * kS + 40 * kS, "c1", "high_error_ratio", "critical", "firing", "inactive", "tiny", 0.3),
  };
}

std::vector<std::string> ids(const std::vector<HistoryEvent> &events) {
  std::vector<std::string> out;
  for (const auto &e : events) out.push_back(e.alertId + ":" + e.state);
  return out;
}

}  // namespace

class TstAlertHistory : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  std::string path() const { return QString(m_dir.path() + QStringLiteral("/alerts.db")).toStdString(); }

private Q_SLOTS:
  void init() { QFile::remove(QString::fromStdString(path())); }

  void everyFilterSelectsItsRowsOldestFirst() {
    auto db = openAlertDb(path());
    QVERIFY2(db.isOk(), db.status().message().c_str());
    AlertHistory history(**db);
    auto events = sample();
    QVERIFY(history.record(events).isOk());
    QVERIFY(events[0].seq > 0 && events[6].seq > events[0].seq);

    auto run = [&](HistoryQuery q) {
      auto rows = history.query(q);
      if (!rows) qFatal("%s", rows.status().message().c_str());
      return ids(*rows);
    };
    using V = std::vector<std::string>;
    QCOMPARE(run({}),
             (V{"a1:pending", "a1:firing", "a1:acknowledged", "a1:resolved", "b1:firing", "b1:resolved", "c1:firing"}));
    QCOMPARE(run({.sinceMs = kDay0 + 70 * kS, .untilMs = kDay0 + 670 * kS}), (V{"a1:firing", "a1:acknowledged"}));
    QCOMPARE(run({.severity = "warning"}), (V{"b1:firing", "b1:resolved"}));
    QCOMPARE(run({.sinceMs = kDay0 + 86'400 * kS, .severity = "critical"}), (V{"c1:firing"}));
    QCOMPARE(run({.rule = "p99_latency"}), (V{"b1:firing", "b1:resolved"}));
    QCOMPARE(run({.model = "tiny", .state = "firing"}), (V{"b1:firing", "c1:firing"}));
    QCOMPARE(run({.node = "node-a", .kind = "ack"}), V{});  // acks carry no node here
    QCOMPARE(run({.kind = "ack"}), (V{"a1:acknowledged"}));
    QCOMPARE(run({.text = "LOOKING"}), (V{"a1:acknowledged"}));          // comment, any case
    QCOMPARE(run({.text = "tiny: error ratio 0.3"}), (V{"c1:firing"}));  // summary
    QCOMPARE(run({.text = "\"model\":\"english\""}).size(), 3u);         // labels
    QCOMPARE(run({.text = "100%"}), V{});                                // % is literal, not a wildcard
    QCOMPARE(run({.limit = 2}), (V{"a1:pending", "a1:firing"}));
  }

  void csvIsCheckedRowByRow() {
    auto db = openAlertDb(path());
    QVERIFY(db.isOk());
    AlertHistory history(**db);
    auto events = sample();
    QVERIFY(history.record(events).isOk());
    auto rows = history.query({.untilMs = kDay0 + 200 * kS});
    QVERIFY(rows.isOk());
    const QStringList lines = QString::fromStdString(historyCsv(*rows)).split(QStringLiteral("\r\n"));
    QCOMPARE(lines.size(), 5);  // header, three rows, and the empty string after the last CRLF
    QCOMPARE(lines[0],
             u"time,kind,alert_id,rule,severity,state,from,model,node,labels,value,summary,author,comment"_qs);
    QCOMPARE(lines[1],
             u"2026-12-07T00:00:10.000Z,state,a1,high_error_ratio,critical,pending,inactive,english,node-a,"
             u"\"{\"\"model\"\":\"\"english\"\"}\",0.20000000000000001,english: error ratio 0.200000,,"_qs);
    QCOMPARE(lines[2],
             u"2026-12-07T00:01:10.000Z,state,a1,high_error_ratio,critical,firing,pending,english,node-a,"
             u"\"{\"\"model\"\":\"\"english\"\"}\",0.25,english: error ratio 0.250000,,"_qs);
    QCOMPARE(lines[3],
             u"2026-12-07T00:02:10.000Z,ack,a1,high_error_ratio,critical,acknowledged,,,,{},,,ana,"
             u"\"looking, \"\"now\"\"\""_qs);
    QCOMPARE(lines[4], QString());
  }

  void summaryCountsDaysMttaMttrAndTheNoisiestRules() {
    auto db = openAlertDb(path());
    QVERIFY(db.isOk());
    AlertHistory history(**db);
    auto events = sample();
    QVERIFY(history.record(events).isOk());
    auto s = history.summary(kDay0, kDay0 + 7 * 86'400 * kS);
    QVERIFY(s.isOk());
    QCOMPARE(s->perDay.size(), 2u);
    QCOMPARE(s->perDay[0].date, std::string("2026-12-07"));
    QCOMPARE(s->perDay[0].critical, 1);
    QCOMPARE(s->perDay[0].warning, 0);
    QCOMPARE(s->perDay[1].date, std::string("2026-12-08"));
    QCOMPARE(s->perDay[1].critical, 1);
    QCOMPARE(s->perDay[1].warning, 1);
    QCOMPARE(s->fired, 3);
    QCOMPARE(s->acknowledged, 1);
    QCOMPARE(s->resolved, 2);
    QVERIFY(s->mttaSeconds);
    QCOMPARE(*s->mttaSeconds, 60.0);              // fired 00:01:10, acknowledged 00:02:10
    QCOMPARE(*s->mttrSeconds, (600.0 + 30) / 2);  // a1 after 600 s, b1 after 30 s; c1 still firing
    QCOMPARE(s->noisiest.size(), 2u);
    QCOMPARE(s->noisiest[0].rule, std::string("high_error_ratio"));
    QCOMPARE(s->noisiest[0].fired, 2);
    QCOMPARE(s->noisiest[1].rule, std::string("p99_latency"));

    // A period holding only the second day.
    auto second = history.summary(kDay0 + 86'400 * kS, kDay0 + 2 * 86'400 * kS);
    QVERIFY(second.isOk());
    QCOMPARE(second->fired, 2);
    QVERIFY(!second->mttaSeconds);
    QCOMPARE(*second->mttrSeconds, 30.0);

    // Partial days at both edges (read from the alerts themselves) agree with the day rollup.
    auto edges = history.summary(kDay0 + 60 * kS, kDay0 + 86'400 * kS + 10 * kS);
    QVERIFY(edges.isOk());
    QCOMPARE(edges->fired, 2);  // a1 at 00:01:10, b1 at 00:00:05 the next day; c1 after the end
    QCOMPARE(*edges->mttaSeconds, 60.0);
    QCOMPARE(*edges->mttrSeconds, (600.0 + 30) / 2);
    auto none = history.summary(kDay0 + 80 * kS, kDay0 + 86'400 * kS);
    QVERIFY(none.isOk());
    QCOMPARE(none->fired, 0);
    QVERIFY(none->perDay.empty());
  }

  void retentionPrunesOldRowsAndTheRestSurvivesReopening() {
    {
      auto db = openAlertDb(path());
      QVERIFY(db.isOk());
      AlertHistory history(**db);
      auto events = sample();
      QVERIFY(history.record(events).isOk());
      auto removed = history.prune(kDay0 + 86'400 * kS);
      QVERIFY(removed.isOk());
      QCOMPARE(*removed, 4);
    }
    auto db = openAlertDb(path());
    QVERIFY(db.isOk());
    AlertHistory history(**db);
    auto rows = history.query({});
    QVERIFY(rows.isOk());
    QCOMPARE(ids(*rows), (std::vector<std::string>{"b1:firing", "b1:resolved", "c1:firing"}));
    auto s = history.summary(0, std::numeric_limits<std::int64_t>::max());
    QVERIFY(s.isOk());
    QCOMPARE(s->fired, 2);
  }
};

QTEST_APPLESS_MAIN(TstAlertHistory)
#include "tst_alerthistory.moc"
