// MetricsRegistry: series semantics, validation, exposition text, and `promtool check metrics`
// accepting the output (the real Prometheus tool: the test fails when it is missing).
#include "gateway/cache/cachemetrics.h"
#include "gateway/openai/requestmetrics.h"
#include "gateway/pool/poolmetrics.h"
#include "observe/metricnames.h"
#include "observe/metricsregistry.h"

#include <QProcess>
#include <QStandardPaths>
#include <QtTest>
#include <latch>
#include <set>
#include <thread>

using namespace lmfront::observe;
namespace cache = lmfront::gateway::cache;
namespace openai = lmfront::gateway::openai;
namespace pool = lmfront::gateway::pool;

namespace {

// Runs promtool check metrics on `text`; returns its combined output, "" when it accepted.
QString promtoolComplaints(const std::string &text) {
  const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
  if (promtool.isEmpty()) return QStringLiteral("promtool not found on PATH (Debian package 'prometheus')");
  QProcess p;
  p.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
  if (!p.waitForStarted(5000)) return QStringLiteral("promtool did not start");
  p.write(text.data(), static_cast<qint64>(text.size()));
  p.closeWriteChannel();
  if (!p.waitForFinished(20000)) {
    p.kill();
    p.waitForFinished(1000);
    return QStringLiteral("promtool timed out");
  }
  const QString out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()).trimmed();
  if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
    return QStringLiteral("exit %1: %2").arg(p.exitCode()).arg(out);
  return out;
}

}  // namespace

class TstMetricsRegistry : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void counterGaugeHistogramBasics() {
    MetricsRegistry reg;
    auto c = reg.counter("t_total", "help", {"a"});
    QVERIFY(c.isOk());
    Counter &x = (*c)->withLabels({"x"});
    x.inc();
    x.inc(41);
    QCOMPARE(x.value(), 42u);
    QCOMPARE(&(*c)->withLabels({"x"}), &x);  // same label values → same series
    QVERIFY(&(*c)->withLabels({"y"}) != &x);

    auto g = reg.gauge("t_gauge", "help");
    QVERIFY(g.isOk());
    Gauge &gg = (*g)->withLabels({});
    gg.set(3);
    gg.inc();
    gg.add(-1.5);
    QCOMPARE(gg.value(), 2.5);

