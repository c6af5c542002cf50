// Authenticator over a real auth.sqlite: the right role for the right key, Unauthenticated for
// everything else, reloads picked up from another connection, lazy last-used stamps, and
// authenticate() from several threads while the snapshot is swapped (run under ASan by label).
#include "gateway/auth/authenticator.h"

#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway::auth;

namespace {
std::string bearer(const std::string &key) { return "Bearer " + key; }
}  // namespace

class TstAuthenticator : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void aCreatedKeyAuthenticatesWithItsRole() {
    QTemporaryDir dir;
    auto store = std::move(KeyStore::open(dir.path().toStdString())).value();
    auto user = *store->create("app", Role::User);
    auto admin = *store->create("root", Role::Admin);
    Authenticator auth;
    QVERIFY(auth.reload(*store).isOk());
    QCOMPARE(auth.activeKeyCount(), std::size_t(2));

    auto p = auth.authenticate(bearer(user.key));
    QVERIFY2(p.isOk(), p.status().toString().c_str());
    QCOMPARE(p->name, std::string("app"));
    QCOMPARE(p->keyId, user.record.keyId);
    QCOMPARE(p->role, Role::User);
    QVERIFY(!p->anonymous());
    QCOMPARE(auth.authenticate(bearer(admin.key))->role, Role::Admin);

    QVERIFY(Authenticator::authorize(*p, Role::Viewer).isOk());
    QVERIFY(Authenticator::authorize(*p, Role::User).isOk());
    Status denied = Authenticator::authorize(*p, Role::Operator);
    QCOMPARE(denied.code(), StatusCode::PermissionDenied);
    QVERIFY(denied.message().find("needs the operator role") != std::string::npos);
  }
  void everythingElseIsUnauthenticated() {
    QTemporaryDir dir;
    auto store = std::move(KeyStore::open(dir.path().toStdString())).value();
    auto key = *store->create("app", Role::User);
    Authenticator auth;
    QVERIFY(auth.reload(*store).isOk());

    std::string wrong = key.key;
    wrong.back() = wrong.back() == 'a' ? 'b' : 'a';  // same id, wrong secret
    std::string other = *generateKey();              // well-formed, unknown id
    for (const std::string &header :
         {std::string(), bearer(wrong), bearer(other), std::string("Bearer"), std::string("Basic dXNlcjpwdw=="),
          bearer(key.key.substr(0, 30)), key.key, bearer(key.key + "0")}) {
      auto p = auth.authenticate(header);
      QVERIFY2(!p.isOk(), header.c_str());
      QCOMPARE(p.status().code(), StatusCode::Unauthenticated);
      QVERIFY(p.status().message().find(key.key.substr(12)) == std::string::npos);
    }
    QVERIFY(auth.authenticate("").status().message().starts_with("missing API key"));
    QCOMPARE(auth.authenticate(bearer(wrong)).status().message(), std::string("invalid API key"));

    QVERIFY(store->revoke("app").isOk());
    QVERIFY(auth.authenticate(bearer(key.key)).isOk());  // until the reload
    QVERIFY(auth.reload(*store).isOk());
    auto revoked = auth.authenticate(bearer(key.key));
    QCOMPARE(revoked.status().code(), StatusCode::Unauthenticated);
    QVERIFY(revoked.status().message().find("was revoked") != std::string::npos);
    QCOMPARE(auth.activeKeyCount(), std::size_t(0));
  }
  void reloadIfChangedSeesTheCliWriting() {
    QTemporaryDir dir;
    auto node = std::move(KeyStore::open(dir.path().toStdString())).value();
    auto cli = std::move(KeyStore::open(dir.path().toStdString())).value();
    Authenticator auth;
    QCOMPARE(*auth.reloadIfChanged(*node), true);  // first call always loads
    QCOMPARE(*auth.reloadIfChanged(*node), false);
    auto key = *cli->create("late", Role::Operator);
    QVERIFY(!auth.authenticate(bearer(key.key)).isOk());
    QCOMPARE(*auth.reloadIfChanged(*node), true);
    QCOMPARE(auth.authenticate(bearer(key.key))->role, Role::Operator);
    QCOMPARE(*auth.reloadIfChanged(*node), false);
    QVERIFY(cli->revoke(key.record.keyId).isOk());
    QCOMPARE(*auth.reloadIfChanged(*node), true);
    QVERIFY(!auth.authenticate(bearer(key.key)).isOk());
  }
  void lastUsedIsWrittenLazily() {
    QTemporaryDir dir;
    auto store = std::move(KeyStore::open(dir.path().toStdString())).value();
    auto used = *store->create("used", Role::User);
    auto idle = *store->create("idle", Role::User);
    Authenticator auth;
    QVERIFY(auth.reload(*store).isOk());
    const std::int64_t before = KeyStore::nowUnixMs();
    for (int i = 0; i < 100; ++i) QVERIFY(auth.authenticate(bearer(used.key)).isOk());
    QVERIFY(!store->list()->front().lastUsedAtMs);  // nothing written on the request path
    QVERIFY(auth.reload(*store).isOk());            // stamps survive a reload
    QVERIFY(auth.flushUsage(*store).isOk());
    auto list = *store->list();
    QVERIFY(list[0].lastUsedAtMs.has_value());
    QVERIFY(*list[0].lastUsedAtMs >= before);
    QVERIFY(*list[0].lastUsedAtMs <= KeyStore::nowUnixMs());
    QVERIFY(!list[1].lastUsedAtMs.has_value());
    // The node's own usage writes are not key changes: no reload storm after every flush.
    QCOMPARE(*auth.reloadIfChanged(*store), true);
    QVERIFY(auth.authenticate(bearer(idle.key)).isOk());
    QVERIFY(auth.flushUsage(*store).isOk());
    QVERIFY(store->list()->back().lastUsedAtMs.has_value());  // it did write
    QCOMPARE(*auth.reloadIfChanged(*store), false);
    QVERIFY(auth.flushUsage(*store).isOk());  // nothing new: no write, same value
    QCOMPARE(*store->list()->front().lastUsedAtMs, *list[0].lastUsedAtMs);
  }
  void authenticateWhileReloading() {
    QTemporaryDir dir;
    auto store = std::move(KeyStore::open(dir.path().toStdString())).value();
    std::vector<CreatedKey> keys;
    for (const char *name : {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"})
      keys.push_back(*store->create(name, Role::User));
    auto records = *store->list();
    Authenticator auth;
    auth.setKeys(records);

    std::atomic<bool> stop{false};
    std::atomic<long> ok{0}, failed{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
      readers.emplace_back([&, t] {
        for (long i = 0; !stop.load(std::memory_order_relaxed) && i < 2'000'000; ++i) {
          auto p = auth.authenticate(bearer(keys[static_cast<std::size_t>(i + t) % keys.size()].key));
          (p.isOk() ? ok : failed).fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    // Swap snapshots as fast as possible: every one contains all keys, so no reader may fail.
    // At least 300 swaps, and until the readers have done real work (bounded in time).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (int i = 0; (i < 300 || ok.load() < 20'000) && std::chrono::steady_clock::now() < deadline; ++i) {
      if (i % 50 == 0)
        QVERIFY(auth.reload(*store).isOk());
      else
        auth.setKeys(records);
      if (i % 7 == 0) QVERIFY(auth.flushUsage(*store).isOk());
    }
    stop = true;
    for (auto &r : readers) r.join();
    QCOMPARE(failed.load(), 0L);
    QVERIFY(ok.load() >= 20'000);
  }
};

QTEST_APPLESS_MAIN(TstAuthenticator)
#include "tst_authenticator.moc"
