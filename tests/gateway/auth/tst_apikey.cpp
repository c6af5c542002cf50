// Key material: format from the CSPRNG, the stored hash, and Authorization header parsing.
#include "gateway/auth/apikey.h"
#include "gateway/auth/role.h"

#include <QCryptographicHash>
#include <QTest>
#include <set>

using namespace lmfront;
using namespace lmfront::gateway::auth;

class TstApiKey : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void keysHaveThePrefixAndFortyBase62Characters() {
    std::set<std::string> seen;
    std::array<int, 128> counts{};
    for (int i = 0; i < 2000; ++i) {
      auto key = generateKey();
      QVERIFY(key.isOk());
      QCOMPARE(key->size(), std::size_t(44));
      QVERIFY(key->rfind("lmf_", 0) == 0);
      for (char c : key->substr(4)) {
        QVERIFY(std::isalnum(static_cast<unsigned char>(c)));
        ++counts[static_cast<unsigned char>(c)];
      }
      QVERIFY(parseKey(*key).isOk());
      seen.insert(*key);
    }
    QCOMPARE(seen.size(), std::size_t(2000));  // 238 random bits: any repeat is a broken generator
    // 80 000 characters over 62 symbols: ≈1290 each; a modulo-biased or stuck generator shows.
    for (char c : std::string_view("0aZz9A")) {
      QVERIFY2(counts[static_cast<unsigned char>(c)] > 1000, std::string(1, c).c_str());
      QVERIFY2(counts[static_cast<unsigned char>(c)] < 1600, std::string(1, c).c_str());
    }
  }
  void theHashDependsOnSaltAndKeyAndComparesEqualOnlyWhenEqual() {
    auto s1 = generateSalt();
    auto s2 = generateSalt();
    QVERIFY(s1.isOk() && s2.isOk());
    QVERIFY(*s1 != *s2);
    const KeyHash a = hashKey(*s1, "lmf_abc");
    QVERIFY(hashesEqual(a, hashKey(*s1, "lmf_abc")));
    QVERIFY(!hashesEqual(a, hashKey(*s2, "lmf_abc")));
    QVERIFY(!hashesEqual(a, hashKey(*s1, "lmf_abd")));
    QVERIFY(a != KeyHash{});
  }
  void theHashIsSha256OfSaltThenKey() {
    Salt zero{};
    // Checked against an independent SHA-256 (Qt's own), not against OpenSSL again.
    QByteArray input(16, '\0');
    input += "lmf_";
    const KeyHash h = hashKey(zero, "lmf_");
    QByteArray expected = QCryptographicHash::hash(input, QCryptographicHash::Sha256);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(h.data()), 32), expected);
  }
  void theAuthorizationHeaderIsParsed() {
    const std::string key = "lmf_" + std::string(40, 'x');
    for (std::string header : {"Bearer " + key, "bearer " + key, "BEARER\t" + key, "  Bearer   " + key + "  "}) {
      auto t = parseAuthorizationHeader(header);
      QVERIFY2(t.isOk(), header.c_str());
      QCOMPARE(std::string(t->key), key);
      QCOMPARE(std::string(t->keyId), std::string(8, 'x'));
    }
  }
  void badHeadersAreUnauthenticatedWithoutEchoingTheSecret() {
    auto missing = parseAuthorizationHeader("   ");
    QCOMPARE(missing.status().code(), StatusCode::Unauthenticated);
    QVERIFY(missing.status().message().starts_with("missing API key: send Authorization: Bearer lmf_"));
    const std::string secret = "S3cretS3cretS3cretS3cretS3cretS3cret99";
    for (const std::string &header : std::vector<std::string>{
             "Basic " + secret, "Bearer", "Bearer " + secret, "Bearer lmf_" + secret + "!", "Bearer lmf_short",
             "Bearer lmf_" + std::string(129, 'a'), "Bearerlmf_" + secret, "Bearer sk-" + secret}) {
      auto t = parseAuthorizationHeader(header);
      QVERIFY2(!t.isOk(), header.c_str());
      QCOMPARE(t.status().code(), StatusCode::Unauthenticated);
      QVERIFY2(t.status().message().find(secret) == std::string::npos, t.status().message().c_str());
    }
  }
  void rolesAreOrdered() {
    const Role all[] = {Role::Viewer, Role::User, Role::Operator, Role::Admin};
    for (int have = 0; have < 4; ++have)
      for (int need = 0; need < 4; ++need) QCOMPARE(allows(all[have], all[need]), have >= need);
    for (Role r : all) QCOMPARE(*parseRole(roleName(r)), r);
    auto bad = parseRole("root");
    QCOMPARE(bad.status().code(), StatusCode::InvalidArgument);
    QVERIFY(bad.status().message().find("viewer, user, operator or admin") != std::string::npos);
    QVERIFY(!parseRole("Admin").isOk());
  }
};

QTEST_APPLESS_MAIN(TstApiKey)
#include "tst_apikey.moc"
