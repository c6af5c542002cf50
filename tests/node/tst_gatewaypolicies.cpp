// Black-box tests of the gateway's policies through the real lmfrontd: Host/Origin checks, API
// keys and roles, rate limits (local and shared through a real redis-server), the response cache
// shared between two nodes, and bad input that must get a clear answer while the node keeps serving.
#include "../support/daemonharness.h"
#include "../support/errorshape.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

using namespace lmfront::testing;

namespace {
QByteArray completionBody(const QByteArray &model, int seed = 3) {
  return R"({"model":")" + model + R"(","prompt":"the","max_tokens":4,"seed":)" + QByteArray::number(seed) + "}";
}
}  // namespace

class TstGatewayPolicies : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QString m_model;
  // One node for every bad-input row; a member so it is stopped with the test, not leaked.
  std::unique_ptr<Daemon> m_badInputNode;

  QString writeConfig(const QString &name, const QByteArray &json) {
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size()) return {};
    return path;
  }
  QStringList baseArgs(const QString &dataDir) {
    return {u"--listen"_qs,          u"127.0.0.1:0"_qs, u"--data-dir"_qs,
            m_dir.filePath(dataDir), u"--model"_qs,     u"tiny="_qs + m_model};
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_model = buildFortunesModel(m_dir.path(), u"tiny"_qs);
    QVERIFY2(!m_model.isEmpty(), "could not build the test model with the lmfront CLI");
  }

  void hostAndOriginAreChecked() {
    Daemon d;
    QVERIFY(d.start(baseArgs(u"host"_qs) + QStringList{u"--allowed-host"_qs, u"lmfront.lan"_qs}));
    const QByteArray body = completionBody("tiny");
    QCOMPARE(httpRequest(d.port(), "POST", "/v1/completions", body).status, 200);
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    auto rebound = httpRequest(d.port(), "POST", "/v1/completions", body, {{"Host", "evil.example:8080"}});
    QCOMPARE(rebound.status, 403);
    QVERIFY(rebound.body.contains("evil.example"));
    QCOMPARE(httpRequest(d.port(), "GET", "/v1/models", {}, {{"Host", "lmfront.lan"}}).status, 200);
    QCOMPARE(httpRequest(d.port(), "GET", "/v1/models", {}, {{"Host", "localhost:1234"}}).status, 200);
    auto foreignOrigin = httpRequest(d.port(), "GET", "/v1/models", {}, {{"Origin", "http://evil.example"}});
    QCOMPARE(foreignOrigin.status, 403);
    QVERIFY2(foreignOrigin.header("access-control-allow-origin").isEmpty(), "no permissive CORS");
  }

  void keysAndRoles() {
    const QString data = m_dir.filePath(u"keys"_qs);
    QByteArray out, err;
    QCOMPARE(runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, u"watcher"_qs, u"--role"_qs, u"viewer"_qs,
                     u"--data-dir"_qs, data, u"--json"_qs},
                    &out, &err),
             0);
    const QByteArray viewerKey = QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
    QCOMPARE(runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, u"app"_qs, u"--role"_qs, u"user"_qs, u"--data-dir"_qs,
                     data, u"--json"_qs},
                    &out, &err),
             0);
    const QByteArray userKey = QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
    QVERIFY(viewerKey.startsWith("lmf_") && userKey.startsWith("lmf_"));

    Daemon d;
    QStringList args = baseArgs(u"keys"_qs);
    args << u"--require-keys"_qs;
    QVERIFY(d.start(args));
    const QByteArray body = completionBody("tiny");
    auto anonymous = httpRequest(d.port(), "POST", "/v1/completions", body);
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(QJsonDocument::fromJson(anonymous.body).object()[u"error"].toObject()[u"type"].toString(),
             u"authentication_error"_qs);
    QCOMPARE(httpRequest(d.port(), "POST", "/v1/completions", body, {{"Authorization", "Bearer lmf_wrong"}}).status,
             401);
    QCOMPARE(httpRequest(d.port(), "POST", "/v1/completions", body, {{"Authorization", "Bearer " + viewerKey}}).status,
             403);
    QCOMPARE(httpRequest(d.port(), "GET", "/v1/models", {}, {{"Authorization", "Bearer " + viewerKey}}).status, 200);
    QCOMPARE(httpRequest(d.port(), "POST", "/v1/completions", body, {{"Authorization", "Bearer " + userKey}}).status,
             200);

    // Revoked with the CLI while the node runs: the node picks it up within its maintenance tick.
    QCOMPARE(runCli({u"keys"_qs, u"revoke"_qs, u"app"_qs, u"--data-dir"_qs, data}), 0);
    QTRY_COMPARE_WITH_TIMEOUT(
        httpRequest(d.port(), "POST", "/v1/completions", body, {{"Authorization", "Bearer " + userKey}}).status, 401,
        8000);
  }

  void bindingBeyondLoopbackNeedsKeys() {
    QProcess p;
    p.start(binPath(u"lmfrontd"_qs), {u"--listen"_qs, u"0.0.0.0:0"_qs, u"--data-dir"_qs, m_dir.filePath(u"open"_qs)});
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 1);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("0.0.0.0") && err.contains("key"), err.constData());
  }

  void requestsPerMinutePerKey() {
    const QString config = writeConfig(u"rpm.json"_qs, R"({"limits":{"per_key":{"requests_per_minute":3}}})");
    Daemon d;
    QVERIFY(d.start(baseArgs(u"rpm"_qs) + QStringList{u"--config"_qs, config}));
    for (int i = 0; i < 3; ++i)
      QCOMPARE(httpRequest(d.port(), "POST", "/v1/completions", completionBody("tiny", i)).status, 200);
    auto limited = httpRequest(d.port(), "POST", "/v1/completions", completionBody("tiny", 9));
    QCOMPARE(limited.status, 429);
    QVERIFY(limited.header("retry-after").toInt() >= 1);
    QCOMPARE(QJsonDocument::fromJson(limited.body).object()[u"error"].toObject()[u"code"].toString(),
             u"rate_limited"_qs);
    // The limit is per key: health and metrics still answer, and the metric counts it.
    auto metrics = httpRequest(d.port(), "GET", "/metrics");
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.body.contains("lmfront_rate_limited_total{scope=\"key_requests\"} 1"), metrics.body.constData());
  }

  // The node's own errors, the OpenAI API's and the rate limiter's share one shape with string
  // codes (the data plane's own 404/405/408/413/431/503 are checked in tst_httpserverlimits).
  void everyServerErrorHasTheOneShape() {
    const QString config = writeConfig(
        u"shapes.json"_qs,
        R"({"limits":{"per_model":{"requests_per_minute":2}},"pools":{"down":{"backends":[{"url":"http://127.0.0.1:1"}],)"
        R"("retry":{"max_attempts":1},"breaker":{"consecutive_failures":1,"cool_down_ms":60000}}}})");
    Daemon d;
    QVERIFY(d.start(baseArgs(u"shapes"_qs) + QStringList{u"--config"_qs, config}));
    auto check = [&](const HttpReply &reply, int status, const char *code) {
      QCOMPARE(reply.status, status);
      const QString problem = errorShapeProblem(reply.body);
      QVERIFY2(problem.isEmpty(), qPrintable(problem + u' ' + QString::fromUtf8(reply.body)));
      QCOMPARE(errorCode(reply.body), QString::fromLatin1(code));
    };
    check(httpRequest(d.port(), "GET", "/nowhere"), 404, "not_found");
    check(httpRequest(d.port(), "GET", "/v1/completions"), 405, "method_not_allowed");
    check(httpRequest(d.port(), "POST", "/v1/completions", "{"), 400, "invalid_json");
    check(httpRequest(d.port(), "POST", "/v1/completions", completionBody("nope")), 404, "model_not_found");
    // The backend refuses connections: that attempt's 503, then the open breaker's.
    check(httpRequest(d.port(), "POST", "/v1/completions", completionBody("down")), 503, "backend_unavailable");
    // The verdict reaches the breaker just after the client has its answer.
    const QByteArray open = "lmfront_backend_breaker_state{backend=\"http://127.0.0.1:1\"} 2";
    QTRY_VERIFY_WITH_TIMEOUT(httpRequest(d.port(), "GET", "/metrics").body.contains(open), 5000);
    check(httpRequest(d.port(), "POST", "/v1/completions", completionBody("down", 4)), 503, "no_healthy_backend");
    QCOMPARE(httpRequest(d.port(), "POST", "/v1/completions", completionBody("tiny")).status, 200);
    QCOMPARE(httpRequest(d.port(), "POST", "/v1/completions", completionBody("tiny", 4)).status, 200);
    check(httpRequest(d.port(), "POST", "/v1/completions", completionBody("tiny", 5)), 429, "rate_limited");
  }

  void badInputGetsClearAnswers_data() {
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("param");
    QTest::newRow("invalid json") << QByteArray("/v1/completions") << QByteArray("{\"model\":") << 400 << QString();
    QTest::newRow("not an object") << QByteArray("/v1/completions") << QByteArray("[1,2]") << 400 << QString();
    QTest::newRow("empty body") << QByteArray("/v1/completions") << QByteArray() << 400 << QString();
    QTest::newRow("model type") << QByteArray("/v1/completions") << QByteArray(R"({"model":7})") << 400 << u"model"_qs;
    QTest::newRow("max_tokens type") << QByteArray("/v1/completions")
                                     << QByteArray(R"({"model":"tiny","max_tokens":"9"})") << 400 << u"max_tokens"_qs;
    QTest::newRow("top_p range") << QByteArray("/v1/completions") << QByteArray(R"({"model":"tiny","top_p":1.5})")
                                 << 400 << u"top_p"_qs;
    QTest::newRow("messages missing") << QByteArray("/v1/chat/completions") << QByteArray(R"({"model":"tiny"})") << 400
                                      << u"messages"_qs;
    QTest::newRow("unknown model") << QByteArray("/v1/completions") << QByteArray(R"({"model":"ghost"})") << 404
                                   << u"model"_qs;
    QTest::newRow("invalid utf-8") << QByteArray("/v1/completions")
                                   << QByteArray("{\"model\":\"tiny\",\"prompt\":\"\xff\xfe\"}") << 400 << QString();
  }
  void badInputGetsClearAnswers() {
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, param);
    if (!m_badInputNode) {
      m_badInputNode = std::make_unique<Daemon>();
      QVERIFY(m_badInputNode->start(baseArgs(u"bad"_qs)));
    }
    Daemon *shared = m_badInputNode.get();
    auto reply = httpRequest(shared->port(), "POST", path, body);
    QCOMPARE(reply.status, status);
    const QJsonObject error = QJsonDocument::fromJson(reply.body).object()[u"error"].toObject();
    QVERIFY2(!error[u"message"].toString().isEmpty(), reply.body.constData());
    if (!param.isEmpty()) QCOMPARE(error[u"param"].toString(), param);
    // ...and the node keeps serving.
    QCOMPARE(httpRequest(shared->port(), "POST", "/v1/completions", completionBody("tiny")).status, 200);
  }

  // A client that repeats a request as soon as it has the answer finds it in the cache: the
  // answer is stored and its flight closed before the client sees it (not "coalesced").
  void aRepeatAfterTheAnswerIsAHit() {
    Daemon d;
    QVERIFY(d.start(baseArgs(u"repeat"_qs)));
    for (int seed = 100; seed < 400; ++seed) {
      const QByteArray body = completionBody("tiny", seed);
      auto first = httpRequest(d.port(), "POST", "/v1/completions", body);
      QCOMPARE(first.status, 200);
      QCOMPARE(first.header("x-lmfront-cache"), QByteArray("miss"));
      auto again = httpRequest(d.port(), "POST", "/v1/completions", body);
      QCOMPARE(again.status, 200);
      QCOMPARE(again.header("x-lmfront-cache"), QByteArray("hit"));
    }
  }

  void identicalConcurrentRequestsMakeOneBackendCall() {
    Daemon d;
    QVERIFY(d.start(baseArgs(u"flight"_qs)));
    // Long enough that the copies arrive while the first is still generating.
    const QByteArray body = R"({"model":"tiny","prompt":"the","max_tokens":400,"seed":11,"stop":["zzzz"]})";
    constexpr int kCopies = 8;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < kCopies; ++i) {
      auto socket = std::make_unique<QTcpSocket>();
      socket->connectToHost(QHostAddress::LocalHost, d.port());
      QVERIFY(socket->waitForConnected(3000));
      sockets.push_back(std::move(socket));
    }
    const QByteArray request =
        "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        QByteArray::number(body.size()) + "\r\n\r\n" + body;
    for (auto &socket : sockets) socket->write(request);
    for (auto &socket : sockets) QVERIFY(socket->waitForBytesWritten(3000));
    QMap<QByteArray, int> outcomes;
    QSet<QByteArray> bodies;
    for (auto &socket : sockets) {
      const HttpReply reply = readReply(*socket, 20000);
      QCOMPARE(reply.status, 200);
      outcomes[reply.header("x-lmfront-cache")]++;
      bodies.insert(QJsonDocument::fromJson(reply.body)
                        .object()[u"choices"_qs]
                        .toArray()[0]
                        .toObject()[u"text"_qs]
                        .toString()
                        .toUtf8());
    }
    QCOMPARE(bodies.size(), 1);
    QCOMPARE(outcomes.value("miss"), 1);                                         // one generation...
    QCOMPARE(outcomes.value("coalesced") + outcomes.value("hit"), kCopies - 1);  // ...answered them all
    // Metrics are recorded just after each answer is sent: wait until all eight are counted.
    QByteArray metrics;
    QTRY_VERIFY_WITH_TIMEOUT((metrics = httpRequest(d.port(), "GET", "/metrics").body)
                                 .contains("lmfront_requests_total{model=\"tiny\",backend=\"cache\",code=\"200\"} 7\n"),
                             5000);
    QVERIFY2(metrics.contains("lmfront_requests_total{model=\"tiny\",backend=\"engine:tiny\",code=\"200\"} 1\n"),
             metrics.constData());
  }

  void rateLimitHeldExactlyAcrossTwoNodes() {
    RedisServer redis;
    QVERIFY(redis.start());
    const QString config =
        writeConfig(u"shared.json"_qs, R"({"limits":{"per_model":{"requests_per_minute":10},"redis":"127.0.0.1:)" +
                                           QByteArray::number(redis.port()) + R"("}})");
    Daemon a, b;
    QVERIFY(a.start(baseArgs(u"ra"_qs) + QStringList{u"--config"_qs, config, u"--no-cache"_qs}));
    QVERIFY(b.start(baseArgs(u"rb"_qs) + QStringList{u"--config"_qs, config, u"--no-cache"_qs}));
    int allowed = 0, limited = 0;
    for (int i = 0; i < 16; ++i) {
      const auto reply = httpRequest((i % 2 ? a : b).port(), "POST", "/v1/completions", completionBody("tiny", i));
      if (reply.status == 200)
        ++allowed;
      else if (reply.status == 429)
        ++limited;
    }
    QCOMPARE(allowed, 10);
    QCOMPARE(limited, 6);
  }

  void cacheSharedThroughRedis() {
    RedisServer redis;
    QVERIFY(redis.start());
    const QString address = u"127.0.0.1:"_qs + QString::number(redis.port());
    Daemon a, b;
    QVERIFY(a.start(baseArgs(u"ca"_qs) + QStringList{u"--redis"_qs, address}));
    QVERIFY(b.start(baseArgs(u"cb"_qs) + QStringList{u"--redis"_qs, address}));
    const QByteArray body = completionBody("tiny", 77);
    auto first = httpRequest(a.port(), "POST", "/v1/completions", body);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("x-lmfront-cache"), QByteArray("miss"));
    QTest::qWait(500);  // the Redis fill is asynchronous, off the request's path
    auto second = httpRequest(b.port(), "POST", "/v1/completions", body);
    QCOMPARE(second.status, 200);
    QCOMPARE(second.header("x-lmfront-cache"), QByteArray("hit"));
    const auto text = [](const QByteArray &json) {
      return QJsonDocument::fromJson(json).object()[u"choices"].toArray()[0].toObject()[u"text"].toString();
    };
    QCOMPARE(text(second.body), text(first.body));
    // Cache-Control: no-cache bypasses both tiers.
    auto bypass = httpRequest(b.port(), "POST", "/v1/completions", body, {{"Cache-Control", "no-cache"}});
    QCOMPARE(bypass.header("x-lmfront-cache"), QByteArray("bypass"));
  }
};

QTEST_GUILESS_MAIN(TstGatewayPolicies)
#include "tst_gatewaypolicies.moc"
