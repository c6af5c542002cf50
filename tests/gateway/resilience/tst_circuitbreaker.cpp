// Every circuit-breaker transition on a ManualClock.
#include "gateway/resilience/circuitbreaker.h"

#include <QTest>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::resilience;
using namespace std::chrono_literals;

namespace {

struct Transitions {
  std::mutex mutex;
  std::vector<std::pair<BreakerState, BreakerState>> list;
  CircuitBreaker::StateChanged callback() {
    return [this](BreakerState from, BreakerState to) {
      std::lock_guard lock(mutex);
      list.emplace_back(from, to);
    };
  }
};

CircuitBreakerConfig consecutiveOnly(uint32_t n) {
  CircuitBreakerConfig c;
  c.consecutiveFailures = n;
  c.failureRatio = 0;
  c.coolDown = 30s;
  c.halfOpenProbes = 2;
  return c;
}

using P = std::pair<BreakerState, BreakerState>;

}  // namespace

class TstCircuitBreaker : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void opensAfterConsecutiveFailures() {
    ManualClock clock;
    Transitions t;
    CircuitBreaker b(consecutiveOnly(3), clock, t.callback());
    for (int i = 0; i < 2; ++i) {
      QVERIFY(b.allow());
      b.onFailure();
    }
    QVERIFY(b.allow());
    b.onSuccess();  // a success resets the streak
    for (int i = 0; i < 2; ++i) {
      QVERIFY(b.allow());
      b.onFailure();
    }
    QCOMPARE(b.state(), BreakerState::Closed);
    QVERIFY(b.allow());
    b.onFailure();
    QCOMPARE(b.state(), BreakerState::Open);
    QVERIFY(!b.allow());
    QCOMPARE(t.list, (std::vector<P>{{BreakerState::Closed, BreakerState::Open}}));
    QCOMPARE(b.retryAt(), clock.now() + 30s);
  }
  void halfOpenAfterCoolDownThenClosesOnProbeSuccesses() {
    ManualClock clock;
    Transitions t;
    CircuitBreaker b(consecutiveOnly(1), clock, t.callback());
    QVERIFY(b.allow());
    b.onFailure();
    clock.advance(29999ms);
    QVERIFY(!b.allow());
    clock.advance(1ms);
    QVERIFY(b.allow());  // probe 1
    QCOMPARE(b.state(), BreakerState::HalfOpen);
    QVERIFY(b.allow());   // probe 2
    QVERIFY(!b.allow());  // K = 2 probes at most
    b.onSuccess();
    QCOMPARE(b.state(), BreakerState::HalfOpen);
    QVERIFY(!b.allow());  // the slot of a finished probe does not reopen: K successes are needed
    b.onSuccess();
    QCOMPARE(b.state(), BreakerState::Closed);
    QVERIFY(b.allow());
    QCOMPARE(t.list, (std::vector<P>{{BreakerState::Closed, BreakerState::Open},
                                     {BreakerState::Open, BreakerState::HalfOpen},
                                     {BreakerState::HalfOpen, BreakerState::Closed}}));
  }
  void probeFailureReopens() {
    ManualClock clock;
    Transitions t;
    CircuitBreaker b(consecutiveOnly(1), clock, t.callback());
    b.onFailure();
    clock.advance(30s);
    QVERIFY(b.allow());
    b.onFailure();
    QCOMPARE(b.state(), BreakerState::Open);
    QCOMPARE(b.retryAt(), clock.now() + 30s);  // a new cool-down from the re-opening
    QCOMPARE(t.list.back(), P(BreakerState::HalfOpen, BreakerState::Open));
  }
  void ignoredProbeFreesItsSlot() {
    ManualClock clock;
    auto c = consecutiveOnly(1);
    c.halfOpenProbes = 1;
    CircuitBreaker b(c, clock);
    b.onFailure();
    clock.advance(30s);
    QVERIFY(b.allow());
    QVERIFY(!b.allow());
    b.onIgnored();  // the client went away before the probe finished
    QVERIFY(b.allow());
  }
  void opensOnFailureRatioOverTheWindow() {
    ManualClock clock;
    CircuitBreakerConfig c;
    c.consecutiveFailures = 0;
    c.failureRatio = 0.5;
    c.minRequests = 10;
    c.window = 10s;
    CircuitBreaker b(c, clock);
    // Alternating success/failure: never 2 failures in a row, but a 50 % ratio.
    for (int i = 0; i < 8; ++i) {
      QVERIFY(b.allow());
      if (i % 2)
        b.onFailure();
      else
        b.onSuccess();
    }
    QCOMPARE(b.state(), BreakerState::Closed);  // 8 < minRequests
    b.onSuccess();
    b.onFailure();  // 10 requests, 5 failures
    QCOMPARE(b.state(), BreakerState::Open);
  }
  void oldFailuresLeaveTheWindow() {
    ManualClock clock;
    CircuitBreakerConfig c;
    c.consecutiveFailures = 0;
    c.failureRatio = 0.5;
    c.minRequests = 10;
    c.window = 10s;
    CircuitBreaker b(c, clock);
    for (int i = 0; i < 9; ++i) b.onFailure();  // below minRequests
    clock.advance(11s);                         // they age out
    for (int i = 0; i < 9; ++i) b.onSuccess();
    b.onFailure();  // 10 in the window, 1 failure
    QCOMPARE(b.state(), BreakerState::Closed);
  }
  void concurrentUseIsSafe() {
    ManualClock clock;
    Transitions t;
    CircuitBreaker b(consecutiveOnly(5), clock, t.callback());
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k)
      threads.emplace_back([&, k] {
        for (int i = 0; i < 5000; ++i) {
          if (!b.allow()) {
            if (k == 0) clock.advance(1s);
            continue;
          }
          if (i % 3 == 0)
            b.onFailure();
          else
            b.onSuccess();
        }
      });
    for (auto &th : threads) th.join();
    // Whatever happened, transitions form a valid chain.
    std::lock_guard lock(t.mutex);
    for (size_t i = 1; i < t.list.size(); ++i) QCOMPARE(t.list[i].first, t.list[i - 1].second);
  }
  void invalidConfigIsRejected() {
    CircuitBreakerConfig c;
    c.consecutiveFailures = 0;
    c.failureRatio = 0;
    QCOMPARE(CircuitBreaker::create(c, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    c = {};
    c.halfOpenProbes = 0;
    QCOMPARE(CircuitBreaker::create(c, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    QCOMPARE(breakerStateName(BreakerState::HalfOpen), std::string_view("half_open"));
  }
};

QTEST_APPLESS_MAIN(TstCircuitBreaker)
#include "tst_circuitbreaker.moc"
