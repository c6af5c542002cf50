// SeriesService on a ManualClock with the node's real parts (metrics registry, ops table, SQLite
// in a temp data dir): the chart series' 10 s and 1 min tiers survive a restart and are read back
// by the range query; the query picks the finest tier that covers the range, resamples to the
// step, and refuses bad parameters naming them; the `series` command is admin only.
#include "../support/nodeparts.h"
#include "node/seriesservice.h"
#include "observe/metricnames.h"

#include <QJsonArray>
#include <QtTest>

using namespace lmfront;
using namespace std::chrono_literals;

namespace {

struct Parts : testing::NodeParts {
  observe::CounterFamily *requests = nullptr;

  Parts() {
    requests = *metrics.counter(std::string(observe::names::kRequestsTotal), "h", {"model", "backend", "code"});
  }
  // `seconds` seconds of 5 requests a second to model a, one tick each.
  void traffic(node::SeriesService &series, int seconds) {
    for (int s = 0; s < seconds; ++s) {
      requests->withLabels({"a", "engine:a", "200"}).inc(5);
      clock.advance(1s);
      series.tick();
    }
  }
};

QJsonArray points(const QJsonObject &answer) {
  const QJsonArray series = answer.value(u"series"_qs).toArray();
  return series.isEmpty() ? QJsonArray() : series[0].toObject().value(u"points"_qs).toArray();
}

}  // namespace

class TstSeriesService : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void coarseTiersSurviveARestart() {
    Parts p;
    qint64 begin = 0, end = 0;
    {
      node::SeriesService series(p.context, nullptr);
      QVERIFY(series.start().isOk());
      begin = series.unixMs(p.clock.now());
      p.traffic(series, 1800);  // half an hour
      end = series.unixMs(p.clock.now());
      series.stop();  // flushes the open buckets
    }
    cluster::OpsRegistry freshTable;  // a new node's table
    node::NodeContext next = p.contextWith(freshTable);
    node::SeriesService again(next, nullptr);
    QVERIFY(again.start().isOk());

    // The restarted store has no 1 s history of that half hour: the hour's tier is filled from the
    // 10 s tier on disk.
    QVERIFY(again.unixMs(p.clock.now()) >= end);
    auto answer = again.query({{u"name"_qs, u"requests_per_s"_qs},
                               {u"model"_qs, u"a"_qs},
                               {u"from"_qs, begin},
                               {u"to"_qs, end},
                               {u"step"_qs, 10}});
    QVERIFY2(answer.isOk(), answer.status().message().c_str());
    QCOMPARE(answer->value(u"tier_s"_qs).toInt(), 1);
    QCOMPARE(answer->value(u"step_s"_qs).toInt(), 10);
    const QJsonArray tens = points(*answer);
    QVERIFY2(tens.size() >= 179 && tens.size() <= 181, QByteArray::number(tens.size()).constData());
    for (const auto &pt : tens) QCOMPARE(pt.toArray()[1].toDouble(), 5.0);
    QCOMPARE(answer->value(u"series"_qs).toArray()[0].toObject().value(u"backend"_qs), QJsonValue(QJsonValue::Null));