    const std::array<double, 3> bounds{0.1, 1, 10};
    auto h = reg.histogram("t_seconds", "help", {}, bounds);
    QVERIFY(h.isOk());
    Histogram &hh = (*h)->withLabels({});
    for (const double v : {0.05, 0.1, 0.5, 5.0, 100.0, std::nan("")}) hh.observe(v);
    const auto s = hh.snapshot();
    QCOMPARE(s.buckets, (std::vector<std::uint64_t>{2, 1, 1, 1}));  // 0.1 lands in le=0.1; NaN ignored
    QCOMPARE(s.count, 5u);
    QCOMPARE(s.sum, 105.65);
  }

  void registrationValidates() {
    MetricsRegistry reg;
    QVERIFY(!reg.counter("1bad", "h").isOk());
    QVERIFY(!reg.counter("bad-name", "h").isOk());
    QVERIFY(!reg.counter("ok_total", "").isOk());
    QVERIFY(!reg.counter("ok_total", "h", {"__reserved"}).isOk());
    QVERIFY(!reg.counter("ok_total", "h", {"a", "a"}).isOk());
    const std::array<double, 2> decreasing{1, 0.5};
    QVERIFY(!reg.histogram("h_seconds", "h", {}, decreasing).isOk());
    const std::array<double, 1> one{1};
    QVERIFY(!reg.histogram("h_seconds", "h", {"le"}, one).isOk());
    QVERIFY(!reg.histogram("h_seconds", "h", {}, std::span<const double>{}).isOk());
    auto first = reg.counter("dup_total", "h", {"a"});
    auto again = reg.counter("dup_total", "h", {"a"});
    QVERIFY(first.isOk() && again.isOk());
    QCOMPARE(*first, *again);
    QCOMPARE(reg.gauge("dup_total", "h", {"a"}).status().code(), lmfront::StatusCode::AlreadyExists);
    QCOMPARE(reg.counter("dup_total", "h", {"b"}).status().code(), lmfront::StatusCode::AlreadyExists);
  }

  void wrongLabelCountDoesNotCrash() {
    MetricsRegistry reg;
    auto c = reg.counter("w_total", "h", {"a", "b"});
    (*c)->withLabels({"only"}).inc();
    (*c)->withLabels({"1", "2", "3"}).inc();
    QCOMPARE((*c)->seriesCount(), 2u);
  }

  void lookupsFindTheSeriesTheirPaddedValuesName() {
    MetricsRegistry reg;
    auto c = reg.counter("pad_total", "h", {"a", "b"});
    (*c)->withLabels({"x"}).inc();
    (*c)->withLabels({"x", ""}).inc();             // the same series: missing values are ""
    (*c)->withLabels({"x", "", "ignored"}).inc();  // and extra ones are dropped
    (*c)->withLabels({"x", "y"}).inc();
    (*c)->withLabels({"xy"}).inc();  // a longer first value is another series
    (*c)->withLabels({"a-long-label-value-past-the-small-string", "y"}).inc(2);
    QCOMPARE((*c)->seriesCount(), 4u);
    QCOMPARE((*c)->withLabels({"x", ""}).value(), 3u);
    QCOMPARE((*c)->withLabels({"x", "y"}).value(), 1u);
    QCOMPARE((*c)->withLabels({"xy", ""}).value(), 1u);
    QCOMPARE((*c)->withLabels({"a-long-label-value-past-the-small-string", "y"}).value(), 2u);
    QCOMPARE((*c)->seriesCount(), 4u);  // reading created nothing
  }

  void cardinalityIsBounded() {
    MetricsRegistry reg(3);
    auto c = reg.counter("card_total", "h", {"model"});
    for (int i = 0; i < 100; ++i) (*c)->withLabels({std::to_string(i)}).inc();
    QCOMPARE((*c)->seriesCount(), 4u);  // 3 real + the overflow series
    QCOMPARE((*c)->withLabels({"__overflow__"}).value(), 97u);
  }

  void concurrentIncrementsAreExact() {
    MetricsRegistry reg;
    auto c = reg.counter("conc_total", "h", {"t"});
    const std::array<double, 2> bounds{1, 2};
    auto h = reg.histogram("conc_seconds", "h", {}, bounds);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        Counter &mine = (*c)->withLabels({t % 2 ? "odd" : "even"});
        Histogram &hist = (*h)->withLabels({});
        for (int i = 0; i < 20000; ++i) {
          mine.inc();
          hist.observe(1.5);
        }
      });
    }
    for (auto &t : threads) t.join();
    QCOMPARE((*c)->withLabels({"odd"}).value(), 40000u);
    QCOMPARE((*c)->withLabels({"even"}).value(), 40000u);
    QCOMPARE((*h)->withLabels({}).snapshot().count, 80000u);
    QCOMPARE((*h)->withLabels({}).snapshot().sum, 120000.0);
  }

  // More recording threads alive at once than there are writer slots: the extra ones share the
  // last cell, and nothing is lost. A slot comes back when its thread exits.
  void moreThreadsThanWriterSlotsLoseNothing() {
    MetricsRegistry reg;
    Counter &counter = (*reg.counter("many_total", "h"))->withLabels({});
    const std::array<double, 2> bounds{1, 2};
    Histogram &hist = (*reg.histogram("many_seconds", "h", {}, bounds))->withLabels({});
    constexpr int kThreads = kWriterSlots + 9;
    std::latch allRecording(kThreads);
    std::vector<int> slots(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        counter.inc();
        slots[static_cast<std::size_t>(t)] = detail::t_writerSlot;
        allRecording.arrive_and_wait();  // every thread holds its slot while the others record
        for (int i = 0; i < 5000; ++i) {
          counter.inc(2);
          hist.observe(0.25);
        }
      });
    for (auto &t : threads) t.join();
    QCOMPARE(counter.value(), static_cast<std::uint64_t>(kThreads) * 10001u);
    const auto snap = hist.snapshot();
    QCOMPARE(snap.count, static_cast<std::uint64_t>(kThreads) * 5000u);
    QCOMPARE(snap.buckets[0], snap.count);
    QCOMPARE(snap.sum, kThreads * 5000 * 0.25);
    std::set<int> owned;
    int shared = 0;
    for (const int slot : slots) {
      if (slot == kWriterSlots)
        ++shared;
      else
        QVERIFY2(owned.insert(slot).second, "two live threads own one slot");
    }
    // This thread may hold a slot from an earlier test; the rest went to the recording threads.
    QVERIFY(owned.size() >= static_cast<std::size_t>(kWriterSlots - 1));
    QCOMPARE(shared, kThreads - static_cast<int>(owned.size()));
    int later = -1;
    std::thread([&] {
      counter.inc();
      later = detail::t_writerSlot;
    }).join();
    QVERIFY2(later >= 0 && later < kWriterSlots, "slots of exited threads were not given back");
  }

  void escaping() {
    QCOMPARE(escapeLabelValue("a\"b\\c\nd"), std::string("a\\\"b\\\\c\\nd"));
    QCOMPARE(escapeLabelValue("模型-é"), std::string("模型-é"));
    QCOMPARE(escapeLabelValue("bad\xff\xc3"), std::string("bad\xEF\xBF\xBD\xEF\xBF\xBD"));
    QCOMPARE(escapeLabelValue("\xed\xa0\x80"), std::string("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));  // surrogate
    QCOMPARE(escapeHelp("a\\b\nc\"d"), std::string("a\\\\b\\nc\"d"));
    QCOMPARE(formatValue(0.25), std::string("0.25"));
    QCOMPARE(formatValue(3), std::string("3"));
    QCOMPARE(formatValue(std::numeric_limits<double>::infinity()), std::string("+Inf"));
    QCOMPARE(formatValue(-std::numeric_limits<double>::infinity()), std::string("-Inf"));
    QCOMPARE(formatValue(std::nan("")), std::string("NaN"));
  }

  void expositionText() {
    MetricsRegistry reg;
    auto c = reg.counter("req_total", "Requests.\nSecond line \\ here.", {"model", "code"});
    (*c)->withLabels({"m\"1", "200"}).inc(3);
    const std::array<double, 2> bounds{0.5, 1};
    auto h = reg.histogram("lat_seconds", "Latency.", {"model"}, bounds);
    Histogram &hh = (*h)->withLabels({"m"});
    hh.observe(0.25);
    hh.observe(0.75);
    hh.observe(2);
    const std::string text = reg.exposition();
    const std::string expected =
        "# HELP lat_seconds Latency.\n"
        "# TYPE lat_seconds histogram\n"
        "lat_seconds_bucket{model=\"m\",le=\"0.5\"} 1\n"
        "lat_seconds_bucket{model=\"m\",le=\"1\"} 2\n"
        "lat_seconds_bucket{model=\"m\",le=\"+Inf\"} 3\n"
        "lat_seconds_sum{model=\"m\"} 3\n"
        "lat_seconds_count{model=\"m\"} 3\n"
        "# HELP req_total Requests.\\nSecond line \\\\ here.\n"
        "# TYPE req_total counter\n"
        "req_total{model=\"m\\\"1\",code=\"200\"} 3\n";
    QCOMPARE(QString::fromStdString(text), QString::fromStdString(expected));
  }

  void promtoolAcceptsEveryTypeAndTrickyLabels() {
    // Every family the node registers, through each component's own registration.
    MetricsRegistry reg;
    auto requests = openai::registerRequestMetrics(reg);
    QVERIFY2(requests.isOk(), requests.status().message().c_str());
    auto again = openai::registerRequestMetrics(reg);  // idempotent
    QVERIFY(again.isOk());
    QCOMPARE(again->requests, requests->requests);
    auto cacheScope = cache::registerCacheMetrics(reg);
    QVERIFY2(cacheScope.isOk(), cacheScope.status().message().c_str());
    auto pools = pool::registerPoolMetrics(reg);
    QVERIFY2(pools.isOk(), pools.status().message().c_str());
    auto rateLimited =
        reg.counter(names::kRateLimitedTotal, "Requests refused by a rate limit.", {std::string(names::kLabelScope)});
    QVERIFY(rateLimited.isOk());
    const auto &m = *requests;
    const auto &c = *cacheScope;
    const std::vector<std::string> tricky = {"plain",
                                             "quote\"d",
                                             "back\\slash",
                                             "new\nline",
                                             "中文模型",
                                             "emoji 🚀",
                                             "tab\there",
                                             "",
                                             "bad\xff"
                                             "utf8"};
    for (const auto &model : tricky) {
      m.requests->withLabels({model, "backend-1", "200"}).inc();
      m.requestDuration->withLabels({model}).observe(0.012);
      m.timeToFirstToken->withLabels({model}).observe(0.003);
      m.gatewayOverhead->withLabels({model}).observe(0.00004);
      m.tokensIn->withLabels({model}).inc(10);
      m.tokensOut->withLabels({model}).inc(20);
      pools->flow.queueDepth->withLabels({model}).set(2);
      m.coalesced->withLabels({model}).inc();
    }
    c.hits->withLabels({"local"}).inc();
    c.misses->withLabels({"redis"}).inc();
    c.evictions->withLabels({"local"}).inc();
    c.bytes->withLabels({"local"}).set(1234);
    c.redisErrors->withLabels({"get"}).inc();
    c.redisDropped->withLabels({"put"}).inc();
    c.redisUp->withLabels({}).set(1);
    pools->resilience.backendUp->withLabels({"b\"1"}).set(1);
    pools->resilience.breakerState->withLabels({"b\"1"}).set(names::kBreakerHalfOpen);
    pools->flow.concurrencyLimit->withLabels({"b\"1"}).set(8);
    pools->flow.inflight->withLabels({"b\"1"}).set(3);
    (*rateLimited)->withLabels({"key"}).inc();
    // A gauge holding special values, and an untouched labelled family (HELP/TYPE only).
    (*reg.gauge("lmfront_test_special", "Special float values.", {"kind"}))->withLabels({"inf"}).set(INFINITY);
    (*reg.gauge("lmfront_test_special", "Special float values.", {"kind"}))->withLabels({"nan"}).set(NAN);
    QVERIFY(reg.counter("lmfront_test_unused_total", "Never incremented.", {"x"}).isOk());

    const std::string text = reg.exposition();
    QVERIFY(text.find("model=\"new\\nline\"") != std::string::npos);
    QVERIFY(text.find("model=\"back\\\\slash\"") != std::string::npos);
    QVERIFY(text.find("le=\"+Inf\"") != std::string::npos);
    const QString complaints = promtoolComplaints(text);
    QVERIFY2(complaints.isEmpty(), qPrintable(complaints + QStringLiteral("\n--- exposition ---\n") +
                                              QString::fromStdString(text).left(3000)));
  }

  void promtoolCatchesBrokenText() {
    // Proves the check above can fail: a counter without _total and a duplicated series.
    const QString complaints = promtoolComplaints("# HELP x a\n# TYPE x counter\nx 1\n");
    QVERIFY2(!complaints.isEmpty(), "promtool accepted a counter without the _total suffix");
  }
};

QTEST_APPLESS_MAIN(TstMetricsRegistry)
#include "tst_metricsregistry.moc"
