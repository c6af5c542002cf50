// Passive outlier ejection: thresholds, growing ejection time, max ejection percent, return.
#include "gateway/resilience/outlierdetector.h"

#include <QTest>

using namespace lmfront;
using namespace lmfront::gateway::resilience;
using namespace std::chrono_literals;

class TstOutlierDetector : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void ejectsAfterConsecutiveFailuresAndComesBack() {
    ManualClock clock;
    std::vector<std::pair<size_t, bool>> events;
    OutlierDetectorConfig c;
    c.maxEjectionPercent = 50;
    OutlierDetector d(4, c, clock, [&](size_t i, bool e) { events.emplace_back(i, e); });
    for (int i = 0; i < 4; ++i) QVERIFY(!d.record(1, Observation::Http5xx));
    d.record(1, Observation::Success);  // streak broken
    for (int i = 0; i < 4; ++i) QVERIFY(!d.record(1, Observation::Http5xx));
    QVERIFY(d.record(1, Observation::Http5xx));  // 5th in a row
    QVERIFY(d.isEjected(1));
    QCOMPARE(events, (std::vector<std::pair<size_t, bool>>{{1, true}}));
    QCOMPARE(*d.nextUnejectAt(), clock.now() + 30s);
    clock.advance(29s);
    QCOMPARE(d.tick(), size_t(0));
    clock.advance(1s);
    QCOMPARE(d.tick(), size_t(1));
    QVERIFY(!d.isEjected(1));
    QCOMPARE(events.back(), std::make_pair(size_t(1), false));
  }
  void gatewayFailuresHaveTheirOwnLowerThreshold() {
    ManualClock clock;
    OutlierDetectorConfig c;
    c.maxEjectionPercent = 50;
    OutlierDetector d(2, c, clock);
    QVERIFY(!d.record(0, Observation::GatewayFailure));
    QVERIFY(!d.record(0, Observation::GatewayFailure));
    QVERIFY(d.record(0, Observation::GatewayFailure));  // 3 connect failures
  }
  void repeatedEjectionsLastLongerUpToTheMax() {
    ManualClock clock;
    OutlierDetectorConfig c;
    c.consecutiveGatewayFailures = 1;
    c.baseEjectionTime = 10s;
    c.maxEjectionTime = 25s;
    c.maxEjectionPercent = 100;
    OutlierDetector d(2, c, clock);
    const std::vector<Clock::Duration> expected{10s, 20s, 25s, 25s};
    for (Clock::Duration e : expected) {
      QVERIFY(d.record(0, Observation::GatewayFailure));
      QCOMPARE(*d.nextUnejectAt() - clock.now(), e);
      clock.advance(e);
      QCOMPARE(d.tick(), size_t(1));
    }
    QCOMPARE(d.timesEjected(0), 4u);
    // Good behaviour brings the multiplier down by one per base ejection time.
    clock.advance(20s);
    d.tick();
    QCOMPARE(d.timesEjected(0), 2u);
    QVERIFY(d.record(0, Observation::GatewayFailure));
    QCOMPARE(*d.nextUnejectAt() - clock.now(), Clock::Duration(25s));  // 3 × 10 s capped at 25 s
  }
  void maxEjectionPercentKeepsThePoolServing() {
    ManualClock clock;
    OutlierDetectorConfig c;
    c.consecutiveGatewayFailures = 1;
    c.maxEjectionPercent = 10;  // of 5 = 0.5 → still one may go
    OutlierDetector d(5, c, clock);
    QVERIFY(d.record(0, Observation::GatewayFailure));
    for (size_t i = 1; i < 5; ++i) QVERIFY(!d.record(i, Observation::GatewayFailure));
    QCOMPARE(d.ejectedCount(), size_t(1));
    c.maxEjectionPercent = 0;
    OutlierDetector none(5, c, clock);
    QVERIFY(!none.record(0, Observation::GatewayFailure));
  }
  void http5xxResetsTheGatewayStreakButCountsAsFailure() {
    ManualClock clock;
    OutlierDetectorConfig c;
    c.consecutive5xx = 3;
    c.consecutiveGatewayFailures = 3;
    c.maxEjectionPercent = 100;
    OutlierDetector d(1, c, clock);
    QVERIFY(!d.record(0, Observation::GatewayFailure));
    QVERIFY(!d.record(0, Observation::GatewayFailure));
    QVERIFY(d.record(0, Observation::Http5xx));  // third failure in a row of either kind
  }
  void lateFailuresDuringAnEjectionDoNotCarryOver() {
    ManualClock clock;
    OutlierDetectorConfig c;
    c.maxEjectionPercent = 100;
    OutlierDetector d(1, c, clock);
    for (int i = 0; i < 3; ++i) d.record(0, Observation::GatewayFailure);
    QVERIFY(d.isEjected(0));
    for (int i = 0; i < 10; ++i) d.record(0, Observation::GatewayFailure);  // in flight when ejected
    clock.advance(30s);
    QCOMPARE(d.tick(), size_t(1));
    QVERIFY(!d.record(0, Observation::GatewayFailure));  // a fresh streak starts at 1
    QVERIFY(!d.isEjected(0));
  }
  void invalidConfigIsRejected() {
    OutlierDetectorConfig c;
    c.maxEjectionTime = 1s;
    QCOMPARE(OutlierDetector::create(3, c, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    QCOMPARE(OutlierDetector::create(0, {}, Clock::steady()).status().code(), StatusCode::InvalidArgument);
  }
};

QTEST_APPLESS_MAIN(TstOutlierDetector)
#include "tst_outlierdetector.moc"
