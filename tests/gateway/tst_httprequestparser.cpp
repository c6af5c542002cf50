// RequestParser on its own: bytes in, requests or one error out, whatever the split.
#include "gateway/http/httprequestparser.h"

#include <QtTest>

#include <algorithm>
#include <random>
#include <vector>

using namespace lmfront::gateway;

namespace {

struct Outcome {
  std::vector<HttpRequest> requests;
  std::vector<bool> keepAlive;
  int error = 0;
  std::string message;
};

// Feeds `wire` in pieces of `step` bytes (0: all at once), re-feeding what a Request left over.
Outcome parse(const std::string &wire, std::size_t step = 0, RequestParser::Limits limits = {}) {
  RequestParser p(limits);
  Outcome out;
  std::string pending;
  std::size_t pos = 0;
  while (pos < wire.size() || !pending.empty()) {
    const std::size_t n = step == 0 ? wire.size() - pos : std::min(step, wire.size() - pos);
    pending.append(wire, pos, n);
    pos += n;
    for (;;) {
      std::size_t used = 0;
      const auto st = p.feed(pending.data(), pending.size(), &used);
      pending.erase(0, used);
      if (st == RequestParser::Status::Request) {
        out.keepAlive.push_back(p.keepAlive());
        out.requests.push_back(p.takeRequest());
        continue;
      }
      if (st == RequestParser::Status::Error) {
        out.error = p.errorStatus();
        out.message = p.errorMessage();
        return out;
      }
      break;
    }
    if (pos >= wire.size() && !pending.empty()) break;  // incomplete tail
  }
  return out;
}

}  // namespace