    // A range reaching back past a day: the 1 min tier, resampled to 5 min steps.
    answer = again.query({{u"name"_qs, u"requests_per_s"_qs},
                          {u"model"_qs, u"a"_qs},
                          {u"from"_qs, end - 25 * 3'600'000LL},
                          {u"to"_qs, end},
                          {u"step"_qs, 300}});
    QVERIFY2(answer.isOk(), answer.status().message().c_str());
    QCOMPARE(answer->value(u"tier_s"_qs).toInt(), 60);
    QCOMPARE(answer->value(u"step_s"_qs).toInt(), 300);
    const QJsonArray fives = points(*answer);
    QVERIFY2(fives.size() >= 6 && fives.size() <= 8, QByteArray::number(fives.size()).constData());
    for (const auto &pt : fives) QCOMPARE(pt.toArray()[1].toDouble(), 5.0);
  }

  void theFinestTierCoveringTheRangeAnswers() {
    Parts p;
    node::SeriesService series(p.context, nullptr);
    QVERIFY(series.start().isOk());
    p.traffic(series, 120);
    const qint64 now = series.unixMs(p.clock.now());
    // Every model separately ("*"), and the node total (no model).
    auto each = series.query({{u"name"_qs, u"requests_per_s"_qs}, {u"model"_qs, u"*"_qs}, {u"from"_qs, now - 60'000}});
    QVERIFY2(each.isOk(), each.status().message().c_str());
    QCOMPARE(each->value(u"tier_s"_qs).toInt(), 1);
    QCOMPARE(each->value(u"series"_qs).toArray().size(), 1);
    QCOMPARE(each->value(u"series"_qs).toArray()[0].toObject().value(u"model"_qs).toString(), u"a"_qs);
    QCOMPARE(points(*each).size(), 61);  // (now - 60 s) .. now, inclusive
    auto total = series.query({{u"name"_qs, u"requests_per_s"_qs}, {u"from"_qs, now - 60'000}, {u"step"_qs, u"20"_qs}});
    QVERIFY(total.isOk());
    QCOMPARE(total->value(u"series"_qs).toArray()[0].toObject().value(u"model"_qs), QJsonValue(QJsonValue::Null));
    const QJsonArray steps = points(*total);
    QCOMPARE(steps.size(), 4);
    QCOMPARE(steps[0].toArray()[0].toInteger(), now - 60'000);
    QCOMPARE(steps[1].toArray()[1].toDouble(), 5.0);

    // Over the ops API: the same query, admin only.
    auto run = [&](const QJsonObject &args, cluster::Role role) {
      return p.ops.runCommand(client::OpsMessage::command(u"1"_qs, u"series"_qs, args),
                              cluster::Principal{"k1", "tester", role});
    };
    const auto forbidden = run({{u"name"_qs, u"requests_per_s"_qs}}, cluster::Role::Operator);
    QCOMPARE(forbidden.errorPayload().code, client::OpsErrorCode::Forbidden);
    const auto result = run({{u"name"_qs, u"requests_per_s"_qs}, {u"model"_qs, u"a"_qs}}, cluster::Role::Admin);
    QCOMPARE(result.type, client::OpsType::Result);
    QCOMPARE(result.payload.toObject().value(u"series"_qs).toArray().size(), 1);
  }

  void badParametersAreRefusedNamingThem() {
    Parts p;
    node::SeriesService series(p.context, nullptr);
    QVERIFY(series.start().isOk());
    p.traffic(series, 3);
    const qint64 now = series.unixMs(p.clock.now());
    const std::vector<std::pair<QJsonObject, std::string>> cases{
        {{}, "parameter 'name' must be one of: requests_per_s"},
        {{{u"name"_qs, u"qps"_qs}}, "parameter 'name' must be one of"},
        {{{u"name"_qs, u"requests_per_s"_qs}, {u"from"_qs, u"yesterday"_qs}}, "parameter 'from' must be an integer"},
        {{{u"name"_qs, u"requests_per_s"_qs}, {u"from"_qs, now}, {u"to"_qs, now - 1}}, "'from' must be before 'to'"},
        {{{u"name"_qs, u"requests_per_s"_qs}, {u"step"_qs, 0}}, "parameter 'step' must be a positive"},
        {{{u"name"_qs, u"requests_per_s"_qs}, {u"step"_qs, 1.5}}, "parameter 'step' must be an integer"},
        {{{u"name"_qs, u"requests_per_s"_qs}, {u"model"_qs, u""_qs}}, "parameter 'model' must be a name or '*'"},
        {{{u"name"_qs, u"requests_per_s"_qs}, {u"modle"_qs, u"a"_qs}}, "unknown parameter 'modle'"},
        {{{u"name"_qs, u"requests_per_s"_qs}, {u"from"_qs, now - 20 * 86'400'000LL}, {u"to"_qs, now}, {u"step"_qs, 60}},
         "more than 11000 steps"},
    };
    for (const auto &[args, message] : cases) {
      const auto answer = series.query(args);
      QVERIFY2(!answer.isOk(), message.c_str());
      QCOMPARE(answer.status().code(), StatusCode::InvalidArgument);
      QVERIFY2(answer.status().message().find(message) != std::string::npos, answer.status().message().c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TstSeriesService)
#include "tst_seriesservice.moc"
