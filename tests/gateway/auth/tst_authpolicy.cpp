// Host/Origin policy (DNS rebinding, untrusted web pages), CORS stance, the startup refusal,
// and AuthGate's order of checks.
#include "gateway/auth/authgate.h"

#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::gateway::auth;

class TstAuthPolicy : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void loopbackNames() {
    for (const char *h : {"localhost", "LocalHost", "localhost.", "app.localhost", "127.0.0.1", "127.1.2.3", "::1",
                          "[::1]", "::ffff:127.0.0.1"})
      QVERIFY2(isLoopbackName(h), h);
    for (const char *h : {"", "0.0.0.0", "::", "10.0.0.5", "localhost.evil.example", "evil-localhost", "128.0.0.1",
                          "[::2]", "notlocalhost"})
      QVERIFY2(!isLoopbackName(h), h);
  }
  void aLoopbackNodeRefusesForeignHosts() {
    AuthPolicy p(AuthConfig{}, "127.0.0.1");
    for (const char *h : {"localhost:8080", "localhost", "127.0.0.1:8080", "[::1]:8080", "[::1]", "LOCALHOST:80", ""})
      QVERIFY2(p.checkRequest(h, "").isOk(), h);
    for (const char *h : {"evil.example", "evil.example:8080", "localhost.evil.example", "10.0.0.5:8080", "[::1",
                          "localhost:80x", "a:b:c", ":8080", "local host"}) {
      Status st = p.checkRequest(h, "");
      QVERIFY2(!st.isOk(), h);
      QCOMPARE(st.code(), StatusCode::PermissionDenied);
    }
    Status rebinding = p.checkRequest("evil.example", "");
    QVERIFY(rebinding.message().find("Host 'evil.example' is not allowed") != std::string::npos);
    QVERIFY(rebinding.message().find("DNS rebinding") != std::string::npos);
    // Same rules through the free function.
    QCOMPARE(checkRequest({}, "evil.example", "", "::1").code(), StatusCode::PermissionDenied);
    QVERIFY(checkRequest({}, "[::1]:8080", "", "::1").isOk());
  }
  void configuredHostsAreAllowed() {
    AuthConfig c;
    c.allowedHosts = {"lmfront.lan", "gpu-box:9000"};
    QVERIFY(c.validate().isOk());
    AuthPolicy p(c, "127.0.0.1");
    QVERIFY(p.checkRequest("lmfront.lan", "").isOk());
    QVERIFY(p.checkRequest("LMFRONT.lan:8080", "").isOk());
    QVERIFY(p.checkRequest("gpu-box:9000", "").isOk());
    QVERIFY(!p.checkRequest("gpu-box:9001", "").isOk());  // the entry pins a port
    QVERIFY(!p.checkRequest("evil.example", "").isOk());
  }
  void aPublicNodeChecksHostsOnlyWhenTold() {
    AuthPolicy open(AuthConfig{}, "0.0.0.0");
    QVERIFY(!open.loopbackOnly());
    QVERIFY(open.keysRequired());
    QVERIFY(open.checkRequest("any.name.example:8080", "").isOk());
    AuthConfig c;
    c.allowedHosts = {"api.example.com"};
    AuthPolicy pinned(c, "10.0.0.5");
    QVERIFY(pinned.checkRequest("api.example.com", "").isOk());
    QVERIFY(pinned.checkRequest("10.0.0.5:8080", "").isOk());  // its own address
    QVERIFY(!pinned.checkRequest("other.example.com", "").isOk());
  }
  void untrustedOriginsAreRefused() {
    AuthConfig c;
    c.trustedOrigins = {"https://app.example.com", "http://localhost:3000/"};
    QVERIFY(c.validate().isOk());
    AuthPolicy p(c, "127.0.0.1");
    QVERIFY(p.checkRequest("localhost:8080", "https://app.example.com").isOk());
    QVERIFY(p.checkRequest("localhost:8080", "http://localhost:3000").isOk());
    for (const char *o : {"http://evil.example", "https://app.example.com.evil.example", "http://app.example.com",
                          "https://app.example.com:8443", "null", "http://localhost:3001"}) {
      Status st = p.checkRequest("localhost:8080", o);
      QVERIFY2(!st.isOk(), o);
      QCOMPARE(st.code(), StatusCode::PermissionDenied);
    }
    QVERIFY(p.checkRequest("localhost", "http://evil.example").message().find("not trusted") != std::string::npos);
    // With no trusted origins at all, any browser origin is refused, on loopback or not.
    QVERIFY(!AuthPolicy(AuthConfig{}, "127.0.0.1").checkRequest("localhost", "http://localhost:8080").isOk());
    QVERIFY(!AuthPolicy(AuthConfig{}, "0.0.0.0").checkRequest("x", "https://evil.example").isOk());
  }
  void corsIsNeverPermissive() {
    AuthConfig c;
    c.trustedOrigins = {"https://app.example.com"};
    AuthPolicy p(c, "127.0.0.1");
    QVERIFY(p.corsHeaders("", false).empty());
    QVERIFY(p.corsHeaders("http://evil.example", true).empty());
    auto h = p.corsHeaders("https://app.example.com", false);
    QCOMPARE(h.front().first, std::string("Access-Control-Allow-Origin"));
    QCOMPARE(h.front().second, std::string("https://app.example.com"));
    bool vary = false;
    for (const auto &[k, v] : h) {
      QVERIFY(v != "*");
      vary = vary || (k == "Vary" && v == "Origin");
    }
    QVERIFY(vary);
    auto pre = p.corsHeaders("https://app.example.com", true);
    bool methods = false;
    for (const auto &[k, v] : pre) methods = methods || k == "Access-Control-Allow-Methods";
    QVERIFY(methods);
  }
  void preflightAllowsStandardAndValidRequestedHeaders() {
    AuthConfig c;
    c.trustedOrigins = {"http://localhost:3000"};
    AuthPolicy p(c, "127.0.0.1");
    auto allowed = [&](std::string_view requested) {
      for (const auto &[k, v] : p.corsHeaders("http://localhost:3000", true, requested))
        if (k == "Access-Control-Allow-Headers") return v;
      return std::string("(none)");
    };
    const std::string base = "Authorization, Content-Type, Cache-Control";
    QCOMPARE(allowed(""), base);
    QCOMPARE(allowed("x-stainless-os, X-Stainless-Lang"), base + ", x-stainless-os, X-Stainless-Lang");
    // Anything that is not a plain list of header names is ignored, never echoed.
    const std::string_view bads[] = {
        "a b", "x,", ",x", "x,,y", "<x>", "x\r\nSet-Cookie: a", "x:y", std::string_view("x\0y", 3)};
    for (std::string_view bad : bads) QCOMPARE(allowed(bad), base);
    QCOMPARE(allowed(std::string(2000, 'x')), base);
    // Nothing at all for an origin that is not trusted, preflight or not.
    QVERIFY(p.corsHeaders("http://localhost:3001", true, "x-a").empty());
  }
  void wildcardsAreRejectedInConfig() {
    AuthConfig c;
    c.trustedOrigins = {"*"};
    QCOMPARE(c.validate().code(), StatusCode::InvalidArgument);
    c.trustedOrigins = {"null"};
    QVERIFY(!c.validate().isOk());
    c.trustedOrigins = {"https://app.example.com/path"};
    QVERIFY(!c.validate().isOk());
    c.trustedOrigins = {"ftp://x"};
    QVERIFY(!c.validate().isOk());
    c.trustedOrigins = {};
    c.allowedHosts = {"*"};
    QVERIFY(!c.validate().isOk());
  }
  void bindingBeyondLoopbackNeedsAKey() {
    QVERIFY(startupCheck("127.0.0.1", false).isOk());
    QVERIFY(startupCheck("::1", false).isOk());
    QVERIFY(startupCheck("localhost", false).isOk());
    for (const char *addr : {"0.0.0.0", "::", "10.0.0.5", ""}) {
      Status st = startupCheck(addr, false);
      QCOMPARE(st.code(), StatusCode::FailedPrecondition);
      QVERIFY(st.message().find("without any API key") != std::string::npos);
      QVERIFY(st.message().find("lmfront keys create") != std::string::npos);
      QVERIFY(startupCheck(addr, true).isOk());
    }
  }
  void theGateChecksHostThenKeyThenRole() {
    QTemporaryDir dir;
    auto store = std::move(KeyStore::open(dir.path().toStdString())).value();
    auto viewer = *store->create("dash", Role::Viewer);
    auto auth = std::make_shared<Authenticator>();
    QVERIFY(auth->reload(*store).isOk());
    const std::string bearer = "Bearer " + viewer.key;

    AuthGate local(AuthPolicy(AuthConfig{}, "127.0.0.1"), auth);
    auto anon = local.admit("localhost:8080", "", "", Role::Admin);
    QVERIFY(anon.isOk());
    QVERIFY(anon->anonymous());
    QCOMPARE(anon->role, Role::Admin);
    // A header that is sent is checked even when keys are optional.
    QCOMPARE(local.admit("localhost", "", "Bearer lmf_nope", Role::Viewer).status().code(),
             StatusCode::Unauthenticated);
    // ...but an OpenAI SDK's placeholder token (not an lmfront key) is not one to check.
    auto sdk = local.admit("localhost", "", "Bearer sk-no-key-required", Role::User);
    QVERIFY(sdk.isOk());
    QVERIFY(sdk->anonymous());
    QCOMPARE(local.admit("localhost", "", bearer, Role::User).status().code(), StatusCode::PermissionDenied);
    QCOMPARE(local.admit("localhost", "", bearer, Role::Viewer)->name, std::string("dash"));
    // Rebinding is refused before any key is looked at.
    QCOMPARE(local.admit("evil.example", "", bearer, Role::Viewer).status().code(), StatusCode::PermissionDenied);

    AuthConfig strict;
    strict.requireKeys = true;
    AuthGate required(AuthPolicy(strict, "127.0.0.1"), auth);
    QCOMPARE(required.admit("localhost", "", "", Role::Viewer).status().code(), StatusCode::Unauthenticated);
    AuthGate publicNode(AuthPolicy(AuthConfig{}, "0.0.0.0"), auth);
    auto missing = publicNode.admit("10.0.0.5", "", "", Role::Viewer);
    QCOMPARE(missing.status().code(), StatusCode::Unauthenticated);
    QVERIFY(missing.status().message().starts_with("missing API key"));
    QCOMPARE(publicNode.admit("10.0.0.5", "", "Bearer sk-no-key-required", Role::Viewer).status().code(),
             StatusCode::Unauthenticated);
    QVERIFY(publicNode.admit("10.0.0.5", "", bearer, Role::Viewer).isOk());
  }
};

QTEST_APPLESS_MAIN(TstAuthPolicy)
#include "tst_authpolicy.moc"
