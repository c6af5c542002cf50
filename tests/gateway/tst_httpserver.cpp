// HttpServer protocol behaviour over real sockets on 127.0.0.1 (port 0), driven by a raw client
// that controls every byte: keep-alive, pipelining, HTTP/1.0, chunked bodies, streaming/SSE,
// HEAD, 100-continue, cross-thread responders, failing handlers, router swaps.
#include "httpserverfixture.h"

#include <QRegularExpression>
#include <QtTest>

#include <set>

using namespace lmfront::test;

class TestHttpServer : public QObject, protected HttpServerFixture {
  Q_OBJECT

private Q_SLOTS:
  void init() { startFresh(); }
  void cleanup() { stopAll(); }

  void simpleGet() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/hello")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, std::string(R"({"ok":true})"));
    QCOMPARE(r->header("content-type"), std::string("application/json"));
    QCOMPARE(r->header("content-length"), std::string("11"));
    QVERIFY(!r->header("date").empty());
  }

  void keepAliveSeveralRequests() {
    RawClient c;
    connectClient(c);
    for (int i = 0; i < 5; ++i) {
      QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\n" + std::to_string(i)));
      auto r = c.readResponse();
      QVERIFY(r);
      QCOMPARE(r->status, 200);
      QCOMPARE(r->body, std::to_string(i));
      QVERIFY(r->header("connection") != "close");
    }
    QCOMPARE(m_server.stats().connectionsAccepted, std::uint64_t{1});
    QCOMPARE(m_server.stats().requests, std::uint64_t{5});
  }

  void pipelinedInOrderSlowFirst() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/slow?150") + get("/hello") + "POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" +
                   get("/files/x?q=1")));
    auto a = c.readResponse();
    auto b = c.readResponse();
    auto e = c.readResponse();
    auto f = c.readResponse();
    QVERIFY(a && b && e && f);
    QCOMPARE(a->body, std::string("slow"));
    QCOMPARE(b->body, std::string(R"({"ok":true})"));
    QCOMPARE(e->body, std::string("abc"));
    QCOMPARE(f->body, std::string("/files/x|q=1"));
  }

  void pipelinedBehindStream() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/stream") + get("/hello")));
    auto head = c.readHead();
    QVERIFY(head);
    QCOMPARE(*c.readChunk(), std::string("first"));
    m_streamGate.open();
    QCOMPARE(*c.readChunk(), std::string("second"));
    QCOMPARE(*c.readChunk(), std::string());
    auto b = c.readResponse();  // only after the stream ended, never inside it
    QVERIFY(b);
    QCOMPARE(b->status, 200);
    QCOMPARE(b->body, std::string(R"({"ok":true})"));
  }

  void largeResponseToSlowReaderArrivesIntact() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/big?8388608") + get("/hello")));
    std::this_thread::sleep_for(100ms);  // let the server hit EAGAIN and wait for the write notifier
    auto r = c.readResponse(10000);
    QVERIFY(r);
    QCOMPARE(r->body.size(), std::size_t{8388608});
    QCOMPARE(r->body[4096 * 27], 'b');
    auto h = c.readResponse();
    QVERIFY(h);
    QCOMPARE(h->body, std::string(R"({"ok":true})"));
  }

  void expectContinueGetsInterimResponse() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send("POST /echo HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
    auto interim = c.readHead();
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    QVERIFY(c.send("data"));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->body, std::string("data"));
  }

  void dateHeaderIsImfFixdate() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/hello")));
    auto r = c.readResponse();
    QVERIFY(r);
    const QString date = QString::fromStdString(r->header("date"));
    // "Thu, 26 Nov 2026 01:02:03 GMT", English names whatever the process locale.
    QVERIFY2(
        QRegularExpression(
            QStringLiteral(
                R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$)"))
            .match(date)
            .hasMatch(),
        qPrintable(date));
  }

  void concurrentStreamsFromManyThreadsStayOrdered() {
    constexpr int kClients = 8;
    constexpr int kChunks = 300;
    std::string expected;
    for (int i = 0; i < kChunks; ++i) expected += std::to_string(i) + "\n";
    std::atomic<int> good{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([this, &good, &expected] {
        RawClient client;
        if (!client.connect(m_server.port())) return;
        for (int round = 0; round < 2; ++round) {  // keep-alive: a second stream on the same connection
          if (!client.send(get("/count?" + std::to_string(kChunks)))) return;
          auto r = client.readResponse(10000);
          if (!r || r->body != expected) return;
        }
        ++good;
      });
    }
    for (auto &t : clients) t.join();
    QCOMPARE(good.load(), kClients);
  }

  void http10Closes() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send("GET /hello HTTP/1.0\r\n\r\n"));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->header("connection"), std::string("close"));
    QVERIFY(c.waitClosed(2000));
  }

  void http10KeepAliveHonoured() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->header("connection"), std::string("keep-alive"));
    QVERIFY(c.send("GET /hello HTTP/1.0\r\n\r\n"));
    QVERIFY(c.readResponse());
    QVERIFY(c.waitClosed(2000));
  }

  void connectionCloseHonoured() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/hello", "Connection: close\r\n") + get("/hello")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->header("connection"), std::string("close"));
    QVERIFY(c.waitClosed(2000));
    QVERIFY(c.buffered().empty());  // the second request was not answered
  }

  void chunkedRequestBody() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
    QVERIFY(c.send("6\r\n world\r\n0\r\n\r\n"));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->body, std::string("hello world"));
  }

  void streamArrivesChunkByChunk() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/stream")));
    auto head = c.readHead();
    QVERIFY(head);
    QCOMPARE(head->header("transfer-encoding"), std::string("chunked"));
    // The second chunk is only written after the gate opens, so this proves the first was flushed.
    QCOMPARE(*c.readChunk(2000), std::string("first"));
    m_streamGate.open();
    QCOMPARE(*c.readChunk(), std::string("second"));
    QCOMPARE(*c.readChunk(), std::string());
  }

  void sseFraming() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/sse", "Accept: text/event-stream\r\n")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->header("content-type"), std::string("text/event-stream"));
    QCOMPARE(r->body, std::string("data: {\"n\":0}\n\ndata: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n"));
    QCOMPARE(r->chunks.size(), std::size_t{4});
  }

  void notFoundAndMethodNotAllowed() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/nope") + get("/only-post")));
    auto a = c.readResponse();
    auto b = c.readResponse();
    QVERIFY(a && b);
    QCOMPARE(a->status, 404);
    QVERIFY(a->body.find(R"("error":{"message":)") != std::string::npos);
    QCOMPARE(b->status, 405);
  }

  void headAnsweredByGetWithoutBody() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send("HEAD /hello HTTP/1.1\r\n\r\n" + get("/hello")));
    auto h = c.readHead();
    QVERIFY(h);
    QCOMPARE(h->status, 200);
    QCOMPARE(h->header("content-length"), std::string("11"));
    auto g = c.readResponse();  // would be garbled if HEAD had sent a body
    QVERIFY(g);
    QCOMPARE(g->body, std::string(R"({"ok":true})"));
  }

  void responderCompletedFromAnotherThread() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/slow?20")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->body, std::string("slow"));
  }

  void throwingAndDroppingHandlersGive500() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/throw") + get("/drop") + get("/hello")));
    auto a = c.readResponse();
    auto b = c.readResponse();
    auto h = c.readResponse();
    QVERIFY(a && b && h);
    QCOMPARE(a->status, 500);
    QCOMPARE(b->status, 500);
    QCOMPARE(h->status, 200);
  }

  void requestCarriesReceiveTime() {
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/age")));
    auto r = c.readResponse();
    QVERIFY(r);
    QCOMPARE(r->body, std::string("sane"));
  }

  void routerSwappedAtomically() {
    auto r = std::make_shared<Router>();
    r->route("GET", "/hello", [](HttpRequest &&, ResponderPtr res) { res->respond(HttpResponse::text(200, "v2")); });
    m_server.setRouter(r);
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/hello")));
    auto a = c.readResponse();
    QVERIFY(a);
    QCOMPARE(a->body, std::string("v2"));
  }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
