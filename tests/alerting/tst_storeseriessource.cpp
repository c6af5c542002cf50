// StoreSeriesSource over a real metrics registry and time-series store on a ManualClock: rate,
// ratio, avg, max and quantile over a window, grouped by `by`, and the evaluator on top of it
// raising and resolving an alert from real counter increments.
#include "alerting/storeseriessource.h"
#include "observe/metricsregistry.h"
#include "observe/timeseriesstore.h"

#include <QtTest>
#include <cmath>

using namespace lmfront;
using namespace lmfront::alerting;
using namespace std::chrono_literals;

namespace {

const MetricExists kAny = [](std::string_view) { return true; };

AlertRule parseOne(const std::string &yaml) {
  auto rules = parseRules("rules:\n  - " + yaml, "test.yaml", kAny);
  if (!rules || rules->size() != 1) qFatal("rule did not parse: %s", rules.status().message().c_str());
  return rules->front();
}

std::map<Labels, double> asMap(const std::vector<std::pair<Labels, double>> &values) {
  return {values.begin(), values.end()};
}

}  // namespace

class TstStoreSeriesSource : public QObject {
  Q_OBJECT
private:
  std::unique_ptr<observe::MetricsRegistry> m_registry;
  ManualClock m_clock;
  std::unique_ptr<observe::TimeSeriesStore> m_store;
  observe::Family<observe::Counter> *m_requests = nullptr;
  observe::Family<observe::Gauge> *m_queue = nullptr;
  observe::Family<observe::Histogram> *m_latency = nullptr;

  void tick() {
    m_clock.advance(1s);
    m_store->sample(m_clock.now());
  }

private Q_SLOTS:
  void init() {
    m_store.reset();
    m_registry = std::make_unique<observe::MetricsRegistry>();
    m_requests = *m_registry->counter("req_total", "h", {"model", "code"});
    m_queue = *m_registry->gauge("queue", "h", {"model"});
    const std::array<double, 4> bounds{0.1, 0.5, 1, 5};
    m_latency = *m_registry->histogram("lat_seconds", "h", {"model"}, bounds);
    m_store = std::make_unique<observe::TimeSeriesStore>(*m_registry, 600);
    QVERIFY(m_store->track("req_total").isOk());
    QVERIFY(m_store->track("queue").isOk());
    QVERIFY(m_store->track("lat_seconds", {0.5, 0.99}).isOk());
  }

  void rateAndRatioGroupedByModel() {
    auto &a200 = m_requests->withLabels({"a", "200"});
    auto &a500 = m_requests->withLabels({"a", "500"});
    auto &b200 = m_requests->withLabels({"b", "200"});
    m_store->sample(m_clock.now());  // baseline
    for (int s = 0; s < 10; ++s) {
      a200.inc(8);
      a500.inc(2);
      b200.inc(5);
      tick();
    }
    StoreSeriesSource source(*m_store);
    const auto rate = asMap(source.evaluate(parseOne("{name: r, metric: req_total, aggregate: rate, window: 1m, "
                                                     "op: '>', threshold: 0, severity: info, by: [model]}"),
                                            m_clock.now()));
    QCOMPARE(rate.size(), 2u);
    QCOMPARE(rate.at({{"model", "a"}}), 10.0);
    QCOMPARE(rate.at({{"model", "b"}}), 5.0);

    const auto perSeries = source.evaluate(parseOne("{name: r, metric: req_total, aggregate: rate, window: 1m, "
                                                    "op: '>', threshold: 0, severity: info, match: {code: '5..'}}"),
                                           m_clock.now());
    QCOMPARE(perSeries.size(), 1u);
    QCOMPARE(perSeries[0].first, (Labels{{"code", "500"}, {"model", "a"}}));
    QCOMPARE(perSeries[0].second, 2.0);

    const auto ratio = asMap(source.evaluate(
        parseOne("{name: r, metric: req_total, match: {code: '5..'}, aggregate: ratio, "
                 "denominator: {metric: req_total}, by: [model], window: 1m, op: '>', threshold: 0, severity: info}"),
        m_clock.now()));
    QCOMPARE(ratio.at({{"model", "a"}}), 0.2);
    QCOMPARE(ratio.at({{"model", "b"}}), 0.0);
    const auto whole = source.evaluate(
        parseOne("{name: r, metric: req_total, match: {code: '5..'}, aggregate: ratio, "
                 "denominator: {metric: req_total}, window: 1m, op: '>', threshold: 0, severity: info}"),
        m_clock.now());
    QCOMPARE(whole.size(), 1u);
    QVERIFY(whole[0].first.empty());
    QCOMPARE(whole[0].second, 20.0 / 150.0);
  }

