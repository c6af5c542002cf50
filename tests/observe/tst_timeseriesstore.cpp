// TimeSeriesStore: per-second rates, gauge values, histogram quantiles per interval, ring bound,
// `since` filtering, the chart series per model and backend and their coarse tiers — all on a
// ManualClock.
#include "common/clock.h"
#include "observe/metricnames.h"
#include "observe/timeseriesstore.h"

#include <QtTest>
#include <cmath>

using namespace lmfront::observe;
using namespace std::chrono_literals;

class TstTimeSeriesStore : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void quantileMath() {
    const std::array<double, 3> bounds{1, 2, 4};
    QVERIFY(std::isnan(histogramQuantile(0.5, bounds, std::array<std::uint64_t, 4>{0, 0, 0, 0})));
    // 10 observations in (1,2]: p50 is the middle of that bucket.
    QCOMPARE(histogramQuantile(0.5, bounds, std::array<std::uint64_t, 4>{0, 10, 0, 0}), 1.5);
    // 4 in [0,1], 4 in (1,2], 2 in (2,4]: p90 → rank 9 → halfway through (2,4] = 3.
    QCOMPARE(histogramQuantile(0.9, bounds, std::array<std::uint64_t, 4>{4, 4, 2, 0}), 3.0);
    QCOMPARE(histogramQuantile(0.25, bounds, std::array<std::uint64_t, 4>{4, 4, 2, 0}), 0.625);
    // Rank in +Inf → highest finite bound.
    QCOMPARE(histogramQuantile(0.99, bounds, std::array<std::uint64_t, 4>{1, 0, 0, 9}), 4.0);
  }

  void ratesGaugesAndQuantiles() {
    MetricsRegistry reg;
    lmfront::ManualClock clock;
    auto req = reg.counter("req_total", "h", {"model"});
    auto depth = reg.gauge("depth", "h", {"model"});
    const std::array<double, 3> bounds{0.01, 0.1, 1};
    auto lat = reg.histogram("lat_seconds", "h", {"model"}, bounds);
    TimeSeriesStore store(reg, 5);
    QVERIFY(store.track("req_total").isOk());
    QVERIFY(store.track("depth").isOk());
    QVERIFY(store.track("lat_seconds", {0.5, 0.99}).isOk());
    QCOMPARE(store.track("nope").code(), lmfront::StatusCode::NotFound);
    QCOMPARE(store.track("depth", {1.5}).code(), lmfront::StatusCode::InvalidArgument);

    Counter &a = (*req)->withLabels({"a"});
    Histogram &h = (*lat)->withLabels({"a"});
    Gauge &d = (*depth)->withLabels({"a"});
    const auto t0 = clock.now();
    store.sample(clock.now());  // baseline
    QVERIFY(store.series("req_total", {{"model", "a"}}, t0).empty());

    a.inc(10);
    d.set(7);
    for (int i = 0; i < 100; ++i) h.observe(0.05);  // all in (0.01, 0.1]
    clock.advance(1s);
    store.sample(clock.now());
    a.inc(30);
    clock.advance(2s);  // a late tick: the rate divides by the real elapsed time
    store.sample(clock.now());

    const auto rates = store.series("req_total", {{"model", "a"}}, t0);
    QCOMPARE(rates.size(), 2u);
    QCOMPARE(rates[0].value, 10.0);
    QCOMPARE(rates[1].value, 15.0);
    QCOMPARE(rates[1].time - t0, lmfront::Clock::Duration(3s));

    const auto depths = store.series("depth", {{"model", "a"}}, t0);
    QCOMPARE(depths.size(), 3u);  // gauges have no baseline
    QCOMPARE(depths.back().value, 7.0);

    const auto p50 = store.series("lat_seconds", {{"quantile", "0.5"}, {"model", "a"}}, t0);  // order-free
    QCOMPARE(p50.size(), 2u);
    QCOMPARE(p50[0].value, 0.055);      // rank 50 of 100 in (0.01, 0.1]
    QVERIFY(std::isnan(p50[1].value));  // no observations in the second interval: a gap
    const auto count = store.series("lat_seconds_count", {{"model", "a"}}, t0);
    QCOMPARE(count.size(), 2u);
    QCOMPARE(count[0].value, 100.0);
    QCOMPARE(count[1].value, 0.0);

    // Series that appear later are picked up; label sets are listed.
    (*req)->withLabels({"b"}).inc();
    store.sample(clock.now() + 1s);  // b's baseline
    QCOMPARE(store.labelSets("req_total").size(), 1u);
    store.sample(clock.now() + 2s);
    QCOMPARE(store.labelSets("req_total").size(), 2u);
  }

  void ringKeepsTheLastNAndSinceFilters() {
    MetricsRegistry reg;
    lmfront::ManualClock clock;
    auto g = reg.gauge("g", "h");
    TimeSeriesStore store(reg, 4);
    QVERIFY(store.track("g").isOk());
    const auto t0 = clock.now();
    for (int i = 0; i < 10; ++i) {
      (*g)->withLabels({}).set(i);
      store.sample(clock.now());
      clock.advance(1s);
    }
    auto all = store.series("g", {}, t0);
    QCOMPARE(all.size(), 4u);
    QCOMPARE(all.front().value, 6.0);
    QCOMPARE(all.back().value, 9.0);
    auto recent = store.series("g", {}, t0 + 8s);
    QCOMPARE(recent.size(), 2u);
    QCOMPARE(recent.front().value, 8.0);
    QVERIFY(store.series("g", {{"x", "y"}}, t0).empty());
  }

  // A series removed from its family goes from the store at the next sample, points and all;
  // the others, and a series of that name added again, are recorded as before.
  void removedSeriesAreForgottenAtTheNextSample() {
    MetricsRegistry reg;
    lmfront::ManualClock clock;
    auto up = reg.gauge("member_up", "h", {"node"});
    const std::array<double, 2> bounds{0.1, 1};
    auto lat = reg.histogram("lat_seconds", "h", {"node"}, bounds);
    TimeSeriesStore store(reg, 60);
    QVERIFY(store.track("member_up").isOk());
    QVERIFY(store.track("lat_seconds", {0.5}).isOk());
    const auto t0 = clock.now();
    (*up)->withLabels({"a"}).set(1);
    (*up)->withLabels({"b"}).set(0);
    for (int i = 0; i < 3; ++i) {
      (*lat)->withLabels({"b"}).observe(0.05);
      store.sample(clock.now());
      clock.advance(1s);
    }
    QCOMPARE(store.series("member_up", {{"node", "b"}}, t0).size(), 3u);
    QCOMPARE(store.series("lat_seconds_count", {{"node", "b"}}, t0).size(), 2u);
    QCOMPARE(store.labelSets("member_up").size(), 2u);

    QVERIFY((*up)->remove({"b"}));
    QVERIFY(!(*up)->remove({"b"}));
    QVERIFY((*lat)->remove({"b"}));
    QCOMPARE((*up)->seriesCount(), 1u);
    QVERIFY(reg.exposition().find("member_up{node=\"b\"}") == std::string::npos);
    QCOMPARE(store.series("member_up", {{"node", "b"}}, t0).size(), 3u);  // until the next sample
    store.sample(clock.now());
    QVERIFY(store.series("member_up", {{"node", "b"}}, t0).empty());
    QVERIFY(store.series("lat_seconds", {{"node", "b"}, {"quantile", "0.5"}}, t0).empty());
    QVERIFY(store.series("lat_seconds_count", {{"node", "b"}}, t0).empty());
    QCOMPARE(store.labelSets("member_up"), (std::vector<Labels>{{{"node", "a"}}}));
    QCOMPARE(store.series("member_up", {{"node", "a"}}, t0).size(), 4u);

    clock.advance(1s);
    (*up)->withLabels({"b"}).set(0);
    store.sample(clock.now());
    const auto again = store.series("member_up", {{"node", "b"}}, t0);
    QCOMPARE(again.size(), 1u);
    QCOMPARE(again.front().time, clock.now());
  }

  void chartSeriesPerModelBackendAndNode() {
    MetricsRegistry reg;
    lmfront::ManualClock clock;
    auto req = *reg.counter(std::string(names::kRequestsTotal), "h", {"model", "backend", "code"});
    const std::array<double, 3> bounds{0.01, 0.1, 1};
    auto lat = *reg.histogram(std::string(names::kRequestDurationSeconds), "h", {"model"}, bounds);
    auto backendLat = *reg.histogram(std::string(names::kBackendRequestDurationSeconds), "h", {"backend"}, bounds);
    auto inflight = *reg.gauge(std::string(names::kBackendInflight), "h", {"backend"});
    TimeSeriesStore store(reg);
    std::vector<std::tuple<lmfront::Clock::Duration, lmfront::Clock::TimePoint, std::vector<ChartPoint>>> closed;
    store.enableCharts({10s}, [&](auto step, auto start, auto points) { closed.emplace_back(step, start, points); });
    store.setBackendModels({{"engine:a", "a"}});
    clock.set(lmfront::Clock::TimePoint(100s));
    store.sample(clock.now());  // baseline

    auto value = [&](std::string_view name, Labels labels) {
      const auto p = store.latest(name, std::move(labels));
      return p ? p->value : -1.0;
    };
    // A model's first requests are charted (its series appear after the baseline).
    for (int s = 1; s <= 10; ++s) {
      req->withLabels({"a", "engine:a", "200"}).inc(8);
      req->withLabels({"a", "engine:a", "503"}).inc(2);
      req->withLabels({"a", "cache", "200"}).inc(10);
      req->withLabels({"b", "engine:b", "200"}).inc(s);
      for (int i = 0; i < 10; ++i) lat->withLabels({"a"}).observe(0.05);
      for (int i = 0; i < 10; ++i) backendLat->withLabels({"engine:a"}).observe(0.5);
      backendLat->withLabels({"cache"}).observe(0.001);
      inflight->withLabels({"engine:a"}).set(3);
      clock.advance(1s);
      store.sample(clock.now());
    }
    QCOMPARE(value("requests_per_s", {{"model", "a"}}), 20.0);
    QCOMPARE(value("requests_per_s", {{"model", "a"}, {"backend", "engine:a"}}), 10.0);
    QCOMPARE(value("errors_per_s", {{"model", "a"}}), 2.0);
    QCOMPARE(value("cache_hit_ratio", {{"model", "a"}}), 0.5);
    QCOMPARE(value("requests_per_s", {}), 30.0);  // node total: a's 20 and b's 10
    QCOMPARE(value("in_flight", {{"model", "a"}}), 3.0);
    QCOMPARE(value("latency_p50_ms", {{"model", "a"}}), 55.0);
    QVERIFY(!store.latest("latency_p50_ms", {{"model", "b"}}));  // b observed no latency
    // A backend's latency from its own histogram, under its model; the cache serves no pool.
    QCOMPARE(value("latency_p50_ms", {{"model", "a"}, {"backend", "engine:a"}}), 550.0);
    QVERIFY(!store.latest("latency_p50_ms", {{"model", "a"}, {"backend", "cache"}}));
    QCOMPARE(store.series("requests_per_s", {{"model", "b"}}, lmfront::Clock::TimePoint{}).size(), 10u);

    // Samples at 101..110 s fill the bucket [100 s, 110 s); the sample at 111 s closes it.
    QVERIFY(closed.empty());
    req->withLabels({"a", "engine:a", "200"}).inc(8);
    clock.advance(1s);
    store.sample(clock.now());
    QCOMPARE(closed.size(), 1u);
    const auto &[step, start, points] = closed[0];
    QCOMPARE(step, lmfront::Clock::Duration(10s));
    QCOMPARE(start, lmfront::Clock::TimePoint(100s));
    auto find = [&](std::string_view name, const Labels &labels) {
      for (const auto &p : points)
        if (p.name == name && p.labels == labels) return p.value;
      return -1.0;
    };
    QCOMPARE(find("requests_per_s", {{"model", "b"}}), 5.5);  // 1 + 2 + … + 10 over 10 s
    QCOMPARE(find("errors_per_s", {}), 2.0);
    QCOMPARE(find("latency_p99_ms", {{"model", "a"}}), 99.1);  // from the bucket's merged histogram
    QCOMPARE(find("in_flight", {{"backend", "engine:a"}, {"model", "a"}}), 3.0);

    // flush() closes the open bucket (at shutdown).
    store.flush();
    QCOMPARE(closed.size(), 2u);
    QCOMPARE(std::get<1>(closed[1]), lmfront::Clock::TimePoint(110s));
    QVERIFY(store.memoryBytes() > 0);
  }
};

QTEST_APPLESS_MAIN(TstTimeSeriesStore)
#include "tst_timeseriesstore.moc"
