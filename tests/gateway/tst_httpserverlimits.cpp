// HttpServer at its edges over real sockets: size limits (431/413), malformed input (400),
// slowloris (408), idle and stalled-write timeouts, disconnects, drain, port conflicts, and the
// spread of connections over workers.
#include "../support/errorshape.h"
#include "httpserverfixture.h"

#include <QRegularExpression>
#include <QtTest>

#include <set>

using namespace lmfront::test;

class TestHttpServerLimits : public QObject, protected HttpServerFixture {
  Q_OBJECT

private Q_SLOTS:
  void init() { startFresh(); }
  void cleanup() { stopAll(); }

  void pipelineDeeperThanLimitStillAnsweredInOrder() {
    HttpServerOptions o = defaults();
    o.maxPipelined = 2;
    restart(o);
    RawClient c;
    connectClient(c);
    std::string wire;
    for (int i = 0; i < 20; ++i) wire += "POST /echo HTTP/1.1\r\nContent-Length: 2\r\n\r\n" + std::to_string(10 + i);
    QVERIFY(c.send(wire));
    for (int i = 0; i < 20; ++i) {
      auto r = c.readResponse();
      QVERIFY(r);
      QCOMPARE(r->body, std::to_string(10 + i));
    }
  }

  void oversizedHeader431() {
    HttpServerOptions o = defaults();
    o.maxHeaderBytes = 1024;
    restart(o);
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/hello", "X-Big: " + std::string(4000, 'a') + "\r\n")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 431);
    QVERIFY(c.waitClosed(3000));
    QCOMPARE(m_server.stats().badRequests, std::uint64_t{1});
  }

  void headerLimitAboveParserDefaultIsOurs() {
    // libhttp-parser caps headers at 80 KiB by default; a larger configured limit must win.
    HttpServerOptions o = defaults();
    o.maxHeaderBytes = 256 * 1024;
    restart(o);
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/hello", "X-Big: " + std::string(150 * 1024, 'a') + "\r\n")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
  }

  void oversizedBody413() {
    HttpServerOptions o = defaults();
    o.maxBodyBytes = 1000;
    restart(o);
    RawClient c;
    connectClient(c);
    QVERIFY(c.send("POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x')));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 413);
    QVERIFY(c.waitClosed(3000));
    // Chunked bodies have no length up front: the limit applies while they arrive.
    RawClient d;
    connectClient(d);
    QVERIFY(
        d.send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(0x800, 'y') + "\r\n"));
    auto r2 = d.readResponse();
    QVERIFY(r2);
    QCOMPARE(r2->status, 413);
  }

  void malformedRequest400AndServerKeepsServing() {
    RawClient bad;
    connectClient(bad);
    QVERIFY(bad.send("GARBAGE\x01\x02 nonsense\r\n\r\n"));
    auto r = bad.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 400);
    QCOMPARE(r->header("content-type"), std::string("application/json"));
    QVERIFY(r->body.find(R"("code":"invalid_request")") != std::string::npos);
    QVERIFY(bad.waitClosed(3000));
    RawClient bad2;
    connectClient(bad2);
    QVERIFY(bad2.send("GET /hello HTTP/1.1\r\nContent-Length: zz\r\n\r\n"));
    auto r2 = bad2.readResponse();
    QVERIFY(r2);
    QCOMPARE(r2->status, 400);
    RawClient good;
    connectClient(good);
    QVERIFY(good.send(get("/hello")));
    auto ok = good.readResponse();
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
  }

