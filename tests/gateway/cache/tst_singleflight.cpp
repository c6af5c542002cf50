// SingleFlight: one leader among many concurrent joins, results and failures delivered to every
// follower, bounded waiters, stale leaders expired on a ManualClock.
#include "gateway/cache/singleflight.h"

#include <QtTest>
#include <atomic>
#include <barrier>
#include <thread>

using namespace lmfront::gateway::cache;
using namespace std::chrono_literals;
using Flight = SingleFlight<std::string, std::string>;

class TstSingleFlight : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void fiftyConcurrentJoinsOneLeader() {
    Flight flight({}, lmfront::Clock::steady());
    constexpr int kThreads = 5, kPerThread = 10;
    std::atomic<int> leaders{0}, followers{0}, delivered{0}, wrong{0};
    std::barrier start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        for (int i = 0; i < kPerThread; ++i) {
          const auto role = flight.join("k", [&](const lmfront::Result<std::string> &r) {
            if (!r.isOk() || *r != "answer") wrong.fetch_add(1);
            delivered.fetch_add(1);
          });
          (role == Flight::Role::Leader ? leaders : followers).fetch_add(1);
        }
      });
    }
    for (auto &t : threads) t.join();
    QCOMPARE(leaders.load(), 1);
    QCOMPARE(followers.load(), 49);
    QCOMPARE(delivered.load(), 0);  // nobody is called before the leader completes
    QCOMPARE(flight.inFlight(), 1u);
    QCOMPARE(flight.complete("k", std::string("answer")), 49u);
    QCOMPARE(delivered.load(), 49);
    QCOMPARE(wrong.load(), 0);
    QCOMPARE(flight.inFlight(), 0u);
    // The next join starts a new flight.
    QCOMPARE(flight.join("k", {}), Flight::Role::Leader);
  }

  void leaderFailurePropagates() {
    Flight flight({}, lmfront::Clock::steady());
    QCOMPARE(flight.join("k", {}), Flight::Role::Leader);
    std::vector<lmfront::Status> seen;
    for (int i = 0; i < 3; ++i)
      QCOMPARE(flight.join("k", [&](const lmfront::Result<std::string> &r) { seen.push_back(r.status()); }),
               Flight::Role::Follower);
    QCOMPARE(flight.complete("k", lmfront::Status::unavailable("backend down")), 3u);
    QCOMPARE(seen.size(), 3u);
    for (const auto &s : seen) QCOMPARE(s.code(), lmfront::StatusCode::Unavailable);
    QCOMPARE(flight.complete("k", std::string("late")), 0u);  // nothing left to complete
  }

  void keysAreIndependent() {
    Flight flight({}, lmfront::Clock::steady());
    QCOMPARE(flight.join("a", {}), Flight::Role::Leader);
    QCOMPARE(flight.join("b", {}), Flight::Role::Leader);
    int got = 0;
    QCOMPARE(flight.join("a", [&](const auto &) { ++got; }), Flight::Role::Follower);
    QCOMPARE(flight.complete("b", std::string("x")), 0u);
    QCOMPARE(got, 0);
    QCOMPARE(flight.complete("a", std::string("x")), 1u);
    QCOMPARE(got, 1);
  }

  void waitersAreBounded() {
    Flight flight({.maxWaitersPerKey = 2, .shards = 4, .leaderTimeout = 1min}, lmfront::Clock::steady());
    QCOMPARE(flight.join("k", {}), Flight::Role::Leader);
    QCOMPARE(flight.join("k", [](const auto &) {}), Flight::Role::Follower);
    QCOMPARE(flight.join("k", [](const auto &) {}), Flight::Role::Follower);
    QCOMPARE(flight.join("k", [](const auto &) {}), Flight::Role::Overflow);
    QCOMPARE(flight.complete("k", std::string("x")), 2u);
  }

  void staleLeaderIsReplaced() {
    lmfront::ManualClock clock;
    Flight flight({.maxWaitersPerKey = 10, .shards = 1, .leaderTimeout = 5s}, clock);
    QCOMPARE(flight.join("k", {}), Flight::Role::Leader);
    lmfront::StatusCode code = lmfront::StatusCode::Ok;
    QCOMPARE(flight.join("k", [&](const auto &r) { code = r.status().code(); }), Flight::Role::Follower);
    clock.advance(4s);
    QCOMPARE(flight.join("k", [](const auto &) {}), Flight::Role::Follower);
    QCOMPARE(code, lmfront::StatusCode::Ok);
    clock.advance(1s);
    // The leader is 5 s old: the stranded followers fail, this caller leads a new flight.
    QCOMPARE(flight.join("k", {}), Flight::Role::Leader);
    QCOMPARE(code, lmfront::StatusCode::DeadlineExceeded);
    QCOMPARE(flight.complete("k", std::string("x")), 0u);  // the old followers were already failed

    QCOMPARE(flight.join("j", {}), Flight::Role::Leader);
    int failed = 0;
    flight.join("j", [&](const auto &r) { failed += r.isOk() ? 0 : 1; });
    QCOMPARE(flight.expireStale(), 0u);
    clock.advance(5s);
    QCOMPARE(flight.expireStale(), 1u);
    QCOMPARE(failed, 1);
    QCOMPARE(flight.inFlight(), 0u);
  }
};

QTEST_APPLESS_MAIN(TstSingleFlight)
#include "tst_singleflight.moc"
