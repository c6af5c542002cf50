// Alert rules files: every field read into its typed form, and every kind of bad rule refused
// with the file, the line and the field in the message.
#include "alerting/alertrule.h"
#include "observe/metricnames.h"

#include <QFile>

#include <QtTest>

using namespace lmfront::alerting;
using namespace std::chrono_literals;

namespace {

const MetricExists kKnown = [](std::string_view name) {
  return name == "lmfront_requests_total" || name == "lmfront_request_duration_seconds" ||
         name == "lmfront_backend_up" || name == "lmfront_cache_hits_total" || name == "lmfront_cache_misses_total";
};

std::string errorOf(std::string_view yaml) {
  auto rules = parseRules(yaml, "rules.yaml", kKnown);
  return rules ? std::string("(accepted)") : rules.status().message();
}

}  // namespace

class TstAlertRule : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void everyFieldIsRead() {
    const char *yaml =
        "rules:\n"
        "  - name: error_ratio\n"
        "    metric: lmfront_requests_total\n"
        "    match: {code: \"5..\"}\n"
        "    aggregate: ratio\n"
        "    denominator: {metric: lmfront_requests_total}\n"
        "    by: [model]\n"
        "    window: 5m\n"
        "    op: \">\"\n"
        "    threshold: 0.05\n"
        "    for: 2m\n"
        "    keep_firing_for: 30s\n"
        "    severity: critical\n"
        "    labels: {team: serving}\n"
        "    summary: \"{{ $labels.model }} fails {{ $value }} of requests\"\n"
        "  - name: p99\n"
        "    metric: lmfront_request_duration_seconds\n"
        "    aggregate: quantile\n"
        "    q: 0.99\n"
        "    op: \">=\"\n"
        "    threshold: 2\n"
        "    severity: warning\n";
    auto rules = parseRules(yaml, "rules.yaml", kKnown);
    QVERIFY2(rules.isOk(), rules.status().message().c_str());
    QCOMPARE(rules->size(), 2u);
    const AlertRule &r = (*rules)[0];
    QCOMPARE(r.name, std::string("error_ratio"));
    QCOMPARE(r.line, 2);
    QCOMPARE(r.selector.metric, std::string("lmfront_requests_total"));
    QCOMPARE(r.selector.match.size(), 1u);
    QVERIFY(r.selector.matches({{"code", "503"}, {"model", "m"}}));
    QVERIFY(!r.selector.matches({{"code", "200"}}));
    QVERIFY(!r.selector.matches({{"code", "5000"}}));  // the whole value must match
    QVERIFY(!r.selector.matches({}));
    QVERIFY(r.aggregate == Aggregate::Ratio);
    QVERIFY(r.denominator.size() == 1 && r.denominator.front().metric == "lmfront_requests_total");
    QCOMPARE(r.by.value_or(std::vector<std::string>{}), std::vector<std::string>{"model"});
    QCOMPARE(r.window, std::chrono::milliseconds(5min));
    QVERIFY(r.op == Comparison::Greater);
    QCOMPARE(r.threshold, 0.05);
    QCOMPARE(r.forDuration, std::chrono::milliseconds(2min));
    QCOMPARE(r.keepFiringFor, std::chrono::milliseconds(30s));
    QVERIFY(r.severity == Severity::Critical);
    QCOMPARE(r.labels, (Labels{{"team", "serving"}}));
    QCOMPARE(r.renderSummary({{"model", "english"}}, 0.125), std::string("english fails 0.125 of requests"));

