// Router: exact beats prefix, longest prefix wins, HEAD falls back to GET, 404 vs 405, fallback.
#include "gateway/http/httpserver.h"

#include <QtTest>

using namespace lmfront::gateway;

namespace {
Handler tagged(std::string *slot, std::string tag) {
  return [slot, tag](HttpRequest &&, ResponderPtr) { *slot = tag; };
}
std::string call(const Router &r, std::string_view method, std::string_view path, bool *known = nullptr) {
  bool k = false;
  const Handler *h = r.find(method, path, &k);
  if (known != nullptr) *known = k;
  if (h == nullptr) return "none";
  // The tagged handler records itself in the string it captured.
  (*h)(HttpRequest{}, nullptr);
  return "called";
}
}  // namespace

class TestRouter : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void matching() {
    std::string hit;
    Router r;
    r.route("GET", "/v1/models", tagged(&hit, "models"))
        .prefix("GET", "/v1/", tagged(&hit, "v1-prefix"))
        .prefix("GET", "/v1/models/", tagged(&hit, "model-prefix"))
        .route("POST", "/v1/chat/completions", tagged(&hit, "chat"));
    auto run = [&](std::string_view m, std::string_view p) {
      hit = "none";
      call(r, m, p);
      return hit;
    };
    QCOMPARE(run("GET", "/v1/models"), std::string("models"));
    QCOMPARE(run("GET", "/v1/models/abc"), std::string("model-prefix"));
    QCOMPARE(run("GET", "/v1/other"), std::string("v1-prefix"));
    QCOMPARE(run("HEAD", "/v1/models"), std::string("models"));
    QCOMPARE(run("POST", "/v1/chat/completions"), std::string("chat"));
    bool known = true;
    QCOMPARE(call(r, "GET", "/nothing", &known), std::string("none"));
    QVERIFY(!known);  // -> 404
    QCOMPARE(call(r, "DELETE", "/v1/chat/completions", &known), std::string("none"));
    QVERIFY(known);  // -> 405
  }

  void fallbackOnlyForUnknownPaths() {
    std::string hit;
    Router r;
    r.route("POST", "/x", tagged(&hit, "x")).fallback(tagged(&hit, "fallback"));
    bool known = false;
    hit = "none";
    QCOMPARE(call(r, "GET", "/elsewhere", &known), std::string("called"));
    QCOMPARE(hit, std::string("fallback"));
    QCOMPARE(call(r, "GET", "/x", &known), std::string("none"));
    QVERIFY(known);
  }
};

QTEST_APPLESS_MAIN(TestRouter)
#include "tst_router.moc"
