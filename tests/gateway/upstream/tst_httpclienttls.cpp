// HttpClient and UpstreamBackend over https:// against lmfront's own TLS data plane (HttpServer
// with a TlsContext) on 127.0.0.1, certificates made with `openssl` at run time: requests verified
// against a CA file reuse one TLS connection, and a new connection resumes the last session; a streamed completion
// arrives event by event; an unknown CA (given or only the system's), a certificate for another address, an expired one
// and a stalled handshake are refused with their reason; a host name is sent as SNI and verified.
#include "../../support/fakehttp.h"
#include "../../support/testcertificates.h"
#include "common/clock.h"
#include "gateway/http/httpserver.h"
#include "gateway/http/tlscontext.h"
#include "gateway/http/tlsstream.h"
#include "gateway/pool/upstreambackend.h"
#include "gateway/upstream/httpclient.h"
#include "upstreamrecorders.h"

#include <QTemporaryDir>
#include <QtTest>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace lmfront::gateway::upstream;
using namespace lmfront::gateway::upstream::recorders;
using namespace std::chrono_literals;

namespace {

bool contains(const Status &s, const std::string &what) { return s.message().find(what) != std::string::npos; }

// Accepts one connection and keeps what the client sends, never answering (a stalled handshake).
class SilentServer {
public:
  SilentServer() {
    m_listen = lmfront::testing::listenOnLoopback(m_port, 4);
    m_thread = std::thread([this] {
      const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      timeval tv{0, 100'000};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[4096];
      while (!m_stop) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0) break;
        if (n > 0) {
          std::lock_guard lock(m_mutex);
          m_received.append(buf, static_cast<std::size_t>(n));
        }
      }
      ::close(fd);
    });
  }
  ~SilentServer() {
    m_stop = true;
    ::shutdown(m_listen, SHUT_RDWR);
    ::close(m_listen);
    m_thread.join();
  }
  std::uint16_t port() const { return m_port; }
  std::string received() {
    std::lock_guard lock(m_mutex);
    return m_received;
  }

private:
  int m_listen = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::string m_received;
  std::thread m_thread;
};

