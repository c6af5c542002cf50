// Black-box CORS tests through the real lmfrontd over real sockets (docs/auth.md): a page on a
// trusted origin can read every answer — completions, cache hits, SSE streams, 401/404/429 — and
// its preflights are answered without a key; an untrusted or "null" origin is refused and never
// sees a CORS header; a request without Origin (curl, SDKs) gets no CORS headers at all.
#include "../support/daemonharness.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace lmfront::testing;

namespace {

const QByteArray kTrusted = "http://localhost:3000";
const QByteArray kOtherTrusted = "https://app.example.com";
const QByteArray kUntrusted = "http://evil.example";

QByteArray completionBody(int seed, bool stream = false) {
  return R"({"model":"tiny","prompt":"the","max_tokens":4,"seed":)" + QByteArray::number(seed) +
         (stream ? R"(,"stream":true})" : "}");
}

bool anyCorsHeader(const HttpReply &r) { return r.head.toLower().contains("access-control-"); }

// The exact origin echoed (never "*"), with Vary: Origin so caches keep answers per origin apart.
void verifyCorsFor(const HttpReply &r, const QByteArray &origin) {
  QCOMPARE(r.header("access-control-allow-origin"), origin);
  QVERIFY2(r.head.count("ccess-Control-Allow-Origin") == 1, r.head.constData());
  QVERIFY2(r.head.toLower().contains("\r\nvary: origin"), r.head.constData());
  QVERIFY(!r.head.contains("Allow-Origin: *"));
}

QString errorType(const HttpReply &r) {
  return QJsonDocument::fromJson(r.body).object()[u"error"].toObject()[u"type"].toString();
}

}  // namespace

