// HttpServerOptions::upgrade over real sockets: an upgrade on the route's path leaves the data
// plane with its descriptor, its head and the bytes sent after it; the filter still decides first
// (its refusal means no hand-off); the path answers anything else with 426/405; an upgrade behind
// unanswered pipelined requests is refused; other paths keep serving on the same port meanwhile.
#include "httpserverfixture.h"

#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

using namespace lmfront::test;

namespace {

const std::string kUpgrade = "GET /up?x=1 HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n";

}  // namespace

class TestHttpUpgrade : public QObject, protected HttpServerFixture {
  Q_OBJECT

private:
  std::mutex m_mutex;
  std::vector<std::pair<int, std::string>> m_adopted;  // GUARDED_BY(m_mutex)
  Gate m_adoptedGate;

  std::optional<std::pair<int, std::string>> takeAdopted() {
    if (!m_adoptedGate.wait(5s)) return std::nullopt;
    std::lock_guard lock(m_mutex);
    if (m_adopted.empty()) return std::nullopt;
    auto first = m_adopted.front();
    m_adopted.erase(m_adopted.begin());
    if (m_adopted.empty()) m_adoptedGate.reset();
    return first;
  }
  std::size_t adoptedCount() {
    std::lock_guard lock(m_mutex);
    return m_adopted.size();
  }

private Q_SLOTS:
  void init() {
    startFresh();
    HttpServerOptions o = defaults();
    o.filter = [](const HttpRequest &request, HeaderList &) -> std::optional<HttpResponse> {
      if (request.header("origin").empty()) return std::nullopt;
      return HttpResponse::text(403, "foreign origin");
    };
    o.upgrade.path = "/up";
    o.upgrade.protocol = "websocket";
    o.upgrade.adopt = [this](int fd, std::string bytes) {
      std::lock_guard lock(m_mutex);
      m_adopted.emplace_back(fd, std::move(bytes));
      m_adoptedGate.open();
    };
    restart(o);
  }
  void cleanup() {
    stopAll();
    std::lock_guard lock(m_mutex);
    for (auto &[fd, bytes] : m_adopted) ::close(fd);
    m_adopted.clear();
    m_adoptedGate.reset();
  }

  void upgradeHandsOverTheSocketWithWhatFollowedTheHead() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(kUpgrade + "\r\n" + "first frame bytes"));
    auto adopted = takeAdopted();
    QVERIFY(adopted);
    const auto &[fd, bytes] = *adopted;
    QVERIFY(bytes.rfind("GET /up?x=1 HTTP/1.1\r\n", 0) == 0);
    QVERIFY(bytes.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
    QVERIFY(bytes.find("\r\n\r\nfirst frame bytes") != std::string::npos);
    // The data plane no longer reads or writes it: what the new owner sends arrives alone.
    QCOMPARE(::send(fd, "HELLO", 5, MSG_NOSIGNAL), ssize_t{5});
    QCOMPARE(c.readExactly(5), std::optional<std::string>("HELLO"));
    QVERIFY(c.send("more"));
    char buf[8];
    ssize_t n = -1;
    for (int i = 0; i < 500 && n < 0; ++i) {
      n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) std::this_thread::sleep_for(2ms);
    }
    QCOMPARE(std::string(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0))), std::string("more"));
    QTRY_COMPARE(m_server.stats().inFlight, std::uint64_t{0});
  }

  void plainHttpKeepsServingWhileUpgradedConnectionsStayOpen() {
    std::vector<std::unique_ptr<RawClient>> upgraded;
    for (int i = 0; i < 20; ++i) {
      upgraded.push_back(std::make_unique<RawClient>());
      connectClient(*upgraded.back());
      QVERIFY(upgraded.back()->send(kUpgrade + "\r\n"));
      RawClient plain;
      connectClient(plain);
      QVERIFY(plain.send(get("/hello?i=" + std::to_string(i))));
      auto r = plain.readResponse();
      QVERIFY(r);
      QCOMPARE(r->status, 200);
    }
    QTRY_COMPARE(adoptedCount(), std::size_t{20});
  }

  void filterRefusalMeansNoHandOff() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(kUpgrade + "Origin: http://evil.example\r\n\r\n"));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 403);
    QCOMPARE(r->header("connection"), std::string("close"));
    QVERIFY(!m_adoptedGate.wait(50ms));
  }

  void otherRequestsOnThePathAreRefused() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/up")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 426);
    QCOMPARE(r->header("upgrade"), std::string("websocket"));
    QVERIFY(r->body.find("Upgrade: websocket") != std::string::npos);
    // Another protocol is not this route's either.
    RawClient h2;
    connectClient(h2);
    QVERIFY(h2.send("GET /up HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"));
    r = h2.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 426);
    RawClient post;
    connectClient(post);
    QVERIFY(post.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"));
    r = post.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 405);
    QCOMPARE(adoptedCount(), std::size_t{0});
  }

  void upgradeBehindPipelinedRequestsIsRefused() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/slow?200") + kUpgrade + "\r\n"));
    auto first = c.readResponse();
    QVERIFY(first);
    QCOMPARE(first->status, 200);
    auto second = c.readResponse();
    QVERIFY(second);
    QCOMPARE(second->status, 400);
    QCOMPARE(adoptedCount(), std::size_t{0});
  }
};

QTEST_GUILESS_MAIN(TestHttpUpgrade)
#include "tst_httpupgrade.moc"
