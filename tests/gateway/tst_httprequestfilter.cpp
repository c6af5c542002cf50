// HttpServerOptions::filter over real sockets: the headers a filter adds reach every kind of
// answer (handler response, chunked/SSE stream, cross-thread response, pipelined and buffered
// answers, the server's own 404/405/500), a filter's own answer short-circuits routing, and a
// request the filter leaves alone gets nothing extra. This is the hook the node's CORS rides on.
#include "httpserverfixture.h"

#include <QtTest>

using namespace lmfront::test;

namespace {

// Adds "X-Tag: <value of X-Want>" when the request asks for it; answers "OPTIONS /..." itself.
std::optional<HttpResponse> tagFilter(const HttpRequest &request, HeaderList &extra) {
  const std::string_view want = request.header("x-want");
  if (!want.empty()) extra.emplace_back("X-Tag", std::string(want));
  if (request.method == "OPTIONS") {
    HttpResponse r;
    r.status = 204;
    r.headers.emplace_back("X-Preflight", "yes");
    return r;
  }
  return std::nullopt;
}

}  // namespace

class TestHttpRequestFilter : public QObject, protected HttpServerFixture {
  Q_OBJECT

private:
  std::atomic<int> m_calls{0};

  void startWithFilter() {
    HttpServerOptions o = defaults();
    o.filter = [this](const HttpRequest &request, HeaderList &extra) {
      m_calls.fetch_add(1);
      // The request the filter sees is complete: the peer is known before routing.
      if (request.peerAddress.rfind("127.0.0.1:", 0) != 0) extra.emplace_back("X-Bad-Peer", request.peerAddress);
      return tagFilter(request, extra);
    };
    restart(o);
  }

  std::optional<RawResponse> ask(const std::string &wire) {
    RawClient c;
    if (!c.connect(m_server.port()) || !c.send(wire)) return std::nullopt;
    return c.readResponse();
  }

private Q_SLOTS:
  void init() {
    m_calls = 0;
    startFresh();
    startWithFilter();
  }
  void cleanup() { stopAll(); }

  void headerOnHandlerResponse() {
    auto r = ask(get("/hello", "X-Want: one\r\n"));
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->header("x-tag"), std::string("one"));
    QCOMPARE(r->header("content-type"), std::string("application/json"));  // the handler's kept
    QVERIFY(r->header("x-bad-peer").empty());
  }

  void nothingAddedWhenTheFilterAddsNothing() {
    auto r = ask(get("/hello"));
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QVERIFY(r->header("x-tag").empty());
    QCOMPARE(m_calls.load(), 1);
  }

  void headerOnStreamsFromOtherThreads() {
    auto sse = ask(get("/sse", "X-Want: sse\r\n"));
    QVERIFY(sse);
    QCOMPARE(sse->status, 200);
    QCOMPARE(sse->header("transfer-encoding"), std::string("chunked"));
    QCOMPARE(sse->header("x-tag"), std::string("sse"));
    QVERIFY(sse->body.find("data: [DONE]") != std::string::npos);
    auto slow = ask(get("/slow?5", "X-Want: late\r\n"));  // completed on a job thread
    QVERIFY(slow);
    QCOMPARE(slow->body, std::string("slow"));
    QCOMPARE(slow->header("x-tag"), std::string("late"));
  }

  void headerOnTheServersOwnErrors() {
    auto notFound = ask(get("/nowhere", "X-Want: 404\r\n"));
    QVERIFY(notFound);
    QCOMPARE(notFound->status, 404);
    QCOMPARE(notFound->header("x-tag"), std::string("404"));
    auto wrongMethod = ask("DELETE /hello HTTP/1.1\r\nHost: t\r\nX-Want: 405\r\n\r\n");
    QVERIFY(wrongMethod);
    QCOMPARE(wrongMethod->status, 405);
    QCOMPARE(wrongMethod->header("x-tag"), std::string("405"));
    auto dropped = ask(get("/drop", "X-Want: 500\r\n"));  // the handler never answers
    QVERIFY(dropped);
    QCOMPARE(dropped->status, 500);
    QCOMPARE(dropped->header("x-tag"), std::string("500"));
  }

  void filterAnswersWithoutRouting() {
    // No OPTIONS route exists: without the filter this would be a 405.
    auto r = ask("OPTIONS /hello HTTP/1.1\r\nHost: t\r\nX-Want: pre\r\n\r\n");
    QVERIFY(r);
    QCOMPARE(r->status, 204);
    QCOMPARE(r->header("x-preflight"), std::string("yes"));
    QCOMPARE(r->header("x-tag"), std::string("pre"));
    QVERIFY(r->header("content-length").empty());  // 204 carries no body framing
  }

  void eachPipelinedAnswerKeepsItsOwnHeaders() {
    // The slow first answer forces the later ones to be buffered behind it.
    RawClient c;
    connectClient(c);
    QVERIFY(c.send(get("/slow?50", "X-Want: a\r\n") + get("/hello") + get("/nowhere", "X-Want: c\r\n") +
                   "OPTIONS /x HTTP/1.1\r\nHost: t\r\nX-Want: d\r\n\r\n"));
    const std::string expected[] = {"a", "", "c", "d"};
    const int statuses[] = {200, 200, 404, 204};
    for (int i = 0; i < 4; ++i) {
      auto r = c.readResponse();
      QVERIFY2(r, std::to_string(i).c_str());
      QCOMPARE(r->status, statuses[i]);
      QCOMPARE(r->header("x-tag"), expected[i]);
    }
    QCOMPARE(m_calls.load(), 4);
  }

  void unsafeHeaderTextIsDropped() {
    HttpServerOptions o = defaults();
    o.filter = [](const HttpRequest &, HeaderList &extra) -> std::optional<HttpResponse> {
      extra.emplace_back("X-Evil", "a\r\nSet-Cookie: x=1");
      extra.emplace_back("Content-Length", "999");  // server-managed: never taken from a filter
      return std::nullopt;
    };
    restart(o);
    auto r = ask(get("/hello"));
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QVERIFY(r->header("x-evil").empty());
    QVERIFY(r->header("set-cookie").empty());
    QCOMPARE(r->header("content-length"), std::string("11"));
  }
};

QTEST_GUILESS_MAIN(TestHttpRequestFilter)
#include "tst_httprequestfilter.moc"
