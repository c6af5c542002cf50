// The data plane over TLS (HttpServerOptions::tls): HTTPS requests, keep-alive, chunked and SSE
// streams, an upgrade carried through the TLS tunnel, what a plaintext or garbage client gets, the
// handshake timeout on the ManualClock, and a certificate reload that new connections see while
// old ones keep theirs. Certificates are made with `openssl` at run time (testcertificates.h);
// the client is Qt's QSslSocket verifying against the test CA.
#include "../support/testcertificates.h"
#include "common/clock.h"
#include "gateway/http/httpserver.h"
#include "gateway/http/tlscontext.h"
#include "rawclient.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace lmfront::test;
using namespace std::chrono_literals;

namespace {

// A blocking HTTPS client over QSslSocket (the test thread has no event loop to spare).
class TlsClient {
public:
  bool connect(quint16 port, const QString &caFile, const QString &verifyName = u"127.0.0.1"_qs) {
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(caFile));
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    m_socket.setSslConfiguration(config);
    m_socket.setPeerVerifyName(verifyName);
    m_socket.connectToHostEncrypted(u"127.0.0.1"_qs, port);
    return m_socket.waitForEncrypted(10'000);
  }
  QString error() const { return m_socket.errorString(); }
  QSslSocket &socket() { return m_socket; }
  bool send(const QByteArray &bytes) {
    m_socket.write(bytes);
    return m_socket.waitForBytesWritten(5000) || m_socket.bytesToWrite() == 0;
  }
  // Reads until `done` says the bytes so far are complete, or 10 s pass.
  template <typename Done>
  QByteArray readUntil(Done done) {
    QElapsedTimer t;
    t.start();
    while (!done(m_buffer) && t.elapsed() < 10'000) {
      if (m_socket.bytesAvailable() == 0 && !m_socket.waitForReadyRead(200) &&
          m_socket.state() != QAbstractSocket::ConnectedState)
        break;
      m_buffer += m_socket.readAll();
    }
    return std::exchange(m_buffer, {});
  }
  // One Content-Length response.
  QByteArray response() {
    return readUntil([](const QByteArray &b) {
      const qsizetype end = b.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const qsizetype cl = b.indexOf("Content-Length: ");
      if (cl < 0 || cl > end) return true;
      const qsizetype eol = b.indexOf("\r\n", cl);
      return b.size() >= end + 4 + b.mid(cl + 16, eol - cl - 16).toLongLong();
    });
  }
  QByteArray chunkedResponse() {
    return readUntil([](const QByteArray &b) { return b.endsWith("0\r\n\r\n"); });
  }

private:
  QSslSocket m_socket;
  QByteArray m_buffer;
};

QByteArray get(const QByteArray &path) { return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"; }

// Upgrade route for the tunnel test: answers 101, then echoes every byte back upper-cased,
// blocking on its own thread (the route owns the descriptor).
void echoUpgrade(int fd, std::string alreadyRead, std::atomic<int> *ended) {
  std::thread([fd, head = std::move(alreadyRead), ended] {
    std::string rest = head.substr(head.find("\r\n\r\n") + 4);
    auto sendAll = [fd](std::string_view s) {
      while (!s.empty()) {
        const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
        if (n > 0) {
          s.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EAGAIN) {
          std::this_thread::yield();
        } else {
          return;
        }
      }
    };
    sendAll("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
    auto echo = [&](std::string s) {
      for (char &c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      sendAll(s);
    };
    if (!rest.empty()) echo(rest);
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        echo(std::string(buf, static_cast<std::size_t>(n)));
      } else if (n < 0 && errno == EAGAIN) {
        std::this_thread::sleep_for(1ms);  // the descriptor is non-blocking: poll it slowly
      } else {
        break;
      }
    }
    ::close(fd);
    ended->fetch_add(1);
  }).detach();
}

}  // namespace

class TestHttpsTls : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  ManualClock m_clock;
  std::unique_ptr<HttpServer> m_server;
  std::atomic<int> m_tunnelsEnded{0};
  std::vector<std::thread> m_streamers;

