#include "common/status.h"

#include <QtTest>
#include <cerrno>

using lmfront::Result;
using lmfront::Status;
using lmfront::StatusCode;

namespace {
Result<int> parsePositive(int v) {
  if (v <= 0) return Status::invalidArgument("value must be positive, got " + std::to_string(v));
  return v;
}

Status chain(int v) {
  LMFRONT_RETURN_IF_ERROR(parsePositive(v).status().isOk() ? Status::ok() : parsePositive(v).status());
  return Status::ok();
}
}  // namespace

class TstStatus : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void okIsOk() {
    Status s;
    QVERIFY(s.isOk());
    QCOMPARE(s.code(), StatusCode::Ok);
    QCOMPARE(s.toString(), std::string("Ok"));
  }
  void errorCarriesCodeAndMessage() {
    Status s = Status::notFound("model 'x'");
    QVERIFY(!s.isOk());
    QCOMPARE(s.code(), StatusCode::NotFound);
    QCOMPARE(s.message(), std::string("model 'x'"));
    QCOMPARE(s.toString(), std::string("NotFound: model 'x'"));
  }
  void contextPrefixes() {
    Status s = Status::invalidArgument("line 3: bad count").withContext("a.arpa");
    QCOMPARE(s.message(), std::string("a.arpa: line 3: bad count"));
    QCOMPARE(s.code(), StatusCode::InvalidArgument);
    QVERIFY(Status::ok().withContext("x").isOk());
  }
  void fromErrnoNamesTheCause() {
    Status s = Status::fromErrno(ENOENT, "open /nope");
    QCOMPARE(s.code(), StatusCode::IoError);
    QVERIFY(s.message().find("open /nope: ") == 0);
    QVERIFY(s.message().find("No such file") != std::string::npos);
  }
  void resultHoldsValueOrStatus() {
    auto good = parsePositive(4);
    QVERIFY(good.isOk());
    QCOMPARE(*good, 4);
    auto bad = parsePositive(-1);
    QVERIFY(!bad.isOk());
    QCOMPARE(bad.status().code(), StatusCode::InvalidArgument);
    QCOMPARE(bad.valueOr(7), 7);
  }
  void returnIfErrorPropagates() {
    QVERIFY(chain(1).isOk());
    QCOMPARE(chain(0).code(), StatusCode::InvalidArgument);
  }
};

QTEST_APPLESS_MAIN(TstStatus)
#include "tst_status.moc"
