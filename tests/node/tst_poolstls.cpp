// A pool whose backend is an https:// URL, black-box through real lmfrontd processes: the backend
// node serves its model with --tls-cert/--tls-key (certificates made with `openssl` at run time),
// the front node's pool reaches it over verified TLS with the backend's `ca_file`. Completions and
// a streamed completion go through; health checks run over TLS and mark the backend up, or down
// when its certificate does not verify; a wrong CA or no CA file is refused with the reason in the
// answer, and the refusals open the backend's breaker like refused connections (docs/pools.md).
#include "../support/daemonharness.h"
#include "../support/fakehttp.h"
#include "../support/testcertificates.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <thread>

using namespace lmfront::testing;
using namespace std::chrono_literals;

namespace {

std::string completion(bool stream) {
  return std::string("{\"model\":\"tiny\",\"prompt\":\"the\",\"max_tokens\":6") + (stream ? ",\"stream\":true}" : "}");
}

}  // namespace

class TstPoolsTls : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  Daemon m_backend;
  Daemon m_front;

  QString file(const QString &name) const { return m_dir.filePath(name); }
  std::string url() const { return "https:/" + std::string("/127.0.0.1:") + std::to_string(m_backend.port()); }
  // The front's pools: the https backend with `caKey` (a JSON member, or empty), health checks
  // every 100 ms when `health`, a breaker that opens after 2 failures, no retries.
  std::string pools(const std::string &caKey, bool health) const {
    // Plain literals here: moc 6.4 loses the class after a raw string ending in '"'.
    return "{\"tiny\":{\"backends\":[{\"url\":\"" + url() + "\",\"model\":\"tiny\",\"kind\":\"lmfront\"" + caKey +
           "}],\"retry\":{\"max_attempts\":1},\"breaker\":{\"consecutive_failures\":2,\"cool_down_ms\":60000}" +
           // A probe's TLS handshake gets 500 ms: one probe past its timeout marks the backend down,
           // and under ThreadSanitizer on a busy machine a handshake can take 100 ms.
           (health ? ",\"health_check\":{\"interval_ms\":500,\"timeout_ms\":500,\"unhealthy_threshold\":1,"
                     "\"healthy_threshold\":1}"
                   : "") +
           "}}";
  }
  std::string caKey(const QString &ca) const { return ",\"ca_file\":\"" + file(ca).toStdString() + "\""; }
  // Polls the backend's series `name` until it is `value` (10 s at most).
  bool metricBecomes(const std::string &name, double value) {
    for (QDeadlineTimer deadline(10'000); !deadline.hasExpired(); std::this_thread::sleep_for(20ms))
      if (backendMetric(m_front.port(), name, url()) == value) return true;
    return false;
  }
  bool backendUpBecomes(double value) { return metricBecomes("lmfront_backend_up", value); }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(lmfront::test::makeTestCa(m_dir.path()));
    QVERIFY(lmfront::test::makeTestCa(m_dir.path(), u"otherca"_qs));
    QVERIFY(lmfront::test::makeTestCertificate(m_dir.path(), u"backend"_qs, u"IP:127.0.0.1"_qs));
    const QString model = buildFortunesModel(m_dir.path(), u"tiny"_qs, 1500);
    QVERIFY2(!model.isEmpty(), "could not build the test model with the lmfront CLI");
    QVERIFY(m_backend.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, file(u"backend"_qs), u"--model"_qs,
                             u"tiny="_qs + model, u"--workers"_qs, u"1"_qs, u"--tls-cert"_qs, file(u"backend.pem"_qs),
                             u"--tls-key"_qs, file(u"backend.key"_qs)}));
    const QString config = file(u"front.json"_qs);
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString("{\"pools\":" + pools(caKey(u"ca.pem"_qs), true) + "}"));
    f.close();
    QVERIFY(m_front.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, file(u"front"_qs), u"--config"_qs,
                           config, u"--workers"_qs, u"2"_qs}));
    QVERIFY(m_front.waitReady());
  }
  void cleanupTestCase() {
    m_front.stop();
    m_backend.stop();
  }

  void completionsAndAStreamGoThroughTheHttpsBackend() {
    QVERIFY2(backendUpBecomes(1), "the https backend's health checks never passed");
    const RawReply whole = rawRequest(m_front.port(), "POST", "/v1/completions", completion(false));
    QVERIFY2(whole.status == 200, whole.body.c_str());
    QCOMPARE(whole.header("x-lmfront-backend"), url());
    QVERIFY(whole.body.find("\"text\"") != std::string::npos);
    const RawReply stream = rawRequest(m_front.port(), "POST", "/v1/completions", completion(true));
    QVERIFY2(stream.status == 200, stream.body.c_str());
    QVERIFY2(stream.body.find("data: {") != std::string::npos, stream.body.c_str());
    QVERIFY2(stream.body.find("data: [DONE]") != std::string::npos, stream.body.c_str());
    QVERIFY(stream.body.find("\"error\"") == std::string::npos);
    // Score is forwarded over TLS too (kind lmfront).
    const RawReply score = rawRequest(m_front.port(), "POST", "/v1/score", "{\"model\":\"tiny\",\"text\":\"the cat\"}");
    QVERIFY2(score.status == 200, score.body.c_str());
  }

  void aWrongCaMarksTheBackendDownAndIsRefusedWithTheReason() {
    QCOMPARE(rawRequest(m_front.port(), "PUT", "/admin/pools", pools(caKey(u"otherca.pem"_qs), true)).status, 200);
    QVERIFY2(backendUpBecomes(0), "health checks over TLS did not notice the unknown CA");
    // Without health checks the request itself meets the refusal, and says why.
    QCOMPARE(rawRequest(m_front.port(), "PUT", "/admin/pools", pools(caKey(u"otherca.pem"_qs), false)).status, 200);
    const RawReply r = rawRequest(m_front.port(), "POST", "/v1/completions", completion(false));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("x-lmfront-backend"), url());
    QVERIFY2(r.body.find("TLS handshake failed: certificate verify failed: unable to get local issuer certificate") !=
                 std::string::npos,
             r.body.c_str());
  }

  void withoutACaFileThePrivateCaIsRefusedAndTheBreakerOpens() {
    QCOMPARE(rawRequest(m_front.port(), "PUT", "/admin/pools", pools("", false)).status, 200);
    QCOMPARE(backendMetric(m_front.port(), "lmfront_backend_breaker_state", url()), 0.0);  // closed
    for (int i = 0; i < 2; ++i) {
      const RawReply r = rawRequest(m_front.port(), "POST", "/v1/completions", completion(i == 1));
      QCOMPARE(r.status, 503);
      QVERIFY2(r.body.find("certificate verify failed") != std::string::npos, r.body.c_str());
    }
    // The verdict reaches the breaker just after the client has its answer.
    QVERIFY2(metricBecomes("lmfront_backend_breaker_state", 2.0), "the breaker did not open");
    const RawReply fast = rawRequest(m_front.port(), "POST", "/v1/completions", completion(false));
    QCOMPARE(fast.status, 503);  // refused by the open breaker, without another handshake
    QVERIFY(!fast.header("retry-after").empty());
    // Back to the right CA: served again (a new pool, so a fresh breaker).
    QCOMPARE(rawRequest(m_front.port(), "PUT", "/admin/pools", pools(caKey(u"ca.pem"_qs), false)).status, 200);
    QCOMPARE(rawRequest(m_front.port(), "POST", "/v1/completions", completion(false)).status, 200);
  }

  void aMissingCaFileIsRefusedNamingIt() {
    const RawReply r = rawRequest(m_front.port(), "PUT", "/admin/pools", pools(caKey(u"missing.pem"_qs), false));
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.find("pools.tiny.backends[0]") != std::string::npos, r.body.c_str());
    QVERIFY2(r.body.find("missing.pem") != std::string::npos, r.body.c_str());
    QCOMPARE(rawRequest(m_front.port(), "POST", "/v1/completions", completion(false)).status, 200);  // unchanged
  }
};

QTEST_GUILESS_MAIN(TstPoolsTls)
#include "tst_poolstls.moc"
