// Each balancing policy's distribution, health handling and thread safety (docs/gateway-policies.md).
#include "gateway/routing/balancer.h"
#include "gateway/routing/consistenthash.h"
#include "gateway/routing/peakewma.h"
#include "gateway/routing/weightedroundrobin.h"

#include <QTest>
#include <map>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::routing;
using namespace std::chrono_literals;

namespace {

// prefix + number (appending avoids GCC 12's false -Wrestrict on `"literal" + std::string`).
std::string key(std::string_view prefix, long n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

std::vector<Backend> pool(const std::vector<uint32_t> &weights) {
  std::vector<Backend> out;
  for (size_t i = 0; i < weights.size(); ++i) out.push_back({key("b", long(i)), weights[i], true});
  return out;
}

std::unique_ptr<Balancer> make(BalancerKind kind, std::vector<Backend> backends, const Clock &clock = Clock::steady(),
                               uint64_t seed = 42) {
  BalancerConfig config;
  config.kind = kind;
  config.seed = seed;
  auto b = makeBalancer(config, std::move(backends), clock);
  if (!b) qFatal("makeBalancer: %s", b.status().toString().c_str());
  return std::move(b).value();
}

size_t pickOk(Balancer &b, std::string_view key = {}) {
  auto r = b.pick({key});
  if (!r) qFatal("pick failed: %s", r.status().toString().c_str());
  return *r;
}

std::string sequence(Balancer &b, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += char('a' + pickOk(b));
  return s;
}

const std::vector<BalancerKind> kAllKinds{BalancerKind::RoundRobin,       BalancerKind::WeightedRoundRobin,
                                          BalancerKind::Random,           BalancerKind::ConsistentHash,
                                          BalancerKind::LeastOutstanding, BalancerKind::PowerOfTwo,
                                          BalancerKind::PeakEwma};

}  // namespace

class TstBalancer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void roundRobinIsExact() {
    auto b = make(BalancerKind::RoundRobin, pool({1, 1, 1}));
    QCOMPARE(sequence(*b, 9), std::string("abcabcabc"));
  }
  void roundRobinSkipsUnhealthyEvenly() {
    auto b = make(BalancerKind::RoundRobin, pool({1, 1, 1}));
    b->setHealthy(1, false);
    std::map<size_t, int> counts;
    for (int i = 0; i < 1000; ++i) ++counts[pickOk(*b)];
    QCOMPARE(counts.count(1), size_t(0));
    QCOMPARE(counts[0], 500);
    QCOMPARE(counts[2], 500);
  }
  void weightedRoundRobinGivesNginxSequence() {
    auto b = make(BalancerKind::WeightedRoundRobin, pool({5, 1, 1}));
    QCOMPARE(sequence(*b, 14), std::string("aabacaaaabacaa"));
    // Scaling the weights keeps the same sequence (the period is reduced by the gcd).
    auto scaled = make(BalancerKind::WeightedRoundRobin, pool({10, 2, 2}));
    QCOMPARE(sequence(*scaled, 7), std::string("aabacaa"));
  }
  void weightedRoundRobinDistributionIsExactlyTheWeights() {
    auto b = make(BalancerKind::WeightedRoundRobin, pool({5, 3, 2}));
    std::vector<int> counts(3, 0);
    for (int i = 0; i < 10000; ++i) ++counts[pickOk(*b)];
    QCOMPARE(counts, (std::vector<int>{5000, 3000, 2000}));
  }
  void consistentHashRingIsBounded() {
    std::vector<uint32_t> heavy(20, kMaxWeight / 4);  // total 50 000 × 100 points would be 5 M
    auto b = make(BalancerKind::ConsistentHash, pool(heavy));
    auto *ring = dynamic_cast<ConsistentHashBalancer *>(b.get());
    QVERIFY(ring);
    QVERIFY(ring->ringSize() <= ConsistentHashBalancer::kMaxRingPoints);
    QVERIFY(ring->ringSize() >= 50000);  // still at least one point per unit of weight
  }
  void weightedRoundRobinRebuildsWhenHealthChanges() {
    auto b = make(BalancerKind::WeightedRoundRobin, pool({5, 1, 1}));
    b->setHealthy(1, false);
    // Weights 5 and 1 over {a, c}: a a a c a a (nginx order), c never twice in a row.
    QCOMPARE(sequence(*b, 6), std::string("aaacaa"));
    b->setHealthy(1, true);
    QCOMPARE(sequence(*b, 7), std::string("aabacaa"));
    QCOMPARE(WeightedRoundRobinBalancer::buildSchedule({2, 3}, {true, true}), (std::vector<uint32_t>{1, 0, 1, 0, 1}));
  }
  void randomIsUniformByChiSquare() {
    auto b = make(BalancerKind::Random, pool({1, 1, 1, 1, 1}));
    const int n = 50000;
    std::vector<int> counts(5, 0);
    for (int i = 0; i < n; ++i) ++counts[pickOk(*b)];
    double chi2 = 0;
    for (int c : counts) chi2 += (c - n / 5.0) * (c - n / 5.0) / (n / 5.0);
    // df = 4, p = 0.001 critical value 18.47: a fixed seed makes this deterministic.
    QVERIFY2(chi2 < 18.47, qPrintable(QStringLiteral("chi2 = %1").arg(chi2)));
  }
  void randomIsReproducibleWithASeed() {
    auto x = make(BalancerKind::Random, pool({1, 1, 1, 1}), Clock::steady(), 7);
    auto y = make(BalancerKind::Random, pool({1, 1, 1, 1}), Clock::steady(), 7);
    auto z = make(BalancerKind::Random, pool({1, 1, 1, 1}), Clock::steady(), 8);
    const std::string sx = sequence(*x, 64);
    QCOMPARE(sequence(*y, 64), sx);
    QVERIFY(sequence(*z, 64) != sx);
  }
  void consistentHashIsSticky() {
    auto b = make(BalancerKind::ConsistentHash, pool({1, 1, 1, 1}));
    for (int k = 0; k < 100; ++k) {
      const std::string name = key("user-", long(k));
      const size_t first = pickOk(*b, name);
      for (int i = 0; i < 5; ++i) QCOMPARE(pickOk(*b, name), first);
    }
  }
  void consistentHashMovesAboutOneNthWhenAddingABackend() {
    const int kKeys = 10000;
    auto ten = make(BalancerKind::ConsistentHash, pool(std::vector<uint32_t>(10, 1)));
    auto eleven = make(BalancerKind::ConsistentHash, pool(std::vector<uint32_t>(11, 1)));
    int moved = 0;
    std::vector<int> load(10, 0);
    for (int k = 0; k < kKeys; ++k) {
      const std::string name = key("prompt-prefix-", long(k));
      const size_t before = pickOk(*ten, name);
      const size_t after = pickOk(*eleven, name);
      ++load[before];
      if (before != after) {
        ++moved;
        QCOMPARE(after, size_t(10));  // keys only move to the new backend
      }
    }
    const double fraction = double(moved) / kKeys;  // ideal 1/11 = 0.091
    QVERIFY2(fraction > 0.06 && fraction < 0.13, qPrintable(QStringLiteral("moved %1").arg(fraction)));
    for (int l : load) QVERIFY2(l > 700 && l < 1300, qPrintable(QStringLiteral("load %1").arg(l)));
  }
  void consistentHashMovesOnlyAnUnhealthyBackendsKeys() {
    auto b = make(BalancerKind::ConsistentHash, pool({1, 1, 1, 1, 1}));
    std::vector<size_t> owner;
    for (int k = 0; k < 2000; ++k) owner.push_back(pickOk(*b, key("k", long(k))));
    b->setHealthy(2, false);
    for (int k = 0; k < 2000; ++k) {
      const size_t now = pickOk(*b, key("k", long(k)));
      QVERIFY(now != 2);
      if (owner[size_t(k)] != 2) QCOMPARE(now, owner[size_t(k)]);
    }
  }
  void consistentHashSharesFollowWeights() {
    auto b = make(BalancerKind::ConsistentHash, pool({1, 3}));
    int heavy = 0;
    for (int k = 0; k < 10000; ++k) heavy += pickOk(*b, key("w", k)) == 1 ? 1 : 0;
    QVERIFY2(heavy > 7000 && heavy < 8000, qPrintable(QString::number(heavy)));  // ideal 7500
  }
  void leastOutstandingHonoursWeights() {
    auto b = make(BalancerKind::LeastOutstanding, pool({1, 2}));
    std::vector<int> counts(2, 0);
    for (int i = 0; i < 30; ++i) {
      const size_t p = pickOk(*b);
      ++counts[p];
      b->onStart(p);  // all stay in flight: load per unit of weight is what gets balanced
    }
    QCOMPARE(counts, (std::vector<int>{10, 20}));
  }
  void leastOutstandingAvoidsABusyBackend() {
    auto b = make(BalancerKind::LeastOutstanding, pool({1, 1, 1}));
    for (int i = 0; i < 10; ++i) b->onStart(0);
    std::vector<int> counts(3, 0);
    for (int i = 0; i < 18; ++i) {
      const size_t p = pickOk(*b);
      ++counts[p];
      b->onStart(p);  // keep them in flight: the picks fill 1 and 2 up to 0's level
    }
    QCOMPARE(counts[0], 0);
    QCOMPARE(counts[1], 9);
    QCOMPARE(counts[2], 9);
  }
  void powerOfTwoAvoidsABusyBackend() {
    auto b = make(BalancerKind::PowerOfTwo, pool({1, 1, 1, 1}));
    for (int i = 0; i < 50; ++i) b->onStart(3);
    std::vector<int> counts(4, 0);
    for (int i = 0; i < 3000; ++i) {
      const size_t p = pickOk(*b);
      ++counts[p];
      b->onStart(p);
      b->onFinish(p, 1ms, true);
    }
    QCOMPARE(counts[3], 0);
    for (int i = 0; i < 3; ++i) QVERIFY(counts[size_t(i)] > 700);
  }
  void peakEwmaAvoidsASlowBackendAndRecovers() {
    ManualClock clock;
    auto b = make(BalancerKind::PeakEwma, pool({1, 1, 1}), clock);
    auto *ewma = dynamic_cast<PeakEwmaBalancer *>(b.get());
    QVERIFY(ewma);
    for (int i = 0; i < 20; ++i) {
      for (size_t k = 0; k < 3; ++k) {
        b->onStart(k);
        clock.advance(10ms);
        b->onFinish(k, k == 1 ? 200ms : 5ms, true);
      }
    }
    QVERIFY(ewma->cost(1) > 20 * ewma->cost(0));
    std::vector<int> counts(3, 0);
    for (int i = 0; i < 1000; ++i) ++counts[pickOk(*b)];
    QCOMPARE(counts[1], 0);
    QVERIFY(counts[0] > 300 && counts[2] > 300);

    // The backend recovers (now 4 ms, the others 5 ms): fast samples pull its estimate down over
    // a few decay periods (tau = 10 s) until it is the cheapest.
    for (int i = 0; i < 80; ++i) {
      clock.advance(1s);
      for (size_t k = 0; k < 3; ++k) {
        b->onStart(k);
        b->onFinish(k, k == 1 ? 4ms : 5ms, true);
      }
    }
    QVERIFY(ewma->cost(1) < ewma->cost(0));
    counts.assign(3, 0);
    for (int i = 0; i < 1000; ++i) ++counts[pickOk(*b)];
    QVERIFY2(counts[1] > 200, qPrintable(QStringLiteral("recovered backend got %1").arg(counts[1])));
  }
  void peakEwmaReactsToOneSlowSampleAtOnce() {
    ManualClock clock;
    auto b = make(BalancerKind::PeakEwma, pool({1, 1}), clock);
    auto *ewma = dynamic_cast<PeakEwmaBalancer *>(b.get());
    b->onStart(0);
    b->onFinish(0, 5ms, true);
    b->onStart(1);
    b->onFinish(1, 5ms, true);
    b->onStart(0);
    b->onFinish(0, 500ms, true);  // one slow sample: the peak is taken immediately
    QCOMPARE(ewma->cost(0), double(std::chrono::nanoseconds(500ms).count()));
    QCOMPARE(pickOk(*b), size_t(1));
    // A failure counts as at least the penalty (1 s), however fast it failed.
    b->onStart(1);
    b->onFinish(1, 1ms, false);
    QVERIFY(ewma->cost(1) >= 1e9);
  }
  void noHealthyBackendIsAClearError() {
    for (BalancerKind kind : kAllKinds) {
      auto b = make(kind, pool({1, 2}));
      b->setHealthy(0, false);
      b->setHealthy(1, false);
      QCOMPARE(b->healthyCount(), size_t(0));
      auto r = b->pick({"key"});
      QVERIFY(!r);
      QCOMPARE(r.status().code(), StatusCode::Unavailable);
      QVERIFY(r.status().message().find("no healthy backend") != std::string::npos);
      b->setHealthy(1, true);
      for (int i = 0; i < 10; ++i) QCOMPARE(pickOk(*b, "key"), size_t(1));
    }
  }
  void everyPolicyIsSafeAcrossThreads() {
    for (BalancerKind kind : kAllKinds) {
      auto b = make(kind, pool({3, 1, 2, 1}));
      std::atomic<int> bad{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 5000; ++i) {
            if (t == 0 && i % 500 == 0) b->setHealthy(size_t(i / 500) % 4, (i / 500) % 2 == 0);
            auto r = b->pick({std::to_string(i)});
            if (!r) continue;  // a moment with no healthy backend is legal
            if (*r >= b->size()) ++bad;
            b->onStart(*r);
            b->onFinish(*r, std::chrono::microseconds(100 + i % 50), i % 7 != 0);
          }
        });
      }
      for (auto &th : threads) th.join();
      QCOMPARE(bad.load(), 0);
      for (size_t i = 0; i < b->size(); ++i) QCOMPARE(b->outstanding(i), int64_t(0));
    }
  }
  void invalidPoolsAreRejected() {
    BalancerConfig config;
    QCOMPARE(makeBalancer(config, {}, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    QCOMPARE(makeBalancer(config, {{"a", 1, true}, {"a", 1, true}}, Clock::steady()).status().code(),
             StatusCode::InvalidArgument);
    QCOMPARE(makeBalancer(config, {{"a", 0, true}}, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    QCOMPARE(makeBalancer(config, {{"", 1, true}}, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    config.ewmaDecay = 0s;
    QCOMPARE(makeBalancer(config, {{"a", 1, true}}, Clock::steady()).status().code(), StatusCode::InvalidArgument);
    QVERIFY(!balancerKindFromName("fastest"));
    for (BalancerKind kind : kAllKinds) QCOMPARE(*balancerKindFromName(balancerKindName(kind)), kind);
  }
};

QTEST_APPLESS_MAIN(TstBalancer)
#include "tst_balancer.moc"
