// The version lifecycle table: the happy path from submission to retirement, rejection from
// validation and review, rollback and promote, names both ways, and refusals that say which
// states an action is allowed from.
#include "registry/lifecycle.h"

#include <QTest>

using namespace lmfront;
using namespace lmfront::registry;

using S = VersionState;
using A = LifecycleAction;

class TstLifecycle : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void theHappyPathReachesRetired() {
    VersionState s = S::Submitted;
    for (const auto &[action, expected] : std::vector<std::pair<A, S>>{{A::Validate, S::Validated},
                                                                       {A::Approve, S::Approved},
                                                                       {A::Compile, S::Compiled},
                                                                       {A::Publish, S::Published},
                                                                       {A::Deploy, S::Deployed},
                                                                       {A::Retire, S::Retired}}) {
      auto next = nextState(action, s);
      QVERIFY2(next.isOk(), next.status().message().c_str());
      QCOMPARE(*next, expected);
      QVERIFY(isAllowedTransition(s, expected));
      s = *next;
    }
    QVERIFY(isFinal(S::Retired));
  }

  void rejectionComesFromValidationOrReview() {
    QCOMPARE(*nextState(A::Reject, S::Submitted), S::Rejected);
    QCOMPARE(*nextState(A::Reject, S::Validated), S::Rejected);
    QVERIFY(!nextState(A::Reject, S::Approved).isOk());
    QVERIFY(!nextState(A::Reject, S::Published).isOk());
    QVERIFY(isFinal(S::Rejected));
    for (const A a : allLifecycleActions()) QVERIFY(!nextState(a, S::Rejected).isOk());
  }

  void rollbackAndPromote() {
    QCOMPARE(*nextState(A::Rollback, S::Deployed), S::Published);
    QCOMPARE(*nextState(A::Promote, S::Deployed), S::Deployed);
    QVERIFY(!nextState(A::Rollback, S::Published).isOk());
    QVERIFY(!nextState(A::Promote, S::Published).isOk());
    QCOMPARE(*nextState(A::Supersede, S::Deployed), S::Published);  // another version replaced it
    QVERIFY(!nextState(A::Supersede, S::Published).isOk());
  }

  void noSkippingStates() {
    QVERIFY(!nextState(A::Approve, S::Submitted).isOk());  // review needs validation first
    QVERIFY(!nextState(A::Publish, S::Approved).isOk());   // publishing needs a compiled artifact
    QVERIFY(!nextState(A::Deploy, S::Compiled).isOk());
    QVERIFY(!nextState(A::Retire, S::Submitted).isOk());
    QVERIFY(!isAllowedTransition(S::Submitted, S::Deployed));
    QVERIFY(!isAllowedTransition(S::Retired, S::Deployed));
  }

  void aRefusalNamesTheAllowedStates() {
    auto refused = nextState(A::Approve, S::Submitted);
    QCOMPARE(refused.status().code(), StatusCode::FailedPrecondition);
    QCOMPARE(refused.status().message(),
             std::string("cannot approve a version that is submitted (approve is allowed from: validated)"));
    QCOMPARE(nextState(A::Retire, S::Rejected).status().message(),
             std::string("cannot retire a version that is rejected (retire is allowed from: approved, compiled, "
                         "published, deployed)"));
  }

  void namesRoundTrip() {
    QCOMPARE(allVersionStates().size(), std::size_t(8));
    for (const S s : allVersionStates()) QCOMPARE(versionStateFromName(versionStateName(s)), std::optional<S>(s));
    QCOMPARE(allLifecycleActions().size(), std::size_t(10));
    for (const A a : allLifecycleActions())
      QCOMPARE(lifecycleActionFromName(lifecycleActionName(a)), std::optional<A>(a));
    QCOMPARE(versionStateName(S::Published), std::string_view("published"));
    QVERIFY(!versionStateFromName("Published"));  // names are exact
    QVERIFY(!lifecycleActionFromName("undeploy"));
  }

  void everyActionIsAllowedFromSomewhere() {
    for (const A a : allLifecycleActions()) QVERIFY2(!allowedFrom(a).empty(), lifecycleActionName(a).data());
    QCOMPARE(allowedFrom(A::Reject), (std::vector<S>{S::Submitted, S::Validated}));
  }
};

QTEST_GUILESS_MAIN(TstLifecycle)
#include "tst_lifecycle.moc"
