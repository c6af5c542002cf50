// The Traffic view against a real local node (a Node on 127.0.0.1 port 0 serving a model trained
// from fortunes under two names) with real completions flowing from another thread, through a
// NodeSession as in the console, offscreen: the range loads through the `series` command and the
// live samples follow, appended to the charts' existing series; requests/s stacks one area per
// model, latency and TTFT draw p50/p95/p99; each range asks the finest tier that holds it; pause
// holds the table still while samples keep arriving; model and backend filters narrow the lines;
// hovering names the line and its value. TrafficModel passes QAbstractItemModelTester on the same
// live data.
#include "../support/fakehttp.h"
#include "../support/fortunesmodel.h"
#include "common/eventsink.h"
#include "models/nodesession.h"
#include "models/trafficmodel.h"
#include "widgets/trafficchart.h"
#include "widgets/trafficpage.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

using namespace lmfront;
using widgets::TrafficPage;
using Chart = TrafficPage::Chart;
using Range = TrafficPage::Range;

namespace {

// The column of line `name`, 0 when the model has none.
int columnOf(const models::TrafficModel *m, const QString &name) {
  for (int c = 1; c < m->columnCount(); ++c)
    if (m->lineName(c) == name) return c;
  return 0;
}

double sumOf(const models::TrafficModel *m, const QString &line) {
  const int column = columnOf(m, line);
  double sum = 0;
  for (int row = 0; column > 0 && row < m->rowCount(); ++row)
    if (const double v = m->value(row, column); !std::isnan(v)) sum += v;
  return sum;
}

QStringList lines(const models::TrafficModel *m) {
  QStringList out;
  for (int c = 1; c < m->columnCount(); ++c) out << m->lineName(c);
  return out;
}

}  // namespace