  QString file(const QString &name) const { return m_dir.filePath(name); }
  std::shared_ptr<const TlsContext> context(const QString &name) {
    auto c = TlsContext::load(file(name + u".pem"_qs).toStdString(), file(name + u".key"_qs).toStdString());
    if (!c) qWarning("%s", c.status().message().c_str());
    return c ? *c : nullptr;
  }
  quint16 port() const { return m_server->port(); }
  static QByteArray serialOf(const QString &pem) {
    const auto certs = QSslCertificate::fromPath(pem);
    return certs.isEmpty() ? QByteArray() : certs.first().serialNumber();
  }

private Q_SLOTS:
  void initTestCase() {
    if (!QSslSocket::supportsSsl()) QSKIP("Qt has no TLS backend here");
    QVERIFY(m_dir.isValid());
    QVERIFY(makeTestCa(m_dir.path()));
    QVERIFY(makeTestCa(m_dir.path(), u"otherca"_qs));
    QVERIFY(makeTestCertificate(m_dir.path(), u"node"_qs, u"IP:127.0.0.1"_qs));
    QVERIFY(makeTestCertificate(m_dir.path(), u"renewed"_qs, u"IP:127.0.0.1"_qs));
    QVERIFY(serialOf(file(u"node.pem"_qs)) != serialOf(file(u"renewed.pem"_qs)));

    auto router = std::make_shared<Router>();
    router->route("GET", "/hello", [](HttpRequest &&r, ResponderPtr out) {
      out->respond(HttpResponse::json(200, R"({"hello":")" + r.path + R"("})"));
    });
    router->route("GET", "/big", [](HttpRequest &&, ResponderPtr out) {
      out->respond(HttpResponse::json(200, "\"" + std::string(300 * 1024, 'x') + "\""));
    });
    router->route("GET", "/sse", [this](HttpRequest &&, ResponderPtr out) {
      out->beginStream(200, {{"Content-Type", "text/event-stream"}});
      // Completed later from another thread, as a generator would.
      m_streamers.emplace_back([out] {
        for (int i = 0; i < 3; ++i) {
          std::this_thread::sleep_for(5ms);
          out->writeChunk("data: " + std::to_string(i) + "\n\n");
        }
        out->endStream();
      });
    });
    HttpServerOptions options;
    options.port = 0;
    options.workers = 2;
    options.tls = context(u"node"_qs);
    QVERIFY(options.tls);
    options.upgrade = {"/echo", "echo",
                       [this](int fd, std::string head) { echoUpgrade(fd, std::move(head), &m_tunnelsEnded); }};
    m_server = std::make_unique<HttpServer>(m_clock);
    const Status st = m_server->start(options, router);
    QVERIFY2(st.isOk(), st.message().c_str());
  }
  void cleanupTestCase() {
    if (m_server) m_server->stop();
    for (auto &t : m_streamers) t.join();
  }

  void httpsRequestsShareOneKeepAliveConnection() {
    TlsClient c;
    QVERIFY2(c.connect(port(), file(u"ca.pem"_qs)), qPrintable(c.error()));
    QVERIFY(c.socket().sessionProtocol() == QSsl::TlsV1_3 || c.socket().sessionProtocol() == QSsl::TlsV1_2);
    for (int i = 0; i < 3; ++i) {
      QVERIFY(c.send(get("/hello")));
      const QByteArray r = c.response();
      QVERIFY2(r.startsWith("HTTP/1.1 200 OK\r\n"), r.constData());
      QVERIFY(r.endsWith(R"({"hello":"/hello"})"));
    }
    // Pipelined, and a body larger than the socket buffers (partial TLS writes resumed).
    QVERIFY(c.send(get("/hello") + get("/big")));
    const QByteArray both = c.readUntil([](const QByteArray &b) { return b.endsWith("xx\""); });
    QVERIFY(both.startsWith("HTTP/1.1 200 OK\r\n"));
    QCOMPARE(both.count("HTTP/1.1 200 OK"), 2);
    QVERIFY(both.size() > 300 * 1024);
    QCOMPARE(m_server->stats().connectionsOpen, 1u);
  }

  void sseStreamsChunkedOverTls() {
    TlsClient c;
    QVERIFY2(c.connect(port(), file(u"ca.pem"_qs)), qPrintable(c.error()));
    QVERIFY(c.send(get("/sse")));
    const QByteArray r = c.chunkedResponse();
    QVERIFY2(r.contains("Transfer-Encoding: chunked"), r.constData());
    QVERIFY(r.contains("data: 0\n\n"));
    QVERIFY(r.contains("data: 2\n\n"));
    QVERIFY(r.endsWith("0\r\n\r\n"));
  }

  void wrongCaIsRefusedByTheClient() {
    TlsClient c;
    QVERIFY(!c.connect(port(), file(u"otherca.pem"_qs)));
    bool untrusted = false;
    for (const QSslError &e : c.socket().sslHandshakeErrors())
      untrusted |= e.error() == QSslError::UnableToGetLocalIssuerCertificate ||
                   e.error() == QSslError::SelfSignedCertificateInChain ||
                   e.error() == QSslError::UnableToVerifyFirstCertificate;
    QVERIFY2(untrusted, qPrintable(c.error()));
  }

  void wrongHostNameIsRefusedByTheClient() {
    TlsClient c;
    QVERIFY(!c.connect(port(), file(u"ca.pem"_qs), u"node.example"_qs));
    bool mismatch = false;
    for (const QSslError &e : c.socket().sslHandshakeErrors()) mismatch |= e.error() == QSslError::HostNameMismatch;
    QVERIFY2(mismatch, qPrintable(c.error()));
  }

  void plainHttpGetsA400AndAClose() {
    RawClient raw;
    QVERIFY(raw.connect(port()));
    QVERIFY(raw.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const auto r = raw.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.find("https://") != std::string::npos, r->body.c_str());
    QVERIFY(raw.waitClosed());
  }

