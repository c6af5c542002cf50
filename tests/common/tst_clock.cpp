#include "common/clock.h"

#include <QtTest>
#include <thread>

using namespace std::chrono_literals;

class TstClock : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void steadyIsMonotonic() {
    const auto a = lmfront::Clock::steady().now();
    const auto b = lmfront::Clock::steady().now();
    QVERIFY(b >= a);
  }
  void manualMovesOnlyWhenTold() {
    lmfront::ManualClock clock;
    const auto start = clock.now();
    QCOMPARE(clock.now(), start);
    clock.advance(250ms);
    QCOMPARE(clock.now() - start, lmfront::Clock::Duration(250ms));
  }
  void manualIsSafeAcrossThreads() {
    lmfront::ManualClock clock;
    const auto start = clock.now();
    std::thread a([&] {
      for (int i = 0; i < 1000; ++i) clock.advance(1ms);
    });
    std::thread b([&] {
      for (int i = 0; i < 1000; ++i) clock.advance(1ms);
    });
    a.join();
    b.join();
    QCOMPARE(clock.now() - start, lmfront::Clock::Duration(2000ms));
  }
};

QTEST_APPLESS_MAIN(TstClock)
#include "tst_clock.moc"
