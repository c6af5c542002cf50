// RouteTable on a real HttpServer: a route without a declaration is refused at registration;
// admission runs exactly once per request from the route's declaration, before the handler,
// which receives its outcome (principal, settle handle); keyless routes never reach the hooks;
// a metered route's meter runs before admission and a refusal never reaches the handler.
#include "../rawclient.h"
#include "common/clock.h"
#include "gateway/openai/routetable.h"

#include <QtTest>

#include <atomic>
#include <mutex>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace lmfront::gateway::openai;
using lmfront::test::RawClient;
using lmfront::test::RawResponse;

namespace {

// Counts what the hooks are asked; refuses a request without "authorization: Bearer ok".
struct CountingHooks {
  AdmissionHooks hooks;
  std::atomic<int> admits{0}, settles{0}, settledTokens{0};
  std::mutex mutex;
  std::vector<AdmitContext> asked;
  CountingHooks() {
    hooks.admit = [this](const HttpRequest &request, AdmitContext &context) -> std::optional<ApiError> {
      ++admits;
      {
        std::lock_guard lock(mutex);
        asked.push_back(context);
      }
      if (request.header("authorization") != "Bearer ok") return fromStatus(Status::unauthenticated("missing API key"));
      context.principal = "key-1";
      return std::nullopt;
    };
    hooks.settle = [this](const AdmitContext &context, int actual) {
      ++settles;
      settledTokens += actual - context.estimatedTokens;
    };
  }
};

struct Charge {
  std::string model;
};

}  // namespace

class TstRouteTable : public QObject {
  Q_OBJECT

  ManualClock m_clock;
  std::unique_ptr<HttpServer> m_server;
  CountingHooks m_counting;
  std::atomic<int> m_handled{0}, m_metered{0}, m_refused{0};
  std::mutex m_mutex;
  std::string m_lastPrincipal;  // written by a worker (GUARDED_BY m_mutex)
  void setPrincipal(const std::string &p) {
    std::lock_guard lock(m_mutex);
    m_lastPrincipal = p;
  }
  std::vector<AdmitContext> asked() {
    std::lock_guard lock(m_counting.mutex);
    return m_counting.asked;
  }
  std::string lastPrincipal() {
    std::lock_guard lock(m_mutex);
    return m_lastPrincipal;
  }

  std::optional<RawResponse> ask(const std::string &method, const std::string &path, bool key,
                                 const std::string &body = {}) {
    RawClient c;
    std::string wire = method + " " + path + " HTTP/1.1\r\nHost: t\r\n";
    if (key) wire += "Authorization: Bearer ok\r\n";
    wire += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (!c.connect(m_server->port()) || !c.send(wire)) return std::nullopt;
    return c.readResponse();
  }

private Q_SLOTS:
  void init() {
    m_counting.admits = 0;
    m_counting.settles = 0;
    m_counting.settledTokens = 0;
    m_counting.asked.clear();
    m_handled = m_metered = m_refused = 0;
    auto router = std::make_shared<Router>();
    RouteTable routes(*router, &m_counting.hooks);
    QVERIFY(routes
                .route("GET", "/open", RouteNeeds::keyless(),
                       [this](HttpRequest &&, Admission, ResponderPtr r) {
                         ++m_handled;
                         r->respond(HttpResponse::json(200, "{}"));
                       })
                .isOk());
    QVERIFY(routes
                .route("GET", "/read", RouteNeeds::role(Access::Read),
                       [this](HttpRequest &&, Admission admission, ResponderPtr r) {
                         ++m_handled;
                         setPrincipal(admission.principal());
                         r->respond(HttpResponse::json(200, "{}"));
                       })
                .isOk());
    MeteredRoute<Charge> infer;
    infer.meter = [this](HttpRequest &request, const ResponderPtr &responder, AdmitContext &charge) {
      ++m_metered;
      if (request.body.empty()) {
        responder->respond(toResponse(fromStatus(Status::invalidArgument("empty body"))));
        return std::optional<Charge>();
      }
      charge.model = request.body;
      charge.estimatedTokens = 10;
      return std::optional<Charge>(Charge{request.body});
    };
    infer.refused = [this](const Charge &, const ApiError &) { ++m_refused; };
    infer.handle = [this](HttpRequest &&, Charge &&charge, Admission admission, ResponderPtr r) {
      ++m_handled;
      setPrincipal(admission.principal());
      admission.settle(4);  // used 4 of the 10 estimated
      r->respond(HttpResponse::json(200, "{\"model\":\"" + charge.model + "\"}"));
    };
    QVERIFY(routes.metered("POST", "/infer", RouteNeeds::metered(Access::Infer), std::move(infer)).isOk());
    m_server = std::make_unique<HttpServer>(m_clock);
    HttpServerOptions o;
    o.port = 0;
    o.workers = 2;
    const Status started = m_server->start(o, router);
    QVERIFY2(started.isOk(), started.toString().c_str());
  }
  void cleanup() { m_server.reset(); }

