// AlertingService on a ManualClock with the node's real parts (metrics registry, ops table, event
// sink, data dir): the shipped rules load; errors a model answers raise high_error_ratio through
// pending to firing and back to resolved, heard on the event sink and the `alerts` topic; a
// broken rules file stops the start naming its line; apply_rules is checked, role-gated, applied
// and kept for the next start; check_rules refuses the same way and applies nothing.
#include "../support/nodeparts.h"
#include "node/alertingservice.h"
#include "observe/timeseriesstore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QtTest>

using namespace lmfront;
using namespace std::chrono_literals;

namespace {

struct Parts : testing::NodeParts {
  std::vector<std::pair<QString, QJsonObject>> deltas;
  observe::TimeSeriesStore store{metrics};  // the node's series service samples it; here the test does
  observe::CounterFamily *requests = nullptr;

  Parts() {
    // The families the shipped rules name, with the node's label names.
    requests = *metrics.counter("lmfront_requests_total", "h", {"model", "backend", "code"});
    const std::array<double, 3> bounds{0.1, 1, 10};
    (void)metrics.histogram("lmfront_request_duration_seconds", "h", {"model"}, bounds);
    (void)metrics.gauge("lmfront_backend_up", "h", {"backend"});
    (void)metrics.gauge("lmfront_backend_breaker_state", "h", {"backend"});
    (void)metrics.gauge("lmfront_queue_depth", "h", {"model"});
    (void)metrics.counter("lmfront_cache_hits_total", "h", {"tier"});
    (void)metrics.counter("lmfront_cache_misses_total", "h", {"tier"});
    (void)metrics.counter("lmfront_canary_rollbacks_total", "h", {"model"});
    (void)metrics.gauge("lmfront_cluster_member_up", "h", {"node"});
    ops.setDeltaSink([this](const QString &topic, const QJsonObject &delta) { deltas.emplace_back(topic, delta); });
  }
};

std::vector<std::string> alertEvents(const RecordingEventSink &events) {
  std::vector<std::string> out;
  for (const auto &e : events.events())
    if (e.component == "alerting") out.push_back(*e.field("rule") + " " + e.message.substr(0, e.message.find(':')));
  return out;
}

cluster::Principal principal(cluster::Role role) { return {"k1", "tester", role}; }

}  // namespace

class TstAlertingService : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void errorsRaiseAndResolveTheShippedErrorRatioAlert() {
    Parts p;
    node::AlertingService alerting(p.context, p.store, {});
    QVERIFY(alerting.start().isOk());
    p.store.sample(p.clock.now());  // the rates' baseline
    QCOMPARE(alerting.snapshot().value(u"rules").toInt(), 8);

    auto &ok = p.requests->withLabels({"english", "engine:english", "200"});
    auto &failed = p.requests->withLabels({"english", "engine:english", "503"});
    auto second = [&](int errors) {
      ok.inc(10);
      failed.inc(static_cast<std::uint64_t>(errors));
      p.clock.advance(1s);
      p.store.sample(p.clock.now());
      alerting.tick();
    };
    for (int s = 0; s < 30; ++s) second(0);
    QVERIFY(alertEvents(p.events).empty());

    for (int s = 0; s < 30; ++s) second(5);  // a third fail: over 5 % within the 5 m window
    QCOMPARE(alertEvents(p.events), (std::vector<std::string>{"high_error_ratio alert pending"}));
    const QJsonArray active = alerting.snapshot().value(u"active").toArray();
    QCOMPARE(active.size(), 1);
    QCOMPARE(active[0].toObject().value(u"state").toString(), u"pending"_qs);
    QCOMPARE(active[0].toObject().value(u"labels").toObject().value(u"model").toString(), u"english"_qs);
    QCOMPARE(active[0].toObject().value(u"severity").toString(), u"critical"_qs);

    for (int s = 0; s < 120; ++s) second(5);  // `for: 2m`
    QCOMPARE(alertEvents(p.events).back(), std::string("high_error_ratio alert firing"));
    // The topic carried both changes, with the state they came from.
    // The ratio over the 5 m window, the 30 error-free seconds included: below a third.
    QVERIFY(p.deltas.size() >= 2);
    QCOMPARE(p.deltas.back().first, u"alerts"_qs);
    const QJsonObject change = p.deltas.back().second.value(u"changes").toArray()[0].toObject();
    QCOMPARE(change.value(u"state").toString(), u"firing"_qs);
    QCOMPARE(change.value(u"from").toString(), u"pending"_qs);
    QVERIFY2(change.value(u"summary").toString().startsWith(u"english: 0.288"_qs),
             QJsonDocument(change).toJson().constData());

