// HitMemo on its own: exact-bytes lookup, endpoint separation, per-worker shards, bounds, and
// the split rendering (hitmemo.h).
#include "gateway/openai/hitmemo.h"

#include <QtTest>

using namespace lmfront::gateway::openai;

namespace {
std::shared_ptr<HitMemoEntry> entry(std::string body, bool chat = false) {
  auto e = std::make_shared<HitMemoEntry>();
  e->chat = chat;
  e->body = std::move(body);
  // std::string(...) rather than literals: GCC 12's -Wrestrict misfires on short literal assignments.
  e->model = std::string("m");
  e->idPrefix = std::string(R"({"id":"cmpl-)");
  e->beforeCreated = std::string(R"(","object":"text_completion","created":)");
  e->afterCreated = std::string(R"(,"model":"m"})");
  return e;
}
}  // namespace

class TstHitMemo : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void findsExactBytesOnly() {
    HitMemo memo;
    memo.remember(0, entry(R"({"model":"m","seed":1})"));
    QVERIFY(memo.find(0, false, R"({"model":"m","seed":1})"));
    QVERIFY(!memo.find(0, false, R"({"model":"m","seed":2})"));
    QVERIFY(!memo.find(0, false, R"({"model":"m", "seed":1})"));  // one byte more: a miss
    QVERIFY(!memo.find(0, false, ""));
    QCOMPARE(memo.found(), std::uint64_t(1));
  }

  void endpointIsPartOfTheKey() {
    HitMemo memo;
    memo.remember(0, entry("same bytes", false));
    QVERIFY(!memo.find(0, true, "same bytes"));
    QVERIFY(memo.find(0, false, "same bytes"));
    memo.remember(0, entry("same bytes", true));
    QVERIFY(memo.find(0, true, "same bytes")->chat);
    QVERIFY(!memo.find(0, false, "same bytes")->chat);
  }

  void workersHaveTheirOwnShards() {
    HitMemo memo;
    memo.remember(1, entry("body"));
    QVERIFY(memo.find(1, false, "body"));
    QVERIFY(!memo.find(0, false, "body"));
    QVERIFY(memo.find(1 + static_cast<int>(HitMemo::kShards), false, "body"));  // index wraps
    QVERIFY(!memo.find(-1, false, "body"));                                     // never out of range
  }

  void replacingAnEntryKeepsOne() {
    HitMemo memo;
    auto a = entry("body");
    auto b = entry("body");
    b->model = "other";
    memo.remember(0, a);
    memo.remember(0, b);
    QCOMPARE(memo.size(), std::size_t(1));
    QCOMPARE(memo.find(0, false, "body")->model, std::string("other"));
  }

  void boundedInEntriesAndBytes() {
    HitMemo memo;
    for (std::size_t i = 0; i < HitMemo::kMaxEntries + 10; ++i) memo.remember(0, entry("body " + std::to_string(i)));
    QVERIFY(memo.size() <= HitMemo::kMaxEntries);
    QVERIFY(memo.size() >= 1);
    QVERIFY(memo.find(0, false, "body " + std::to_string(HitMemo::kMaxEntries + 9)));  // the newest is kept
    memo.clear();
    QCOMPARE(memo.size(), std::size_t(0));
    // An entry larger than a shard's budget is never kept; big ones start the shard over.
    memo.remember(0, entry(std::string(HitMemo::kMaxBytes + 1, 'x')));
    QCOMPARE(memo.size(), std::size_t(0));
    for (int i = 0; i < 5; ++i)
      memo.remember(0, entry(std::string(HitMemo::kMaxBytes / 3, static_cast<char>('a' + i))));
    QVERIFY(memo.size() <= 2);
    // The cached value an entry keeps alive counts against the budget too.
    memo.clear();
    for (int i = 0; i < 3; ++i) {
      auto e = entry("small " + std::to_string(i));
      e->value = std::make_shared<const std::string>(HitMemo::kMaxBytes / 2, 'v');
      memo.remember(0, e);
    }
    QCOMPARE(memo.size(), std::size_t(1));
    // Replacing an entry with a bigger one keeps the shard within its budget too.
    memo.clear();
    memo.remember(0, entry("a"));
    auto big = entry("b");
    big->value = std::make_shared<const std::string>(HitMemo::kMaxBytes / 2, 'v');
    memo.remember(0, big);
    auto bigger = entry("b");
    bigger->value = std::make_shared<const std::string>(HitMemo::kMaxBytes - entry("b")->bytes() - 10, 'w');
    QVERIFY(bigger->bytes() <= HitMemo::kMaxBytes && bigger->bytes() + entry("a")->bytes() > HitMemo::kMaxBytes);
    memo.remember(0, bigger);
    QCOMPARE(memo.size(), std::size_t(1));
    QCOMPARE(memo.find(0, false, "b")->value->front(), 'w');
  }

  void aFullShardKeepsMostOfItsEntries() {
    HitMemo memo;
    for (std::size_t i = 0; i < HitMemo::kMaxEntries + 100; ++i) memo.remember(0, entry("body " + std::to_string(i)));
    QCOMPARE(memo.size(), HitMemo::kMaxEntries);  // one dropped per insert past the bound, not all
  }

  void rendersAFreshIdAndTime() {
    auto e = entry("b");
    QCOMPARE(e->renderBody("abc123", 1700000000),
             std::string(R"({"id":"cmpl-abc123","object":"text_completion","created":1700000000,"model":"m"})"));
    QCOMPARE(e->renderBody("", -5),
             std::string(R"({"id":"cmpl-","object":"text_completion","created":-5,"model":"m"})"));
  }

  void fingerprintSeparatesEndpoints() {
    QVERIFY(HitMemo::fingerprint(false, "x") != HitMemo::fingerprint(true, "x"));
    QCOMPARE(HitMemo::fingerprint(false, "x"), HitMemo::fingerprint(false, std::string("x")));
  }
};

QTEST_APPLESS_MAIN(TstHitMemo)
#include "tst_hitmemo.moc"