    const AlertRule &p = (*rules)[1];
    QVERIFY(p.aggregate == Aggregate::Quantile);
    QCOMPARE(p.q, 0.99);
    QVERIFY(!p.by.has_value());
    QCOMPARE(p.window, std::chrono::milliseconds(5min));  // the default
    QCOMPARE(p.forDuration, std::chrono::milliseconds(0));
    QVERIFY(!p.sameDefinition(r));
    QVERIFY(p.sameDefinition(p));
  }

  void shippedDefaultsParseAgainstTheNodesMetricNames() {
    namespace names = lmfront::observe::names;
    const MetricExists nodeMetric = [](std::string_view name) {
      return name == names::kRequestsTotal || name == names::kRequestDurationSeconds || name == names::kBackendUp ||
             name == names::kBackendBreakerState || name == names::kQueueDepth || name == names::kCacheHitsTotal ||
             name == names::kCacheMissesTotal || name == names::kCanaryRollbacksTotal ||
             name == names::kClusterMemberUp;
    };
    QFile file(qEnvironmentVariable("LMFRONT_SOURCE_DIR") + u"/resources/alerts/default-rules.yaml"_qs);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    auto rules = parseRules(file.readAll().toStdString(), "default-rules.yaml", nodeMetric);
    QVERIFY2(rules.isOk(), rules.status().message().c_str());
    std::vector<std::string> ruleNames;
    for (const auto &r : *rules) ruleNames.push_back(r.name);
    QCOMPARE(ruleNames,
             (std::vector<std::string>{"high_error_ratio", "p99_latency", "backend_down", "circuit_open",
                                       "queue_saturation", "cache_hit_ratio_drop", "canary_rolled_back", "node_down"}));
  }

  void durations() {
    QCOMPARE(*parseDuration("30s"), std::chrono::milliseconds(30s));
    QCOMPARE(*parseDuration("1h30m"), std::chrono::milliseconds(90min));
    QCOMPARE(*parseDuration("500ms"), std::chrono::milliseconds(500));
    QCOMPARE(*parseDuration("2d"), std::chrono::milliseconds(48h));
    QVERIFY(!parseDuration("5").isOk());
    QVERIFY(!parseDuration("5 m").isOk());
    QVERIFY(!parseDuration("m").isOk());
    QVERIFY(!parseDuration("").isOk());
    QVERIFY(!parseDuration("5w").isOk());
  }

  void badRulesNameFileLineAndField_data() {
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("expected");
    const QString head = u"rules:\n  - name: r\n    severity: info\n    op: \">\"\n    threshold: 1\n"_qs;
    QTest::newRow("unknown metric") << head + u"    metric: nope_total\n    aggregate: rate\n"_qs
                                    << u"rules.yaml:6: rule \"r\": \"metric\": unknown metric \"nope_total\""_qs;
    QTest::newRow("bad regex") << head +
                                      u"    metric: lmfront_requests_total\n    aggregate: rate\n"
                                      u"    match: {code: \"5(\"}\n"_qs
                               << u"rules.yaml:8: rule \"r\": \"match.code\": bad regular expression \"5(\""_qs;
    QTest::newRow("negative for") << head +
                                         u"    metric: lmfront_requests_total\n    aggregate: rate\n"
                                         u"    for: -5m\n"_qs
                                  << u"rules.yaml:8: rule \"r\": \"for\": must not be negative"_qs;
    QTest::newRow("unknown field") << head +
                                          u"    metric: lmfront_requests_total\n    aggregate: rate\n"
                                          u"    severty: info\n"_qs
                                   << u"rules.yaml:8: rule \"r\": \"severty\": unknown field"_qs;
    QTest::newRow("quantile without q") << head +
                                               u"    metric: lmfront_request_duration_seconds\n"
                                               u"    aggregate: quantile\n"_qs
                                        << u"rules.yaml:7: rule \"r\": \"q\": is required"_qs;
    QTest::newRow("q out of range") << head +
                                           u"    metric: lmfront_request_duration_seconds\n"
                                           u"    aggregate: quantile\n    q: 1.5\n"_qs
                                    << u"rules.yaml:8: rule \"r\": \"q\": must lie between 0 and 1"_qs;
    QTest::newRow("ratio without denominator")
        << head + u"    metric: lmfront_requests_total\n    aggregate: ratio\n"_qs
        << u"rules.yaml:7: rule \"r\": \"denominator\": is required"_qs;
    QTest::newRow("denominator list entry unknown field")
        << head +
               u"    metric: lmfront_cache_hits_total\n    aggregate: ratio\n"
               u"    denominator:\n      - {metric: lmfront_cache_hits_total}\n"
               u"      - {metric: lmfront_cache_misses_total, tier: local}\n"_qs
        << u"rules.yaml:10: rule \"r\": \"denominator[1].tier\": unknown field"_qs;
    QTest::newRow("empty denominator list")
        << head + u"    metric: lmfront_cache_hits_total\n    aggregate: ratio\n    denominator: []\n"_qs
        << u"rules.yaml:8: rule \"r\": \"denominator\": is required"_qs;
    QTest::newRow("negative min_rate")
        << head +
               u"    metric: lmfront_requests_total\n    aggregate: ratio\n"
               u"    denominator: {metric: lmfront_requests_total}\n    min_rate: -1\n"_qs
        << u"rules.yaml:9: rule \"r\": \"min_rate\": must not be negative"_qs;
    QTest::newRow("min_rate without ratio")
        << head + u"    metric: lmfront_requests_total\n    aggregate: rate\n    min_rate: 1\n"_qs
        << u"rules.yaml:8: rule \"r\": \"min_rate\": only with aggregate: ratio"_qs;
    QTest::newRow("bad severity") << u"rules:\n  - name: r\n    metric: lmfront_backend_up\n    aggregate: max\n"
                                     u"    op: \"<\"\n    threshold: 1\n    severity: page\n"_qs
                                  << u"rules.yaml:7: rule \"r\": \"severity\": expected critical, warning or info"_qs;
    QTest::newRow("missing op") << u"rules:\n  - name: r\n    metric: lmfront_backend_up\n    aggregate: max\n"
                                   u"    threshold: 1\n    severity: info\n"_qs
                                << u"rules.yaml:2: rule \"r\": \"op\": is required"_qs;
    QTest::newRow("threshold not a number") << head.left(head.indexOf(u"    threshold"_qs)) +
                                                   u"    threshold: lots\n    metric: lmfront_backend_up\n"
                                                   u"    aggregate: max\n"_qs
                                            << u"rules.yaml:5: rule \"r\": \"threshold\": expected a number"_qs;
    QTest::newRow("duplicate name")
        << u"rules:\n  - {name: r, metric: lmfront_backend_up, aggregate: max, op: \"<\", threshold: 1, severity: "
           u"info}\n"
           u"  - {name: r, metric: lmfront_backend_up, aggregate: max, op: \"<\", threshold: 1, severity: info}\n"_qs
        << u"rules.yaml:3: rule \"r\": \"name\": another rule has this name"_qs;
    QTest::newRow("not yaml") << u"rules: [\n  - {"_qs << u"rules.yaml:"_qs;
    QTest::newRow("top level") << u"alerts: []\n"_qs << u"rules.yaml:1: \"alerts\": unknown top-level key"_qs;
    QTest::newRow("rules not a list") << u"rules: 3\n"_qs << u"rules.yaml:1: \"rules\": expected a list of rules"_qs;
  }
  void badRulesNameFileLineAndField() {
    QFETCH(QString, yaml);
    QFETCH(QString, expected);
    const QString error = QString::fromStdString(errorOf(yaml.toStdString()));
    QVERIFY2(error.startsWith(expected), qPrintable(error + u"\n  expected to start with: "_qs + expected));
  }
};

QTEST_APPLESS_MAIN(TstAlertRule)
#include "tst_alertrule.moc"