    for (int s = 0; s < 301; ++s) second(0);  // the 5 m window clears
    QCOMPARE(alertEvents(p.events).back(), std::string("high_error_ratio alert resolved"));
    QVERIFY(alerting.snapshot().value(u"active").toArray().isEmpty());
  }

  void aBrokenRulesFileStopsTheStartNamingItsLine() {
    Parts p;
    QVERIFY(QDir().mkpath(p.dir.filePath(u"alerts"_qs)));
    QFile file(p.dir.filePath(u"alerts/rules.yaml"_qs));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        "rules:\n  - name: x\n    metric: lmfront_requests_total\n    aggregate: rate\n"
        "    op: \">\"\n    threshold: 1\n    severity: info\n    for: -1m\n");
    file.close();
    node::AlertingService alerting(p.context, p.store, {});
    const Status started = alerting.start();
    QCOMPARE(started.code(), StatusCode::InvalidArgument);
    QVERIFY2(
        started.message().find("alerts/rules.yaml:8: rule \"x\": \"for\": must not be negative") != std::string::npos,
        started.message().c_str());
  }

  void applyRulesIsCheckedRoleGatedAppliedAndKept() {
    Parts p;
    node::AlertingService alerting(p.context, p.store, {});
    QVERIFY(alerting.start().isOk());
    const QString rules =
        u"rules:\n  - {name: busy, metric: lmfront_requests_total, aggregate: rate, "
        "op: \">\", threshold: 100, severity: info}\n"_qs;
    auto run = [&](const QJsonObject &args, cluster::Role role) {
      return p.ops.runCommand(client::OpsMessage::command(u"1"_qs, u"apply_rules"_qs, args), principal(role));
    };
    const auto forbidden = run({{u"yaml"_qs, rules}}, cluster::Role::Operator);
    QCOMPARE(forbidden.type, client::OpsType::Error);
    QCOMPARE(forbidden.errorPayload().code, client::OpsErrorCode::Forbidden);

    const auto bad =
        run({{u"yaml"_qs, u"rules:\n  - {name: b, metric: nope, aggregate: rate}\n"_qs}}, cluster::Role::Admin);
    QCOMPARE(bad.type, client::OpsType::Error);
    QCOMPARE(bad.errorPayload().code, client::OpsErrorCode::BadRequest);
    QVERIFY2(bad.errorPayload().message.contains(u"apply_rules:2: rule \"b\": \"metric\": unknown metric"_qs),
             qPrintable(bad.errorPayload().message));
    QCOMPARE(alerting.snapshot().value(u"rules").toInt(), 8);  // nothing changed

    const auto applied = run({{u"yaml"_qs, rules}}, cluster::Role::Admin);
    QCOMPARE(applied.type, client::OpsType::Result);
    QCOMPARE(applied.payload.toObject().value(u"rules").toInt(), 1);
    QCOMPARE(alerting.snapshot().value(u"rules").toInt(), 1);
    alerting.stop();

    // The next start reads the applied rules from the data dir.
    cluster::OpsRegistry freshTable;  // a new node's table: the first one already has the topic
    node::NodeContext next = p.contextWith(freshTable);
    node::AlertingService again(next, p.store, {});
    QVERIFY(again.start().isOk());
    QCOMPARE(again.snapshot().value(u"rules").toInt(), 1);
  }

  // What the console's Rules editor validates with: any role, the same refusal, nothing applied.
  void checkRulesNamesTheLineAndAppliesNothing() {
    Parts p;
    node::AlertingService alerting(p.context, p.store, {});
    QVERIFY(alerting.start().isOk());
    auto check = [&](const QString &yaml) {
      return p.ops.runCommand(client::OpsMessage::command(u"1"_qs, u"check_rules"_qs, QJsonObject{{u"yaml"_qs, yaml}}),
                              principal(cluster::Role::Viewer));
    };
    const auto bad = check(u"rules:\n  - name: b\n    metric: lmfront_requests_total\n    severty: info\n"_qs);
    QCOMPARE(bad.type, client::OpsType::Error);
    QCOMPARE(bad.errorPayload().code, client::OpsErrorCode::BadRequest);
    QVERIFY2(bad.errorPayload().message.contains(u"rules.yaml:4: rule \"b\": \"severty\": unknown field"_qs),
             qPrintable(bad.errorPayload().message));
    const auto good = check(
        u"rules:\n  - {name: busy, metric: lmfront_requests_total, aggregate: rate, "
        "op: \">\", threshold: 100, severity: info}\n"_qs);
    QCOMPARE(good.type, client::OpsType::Result);
    QCOMPARE(good.payload.toObject().value(u"rules").toInt(), 1);
    QCOMPARE(alerting.snapshot().value(u"rules").toInt(), 8);  // still the shipped rules
  }
};

QTEST_GUILESS_MAIN(TstAlertingService)
#include "tst_alertingservice.moc"
