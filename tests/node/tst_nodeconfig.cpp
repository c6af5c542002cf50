#include "node/nodeconfig.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace lmfront::node;

class TstNodeConfig : public QObject {
  Q_OBJECT
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
    QTest::newRow("wrong type") << QByteArray(R"({"workers":"2"})") << u"'workers'"_qs;
    QTest::newRow("bad listen") << QByteArray(R"({"listen":"nope"})") << u"ADDR:PORT"_qs;
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
