// What a refused control-plane request becomes in the audit log (node/refusalaudit.h): the row's
// action, model and version from an HTTP path or an ops command's arguments, and the throttle
// that bounds how many refusals a second are written.
#include "node/refusalaudit.h"

#include <QJsonObject>
#include <QTest>

using namespace lmfront;
using namespace lmfront::node;

class TstRefusalAudit : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void catalogPathsNameTheirVerbModelAndVersion() {
    auto r = httpRefusal("POST", "/admin/catalog/my%20model/versions/7/approve", "ci-bot", "why");
    QCOMPARE(r.action, u"approve"_qs);
    registry::AuditEntry e = refusalEntry(r, 1000);
    QCOMPARE(e.model, std::string("my model"));
    QCOMPARE(e.version, std::optional<std::int64_t>(7));
    QCOMPARE(e.actor, std::string("ci-bot"));
    QCOMPARE(e.reason, std::string("why"));
    QCOMPARE(e.outcome, registry::AuditOutcome::Refused);
    QCOMPARE(e.timeMs, 1000);

    e = refusalEntry(httpRefusal("POST", "/admin/catalog/english/rollback", "unauthenticated", "no key"), 0);
    QCOMPARE(e.action, std::string("rollback"));
    QCOMPARE(e.model, std::string("english"));
    QVERIFY(!e.version);
  }

  void otherPathsAreMethodAndPath() {
    for (const char *path : {"/admin/gc", "/admin/catalog/", "/admin/catalog/m/versions/x", "/admin/pools"}) {
      const registry::AuditEntry e = refusalEntry(httpRefusal("PUT", path, "k", "r"), 0);
      QCOMPARE(e.action, "PUT " + std::string(path));
      QVERIFY2(e.model.empty(), path);
      QVERIFY(!e.version);
    }
  }

  void commandArgumentsGiveModelAndVersion() {
    cluster::OpsRefusal r{"viewer", u"deploy"_qs, QJsonObject{{u"model"_qs, u"fortunes"_qs}, {u"version"_qs, 3}}, "x"};
    registry::AuditEntry e = refusalEntry(r, 0);
    QCOMPARE(e.action, std::string("deploy"));
    QCOMPARE(e.model, std::string("fortunes"));
    QCOMPARE(e.version, std::optional<std::int64_t>(3));
    r.args = QJsonObject{{u"node"_qs, u"b"_qs}, {u"version"_qs, u"-1"_qs}};
    e = refusalEntry(r, 0);
    QVERIFY(e.model.empty());
    QVERIFY(!e.version);  // not a version number
  }

  void theThrottleWritesAtMostItsRateAndCountsTheRest() {
    RefusalThrottle throttle;
    for (int i = 0; i < RefusalThrottle::kPerSecond; ++i)
      QCOMPARE(throttle.admit(5'000 + i), std::optional<std::uint64_t>(0));
    QVERIFY(!throttle.admit(5'900));
    QVERIFY(!throttle.admit(5'999));
    // The next second writes again, and its first row says how many were left out.
    QCOMPARE(throttle.admit(6'000), std::optional<std::uint64_t>(2));
    QCOMPARE(throttle.admit(6'001), std::optional<std::uint64_t>(0));
  }
};

QTEST_GUILESS_MAIN(TstRefusalAudit)
#include "tst_refusalaudit.moc"