class TestHttpRequestParser : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void simpleRequest() {
    const auto o = parse("GET /v1/models?x=1&y=2 HTTP/1.1\r\nHost: a\r\nX-Two: b c\r\n\r\n");
    QCOMPARE(o.error, 0);
    QCOMPARE(o.requests.size(), std::size_t{1});
    const HttpRequest &r = o.requests[0];
    QCOMPARE(r.method, std::string("GET"));
    QCOMPARE(r.target, std::string("/v1/models?x=1&y=2"));
    QCOMPARE(r.path, std::string("/v1/models"));
    QCOMPARE(r.query, std::string("x=1&y=2"));
    QCOMPARE(r.versionMinor, 1);
    QCOMPARE(std::string(r.header("host")), std::string("a"));
    QCOMPARE(std::string(r.header("X-TWO")), std::string("b c"));
    QVERIFY(!r.hasHeader("missing"));
    QVERIFY(o.keepAlive[0]);
  }

  void everySplitGivesTheSameRequests() {
    const std::string wire =
        "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nX-Long-Header-Name: some value here\r\n\r\nhello"
        "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        "GET /last HTTP/1.1\r\nConnection: close\r\n\r\n";
    for (std::size_t step = 1; step <= wire.size(); ++step) {
      const auto o = parse(wire, step);
      QCOMPARE(o.error, 0);
      QCOMPARE(o.requests.size(), std::size_t{3});
      QCOMPARE(o.requests[0].body, std::string("hello"));
      QCOMPARE(std::string(o.requests[0].header("x-long-header-name")), std::string("some value here"));
      QCOMPARE(o.requests[1].body, std::string("abcde"));
      QCOMPARE(o.requests[2].path, std::string("/last"));
      QVERIFY(o.keepAlive[0] && o.keepAlive[1] && !o.keepAlive[2]);
    }
  }

  void keepAliveRules() {
    QVERIFY(!parse("GET / HTTP/1.0\r\n\r\n").keepAlive[0]);
    QVERIFY(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive[0]);
    QVERIFY(!parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keepAlive[0]);
    QVERIFY(parse("GET / HTTP/1.1\r\n\r\n").keepAlive[0]);
  }

  void absoluteFormTarget() {
    const auto o = parse("GET http://example.com:80/a/b?q HTTP/1.1\r\n\r\n");
    QCOMPARE(o.requests.size(), std::size_t{1});
    QCOMPARE(o.requests[0].path, std::string("/a/b"));
    QCOMPARE(o.requests[0].query, std::string("q"));
  }

  void headerLimit431() {
    RequestParser::Limits l;
    l.maxHeaderBytes = 100;
    QCOMPARE(parse("GET / HTTP/1.1\r\nX: " + std::string(200, 'v') + "\r\n\r\n", 0, l).error, 431);
    QCOMPARE(parse("GET /" + std::string(200, 'p') + " HTTP/1.1\r\n\r\n", 7, l).error, 431);
    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 40; ++i) many += "A: b\r\n";  // small headers add up
    QCOMPARE(parse(many + "\r\n", 0, l).error, 431);
    QCOMPARE(parse("GET / HTTP/1.1\r\nX: short\r\n\r\n", 0, l).error, 0);
  }

  void bodyLimit413() {
    RequestParser::Limits l;
    l.maxBodyBytes = 10;
    // Declared length: refused before the body arrives.
    const auto declared = parse("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 0, l);
    QCOMPARE(declared.error, 413);
    QVERIFY(declared.message.find("11 bytes") != std::string::npos);
    QCOMPARE(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n", 0, l).error,
             413);
    QCOMPARE(parse("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", 0, l).error, 0);
  }

  void malformed400() {
    QCOMPARE(parse("NOT HTTP AT ALL\r\n\r\n").error, 400);
    QCOMPARE(parse("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n").error, 400);
    QCOMPARE(parse("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").error, 400);
    QCOMPARE(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").error, 400);
    QCOMPARE(parse(std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26)).error, 400);
    QVERIFY(!parse("\x16\x03\x01 tls hello").message.empty());
    // Request smuggling vectors.
    QCOMPARE(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").error, 400);
    QCOMPARE(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n").error, 400);
    QCOMPARE(parse("POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n").error, 400);
  }

  // An upgrade's head is a complete request and `consumed` stops where it ended, so the bytes the
  // client sent after it (the upgraded protocol's) are left for whoever takes the connection.
  void upgradeReportsWhereTheHeadEnded() {
    const std::string head = "GET /ops HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    const std::string frames =
        "\x81\x85"
        "abcd"
        "\x01\x02\x03\x04\x05";
    for (const std::string &wire : {head, head + frames}) {
      RequestParser p({});
      std::size_t used = 0;
      QCOMPARE(p.feed(wire.data(), wire.size(), &used), RequestParser::Status::Request);
      QCOMPARE(used, head.size());
      QVERIFY(p.upgrade());
      const HttpRequest r = p.takeRequest();
      QCOMPARE(r.path, std::string("/ops"));
      QCOMPARE(std::string(r.header("upgrade")), std::string("websocket"));
    }
    // Without "Connection: upgrade" it is a plain request, not an upgrade.
    RequestParser plain({});
    const std::string get = "GET /ops HTTP/1.1\r\nUpgrade: websocket\r\n\r\n";
    std::size_t used = 0;
    QCOMPARE(plain.feed(get.data(), get.size(), &used), RequestParser::Status::Request);
    QVERIFY(!plain.upgrade());
  }

  void errorIsSticky() {
    RequestParser p({});
    std::size_t used = 0;
    QCOMPARE(p.feed("BAD\r\n\r\n", 7, &used), RequestParser::Status::Error);
    QCOMPARE(p.feed("GET / HTTP/1.1\r\n\r\n", 18, &used), RequestParser::Status::Error);
  }

  void expectContinueReported() {
    RequestParser p({});
    const std::string head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    std::size_t used = 0;
    QCOMPARE(p.feed(head.data(), head.size(), &used), RequestParser::Status::NeedMore);
    QVERIFY(p.midRequest());
    QVERIFY(!p.inHeaders());
    QVERIFY(p.takeExpectContinue());
    QVERIFY(!p.takeExpectContinue());
    QCOMPARE(p.feed("abc", 3, &used), RequestParser::Status::Request);
    QCOMPARE(p.takeRequest().body, std::string("abc"));
  }

  // Mutated valid requests (deterministic seed): the parser answers every one with requests or a
  // 400/413/431, never anything else; the libFuzzer target does the same at length with clang.
  void mutatedInputNeverMisbehaves() {
    const std::string seed =
        "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
        "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    std::mt19937 rng(12345);
    RequestParser::Limits l;
    l.maxHeaderBytes = 128;
    l.maxBodyBytes = 64;
    for (int i = 0; i < 3000; ++i) {
      // Mutated as bytes in a vector: GCC 12 -O3 reports a false -Wrestrict on string splicing.
      std::vector<char> bytes(seed.begin(), seed.end());
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits && !bytes.empty(); ++e) {
        const auto at = static_cast<std::ptrdiff_t>(rng() % bytes.size());
        const auto what = rng() % 3;
        if (what == 0) {
          bytes[static_cast<std::size_t>(at)] = static_cast<char>(rng() % 256);
        } else if (what == 1) {
          const auto n = std::min<std::ptrdiff_t>(1 + rng() % 4, static_cast<std::ptrdiff_t>(bytes.size()) - at);
          bytes.erase(bytes.begin() + at, bytes.begin() + at + n);
        } else {
          bytes.insert(bytes.begin() + at, 1 + rng() % 200, static_cast<char>(rng() % 256));
        }
      }
      if (bytes.empty()) bytes.push_back('x');
      const std::string wire(bytes.begin(), bytes.end());
      const auto o = parse(wire, 1 + rng() % 17, l);
      QVERIFY(o.error == 0 || o.error == 400 || o.error == 413 || o.error == 431);
      for (const auto &r : o.requests) QVERIFY(r.body.size() <= l.maxBodyBytes);
    }
  }

  void headerPhaseTracked() {
    RequestParser p({});
    std::size_t used = 0;
    QVERIFY(!p.midRequest());
    QCOMPARE(p.feed("GET / HTTP/1.1\r\nHo", 18, &used), RequestParser::Status::NeedMore);
    QVERIFY(p.inHeaders());
    QCOMPARE(p.feed("st: a\r\n\r\n", 9, &used), RequestParser::Status::Request);
    QVERIFY(!p.midRequest());
  }
};

QTEST_APPLESS_MAIN(TestHttpRequestParser)
#include "tst_httprequestparser.moc"
