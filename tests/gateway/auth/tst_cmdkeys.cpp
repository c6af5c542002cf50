// `lmfront keys` end to end: the real binary (LMFRONT_BIN_DIR) against a temporary data dir,
// and the keys it prints checked by the library's Authenticator on the same auth.sqlite.
#include "gateway/auth/authenticator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::gateway::auth;

namespace {
struct Run {
  int exitCode = -1;
  QByteArray out, err;
};
}  // namespace

class TstCmdKeys : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;

  Run lmfront(QStringList args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("LMFRONT_BIN_DIR") + QStringLiteral("/lmfront"), args);
    Run r;
    if (!p.waitForStarted(10'000) || !p.waitForFinished(30'000)) {
      p.kill();
      p.waitForFinished(5000);
      return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
  }
  QStringList withDir(QStringList args) { return args << QStringLiteral("--data-dir") << m_dir.path(); }
  Result<Principal> check(const QByteArray &key) {
    auto store = KeyStore::open(m_dir.path().toStdString());
    if (!store) return store.status();
    Authenticator auth;
    LMFRONT_RETURN_IF_ERROR(auth.reload(**store));
    return auth.authenticate("Bearer " + key.toStdString());
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY2(!qEnvironmentVariable("LMFRONT_BIN_DIR").isEmpty(), "run through ctest (sets LMFRONT_BIN_DIR)");
  }
  void createPrintsTheKeyOnceAndItAuthenticates() {
    Run r = lmfront(withDir({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--name"),
                             QStringLiteral("app"), QStringLiteral("--role"), QStringLiteral("user")}));
    QCOMPARE(r.exitCode, 0);
    const QByteArray key = r.out.trimmed();
    QVERIFY2(QRegularExpression(QStringLiteral("^lmf_[0-9A-Za-z]{40}$")).match(QString::fromLatin1(key)).hasMatch(),
             r.out.constData());
    QVERIFY(r.err.contains("only time the key is shown"));
    QVERIFY(!r.err.contains(key));  // the notes never repeat the secret
    auto who = check(key);
    QVERIFY2(who.isOk(), who.status().toString().c_str());
    QCOMPARE(who->name, std::string("app"));
    QCOMPARE(who->role, Role::User);
  }
  void createJsonAndList() {
    Run r = lmfront(withDir({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--name=ops"),
                             QStringLiteral("--role=operator"), QStringLiteral("--json")}));
    QCOMPARE(r.exitCode, 0);
    const QJsonObject created = QJsonDocument::fromJson(r.out).object();
    const QByteArray key = created[u"key"].toString().toLatin1();
    QCOMPARE(created[u"role"].toString(), QStringLiteral("operator"));
    QCOMPARE(created[u"id"].toString().toLatin1(), key.mid(4, 8));
    QCOMPARE(check(key)->role, Role::Operator);

    Run list = lmfront(withDir({QStringLiteral("keys"), QStringLiteral("list")}));
    QCOMPARE(list.exitCode, 0);
    QVERIFY(list.out.contains("ops") && list.out.contains("operator") && list.out.contains("app"));
    QVERIFY(list.out.contains(QByteArray("lmf_").append(key.mid(4, 8))));
    QVERIFY(!list.out.contains(key.mid(4)));  // never the secret

    Run json = lmfront(withDir({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("--json")}));
    QCOMPARE(json.exitCode, 0);
    const QJsonArray keys = QJsonDocument::fromJson(json.out).array();
    QCOMPARE(keys.size(), 2);
    for (const auto &k : keys) {
      QVERIFY(!k.toObject().contains(u"key"));
      QVERIFY(k.toObject()[u"revoked_at"].isNull());
    }
    QVERIFY(!json.out.contains(key.mid(4)));
  }
  void revokeByNameAndById() {
    Run created = lmfront(withDir({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--name"),
                                   QStringLiteral("temp"), QStringLiteral("--role"), QStringLiteral("admin")}));
    QCOMPARE(created.exitCode, 0);
    const QByteArray key = created.out.trimmed();
    QVERIFY(check(key).isOk());
    Run revoked = lmfront(withDir({QStringLiteral("keys"), QStringLiteral("revoke"), QStringLiteral("temp")}));
    QCOMPARE(revoked.exitCode, 0);
    QVERIFY(revoked.err.contains(QByteArray("revoked API key lmf_").append(key.mid(4, 8))));
    auto who = check(key);
    QCOMPARE(who.status().code(), StatusCode::Unauthenticated);
    QVERIFY(who.status().message().find("revoked") != std::string::npos);

    Run again =
        lmfront(withDir({QStringLiteral("keys"), QStringLiteral("revoke"), QString::fromLatin1(key.mid(4, 8))}));
    QCOMPARE(again.exitCode, 1);
    QVERIFY(again.err.contains("already revoked"));
    Run json = lmfront(withDir({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("--json")}));
    bool sawRevoked = false;
    for (const auto &k : QJsonDocument::fromJson(json.out).array())
      sawRevoked = sawRevoked || (k.toObject()[u"name"].toString() == QStringLiteral("temp") &&
                                  k.toObject()[u"revoked_at"].isString());
    QVERIFY(sawRevoked);
  }
  void errorsAreOneClearLine() {
    struct Case {
      QStringList args;
      int exitCode;
      QByteArray says;
    };
    const QString bad = m_dir.filePath(QStringLiteral("auth.sqlite/sub"));  // below a regular file
    const Case cases[] = {
        {withDir({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("x"),
                  QStringLiteral("--role"), QStringLiteral("root")}),
         2, "unknown role 'root'"},
        {withDir({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("app"),
                  QStringLiteral("--role"), QStringLiteral("user")}),
         1, "already exists"},
        {withDir({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("a b"),
                  QStringLiteral("--role"), QStringLiteral("user")}),
         2, "may only use letters"},
        {withDir({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--role"), QStringLiteral("user")}),
         2, "--name"},
        {withDir({QStringLiteral("keys"), QStringLiteral("revoke"), QStringLiteral("nobody")}), 1, "no API key"},
        {withDir({QStringLiteral("keys"), QStringLiteral("frobnicate")}), 2, "unknown subcommand"},
        {{QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("--data-dir"), bad},
         1,
         "cannot create data directory"},
    };
    for (const Case &c : cases) {
      Run r = lmfront(c.args);
      QVERIFY2(r.exitCode == c.exitCode, (c.args.join(u' ') + QStringLiteral(" -> ") + QString::number(r.exitCode) +
                                          QStringLiteral(": ") + QString::fromUtf8(r.err))
                                             .toUtf8()
                                             .constData());
      QVERIFY2(r.err.startsWith("lmfront keys: ") && r.err.contains(c.says), r.err.constData());
      QVERIFY(r.out.isEmpty());
    }
  }
  void theDefaultDataDirIsTheNodes() {
    QTemporaryDir xdg;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), xdg.path());
    Run r = lmfront({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--name"),
                     QStringLiteral("default"), QStringLiteral("--role"), QStringLiteral("viewer")},
                    env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY(QFile::exists(xdg.filePath(QStringLiteral("lmfront/auth.sqlite"))));
    Run list = lmfront({QStringLiteral("keys"), QStringLiteral("list")}, env);
    QVERIFY(list.out.contains("default"));
  }
};

QTEST_GUILESS_MAIN(TstCmdKeys)
#include "tst_cmdkeys.moc"