  void slowlorisGets408() {
    HttpServerOptions o = defaults();
    o.headerTimeout = 200ms;
    restart(o);
    RawClient c;
    connectClient(c);
    QTRY_COMPARE_WITH_TIMEOUT(m_server.stats().connectionsAccepted, std::uint64_t{1}, 3000);
    QVERIFY(c.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
    // Keep trickling, 50 ms of clock apart: progress must not extend the header's deadline, so
    // the fifth sweep (250 ms after the connection opened) answers 408.
    for (int i = 0; i < 5; ++i) {
      QVERIFY(c.send("X-A: b\r\n"));
      m_clock.advance(50ms);
      m_server.checkTimeouts();
    }
    auto r = c.readResponse(3000);
    QVERIFY(r);
    QCOMPARE(r->status, 408);
    QVERIFY(c.waitClosed(3000));
  }

  void idleTimeoutCloses() {
    HttpServerOptions o = defaults();
    o.idleTimeout = 200ms;
    restart(o);
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/hello")));
    QVERIFY(c.readResponse());
    // Short of the timeout the connection stays usable, and a request restarts the idle time.
    m_clock.advance(150ms);
    m_server.checkTimeouts();
    QVERIFY(c.send(get("/hello")));
    QVERIFY(c.readResponse());
    m_clock.advance(150ms);
    m_server.checkTimeouts();
    QCOMPARE(m_server.stats().connectionsOpen, std::uint64_t{1});
    m_clock.advance(51ms);
    m_server.checkTimeouts();
    QVERIFY(c.waitClosed(3000));
    QTRY_COMPARE_WITH_TIMEOUT(m_server.stats().connectionsOpen, std::uint64_t{0}, 3000);
  }

  void clientThatStopsReadingIsDropped() {
    HttpServerOptions o = defaults();
    o.idleTimeout = 300ms;
    restart(o);
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/big?33554432")));  // far more than the socket buffers hold; never read
    QTRY_COMPARE_WITH_TIMEOUT(m_server.stats().requests, std::uint64_t{1}, 3000);
    QCOMPARE(m_server.stats().connectionsOpen, std::uint64_t{1});
    // The write stalls once the socket buffers are full; a sweep more than the idle timeout after
    // the last byte left drops the connection (each try advances past it again, since a write
    // still in progress counts as activity).
    QTRY_VERIFY_WITH_TIMEOUT((m_clock.advance(301ms), m_server.checkTimeouts(), m_server.stats().connectionsOpen == 0),
                             5000);
    QCOMPARE(m_server.stats().inFlight, std::uint64_t{0});
  }

  void clientDisconnectMidStream() {
    {
      RawClient c;
      connectClient(c);
      QVERIFY(c.send(get("/forever")));
      QVERIFY(c.readHead());
      QVERIFY(c.readChunk());
    }  // closed here
    QTRY_VERIFY_WITH_TIMEOUT(m_foreverSawClosed.load(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_server.stats().inFlight, std::uint64_t{0}, 3000);
    RawClient c2;
    connectClient(c2);
    QVERIFY(c2.send(get("/hello")));
    QVERIFY(c2.readResponse());
  }

  void drainFinishesInFlightAndRefusesNew() {
    RawClient busy;
    connectClient(busy);
    RawClient idleAlive;
    connectClient(idleAlive);
    QVERIFY(idleAlive.send(get("/hello")));
    QVERIFY(idleAlive.readResponse());
    QVERIFY(busy.send(get("/slow?300")));
    // Both requests parsed (the client can see a response before the server counts it finished).
    QTRY_VERIFY_WITH_TIMEOUT(m_server.stats().requests == 2 && m_server.stats().inFlight == 1, 3000);
    m_server.beginDrain();
    // A new request on a kept-alive connection either gets 503 + close or finds it closed.
    if (idleAlive.send(get("/hello"))) {
      auto r = idleAlive.readResponse(2000);
      if (r) {
        QCOMPARE(r->status, 503);
        QCOMPARE(r->header("connection"), std::string("close"));
      }
    }
    QVERIFY(m_server.waitDrained(3000ms));
    auto slow = busy.readResponse();
    QVERIFY(slow);
    QCOMPARE(slow->status, 200);
    QCOMPARE(slow->body, std::string("slow"));
    QVERIFY(busy.waitClosed(3000));
    // The listeners are closed: new connections are refused.
    QTRY_VERIFY_WITH_TIMEOUT(!RawClient().connect(m_server.port()), 3000);
  }

  void drainAnswers503ToRequestArrivingLater() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));  // header not finished yet
    QTRY_VERIFY_WITH_TIMEOUT(m_server.stats().connectionsOpen == 1, 3000);
    m_server.beginDrain();
    QVERIFY(c.send("\r\n"));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QCOMPARE(r->header("connection"), std::string("close"));
    QVERIFY(c.waitClosed(3000));
  }

  // Every answer the data plane generates itself has OpenAI's error shape with a string code.
  void everyDataPlaneErrorHasTheOneShape() {
    using lmfront::testing::errorCode;
    using lmfront::testing::errorShapeProblem;
    HttpServerOptions o = defaults();
    o.maxHeaderBytes = 1024;
    o.maxBodyBytes = 1000;
    restart(o);
    struct Case {
      std::string wire;
      int status;
      const char *code;
    };
    const Case cases[] = {
        {get("/nowhere"), 404, "not_found"},
        {"POST /hello HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "method_not_allowed"},
        {"POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'), 413, "request_too_large"},
        {get("/hello", "X-Big: " + std::string(4000, 'a') + "\r\n"), 431, "headers_too_large"},
        {"GARBAGE\x01\x02 nonsense\r\n\r\n", 400, "invalid_request"},
    };
    for (const Case &c : cases) {
      RawClient client;
      connectClient(client);
      QVERIFY(client.send(c.wire));
      auto r = client.readResponse();
      QVERIFY(r);
      QCOMPARE(r->status, c.status);
      const QByteArray body = QByteArray::fromStdString(r->body);
      QVERIFY2(errorShapeProblem(body).isEmpty(), qPrintable(errorShapeProblem(body) + u' ' + QString::fromUtf8(body)));
      QCOMPARE(errorCode(body), QString::fromLatin1(c.code));
    }
    // Draining: the one 503 the data plane makes itself.
    RawClient late;
    connectClient(late);
    QVERIFY(late.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
    QTRY_VERIFY_WITH_TIMEOUT(m_server.stats().connectionsOpen == 1, 3000);
    m_server.beginDrain();
    QVERIFY(late.send("\r\n"));
    auto drained = late.readResponse();
    QVERIFY(drained);
    QCOMPARE(drained->status, 503);
    const QByteArray body = QByteArray::fromStdString(drained->body);
    QVERIFY2(errorShapeProblem(body).isEmpty(), qPrintable(errorShapeProblem(body) + u' ' + QString::fromUtf8(body)));
    QCOMPARE(errorCode(body), QStringLiteral("shutting_down"));
  }

  void portInUseFails() {
    HttpServer other(m_clock);
    HttpServerOptions o = defaults();
    o.port = m_server.port();
    o.workers = 1;
    const lmfront::Status st = other.start(o, makeRouter());
    QVERIFY(!st.isOk());
    QCOMPARE(st.code(), lmfront::StatusCode::IoError);
    const std::string where = "127.0.0.1:" + std::to_string(m_server.port());
    QVERIFY2(st.message().find(where) != std::string::npos, st.message().c_str());
    QVERIFY2(st.message().find("in use") != std::string::npos, st.message().c_str());
  }

  void bothWorkersGetConnections() {
    std::set<std::string> seen;
    for (int i = 0; i < 64 && seen.size() < 2; ++i) {
      RawClient c;
      connectClient(c);
      QVERIFY(c.send(get("/worker", "Connection: close\r\n")));
      auto r = c.readResponse();
      QVERIFY(r);
      seen.insert(r->body);
    }
    QCOMPARE(seen.size(), std::size_t{2});
  }
};

QTEST_GUILESS_MAIN(TestHttpServerLimits)
#include "tst_httpserverlimits.moc"