  void garbageClientHelloIsClosedAndTheServerServesOn() {
    RawClient raw;
    QVERIFY(raw.connect(port()));
    QVERIFY(raw.send(std::string("\x16\x03\x01\x00\x10", 5) + std::string(16, '\xee')));
    QVERIFY(raw.waitClosed());
    RawClient noise;
    QVERIFY(noise.connect(port()));
    QVERIFY(noise.send(std::string(64, '\x00')));
    QVERIFY(noise.waitClosed());
    TlsClient c;
    QVERIFY2(c.connect(port(), file(u"ca.pem"_qs)), qPrintable(c.error()));
    QVERIFY(c.send(get("/hello")));
    QVERIFY(c.response().startsWith("HTTP/1.1 200 OK"));
  }

  void stalledHandshakeIsClosedAtTheHeaderTimeout() {
    const HttpServerOptions &o = m_server->options();
    // Connections of earlier tests may still be open: only this one's accept may start the clock.
    const std::uint64_t acceptedBefore = m_server->stats().connectionsAccepted;
    RawClient raw;
    QVERIFY(raw.connect(port()));
    // The first bytes of a ClientHello record, then nothing.
    QVERIFY(raw.send(std::string("\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03", 11)));
    QVERIFY(QTest::qWaitFor([&] { return m_server->stats().connectionsAccepted > acceptedBefore; }, 5000));
    m_clock.advance(o.headerTimeout - 1ms);
    m_server->checkTimeouts();
    QVERIFY(!raw.waitClosed(50));
    m_clock.advance(2ms);
    m_server->checkTimeouts();
    QVERIFY(raw.waitClosed(5000));
  }

  void upgradeIsTunnelledThroughTls() {
    const int endedBefore = m_tunnelsEnded.load();
    TlsClient c;
    QVERIFY2(c.connect(port(), file(u"ca.pem"_qs)), qPrintable(c.error()));
    QVERIFY(c.send("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst"));
    QByteArray r = c.readUntil([](const QByteArray &b) { return b.endsWith("FIRST"); });
    QVERIFY2(r.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), r.constData());
    // More than the tunnel's buffer each way, so its backpressure takes turns.
    const QByteArray big(600 * 1024, 'a');
    c.socket().write(big);
    r = c.readUntil([&](const QByteArray &b) { return b.size() >= big.size(); });
    QCOMPARE(r.size(), big.size());
    QVERIFY(r == big.toUpper());
    c.socket().disconnectFromHost();
    QVERIFY(QTest::qWaitFor([&] { return m_tunnelsEnded.load() == endedBefore + 1; }, 10'000));
  }

  void reloadServesTheNewCertificateToNewConnectionsOnly() {
    TlsClient before;
    QVERIFY2(before.connect(port(), file(u"ca.pem"_qs)), qPrintable(before.error()));
    QCOMPARE(before.socket().peerCertificate().serialNumber(), serialOf(file(u"node.pem"_qs)));
    auto renewed = context(u"renewed"_qs);
    QVERIFY(renewed);
    QVERIFY(m_server->setTlsContext(renewed).isOk());
    TlsClient after;
    QVERIFY2(after.connect(port(), file(u"ca.pem"_qs)), qPrintable(after.error()));
    QCOMPARE(after.socket().peerCertificate().serialNumber(), serialOf(file(u"renewed.pem"_qs)));
    // The established connection goes on, on its old session.
    QVERIFY(before.send(get("/hello")));
    QVERIFY(before.response().startsWith("HTTP/1.1 200 OK"));
    QVERIFY(m_server->setTlsContext(context(u"node"_qs)).isOk());
  }

  void badFilesAreErrorsNamingTheFile() {
    const std::string cert = file(u"node.pem"_qs).toStdString(), key = file(u"node.key"_qs).toStdString();
    auto missing = TlsContext::load(cert + ".missing", key);
    QVERIFY(!missing);
    QVERIFY2(missing.status().message().find(cert + ".missing") != std::string::npos,
             missing.status().message().c_str());
    auto swapped = TlsContext::load(key, key);  // a key where the certificate belongs
    QVERIFY(!swapped);
    QVERIFY2(swapped.status().message().find("TLS certificate " + key) != std::string::npos,
             swapped.status().message().c_str());
    auto mismatched = TlsContext::load(cert, file(u"renewed.key"_qs).toStdString());
    QVERIFY(!mismatched);
    QVERIFY2(mismatched.status().message().find("does not belong") != std::string::npos,
             mismatched.status().message().c_str());
    // A plain server cannot be switched to TLS behind its clients' backs.
    HttpServer plain(m_clock);
    HttpServerOptions options;
    options.port = 0;
    options.workers = 1;
    QVERIFY(plain.start(options, std::make_shared<Router>()).isOk());
    QCOMPARE(plain.setTlsContext(context(u"node"_qs)).code(), StatusCode::FailedPrecondition);
  }
};

QTEST_GUILESS_MAIN(TestHttpsTls)
#include "tst_httpstls.moc"
