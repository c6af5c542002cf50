#include "node/nodeconfig.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace lmfront::node;

class TstNodeConfig : public QObject {
  Q_OBJECT
  // The error of loading a config file holding `content`; it must name the file.
  static QString configError(const QByteArray &content) {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bad.json"_qs);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return u"cannot write "_qs + path;
    f.write(content);
    f.close();
    auto c = parseNodeArgs({u"--config"_qs, path});
    if (c.isOk()) return u"no error"_qs;
    const QString message = QString::fromStdString(c.status().message());
    return message.contains(u"config "_qs + path + u": "_qs) ? message : u"file not named: "_qs + message;
  }

private Q_SLOTS:
  void defaults() {
    auto c = parseNodeArgs({});
    QVERIFY(c.isOk());
    QCOMPARE(c->listenHost, u"127.0.0.1"_qs);
    QCOMPARE(c->listenPort, quint16(8080));
    QVERIFY(c->models.empty());
    QVERIFY(!c->enableTestRoutes);
  }
  void listenForms_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("v4") << u"127.0.0.1:9000"_qs << u"127.0.0.1"_qs << 9000;
    QTest::newRow("port only") << u":0"_qs << u"127.0.0.1"_qs << 0;
    QTest::newRow("v6") << u"[::1]:8081"_qs << u"::1"_qs << 8081;
    QTest::newRow("localhost") << u"localhost:1"_qs << u"127.0.0.1"_qs << 1;
  }
  void listenForms() {
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);
    auto c = parseNodeArgs({u"--listen"_qs, text});
    QVERIFY2(c.isOk(), c.status().message().c_str());
    QCOMPARE(c->listenHost, host);
    QCOMPARE(int(c->listenPort), port);
  }
  void badFlagsNameTheFlag_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown") << QStringList{u"--bogus"_qs} << u"--bogus"_qs;
    QTest::newRow("no value") << QStringList{u"--listen"_qs} << u"--listen needs a value"_qs;
    QTest::newRow("bad port") << QStringList{u"--listen=1.2.3.4:70000"_qs} << u"70000"_qs;
    QTest::newRow("no colon") << QStringList{u"--listen"_qs, u"8080"_qs} << u"ADDR:PORT"_qs;
    QTest::newRow("workers") << QStringList{u"--workers"_qs, u"x"_qs} << u"--workers"_qs;
    QTest::newRow("model form") << QStringList{u"--model"_qs, u"nopath"_qs} << u"NAME=PATH"_qs;
    QTest::newRow("model name") << QStringList{u"--model"_qs, u"a b=/x"_qs} << u"'a b'"_qs;
    QTest::newRow("positional") << QStringList{u"serve"_qs} << u"'serve'"_qs;
    QTest::newRow("flag value") << QStringList{u"--enable-test-routes=1"_qs} << u"takes no value"_qs;
  }
  void badFlagsNameTheFlag() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    auto c = parseNodeArgs(args);
    QVERIFY(!c.isOk());
    QCOMPARE(c.status().code(), lmfront::StatusCode::InvalidArgument);
    QVERIFY2(QString::fromStdString(c.status().message()).contains(mentions), c.status().message().c_str());
  }
  void repeatedModels() {
    auto c = parseNodeArgs({u"--model"_qs, u"a=/x.lmb"_qs, u"--model=b=/y.arpa"_qs});
    QVERIFY(c.isOk());
    QCOMPARE(c->models.size(), size_t(2));
    QCOMPARE(c->models[1].name, u"b"_qs);
    QCOMPARE(c->models[1].path, u"/y.arpa"_qs);
  }
  void configFileThenFlagsOverride() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"node.json"_qs);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"listen":"127.0.0.1:7000","workers":3,"node_id":"n1","models":{"m":"/m.lmb"}})");
    f.close();
    auto c = parseNodeArgs({u"--listen"_qs, u":7001"_qs, u"--config"_qs, path});
    QVERIFY2(c.isOk(), c.status().message().c_str());
    QCOMPARE(int(c->listenPort), 7001);  // the flag wins even though --config came later
    QCOMPARE(c->workers, 3);
    QCOMPARE(c->nodeId, u"n1"_qs);
    QCOMPARE(c->models.size(), size_t(1));
  }
  void configFileErrors_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not json") << QByteArray("{listen:") << u"offset"_qs;
    QTest::newRow("array") << QByteArray("[]") << u"JSON object"_qs;
    QTest::newRow("unknown key") << QByteArray(R"({"lisen":"x"})") << u"'lisen'"_qs;
    QTest::newRow("wrong type") << QByteArray(R"({"workers":"2"})")
                                << u"workers: expected an integer from 0 to 256, got \"2\""_qs;
    QTest::newRow("bad listen") << QByteArray(R"({"listen":"nope"})") << u"ADDR:PORT"_qs;
  }
  // Each section's errors name the file and the full key path.
  void sectionErrorsNameTheKeyPath_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("auth type") << QByteArray(R"({"auth":{"require_keys":"yes"}})")
                               << u"auth.require_keys: expected true or false, got \"yes\""_qs;
    QTest::newRow("auth unknown") << QByteArray(R"({"auth":{"require_key":true}})")
                                  << u"auth: unknown key 'require_key' (valid: require_keys, allowed_hosts, "
                                     u"trusted_origins)"_qs;
    QTest::newRow("auth list") << QByteArray(R"({"auth":{"allowed_hosts":"a"}})")
                               << u"auth.allowed_hosts: expected an array of strings, got \"a\""_qs;
    QTest::newRow("cache ttl") << QByteArray(R"({"cache":{"ttl_s":0}})")
                               << u"cache.ttl_s: expected an integer from 1 to 604800, got 0"_qs;
    QTest::newRow("cache redis") << QByteArray(R"({"cache":{"redis":"nohost"}})")
                                 << u"cache.redis: expected HOST:PORT, got 'nohost'"_qs;
    QTest::newRow("cache object") << QByteArray(R"({"cache":true})") << u"cache: expected an object, got true"_qs;
    QTest::newRow("engine slots") << QByteArray(R"({"engine":{"model_slots":-1}})")
                                  << u"engine.model_slots: expected an integer from 0 to 1000, got -1"_qs;
    QTest::newRow("engine override") << QByteArray(R"({"engine":{"slots":{"a":1.5}}})")
                                     << u"engine.slots.a: expected an integer from 1 to 1000, got 1.5"_qs;
    QTest::newRow("cache push") << QByteArray(R"({"cache":{"push":"off"}})")
                                << u"cache.push: expected true or false, got \"off\""_qs;
    QTest::newRow("limits rate") << QByteArray(R"({"limits":{"per_key":{"requests_per_minute":-1}}})")
                                 << u"limits.per_key.requests_per_minute: expected an integer from 0 to "
                                    u"1000000000000, got -1"_qs;
    QTest::newRow("limits unknown") << QByteArray(R"({"limits":{"per_model":{"rpm":1}}})")
                                    << u"limits.per_model: unknown key 'rpm' (valid: requests_per_minute, "
                                       u"tokens_per_minute)"_qs;
    QTest::newRow("models path") << QByteArray(R"({"models":{"m":3}})")
                                 << u"models.m: expected a model file path, got 3"_qs;
    QTest::newRow("models name") << QByteArray(R"({"models":{"a b":"/x"}})")
                                 << u"models.a b: name 'a b' may use only letters, digits and - _ . :"_qs;
    QTest::newRow("listen") << QByteArray(R"({"listen":"x"})") << u"listen: expected ADDR:PORT, got 'x'"_qs;
    QTest::newRow("pools") << QByteArray(R"({"pools":[]})")
                           << u"pools: expected an object of name: pool, got an array"_qs;
    QTest::newRow("cluster routing key") << QByteArray(R"({"cluster":{"routing":{"retry":{"max_attempts":0}}}})")
                                         << u"cluster.routing.retry.max_attempts: expected an integer from 1 to 10, "
                                            u"got 0"_qs;
    QTest::newRow("cluster routing backends")
        << QByteArray(R"({"cluster":{"routing":{"backends":[]}}})")
        << u"cluster.routing: 'backends' is not a routing setting (the members are the backends)"_qs;
    QTest::newRow("cluster routing type") << QByteArray(R"({"cluster":{"routing":[]}})")
                                          << u"cluster.routing: expected an object of pool settings, got an array"_qs;
  }
  void sectionErrorsNameTheKeyPath() {
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString message = configError(content);
    QVERIFY2(message.endsWith(u".json: "_qs + expected), qPrintable(message));
  }
  void engineSlotsWithOverrides() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"node.json"_qs);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"engine":{"model_slots":2,"slots":{"big":5},"memory_budget_bytes":1048576}})");
    f.close();
    auto c = parseNodeArgs({u"--config"_qs, path});
    QVERIFY2(c.isOk(), c.status().message().c_str());
    QCOMPARE(c->engine.slotsFor(u"big"_qs), 5);
    QCOMPARE(c->engine.slotsFor(u"other"_qs), 2);
    QCOMPARE(EngineSettings{}.slotsFor(u"any"_qs), 0);  // off unless configured
    QCOMPARE(c->engine.memoryBudgetBytes, qint64(1048576));
  }
  void gatewaySectionsAndTheirFlags() {
    QTemporaryDir dir;
    const QString path = dir.filePath(u"node.json"_qs);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"auth":{"require_keys":false,"allowed_hosts":["a.lan"],"trusted_origins":["http://x:1"]},)"
            R"("cache":{"enabled":true,"max_bytes":1024,"ttl_s":30,"push":false,"redis":"10.0.0.1:6380"},)"
            R"("limits":{"per_key":{"requests_per_minute":5},"per_model":{"tokens_per_minute":7}}})");
    f.close();
    auto fromFile = parseNodeArgs({u"--config"_qs, path});
    QVERIFY2(fromFile.isOk(), fromFile.status().message().c_str());
    const GatewaySettings &g = fromFile->gateway;
    QCOMPARE(g.allowedHosts, QStringList{u"a.lan"_qs});
    QCOMPARE(g.trustedOrigins, QStringList{u"http://x:1"_qs});
    QCOMPARE(g.cacheBytes, qint64(1024));
    QCOMPARE(g.cacheTtlSeconds, 30);
    QCOMPARE(g.redisHost, u"10.0.0.1"_qs);
    QCOMPARE(g.redisPort, quint16(6380));
    QCOMPARE(g.perKey.requestsPerMinute, qint64(5));
    QCOMPARE(g.perModel.tokensPerMinute, qint64(7));
    QVERIFY(!g.requireKeys && g.cacheEnabled);
    QVERIFY(!g.cachePush);
    QVERIFY(GatewaySettings{}.cachePush);  // on unless turned off

    // Flags override the file; repeatable ones add to it.
    auto c = parseNodeArgs({u"--require-keys"_qs, u"--allowed-host=b.lan"_qs, u"--trusted-origin"_qs, u"http://y:2"_qs,
                            u"--redis"_qs, u"r:1"_qs, u"--no-cache"_qs, u"--config"_qs, path});
    QVERIFY2(c.isOk(), c.status().message().c_str());
    QVERIFY(c->gateway.requireKeys);
    QVERIFY(!c->gateway.cacheEnabled);
    QCOMPARE(c->gateway.allowedHosts, (QStringList{u"a.lan"_qs, u"b.lan"_qs}));
    QCOMPARE(c->gateway.trustedOrigins, (QStringList{u"http://x:1"_qs, u"http://y:2"_qs}));
    QCOMPARE(c->gateway.redisHost, u"r"_qs);
    QCOMPARE(c->gateway.redisPort, quint16(1));
  }
  void laterFlagReplacesEarlier() {
    auto c = parseNodeArgs({u"--listen"_qs, u":1"_qs, u"--workers=2"_qs, u"--listen"_qs, u":2"_qs});
    QVERIFY2(c.isOk(), c.status().message().c_str());
    QCOMPARE(int(c->listenPort), 2);
    QCOMPARE(c->workers, 2);
  }
  void gatewayFlagErrors_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("redis") << QStringList{u"--redis"_qs, u"x"_qs} << u"--redis: expected HOST:PORT, got 'x'"_qs;
    QTest::newRow("no-cache value") << QStringList{u"--no-cache=1"_qs}
                                    << u"flag --no-cache takes no value (see --help)"_qs;
    QTest::newRow("drain") << QStringList{u"--drain-timeout-ms"_qs, u"-1"_qs}
                           << u"--drain-timeout-ms: expected an integer from 0 to 3600000, got '-1'"_qs;
    QTest::newRow("single dash") << QStringList{u"-v"_qs} << u"unknown flag -v (see --help)"_qs;
  }
  void gatewayFlagErrors() {
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    auto c = parseNodeArgs(args);
    QVERIFY(!c.isOk());
    QCOMPARE(QString::fromStdString(c.status().message()), expected);
  }
  void configFileErrors() {
    QFETCH(QByteArray, content);
    QFETCH(QString, mentions);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bad.json"_qs);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
    f.close();
    auto c = parseNodeArgs({u"--config"_qs, path});
    QVERIFY(!c.isOk());
    const QString message = QString::fromStdString(c.status().message());
    QVERIFY2(message.contains(mentions), qPrintable(message));
    QVERIFY2(message.contains(path), qPrintable(message));
  }
  void missingConfigFile() {
    auto c = parseNodeArgs({u"--config"_qs, u"/nonexistent/lmfront.json"_qs});
    QVERIFY(!c.isOk());
    QCOMPARE(c.status().code(), lmfront::StatusCode::IoError);
  }
};

QTEST_APPLESS_MAIN(TstNodeConfig)
#include "tst_nodeconfig.moc"