  void aRouteWithoutDeclarationIsRefused() {
    Router router;
    RouteTable routes(router, &m_counting.hooks);
    const Status undeclared = routes.route("GET", "/x", RouteNeeds{}, [](HttpRequest &&, Admission, ResponderPtr) {});
    QCOMPARE(undeclared.code(), StatusCode::InvalidArgument);
    QVERIFY(undeclared.message().find("GET /x") != std::string::npos);
    // A metered declaration needs a meter: through route() it is refused too.
    QCOMPARE(
        routes.route("POST", "/y", RouteNeeds::metered(Access::Infer), [](HttpRequest &&, Admission, ResponderPtr) {})
            .code(),
        StatusCode::InvalidArgument);
    MeteredRoute<Charge> noDeclaration;
    noDeclaration.meter = [](HttpRequest &, const ResponderPtr &, AdmitContext &) { return std::optional<Charge>(); };
    noDeclaration.handle = [](HttpRequest &&, Charge &&, Admission, ResponderPtr) {};
    QCOMPARE(routes.metered("POST", "/z", RouteNeeds{}, noDeclaration).code(), StatusCode::InvalidArgument);
    QCOMPARE(routes.metered("POST", "/z", RouteNeeds::role(Access::Read), noDeclaration).code(),
             StatusCode::InvalidArgument);
    // Nothing was registered.
    bool known = true;
    QVERIFY(router.find("GET", "/x", &known) == nullptr);
    QVERIFY(!known);
    QVERIFY(router.find("POST", "/y", &known) == nullptr);
    QVERIFY(router.find("POST", "/z", &known) == nullptr);
    QVERIFY(!known);
  }

  void keylessRoutesNeverReachTheHooks() {
    for (int i = 0; i < 3; ++i) {
      auto r = ask("GET", "/open", false);
      QVERIFY(r);
      QCOMPARE(r->status, 200);
    }
    QCOMPARE(m_counting.admits.load(), 0);
    QCOMPARE(m_handled.load(), 3);
  }

  void aRoleRouteIsAdmittedOncePerRequest() {
    for (int i = 0; i < 5; ++i) {
      auto r = ask("GET", "/read", true);
      QVERIFY(r);
      QCOMPARE(r->status, 200);
    }
    QCOMPARE(m_counting.admits.load(), 5);
    QCOMPARE(m_handled.load(), 5);
    QCOMPARE(lastPrincipal(), std::string("key-1"));
    for (const AdmitContext &a : asked()) {
      QVERIFY(a.access == Access::Read);
      QVERIFY(!a.metered);
      QVERIFY(a.model.empty());
    }
    auto denied = ask("GET", "/read", false);
    QVERIFY(denied);
    QCOMPARE(denied->status, 401);
    QCOMPARE(m_counting.admits.load(), 6);
    QCOMPARE(m_handled.load(), 5);  // a refusal never reaches the handler
  }

  void aMeteredRouteIsMeteredThenAdmittedOnce() {
    for (int i = 0; i < 4; ++i) {
      auto r = ask("POST", "/infer", true, "m1");
      QVERIFY(r);
      QCOMPARE(r->status, 200);
      QVERIFY(r->body.find("m1") != std::string::npos);
    }
    QCOMPARE(m_metered.load(), 4);
    QCOMPARE(m_counting.admits.load(), 4);
    QCOMPARE(m_handled.load(), 4);
    for (const AdmitContext &a : asked()) {
      QVERIFY(a.access == Access::Infer);
      QVERIFY(a.metered);
      QCOMPARE(a.model, std::string("m1"));
      QCOMPARE(a.estimatedTokens, 10);
    }
    // The handler's settle handle charges what was used, against the admitted estimate.
    QCOMPARE(m_counting.settles.load(), 4);
    QCOMPARE(m_counting.settledTokens.load(), 4 * (4 - 10));
    QCOMPARE(lastPrincipal(), std::string("key-1"));
  }

  void aMalformedBodyIsAnsweredBeforeAdmission() {
    auto r = ask("POST", "/infer", false);
    QVERIFY(r);
    QCOMPARE(r->status, 400);  // the meter's answer, not the missing key's 401
    QCOMPARE(m_counting.admits.load(), 0);
    QCOMPARE(m_handled.load(), 0);
  }

  void aRefusedMeteredRequestIsCountedAndNeverHandled() {
    auto r = ask("POST", "/infer", false, "m1");
    QVERIFY(r);
    QCOMPARE(r->status, 401);
    QCOMPARE(m_metered.load(), 1);
    QCOMPARE(m_counting.admits.load(), 1);
    QCOMPARE(m_refused.load(), 1);
    QCOMPARE(m_handled.load(), 0);
    QCOMPARE(m_counting.settles.load(), 0);
  }
};

QTEST_GUILESS_MAIN(TstRouteTable)
#include "tst_routetable.moc"
