// JsonSection: every error names the full key path, what was expected and what was found; absent
// keys keep defaults; keys nobody asked for are errors listing the valid ones.
#include "config/jsonsection.h"

#include <QJsonDocument>
#include <QtTest>

using lmfront::config::JsonSection;
using lmfront::config::KeyCatalog;

namespace {
QJsonObject json(const char *text) { return QJsonDocument::fromJson(QByteArray(text)).object(); }
QString message(const lmfront::Status &s) { return QString::fromStdString(s.message()); }
}  // namespace

class TstJsonSection : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void absentKeysKeepDefaults() {
    JsonSection root(json("{}"));
    QString s = u"keep"_qs;
    bool b = true;
    qint64 n = 7;
    QStringList list{u"x"_qs};
    QVERIFY(root.string(u"s", s).isOk());
    QVERIFY(root.boolean(u"b", b).isOk());
    QVERIFY(root.integer(u"n", 0, 10, n).isOk());
    QVERIFY(root.stringList(u"l", list).isOk());
    QCOMPARE(s, u"keep"_qs);
    QCOMPARE(b, true);
    QCOMPARE(n, qint64(7));
    QCOMPARE(list, QStringList{u"x"_qs});
    QVERIFY(root.finish().isOk());
  }

  void readsPresentValues() {
    JsonSection root(json(R"({"s":"v","b":false,"n":42,"d":0.5,"l":["a","b"]})"));
    QString s;
    bool b = true;
    int n = 0;
    double d = 0;
    QStringList list;
    QVERIFY(root.string(u"s", s).isOk());
    QVERIFY(root.boolean(u"b", b).isOk());
    QVERIFY(root.integer(u"n", 0, 100, n).isOk());
    QVERIFY(root.number(u"d", 0, 1, d).isOk());
    QVERIFY(root.stringList(u"l", list).isOk());
    QCOMPARE(s, u"v"_qs);
    QCOMPARE(b, false);
    QCOMPARE(n, 42);
    QCOMPARE(d, 0.5);
    QCOMPARE(list, (QStringList{u"a"_qs, u"b"_qs}));
    QVERIFY(root.finish().isOk());
  }

  void errorsNameTheFullPath() {
    JsonSection root(json(R"({"cache":{"redis":{"timeout_ms":"fast","hosts":["a",3],"on":1}}})"));
    auto cache = root.section(u"cache");
    QVERIFY(cache.isOk());
    auto redis = cache->section(u"redis");
    QVERIFY(redis.isOk());
    QCOMPARE(redis->path(), u"cache.redis"_qs);
    int timeout = 0;
    const auto st = redis->integer(u"timeout_ms", 1, 60000, timeout);
    QCOMPARE(st.code(), lmfront::StatusCode::InvalidArgument);
    QCOMPARE(message(st), u"cache.redis.timeout_ms: expected an integer from 1 to 60000, got \"fast\""_qs);
    QStringList hosts;
    QCOMPARE(message(redis->stringList(u"hosts", hosts)),
             u"cache.redis.hosts: expected an array of strings, got 3 at [1]"_qs);
    bool on = false;
    QCOMPARE(message(redis->boolean(u"on", on)), u"cache.redis.on: expected true or false, got 1"_qs);
    QCOMPARE(timeout, 0);  // a failed read leaves the default
  }

  void integersMustBeWholeAndInRange() {
    JsonSection root(json(R"({"frac":1.5,"big":70000,"neg":-1,"null":null})"));
    qint64 n = 0;
    QCOMPARE(message(root.integer(u"frac", 0, 10, n)), u"frac: expected an integer from 0 to 10, got 1.5"_qs);
    QCOMPARE(message(root.integer(u"big", 0, 65535, n)), u"big: expected an integer from 0 to 65535, got 70000"_qs);
    QCOMPARE(message(root.integer(u"neg", 0, 5, n)), u"neg: expected an integer from 0 to 5, got -1"_qs);
    QCOMPARE(message(root.integer(u"null", 0, 5, n)), u"null: expected an integer from 0 to 5, got null"_qs);
  }

  void unknownKeysListTheValidOnes() {
    JsonSection root(json(R"({"auth":{"require_key":true}})"));
    auto auth = root.section(u"auth");
    QVERIFY(auth.isOk());
    bool require = false;
    QStringList hosts;
    QVERIFY(auth->boolean(u"require_keys", require).isOk());
    QVERIFY(auth->stringList(u"allowed_hosts", hosts).isOk());
    QCOMPARE(message(auth->finish()), u"auth: unknown key 'require_key' (valid: require_keys, allowed_hosts)"_qs);
    QVERIFY(root.finish().isOk());  // "auth" itself was asked for

    JsonSection top(json(R"({"lisen":"x"})"));
    QString listen;
    QVERIFY(top.string(u"listen", listen).isOk());
    QCOMPARE(message(top.finish()), u"unknown key 'lisen' (valid: listen)"_qs);
  }

  void sectionsMustBeObjects() {
    JsonSection root(json(R"({"cache":[],"pools":{"p":{"backends":[{"url":"u"},"x"]}}})"));
    QCOMPARE(root.section(u"cache").status().message(), std::string("cache: expected an object, got an array"));
    auto pools = root.section(u"pools");
    QVERIFY(pools.isOk());
    auto p = pools->section(u"p");
    QVERIFY(p.isOk());
    std::vector<JsonSection> backends;
    QCOMPARE(message(p->sections(u"backends", backends)), u"pools.p.backends[1]: expected an object, got \"x\""_qs);
    QVERIFY(backends.empty());

    JsonSection ok(json(R"({"b":[{"url":"u"}]})"), u"pools.p"_qs);
    QVERIFY(ok.sections(u"b", backends).isOk());
    QCOMPARE(backends.size(), std::size_t(1));
    QString url;
    QVERIFY(backends[0].string(u"url", url).isOk());
    QCOMPARE(backends[0].pathOf(u"url"), u"pools.p.b[0].url"_qs);
    QCOMPARE(url, u"u"_qs);
  }

  void absentSectionIsEmptyWithItsPath() {
    JsonSection root(json("{}"));
    auto cache = root.section(u"cache");
    QVERIFY(cache.isOk());
    QVERIFY(cache->isEmpty());
    QCOMPARE(cache->path(), u"cache"_qs);
  }

  void entriesAcceptAnyKey() {
    JsonSection root(json(R"({"models":{"a":"/a","b":"/b"}})"));
    auto models = root.section(u"models");
    QVERIFY(models.isOk());
    const auto entries = models->entries();
    QCOMPARE(entries.size(), std::size_t(2));
    QCOMPARE(entries[1].first, u"b"_qs);
    QVERIFY(models->finish().isOk());
  }

  void catalogCollectsEveryAskedLeaf() {
    KeyCatalog catalog;
    JsonSection root(QJsonObject(), {}, &catalog);
    QString listen;
    QVERIFY(root.string(u"listen", listen).isOk());
    auto cache = root.section(u"cache");
    QVERIFY(cache.isOk());
    bool enabled = true;
    QVERIFY(cache->boolean(u"enabled", enabled).isOk());
    auto models = root.section(u"models");
    QVERIFY(models.isOk());
    models->entries();
    QCOMPARE(catalog.paths(), (QStringList{u"listen"_qs, u"cache.enabled"_qs, u"models"_qs}));
  }

  void describeQuotesStrings() {
    QCOMPARE(JsonSection::describe(QJsonValue(u"a\"b"_qs)), u"\"a\\\"b\""_qs);
    QCOMPARE(JsonSection::describe(QJsonValue(QJsonObject())), u"an object"_qs);
    QCOMPARE(JsonSection::describe(QJsonValue(3.0)), u"3"_qs);
  }
};

QTEST_APPLESS_MAIN(TstJsonSection)
#include "tst_jsonsection.moc"