  // The cache hit ratio's shape: hits of every tier over the first tier's hits plus misses, and
  // a min_rate under which a quiet node has no value at all.
  void ratioOverASumOfSelectorsWithAMinimumRate() {
    auto *hits = *m_registry->counter("hits_total", "h", {"tier"});
    auto *misses = *m_registry->counter("misses_total", "h", {"tier"});
    QVERIFY(m_store->track("hits_total").isOk());
    QVERIFY(m_store->track("misses_total").isOk());
    m_store->sample(m_clock.now());
    for (int s = 0; s < 10; ++s) {
      hits->withLabels({"local"}).inc(2);    // 2 local hits
      misses->withLabels({"local"}).inc(8);  // 8 local misses, of which
      hits->withLabels({"redis"}).inc(3);    // 3 hit redis
      misses->withLabels({"redis"}).inc(5);
      tick();
    }
    StoreSeriesSource source(*m_store);
    const std::string rule =
        "{name: r, metric: hits_total, aggregate: ratio, denominator: [{metric: hits_total, match: {tier: local}}, "
        "{metric: misses_total, match: {tier: local}}], window: 1m, op: '<', threshold: 1, severity: info";
    const auto ratio = source.evaluate(parseOne(rule + "}"), m_clock.now());
    QCOMPARE(ratio.size(), 1u);
    QCOMPARE(ratio[0].second, 0.5);  // (2 + 3) / (2 + 8)
    QCOMPARE(source.evaluate(parseOne(rule + ", min_rate: 10}"), m_clock.now()).size(), 1u);
    QVERIFY(source.evaluate(parseOne(rule + ", min_rate: 10.5}"), m_clock.now()).empty());
  }

  void windowLimitsThePoints() {
    auto &a = m_requests->withLabels({"a", "200"});
    m_store->sample(m_clock.now());
    for (int s = 0; s < 60; ++s) {
      a.inc(s < 50 ? 100 : 1);  // busy, then quiet for the last 10 s
      tick();
    }
    StoreSeriesSource source(*m_store);
    const auto recent = source.evaluate(parseOne("{name: r, metric: req_total, aggregate: rate, window: 10s, "
                                                 "op: '>', threshold: 0, severity: info}"),
                                        m_clock.now());
    QCOMPARE(recent.size(), 1u);
    QVERIFY2(recent[0].second < 12, qPrintable(QString::number(recent[0].second)));  // ~1/s, one boundary point
  }

  void avgMaxAndQuantile() {
    auto &qa = m_queue->withLabels({"a"});
    auto &la = m_latency->withLabels({"a"});
    m_store->sample(m_clock.now());
    for (int s = 0; s < 4; ++s) {
      qa.set(s * 2);  // 0 2 4 6
      for (int i = 0; i < 100; ++i) la.observe(s == 3 ? 3.0 : 0.05);
      tick();
    }
    StoreSeriesSource source(*m_store);
    const auto avg = source.evaluate(
        parseOne("{name: r, metric: queue, aggregate: avg, window: 1m, op: '>', threshold: 0, severity: info}"),
        m_clock.now());
    QCOMPARE(avg.size(), 1u);
    QCOMPARE(avg[0].second, 12.0 / 5);  // a gauge is recorded at the baseline sample too: 0 0 2 4 6
    const auto max = source.evaluate(
        parseOne("{name: r, metric: queue, aggregate: max, window: 1m, op: '>', threshold: 0, severity: info}"),
        m_clock.now());
    QCOMPARE(max[0].second, 6.0);
    const auto p99 = source.evaluate(parseOne("{name: r, metric: lat_seconds, aggregate: quantile, q: 0.99, "
                                              "window: 1m, op: '>', threshold: 0, severity: info}"),
                                     m_clock.now());
    QCOMPARE(p99.size(), 1u);
    QCOMPARE(p99[0].first, (Labels{{"model", "a"}}));  // the quantile label is not the alert's
    // Three seconds at ~0.1 and one at ~5 (the bucket bounds), equally weighted.
    QVERIFY2(p99[0].second > 1.0 && p99[0].second < 2.0, qPrintable(QString::number(p99[0].second)));
  }

  void anAlertRaisedAndResolvedByRealCounters() {
    auto &errors = m_requests->withLabels({"a", "503"});
    auto &ok = m_requests->withLabels({"a", "200"});
    m_store->sample(m_clock.now());
    AlertEvaluator ev;
    ev.setRules(
        {parseOne("{name: errors, metric: req_total, match: {code: '5..'}, aggregate: ratio, "
                  "denominator: {metric: req_total}, by: [model], window: 10s, op: '>', threshold: 0.1, "
                  "for: 5s, severity: critical}")});
    StoreSeriesSource source(*m_store);
    std::vector<Transition> all;
    auto run = [&](int seconds, int errorsPerSecond) {
      for (int s = 0; s < seconds; ++s) {
        errors.inc(static_cast<std::uint64_t>(errorsPerSecond));
        ok.inc(10);
        tick();
        for (auto &t : ev.evaluate(source, m_clock.now())) all.push_back(std::move(t));
      }
    };
    run(10, 0);
    QVERIFY(all.empty());
    run(10, 5);  // a third of the requests fail
    QCOMPARE(all.size(), 2u);
    QVERIFY(all[0].alert.state == AlertState::Pending);
    QVERIFY(all[1].alert.state == AlertState::Firing);
    QCOMPARE(all[1].alert.labels, (Labels{{"model", "a"}}));
    run(20, 0);
    QCOMPARE(all.size(), 3u);
    QVERIFY(all[2].alert.state == AlertState::Resolved);
  }
};

QTEST_APPLESS_MAIN(TstStoreSeriesSource)
#include "tst_storeseriessource.moc"
