// Bounded admission queue with deadlines: immediate grant, FIFO wake-up, rejection when full,
// expiry, cancellation — all on a ManualClock, callbacks only.
#include "gateway/ratelimit/admissionqueue.h"

#include <QTest>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::ratelimit;
using namespace std::chrono_literals;

namespace {

ConcurrencyLimitConfig fixed(uint32_t n) {
  ConcurrencyLimitConfig c;
  c.algorithm = LimitAlgorithm::Fixed;
  c.initialLimit = n;
  c.minLimit = 1;
  c.maxLimit = n;
  return c;
}

struct Recorder {
  std::vector<std::pair<int, StatusCode>> events;
  AdmissionQueue::Ready on(int id) {
    return [this, id](Status s) { events.emplace_back(id, s.code()); };
  }
};

}  // namespace

class TstAdmissionQueue : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void grantsQueuesRejectsAndWakesOldestFirst() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(2));
    AdmissionQueueConfig qc;
    qc.maxWaiters = 2;
    AdmissionQueue q(limiter, qc, clock);
    Recorder r;
    const auto deadline = clock.now() + 5s;
    QVERIFY(q.admit(deadline, r.on(1)));
    QVERIFY(q.admit(deadline, r.on(2)));
    QCOMPARE(r.events.size(), size_t(2));  // granted synchronously
    QVERIFY(q.admit(deadline, r.on(3)));
    QVERIFY(q.admit(deadline, r.on(4)));
    QCOMPARE(q.waiting(), size_t(2));
    auto full = q.admit(deadline, r.on(5));
    QCOMPARE(full.status().code(), StatusCode::ResourceExhausted);
    QCOMPARE(q.rejectedCount(), uint64_t(1));
    QCOMPARE(r.events.size(), size_t(2));  // a rejected request's callback never runs

    q.release(10ms, Outcome::Success);
    QCOMPARE(r.events.size(), size_t(3));
    QCOMPARE(r.events.back(), std::make_pair(3, StatusCode::Ok));  // the oldest waiter
    q.release(10ms, Outcome::Success);
    QCOMPARE(r.events.back(), std::make_pair(4, StatusCode::Ok));
    QCOMPARE(q.waiting(), size_t(0));
    QCOMPARE(limiter.inflight(), 2u);
  }
  void tryAdmitNowTakesOnlyAFreeSlotAndQueuesNothing() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(1));
    AdmissionQueue q(limiter, {}, clock);
    Recorder r;
    QVERIFY(q.tryAdmitNow());
    QCOMPARE(limiter.inflight(), 1u);
    QVERIFY(!q.tryAdmitNow());  // no slot: nothing taken, nothing queued
    QCOMPARE(limiter.inflight(), 1u);
    QCOMPARE(q.waiting(), size_t(0));
    QVERIFY(q.admit(clock.now() + 1s, r.on(1)));  // waits for the held slot
    QVERIFY(!q.tryAdmitNow());
    q.release(1ms, Outcome::Success);  // to the waiter, not to a later tryAdmitNow
    QCOMPARE(r.events.size(), size_t(1));
    QCOMPARE(r.events.back(), std::make_pair(1, StatusCode::Ok));
    QVERIFY(!q.tryAdmitNow());
    q.release(1ms, Outcome::Success);
    QCOMPARE(limiter.inflight(), 0u);
    QVERIFY(q.tryAdmitNow());
  }
  void waitersExpireAtTheirDeadline() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(1));
    AdmissionQueue q(limiter, {}, clock);
    Recorder r;
    QVERIFY(q.admit(clock.now() + 1s, r.on(1)));
    QVERIFY(q.admit(clock.now() + 2s, r.on(2)));
    QVERIFY(q.admit(clock.now() + 1s, r.on(3)));
    QCOMPARE(*q.nextDeadline(), clock.now() + 1s);
    clock.advance(999ms);
    QCOMPARE(q.expire(), size_t(0));
    clock.advance(1ms);
    QCOMPARE(q.expire(), size_t(1));
    QCOMPARE(r.events.back(), std::make_pair(3, StatusCode::DeadlineExceeded));
    QCOMPARE(*q.nextDeadline(), clock.now() + 1s);
    clock.advance(5s);
    q.release(1ms, Outcome::Success);  // release expires first: nobody is woken late
    QCOMPARE(r.events.back(), std::make_pair(2, StatusCode::DeadlineExceeded));
    QCOMPARE(limiter.inflight(), 0u);
    QCOMPARE(q.expiredCount(), uint64_t(2));
    QVERIFY(!q.nextDeadline());
  }
  void pastDeadlineAndMaxWait() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(1));
    AdmissionQueueConfig qc;
    qc.maxWait = 2s;
    AdmissionQueue q(limiter, qc, clock);
    Recorder r;
    QCOMPARE(q.admit(clock.now(), r.on(1)).status().code(), StatusCode::DeadlineExceeded);
    QVERIFY(r.events.empty());
    QVERIFY(q.admit(clock.now() + 1h, r.on(2)));  // granted
    QVERIFY(q.admit(clock.now() + 1h, r.on(3)));  // queued, but at most 2 s
    QCOMPARE(*q.nextDeadline(), clock.now() + 2s);
  }
  void cancelledWaitersAreNeverCalled() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(1));
    AdmissionQueue q(limiter, {}, clock);
    Recorder r;
    QVERIFY(q.admit(clock.now() + 1s, r.on(1)));
    auto t2 = q.admit(clock.now() + 1s, r.on(2));
    QVERIFY(q.admit(clock.now() + 1s, r.on(3)));
    QVERIFY(q.cancel(*t2));
    QVERIFY(!q.cancel(*t2));
    q.release(1ms, Outcome::Success);
    QCOMPARE(r.events.back(), std::make_pair(3, StatusCode::Ok));
    QCOMPARE(r.events.size(), size_t(2));
  }
  void zeroWaitersRejectsAtOnce() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(1));
    AdmissionQueueConfig qc;
    qc.maxWaiters = 0;
    AdmissionQueue q(limiter, qc, clock);
    Recorder r;
    QVERIFY(q.admit(clock.now() + 1s, r.on(1)));
    QCOMPARE(q.admit(clock.now() + 1s, r.on(2)).status().code(), StatusCode::ResourceExhausted);
  }
  void callbacksMayReenterTheQueue() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(1));
    AdmissionQueue q(limiter, {}, clock);
    int done = 0;
    // Each granted request finishes at once from inside its callback.
    std::function<void(Status)> finish = [&](Status s) {
      if (!s.isOk()) return;
      ++done;
      q.release(1ms, Outcome::Success);
    };
    QVERIFY(limiter.tryAcquire());  // hold the only slot so the next ones queue
    for (int i = 0; i < 10; ++i) QVERIFY(q.admit(clock.now() + 1s, finish));
    q.release(1ms, Outcome::Success);
    QCOMPARE(done, 10);
    QCOMPARE(limiter.inflight(), 0u);
  }
  void threadsGetEveryCallbackExactlyOnce() {
    ManualClock clock;
    ConcurrencyLimiter limiter(fixed(3));
    AdmissionQueueConfig qc;
    qc.maxWaiters = 1000;
    AdmissionQueue q(limiter, qc, clock);
    std::atomic<int> granted{0}, rejected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 2000; ++i) {
          auto r = q.admit(clock.now() + 1h, [&](Status s) {
            if (!s.isOk()) return;
            ++granted;
            if (limiter.inflight() > 3) qFatal("more in flight than the limit");
            q.release(1us, Outcome::Success);
          });
          if (!r) ++rejected;
        }
      });
    for (auto &th : threads) th.join();
    QCOMPARE(granted.load() + rejected.load(), 8000);
    QCOMPARE(q.waiting(), size_t(0));
    QCOMPARE(limiter.inflight(), 0u);
  }
};

QTEST_APPLESS_MAIN(TstAdmissionQueue)
#include "tst_admissionqueue.moc"