class TstTrafficPage : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;
  std::unique_ptr<models::NodeSession> m_session;
  std::atomic<bool> m_stop{false};
  std::thread m_traffic;

  // Waits until the session's live state has taken `n` more metrics samples.
  bool waitSamples(int n) {
    QSignalSpy spy(m_session->liveState(), &models::LiveNodeState::metricsChanged);
    return QTest::qWaitFor([&] { return spy.count() >= n; }, 10000);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QString error;
    const QString model = testing::trainFortunesModel(m_dir.path(), 800, &error);
    QVERIFY2(!model.isEmpty(), qPrintable(error));
    node::NodeConfig config;
    config.listenPort = 0;
    config.dataDir = m_dir.path() + u"/data"_qs;
    config.workers = 1;
    config.models.push_back({u"fortunes"_qs, model});
    config.models.push_back({u"echo"_qs, model});
    static StderrEventSink events;
    m_node = std::make_unique<node::Node>(config, Clock::steady(), events);
    const Status started = m_node->start();
    QVERIFY2(started.isOk(), started.message().c_str());
    const quint16 port = m_node->port();
    // About 40 requests a second, three in four to "fortunes"; bounded to a few minutes.
    m_traffic = std::thread([this, port] {
      for (int i = 0; i < 12000 && !m_stop; ++i) {
        const std::string name = i % 4 == 3 ? "echo" : "fortunes";
        const std::string body = R"({"model":")" + name + R"(","prompt":"the","max_tokens":4,"seed":1})";
        (void)testing::rawRequest(port, "POST", "/v1/completions", body, 5000);
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
    });
    m_session = std::make_unique<models::NodeSession>();
    m_session->setBaseUrl(QUrl(m_node->baseUrl()));
    m_session->start();
  }

  void cleanupTestCase() {
    m_stop = true;
    if (m_traffic.joinable()) m_traffic.join();
    m_session.reset();
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void chartsFollowRealTraffic() {
    TrafficPage page;
    page.resize(1100, 800);
    page.setSession(m_session.get());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    const models::TrafficModel *requests = page.model(Chart::Requests);
    widgets::TrafficChart *chart = page.chart(Chart::Requests);
    QTRY_VERIFY_WITH_TIMEOUT(sumOf(requests, u"fortunes"_qs) > 0 && sumOf(requests, u"echo"_qs) > 0, 20000);
    QCOMPARE(requests->tierSeconds(), 1);
    QCOMPARE(requests->stepSeconds(), 1);
    // Stacked: one area per model, "echo" on or under "fortunes" at every point.
    QTRY_COMPARE_WITH_TIMEOUT(chart->lineCount(), 2, 5000);
    QVERIFY(!chart->points(1).isEmpty());
    bool positive = false;
    for (int line = 1; line <= 2; ++line)
      for (const QPointF &p : chart->points(line)) positive = positive || p.y() > 0;
    QVERIFY(positive);
    QCOMPARE(page.model(Chart::Latency)->columnCount(), 4);  // time, p50, p95, p99
    QTRY_VERIFY_WITH_TIMEOUT(!page.chart(Chart::Latency)->points(3).isEmpty(), 5000);
    QCOMPARE(page.chart(Chart::Latency)->lineName(3), u"p99"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(!page.chart(Chart::Tokens)->points(1).isEmpty(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(page.modelChoices().contains(u"echo"_qs), 5000);
    QVERIFY(page.modelChoices().contains(u"fortunes"_qs));
    QCOMPARE(page.modelChoices().size(), 2);
    QVERIFY(page.backendChoices().contains(u"engine:echo"_qs));

    // Each second appends to the series already drawn; nothing is rebuilt.
    const QObject *series = chart->seriesObject(1);
    const auto before = chart->points(1).size();
    QVERIFY(waitSamples(2));
    QCOMPARE(chart->seriesObject(1), series);
    QVERIFY2(chart->points(1).size() > before, qPrintable(QString::number(chart->points(1).size())));

    // Hovering a line shows its model and value.
    const int fortunes = columnOf(requests, u"fortunes"_qs);
    const QString hover = chart->hover(fortunes, requests->value(requests->rowCount() - 1, 0));
    QVERIFY2(hover.startsWith(u"fortunes: "_qs), qPrintable(hover));
    QCOMPARE(chart->hoverText(), hover);

    // Pause: the table holds still while samples keep arriving.
    page.setPaused(true);
    const int rows = requests->rowCount();
    const double last = requests->value(rows - 1, fortunes);
    const auto drawn = chart->points(1).size();
    QVERIFY(waitSamples(3));
    QCOMPARE(requests->rowCount(), rows);
    QCOMPARE(requests->value(rows - 1, fortunes), last);
    QCOMPARE(chart->points(1).size(), drawn);
    page.setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(requests->rowCount() > rows, 10000);

    // Each range asks the finest tier that holds it, in steps a chart's width can show.
    const struct {
      Range range;
      int step, tier;
    } ranges[] = {
        {Range::OneHour, 10, 1}, {Range::OneDay, 120, 10}, {Range::ThirtyDays, 3600, 60}, {Range::FiveMinutes, 1, 1}};
    for (const auto &r : ranges) {
      QSignalSpy loaded(requests, &models::TrafficModel::loaded);
      page.setRange(r.range);
      QVERIFY(loaded.wait(10000));
      QCOMPARE(requests->stepSeconds(), r.step);
      QCOMPARE(requests->tierSeconds(), r.tier);
      QCOMPARE(page.model(Chart::Latency)->tierSeconds(), r.tier);
    }
    // The hour comes from the 1 s tier in 10 s steps: the traffic is there.
    page.setRange(Range::OneHour);
    QTRY_VERIFY_WITH_TIMEOUT(!requests->isLoading() && sumOf(requests, u"fortunes"_qs) > 0, 10000);
    page.setRange(Range::FiveMinutes);

    // A model filter leaves that model's line; a backend filter its pool's; nonsense none.
    page.setFilter(u"echo"_qs, QString());
    QTRY_VERIFY_WITH_TIMEOUT(!requests->isLoading() && lines(requests) == QStringList{u"echo"_qs}, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(sumOf(requests, u"echo"_qs) > 0, 10000);
    QVERIFY(waitSamples(2));
    QCOMPARE(lines(requests), QStringList{u"echo"_qs});
    QCOMPARE(chart->lineCount(), 1);
    QCOMPARE(chart->lineName(1), u"echo"_qs);
    page.setFilter(QString(), u"engine:fortunes"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(!requests->isLoading() && sumOf(requests, u"fortunes"_qs) > 0, 10000);
    QVERIFY(waitSamples(2));
    QCOMPARE(lines(requests), QStringList{u"fortunes"_qs});
    page.setFilter(u"nonexistent"_qs, QString());
    QTRY_VERIFY_WITH_TIMEOUT(!requests->isLoading(), 10000);
    QVERIFY(waitSamples(2));
    QCOMPARE(requests->columnCount(), 1);
    QCOMPARE(chart->lineCount(), 0);
    page.setFilter(QString(), QString());
    QTRY_COMPARE_WITH_TIMEOUT(requests->columnCount(), 3, 10000);
  }

  void trafficModelPassesTheModelTester() {
    models::TrafficModel model(models::TrafficModel::Chart::Errors);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClient(m_session->opsClient());
    QSignalSpy loaded(&model, &models::TrafficModel::loaded);
    model.reload();
    QVERIFY(loaded.wait(10000));
    connect(m_session->liveState(), &models::LiveNodeState::metricsChanged, &model,
            [&] { model.applySample(m_session->liveState()->latestSample()); });
    QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > 3, 10000);
    QVERIFY(columnOf(&model, u"fortunes"_qs) > 0);
  }
};

QTEST_MAIN(TstTrafficPage)
#include "tst_trafficpage.moc"
