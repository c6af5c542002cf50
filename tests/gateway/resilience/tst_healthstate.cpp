// Active health-check state machine: thresholds with hysteresis and probe scheduling.
#include "gateway/resilience/healthstate.h"

#include <QTest>

using namespace lmfront;
using namespace lmfront::gateway::resilience;
using namespace std::chrono_literals;

namespace {
HealthCheckConfig config() {
  HealthCheckConfig c;
  c.interval = 5s;
  c.unhealthyInterval = 15s;
  c.timeout = 1s;
  c.unhealthyThreshold = 3;
  c.healthyThreshold = 2;
  return c;
}
}  // namespace

class TstHealthState : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void thresholdsWithHysteresis() {
    ManualClock clock;
    HealthState h(config(), clock);
    QVERIFY(h.healthy());
    QVERIFY(!h.record(false));
    QVERIFY(!h.record(false));
    QVERIFY(!h.record(true));  // one good probe resets the failure streak
    QVERIFY(!h.record(false));
    QVERIFY(!h.record(false));
    QVERIFY(h.record(false));  // 3 in a row: unhealthy
    QVERIFY(!h.healthy());
    QCOMPARE(h.consecutiveFailures(), 3u);
    QVERIFY(!h.record(true));
    QVERIFY(!h.record(false));  // streak of successes broken
    QVERIFY(!h.record(true));
    QVERIFY(h.record(true));  // 2 in a row: healthy again
    QVERIFY(h.healthy());
  }
  void schedulesProbesByState() {
    ManualClock clock;
    HealthState h(config(), clock);
    QVERIFY(h.due());  // first probe at once
    h.beginProbe();
    QVERIFY(!h.due());  // one probe in flight at a time
    clock.advance(100ms);
    h.record(true);
    QCOMPARE(h.nextProbeAt(), clock.now() + 5s);
    clock.advance(4999ms);
    QVERIFY(!h.due());
    clock.advance(1ms);
    QVERIFY(h.due());
    for (int i = 0; i < 3; ++i) h.record(false);
    QVERIFY(!h.healthy());
    QCOMPARE(h.nextProbeAt(), clock.now() + 15s);  // unhealthy: its own interval
  }
  void startsUnhealthyWhenAsked() {
    ManualClock clock;
    auto c = config();
    c.initiallyHealthy = false;
    HealthState h(c, clock);
    QVERIFY(!h.healthy());
    QVERIFY(!h.record(true));
    QVERIFY(h.record(true));
  }
  void invalidConfigIsRejected() {
    auto c = config();
    c.timeout = 10s;  // longer than the interval
    QCOMPARE(c.validate().code(), StatusCode::InvalidArgument);
    c = config();
    c.healthyThreshold = 0;
    QCOMPARE(c.validate().code(), StatusCode::InvalidArgument);
  }
};

QTEST_APPLESS_MAIN(TstHealthState)
#include "tst_healthstate.moc"