class TstCors : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QString m_model;
  Daemon m_open;     // loopback, keys optional, two trusted origins
  Daemon m_guarded;  // --require-keys, a rate limit of 2 requests a minute per key
  QByteArray m_key;

  QStringList args(const QString &dataDir) {
    return {u"--listen"_qs,         u"127.0.0.1:0"_qs,
            u"--data-dir"_qs,       m_dir.filePath(dataDir),
            u"--model"_qs,          u"tiny="_qs + m_model,
            u"--trusted-origin"_qs, QString::fromLatin1(kTrusted),
            u"--trusted-origin"_qs, QString::fromLatin1(kOtherTrusted)};
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_model = buildFortunesModel(m_dir.path(), u"tiny"_qs, 1500);
    QVERIFY2(!m_model.isEmpty(), "could not build the test model with the lmfront CLI");
    QVERIFY(m_open.start(args(u"open"_qs)));

    const QString guardedData = m_dir.filePath(u"guarded"_qs);
    QByteArray out, err;
    QCOMPARE(runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, u"web"_qs, u"--role"_qs, u"user"_qs, u"--data-dir"_qs,
                     guardedData, u"--json"_qs},
                    &out, &err),
             0);
    m_key = QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
    QVERIFY2(m_key.startsWith("lmf_"), out.constData());
    const QString config = m_dir.filePath(u"limits.json"_qs);
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"limits":{"per_key":{"requests_per_minute":2}}})");
    f.close();
    QVERIFY(m_guarded.start(args(u"guarded"_qs) + QStringList{u"--require-keys"_qs, u"--config"_qs, config}));
  }

  void trustedOriginReadsACompletionAndItsCacheHit() {
    const Headers origin{{"Origin", kTrusted}};
    auto first = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(11), origin);
    QCOMPARE(first.status, 200);
    verifyCorsFor(first, kTrusted);
    // The gateway's own headers are readable by the page too.
    QVERIFY(first.header("access-control-expose-headers").contains("x-lmfront-cache"));
    // A cache hit (however fast its path) carries the same headers.
    auto hit = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(11), origin);
    QCOMPARE(hit.status, 200);
    verifyCorsFor(hit, kTrusted);
    QCOMPARE(hit.header("x-lmfront-cache"), QByteArray("hit"));
    auto text = [](const HttpReply &r) {
      return QJsonDocument::fromJson(r.body).object()[u"choices"][0][u"text"].toString();
    };
    QCOMPARE(text(hit), text(first));
    // Each trusted origin gets itself back, not the first one configured.
    auto other = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(11), {{"Origin", kOtherTrusted}});
    QCOMPARE(other.status, 200);
    verifyCorsFor(other, kOtherTrusted);
    auto models = httpRequest(m_open.port(), "GET", "/v1/models", {}, origin);
    QCOMPARE(models.status, 200);
    verifyCorsFor(models, kTrusted);
  }

  void trustedOriginReadsAStream() {
    auto r = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(12, true), {{"Origin", kTrusted}});
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("content-type").startsWith("text/event-stream"));
    verifyCorsFor(r, kTrusted);
    QVERIFY2(r.body.contains("data: [DONE]"), r.body.constData());
  }

  void trustedOriginReadsErrors() {
    const Headers origin{{"Origin", kTrusted}};
    // 401: a wrong lmfront key is always verified, even where keys are optional.
    auto wrongKey = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(13),
                                {{"Origin", kTrusted}, {"Authorization", "Bearer lmf_wrong"}});
    QCOMPARE(wrongKey.status, 401);
    QCOMPARE(errorType(wrongKey), u"authentication_error"_qs);
    verifyCorsFor(wrongKey, kTrusted);
    // 401 on a node that needs keys, and 404s from the API and from the router.
    auto noKey = httpRequest(m_guarded.port(), "POST", "/v1/completions", completionBody(14), origin);
    QCOMPARE(noKey.status, 401);
    verifyCorsFor(noKey, kTrusted);
    auto unknownModel = httpRequest(m_open.port(), "POST", "/v1/completions",
                                    R"({"model":"nope","prompt":"x","max_tokens":1})", origin);
    QCOMPARE(unknownModel.status, 404);
    verifyCorsFor(unknownModel, kTrusted);
    // Outside /v1: every POST under /v1/ is relayed to the named model's URL backends.
    auto noRoute = httpRequest(m_open.port(), "GET", "/nowhere", {}, origin);
    QCOMPARE(noRoute.status, 404);
    verifyCorsFor(noRoute, kTrusted);
  }

  void trustedOriginReadsTheRateLimit() {
    const Headers withKey{{"Origin", kTrusted}, {"Authorization", "Bearer " + m_key}};
    for (int i = 0; i < 2; ++i) {
      auto ok = httpRequest(m_guarded.port(), "POST", "/v1/completions", completionBody(20 + i), withKey);
      QCOMPARE(ok.status, 200);
      verifyCorsFor(ok, kTrusted);
    }
    auto limited = httpRequest(m_guarded.port(), "POST", "/v1/completions", completionBody(30), withKey);
    QCOMPARE(limited.status, 429);
    verifyCorsFor(limited, kTrusted);
    QVERIFY(limited.header("retry-after").toInt() >= 1);
    QVERIFY(limited.header("access-control-expose-headers").contains("Retry-After"));
  }

  void untrustedOriginsAreRefusedWithoutCors() {
    for (const QByteArray &origin : {kUntrusted, QByteArray("null"), QByteArray("http://localhost:3001"),
                                     QByteArray("https://app.example.com.evil.example")}) {
      auto r = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(40), {{"Origin", origin}});
      QCOMPARE(r.status, 403);
      QCOMPARE(errorType(r), u"permission_error"_qs);
      QVERIFY2(!anyCorsHeader(r), r.head.constData());
      auto stream =
          httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(41, true), {{"Origin", origin}});
      QCOMPARE(stream.status, 403);
      QVERIFY2(!anyCorsHeader(stream), stream.head.constData());
      auto missing = httpRequest(m_open.port(), "GET", "/v1/nowhere", {}, {{"Origin", origin}});
      QVERIFY2(!anyCorsHeader(missing), missing.head.constData());
    }
  }

  void trustedPreflightIsAnsweredWithoutAKey() {
    // Against the node that needs keys: a browser sends no Authorization on a preflight.
    for (const QByteArray &path : {QByteArray("/v1/chat/completions"), QByteArray("/v1/completions"),
                                   QByteArray("/v1/models"), QByteArray("/v1/score")}) {
      auto r = httpRequest(m_guarded.port(), "OPTIONS", path, {},
                           {{"Origin", kTrusted},
                            {"Access-Control-Request-Method", "POST"},
                            {"Access-Control-Request-Headers", "authorization, content-type, x-stainless-os"}});
      QCOMPARE(r.status, 204);
      QVERIFY(r.body.isEmpty());
      verifyCorsFor(r, kTrusted);
      const QByteArray methods = r.header("access-control-allow-methods");
      QVERIFY2(methods.contains("POST") && methods.contains("GET"), methods.constData());
      const QByteArray allowed = r.header("access-control-allow-headers").toLower();
      for (const char *h : {"authorization", "content-type", "cache-control", "x-stainless-os"})
        QVERIFY2(allowed.contains(h), allowed.constData());
      QVERIFY(r.header("access-control-max-age").toInt() > 0);
    }
    // A malformed header list is not echoed; the standard ones are still allowed.
    auto odd = httpRequest(m_guarded.port(), "OPTIONS", "/v1/completions", {},
                           {{"Origin", kTrusted}, {"Access-Control-Request-Headers", "a b, <c>"}});
    QCOMPARE(odd.status, 204);
    QCOMPARE(odd.header("access-control-allow-headers"), QByteArray("Authorization, Content-Type, Cache-Control"));
  }

  void untrustedPreflightIsRefused() {
    for (const QByteArray &origin : {kUntrusted, QByteArray("null")}) {
      auto r = httpRequest(m_guarded.port(), "OPTIONS", "/v1/chat/completions", {},
                           {{"Origin", origin}, {"Access-Control-Request-Method", "POST"}});
      QCOMPARE(r.status, 403);
      QCOMPARE(errorType(r), u"permission_error"_qs);
      QVERIFY(r.body.contains("trusted_origins"));
      QVERIFY2(!anyCorsHeader(r), r.head.constData());
    }
    // A trusted Origin through a rebound DNS name is still refused (Host check).
    auto rebound = httpRequest(m_open.port(), "OPTIONS", "/v1/completions", {},
                               {{"Origin", kTrusted}, {"Host", "evil.example:8080"}});
    QCOMPARE(rebound.status, 403);
    QVERIFY2(!anyCorsHeader(rebound), rebound.head.constData());
  }

  // DNS rebinding reaches every path, not only the API: health, readiness, metrics and unknown
  // paths must not answer a foreign Host either (health would name the data dir and node id).
  void reboundHostIsRefusedOnEveryPath() {
    for (const QByteArray &path : {QByteArray("/healthz"), QByteArray("/readyz"), QByteArray("/metrics"),
                                   QByteArray("/v1/models"), QByteArray("/no/such/path")}) {
      auto r = httpRequest(m_open.port(), "GET", path, {}, {{"Host", "evil.example:8080"}});
      QVERIFY2(r.status == 403, path.constData());
      QCOMPARE(errorType(r), u"permission_error"_qs);
      QVERIFY2(!r.body.contains("data_dir") && !r.body.contains("node_id"), r.body.constData());
      auto local = httpRequest(m_open.port(), "GET", path, {}, {{"Host", "localhost:8080"}});
      QVERIFY2(local.status != 403, path.constData());
    }
  }

  void noOriginNoCorsHeaders() {
    auto r = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(50));
    QCOMPARE(r.status, 200);
    QVERIFY2(!anyCorsHeader(r), r.head.constData());
    QVERIFY(!r.head.toLower().contains("vary: origin"));
    auto stream = httpRequest(m_open.port(), "POST", "/v1/completions", completionBody(51, true));
    QCOMPARE(stream.status, 200);
    QVERIFY2(!anyCorsHeader(stream), stream.head.constData());
    auto unauthorized = httpRequest(m_guarded.port(), "POST", "/v1/completions", completionBody(52));
    QCOMPARE(unauthorized.status, 401);
    QVERIFY2(!anyCorsHeader(unauthorized), unauthorized.head.constData());
    // Not a preflight without Origin: OPTIONS is just a method no route has.
    auto options = httpRequest(m_open.port(), "OPTIONS", "/v1/completions");
    QCOMPARE(options.status, 405);
    QVERIFY2(!anyCorsHeader(options), options.head.constData());
  }
};

QTEST_GUILESS_MAIN(TstCors)
#include "tst_cors.moc"