// Whether "localhost" resolves to 127.0.0.1 first (the client connects to the first address).
bool localhostIsIpv4Loopback() {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *res = nullptr;
  if (::getaddrinfo("localhost", "80", &hints, &res) != 0 || !res) return false;
  const bool v4 = res->ai_family == AF_INET &&
                  reinterpret_cast<sockaddr_in *>(res->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  ::freeaddrinfo(res);
  return v4;
}

// GET /healthz on a new blocking connection through TlsStream, read to the end (TLS 1.3 tickets
// come after the handshake); whether its session was resumed, or nullopt when it failed.
std::optional<bool> getOnNewConnection(std::uint16_t port, const TlsContext &context) {
  const int fd = lmfront::testing::connectTo(port, 5000);
  if (fd < 0) return std::nullopt;
  auto tls = TlsStream::connect(context, fd, "127.0.0.1", "127.0.0.1:" + std::to_string(port));
  std::optional<bool> resumed;
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (tls && tls->handshake() == 1 && tls->write(request.data(), request.size()) > 0) {
    char buf[4096];
    std::string answer;
    for (ssize_t n; (n = tls->read(buf, sizeof buf)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
    if (answer.rfind("HTTP/1.1 200", 0) == 0) resumed = tls->resumed();
  }
  tls.reset();
  ::close(fd);
  return resumed;
}

}  // namespace

class TstHttpClientTls : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  ManualClock m_clock;
  std::vector<std::unique_ptr<HttpServer>> m_servers;
  std::vector<std::thread> m_streamers;
  std::uint16_t m_good = 0, m_otherAddress = 0, m_expired = 0, m_named = 0;

  std::string file(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }
  // lmfront's data plane with `cert`, answering GET /healthz and streaming chat completions.
  std::uint16_t startServer(const QString &cert) {
    auto context = TlsContext::load(m_dir.filePath(cert + u".pem"_qs).toStdString(),
                                    m_dir.filePath(cert + u".key"_qs).toStdString());
    if (!context) {
      qWarning("%s", context.status().message().c_str());
      return 0;
    }
    auto router = std::make_shared<Router>();
    router->route("GET", "/healthz",
                  [](HttpRequest &&, ResponderPtr out) { out->respond(HttpResponse::json(200, "{}")); });
    router->route("POST", "/v1/chat/completions", [this](HttpRequest &&, ResponderPtr out) {
      out->beginStream(200, {{"Content-Type", "text/event-stream"}});
      m_streamers.emplace_back([out] {  // later, from another thread, as a generator writes
        for (const char *piece : {"Hel", "lo", " there"}) {
          std::this_thread::sleep_for(5ms);
          out->writeChunk(std::string("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"") + piece +
                          "\"}}]}\n\n");
        }
        out->writeChunk("data: [DONE]\n\n");
        out->endStream();
      });
    });
    HttpServerOptions options;
    options.port = 0;
    options.workers = 1;
    options.tls = *context;
    auto server = std::make_unique<HttpServer>(m_clock);
    if (const Status s = server->start(options, router); !s.isOk()) {
      qWarning("%s", s.message().c_str());
      return 0;
    }
    m_servers.push_back(std::move(server));
    return m_servers.back()->port();
  }
  std::shared_ptr<const TlsContext> client(const char *caFile) {
    auto c = TlsContext::client(*caFile ? file(caFile) : std::string());
    if (!c) qWarning("%s", c.status().message().c_str());
    return c ? *c : nullptr;
  }
  static ClientRequest get(std::uint16_t port, std::shared_ptr<const TlsContext> tls, std::string host = "127.0.0.1") {
    ClientRequest r;
    r.host = std::move(host);
    r.port = port;
    r.target = "/healthz";
    r.tls = std::move(tls);
    return r;
  }
  // One request on a fresh client: its status, the answer's code in *status.
  static Status fetch(ClientRequest request, int *status = nullptr) {
    HttpClient http(1);
    auto r = std::make_shared<Recorder>();
    http.send(std::move(request), r);
    const Status s = wait(r);
    if (status) *status = r->status;
    return s;
  }
  HttpServer &server(std::uint16_t port) {
    for (auto &s : m_servers)
      if (s->port() == port) return *s;
    qFatal("no server on port %u", port);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(test::makeTestCa(m_dir.path()));
    QVERIFY(test::makeTestCa(m_dir.path(), u"otherca"_qs));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"good"_qs, u"IP:127.0.0.1"_qs));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"otheraddress"_qs, u"IP:127.0.0.2"_qs));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"expired"_qs, u"IP:127.0.0.1"_qs, u"ca"_qs, -1));
    QVERIFY(test::makeTestCertificate(m_dir.path(), u"named"_qs, u"DNS:localhost"_qs));
    m_good = startServer(u"good"_qs);
    m_otherAddress = startServer(u"otheraddress"_qs);
    m_expired = startServer(u"expired"_qs);
    m_named = startServer(u"named"_qs);
    QVERIFY(m_good && m_otherAddress && m_expired && m_named);
  }
  void cleanupTestCase() {
    for (auto &s : m_servers) s->stop();
    for (auto &t : m_streamers) t.join();
  }

  void requestsReuseOneVerifiedTlsConnection() {
    const auto tls = client("ca.pem");
    QVERIFY(tls);
    const auto before = server(m_good).stats();
    HttpClient http(1);
    for (int i = 0; i < 5; ++i) {
      auto r = std::make_shared<Recorder>();
      http.send(get(m_good, tls), r);
      const Status s = wait(r);
      QVERIFY2(s.isOk(), s.message().c_str());
      QCOMPARE(r->status, 200);
      QCOMPARE(r->body(), std::string("{}"));
    }
    const auto after = server(m_good).stats();
    QCOMPARE(after.requests - before.requests, 5u);
    QCOMPARE(after.connectionsAccepted - before.connectionsAccepted, 1u);  // keep-alive over one session
    // A plain request to the same port is not handed the pooled TLS connection: the data plane
    // answers its plaintext with a 400.
    auto plain = std::make_shared<Recorder>();
    http.send(get(m_good, nullptr), plain);
    QVERIFY(wait(plain).isOk());
    QCOMPARE(plain->status, 400);
  }

  void aNewConnectionResumesTheLastSession() {
    const auto tls = client("ca.pem");
    QVERIFY(tls);
    const auto first = getOnNewConnection(m_good, *tls), second = getOnNewConnection(m_good, *tls);
    QVERIFY(first.has_value() && second.has_value());
    QVERIFY(!*first);  // a full handshake
    QVERIFY(*second);  // the ticket the first one received
    // Another context (another backend) never offers that session.
    const auto other = client("ca.pem");
    const auto third = getOnNewConnection(m_good, *other);
    QVERIFY(third.has_value() && !*third);
  }

  void aStreamedCompletionArrivesEventByEvent() {
    HttpClient http(1);
    pool::UpstreamOptions options{"https://127.0.0.1:" + std::to_string(m_good) + "/", "m", {}, {}, {}, file("ca.pem")};
    auto backend = pool::UpstreamBackend::create(options, http);
    QVERIFY2(backend.isOk(), backend.status().message().c_str());
    openai::CompletionRequest request;
    request.chat = true;
    request.messages = {{"user", "hi"}};
    auto sink = std::make_shared<SinkRecorder>();
    (*backend)->generate(request, sink);
    auto f = sink->done.get_future();
    QVERIFY(f.wait_for(10s) == std::future_status::ready);
    const Status s = f.get();
    QVERIFY2(s.isOk(), s.message().c_str());
    QCOMPARE(sink->tokens, (std::vector<std::string>{"Hel", "lo", " there"}));
  }

  void anUnknownCaIsRefusedNamingTheReason() {
    const auto before = server(m_good).stats().requests;
    const Status s = fetch(get(m_good, client("otherca.pem")));
    QCOMPARE(s.code(), StatusCode::Unavailable);
    QVERIFY2(contains(s, "upstream https://127.0.0.1:" + std::to_string(m_good) + ": TLS handshake failed"),
             s.message().c_str());
    QVERIFY2(contains(s, "unable to get local issuer certificate"), s.message().c_str());
    QCOMPARE(server(m_good).stats().requests, before);  // nothing was sent to an unverified peer
    // The same through a backend: the sink hears it as an upstream failure.
    HttpClient http(1);
    pool::UpstreamOptions options{"https://127.0.0.1:" + std::to_string(m_good), "m", {}, {}, {}, file("otherca.pem")};
    auto backend = pool::UpstreamBackend::create(options, http);
    QVERIFY(backend.isOk());
    openai::CompletionRequest request;
    request.prompt = "p";
    auto sink = std::make_shared<SinkRecorder>();
    (*backend)->generate(request, sink);
    auto f = sink->done.get_future();
    QVERIFY(f.wait_for(10s) == std::future_status::ready);
    const Status viaBackend = f.get();
    QCOMPARE(viaBackend.code(), StatusCode::Unavailable);
    QVERIFY2(contains(viaBackend, "certificate verify failed"), viaBackend.message().c_str());
  }

  void withoutACaFileAPrivateCaIsRefused() {
    const Status s = fetch(get(m_good, client("")));  // the system's CAs only: never skipped
    QCOMPARE(s.code(), StatusCode::Unavailable);
    QVERIFY2(contains(s, "certificate verify failed: unable to get local issuer certificate"), s.message().c_str());
  }

  void aCertificateForAnotherAddressIsRefused() {
    const Status s = fetch(get(m_otherAddress, client("ca.pem")));
    QCOMPARE(s.code(), StatusCode::Unavailable);
    QVERIFY2(contains(s, "certificate verify failed: IP address mismatch"), s.message().c_str());
  }

  void anExpiredCertificateIsRefused() {
    const Status s = fetch(get(m_expired, client("ca.pem")));
    QCOMPARE(s.code(), StatusCode::Unavailable);
    QVERIFY2(contains(s, "certificate verify failed: certificate has expired"), s.message().c_str());
  }

  void aHostNameIsSentAsSniAndVerified() {
    // An address is no name: the certificate for "localhost" does not name 127.0.0.1.
    const Status byAddress = fetch(get(m_named, client("ca.pem")));
    QVERIFY2(contains(byAddress, "certificate verify failed: IP address mismatch"), byAddress.message().c_str());
    if (!localhostIsIpv4Loopback()) QSKIP("localhost does not resolve to 127.0.0.1 first here");
    int status = 0;
    const Status byName = fetch(get(m_named, client("ca.pem"), "localhost"), &status);
    QVERIFY2(byName.isOk(), byName.message().c_str());
    QCOMPARE(status, 200);
    const Status wrongName = fetch(get(m_good, client("ca.pem"), "localhost"));
    QVERIFY2(contains(wrongName, "certificate verify failed: hostname mismatch"), wrongName.message().c_str());
    // The name travels in the ClientHello's server_name extension.
    SilentServer silent;
    ClientRequest r = get(silent.port(), client("ca.pem"), "localhost");
    r.timeouts.connect = 300ms;
    QCOMPARE(fetch(r).code(), StatusCode::DeadlineExceeded);
    QVERIFY(silent.received().find("localhost") != std::string::npos);
  }

  void theConnectTimeoutBoundsTheHandshake() {
    SilentServer silent;
    ClientRequest r = get(silent.port(), client("ca.pem"));
    r.timeouts.connect = 200ms;
    const auto t0 = std::chrono::steady_clock::now();
    const Status s = fetch(r);
    QCOMPARE(s.code(), StatusCode::DeadlineExceeded);
    QVERIFY2(contains(s, "TLS handshake timeout"), s.message().c_str());
    QVERIFY(std::chrono::steady_clock::now() - t0 < 2s);
    QVERIFY(!silent.received().empty());  // the ClientHello went out; no answer came
  }

  void badCaFilesAreRefusedAtCreation() {
    const auto missing = TlsContext::client(file("missing.pem"));
    QVERIFY(!missing.isOk());
    QVERIFY2(contains(missing.status(), file("missing.pem")), missing.status().message().c_str());
    const auto notPem = TlsContext::client(file("good.key"));  // a key, no certificate
    QVERIFY(!notPem.isOk());
    QVERIFY2(contains(notPem.status(), file("good.key")), notPem.status().message().c_str());
    HttpClient http(1);
    pool::UpstreamOptions plain{"http://127.0.0.1:1", "m", {}, {}, {}, file("ca.pem")};
    const auto backend = pool::UpstreamBackend::create(plain, http);
    QVERIFY(!backend.isOk());
    QVERIFY2(contains(backend.status(), "https://"), backend.status().message().c_str());
  }
};

QTEST_GUILESS_MAIN(TstHttpClientTls)
#include "tst_httpclienttls.moc"
