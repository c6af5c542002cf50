// SilenceBook on a real SQLite file: matchers are regexes over whole label values (rule and
// severity included), a silence mutes only while in effect, bad input is refused naming the
// label, ended silences are taken out once, and silences survive re-opening the file.
#include "alerting/alertdb.h"
#include "alerting/silencebook.h"

#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::alerting;

class TstSilenceBook : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;

private Q_SLOTS:
  void mutesMatchingAlertsWhileInEffectAndSurvivesReopening() {
    const std::string path = QString(m_dir.path() + QStringLiteral("/alerts.db")).toStdString();
    const Labels english{{"model", "english"}, {"rule", "high_error_ratio"}, {"severity", "critical"}};
    const Labels tiny{{"model", "tiny"}, {"rule", "high_error_ratio"}, {"severity", "critical"}};
    std::string id;
    {
      auto db = openAlertDb(path);
      QVERIFY(db.isOk());
      SilenceBook book(**db);
      QVERIFY(book.load().isOk());
      auto s = book.add({{"model", "eng.*"}, {"rule", "high_.*"}}, 1000, 5000, "ana", "deploying");
      QVERIFY2(s.isOk(), s.status().message().c_str());
      id = s->id;
      QCOMPARE(id.size(), 16u);
      QCOMPARE(s->matchersJson(), std::string(R"({"model":"eng.*","rule":"high_.*"})"));
      QVERIFY(!book.muting(english, 999));  // not yet
      QCOMPARE(book.muting(english, 1000)->id, id);
      QVERIFY(!book.muting(tiny, 1000));  // whole-value match: "tiny" is not eng.*
      QVERIFY(!book.muting(english, 5000));
    }
    auto db = openAlertDb(path);
    QVERIFY(db.isOk());
    SilenceBook book(**db);
    QVERIFY(book.load().isOk());
    QCOMPARE(book.all().size(), 1u);
    QCOMPARE(book.all()[0].author, std::string("ana"));
    QCOMPARE(book.muting(english, 4999)->id, id);
    auto none = book.takeEnded(4999);
    QVERIFY(none.isOk() && none->empty());
    auto ended = book.takeEnded(5000);
    QVERIFY(ended.isOk());
    QCOMPARE(ended->size(), 1u);
    QVERIFY(book.all().empty());
    QVERIFY(book.load().isOk());
    QVERIFY(book.all().empty());  // gone from the file too
  }

  void badSilencesAreRefusedWithTheReason() {
    auto db = openAlertDb(QString(m_dir.path() + QStringLiteral("/bad.db")).toStdString());
    QVERIFY(db.isOk());
    SilenceBook book(**db);
    auto noMatchers = book.add({}, 0, 10, "a", "");
    QCOMPARE(noMatchers.status().code(), StatusCode::InvalidArgument);
    auto badRegex = book.add({{"model", "eng("}}, 0, 10, "a", "");
    QCOMPARE(badRegex.status().code(), StatusCode::InvalidArgument);
    QVERIFY(QString::fromStdString(badRegex.status().message()).contains(u"matcher model"_qs));
    auto backwards = book.add({{"model", ".*"}}, 10, 10, "a", "");
    QCOMPARE(backwards.status().code(), StatusCode::InvalidArgument);
    auto expired = book.expire("nope", 0);
    QCOMPARE(expired.status().code(), StatusCode::NotFound);
    QVERIFY(book.all().empty());
  }

  void expireEndsASilenceEarly() {
    auto db = openAlertDb(QString(m_dir.path() + QStringLiteral("/expire.db")).toStdString());
    QVERIFY(db.isOk());
    SilenceBook book(**db);
    auto s = book.add({{"model", ".*"}}, 0, 100'000, "a", "");
    QVERIFY(s.isOk());
    auto ended = book.expire(s->id, 500);
    QVERIFY(ended.isOk());
    QCOMPARE(ended->endsMs, 500);
    QVERIFY(!book.muting({{"model", "x"}}, 600));
  }
};

QTEST_APPLESS_MAIN(TstSilenceBook)
#include "tst_silencebook.moc"
