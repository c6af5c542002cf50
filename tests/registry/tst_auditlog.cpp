// The audit log's text forms: times as users write them (unix seconds, ISO 8601 with or without a
// zone), times as shown (UTC, milliseconds), and RFC 4180 CSV with its quoting.
#include "registry/auditlog.h"

#include <QTest>

using namespace lmfront;
using namespace lmfront::registry;

class TstAuditLog : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void sinceAcceptsUnixSecondsAndIso8601() {
    QCOMPARE(*parseAuditTime("1765000000"), std::int64_t{1'765'000'000'000});
    QCOMPARE(*parseAuditTime("2026-12-07T14:52:23Z"), std::int64_t{1'796'655'143'000});
    QCOMPARE(*parseAuditTime("2026-12-07T14:52:23"), std::int64_t{1'796'655'143'000});  // no zone: UTC
    QCOMPARE(*parseAuditTime("2026-12-07T16:52:23+02:00"), std::int64_t{1'796'655'143'000});
    QCOMPARE(*parseAuditTime("2026-12-07T14:52:23.250Z"), std::int64_t{1'796'655'143'250});
    QCOMPARE(*parseAuditTime("2026-12-07"), std::int64_t{1'796'601'600'000});
    for (const char *bad : {"", "yesterday", "-5", "12abc", "2026-13-01"}) {
      auto parsed = parseAuditTime(bad);
      QVERIFY2(!parsed.isOk(), bad);
      QCOMPARE(parsed.status().code(), StatusCode::InvalidArgument);
    }
  }

  void timesAreShownInUtcWithMilliseconds() {
    QCOMPARE(isoUtcMs(1'796'655'143'250), std::string("2026-12-07T14:52:23.250Z"));
  }

  void csvQuotesWhatNeedsIt() {
    std::vector<AuditEntry> rows{
        {1'796'655'143'000, "ops-key", "approve", "english", 2, "validated", "approved", "looks good",
         AuditOutcome::Ok},
        {1'796'655'144'000, "local", "publish", "english", std::nullopt, "submitted", "submitted",
         "said \"no\", twice\nthen left", AuditOutcome::Refused},
    };
    QCOMPARE(auditCsv(rows),
             std::string("time,actor,action,model,version,before,after,reason,outcome\r\n"
                         "2026-12-07T14:52:23.000Z,ops-key,approve,english,2,validated,approved,looks good,ok\r\n"
                         "2026-12-07T14:52:24.000Z,local,publish,english,,submitted,submitted,"
                         "\"said \"\"no\"\", twice\nthen left\",refused\r\n"));
    QCOMPARE(auditCsv({}), std::string("time,actor,action,model,version,before,after,reason,outcome\r\n"));
  }
};

QTEST_GUILESS_MAIN(TstAuditLog)
#include "tst_auditlog.moc"
