// ConnectionStore over a real INI settings file and the file key backend in a temporary folder
// (never the user's keyring): round trip, where keys go (0600 file, not the settings), validation
// messages, edits keeping the key, removal, corrupt and unreadable key files reported. The keyring
// backend is run with no session bus, so it must fall back to its file and say why. The list
// model over the store (under QAbstractItemModelTester) fails a connection whose CA file is gone.
#include "models/connectionlistmodel.h"
#include "models/connectionstore.h"
#include "models/nodesession.h"
#include "models/secretstore.h"

#include <sys/stat.h>
#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using models::ConnectionSpec;
using models::ConnectionStore;
using models::FileSecretStore;

namespace {

QByteArray readAll(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(bytes);
}

int modeOf(const QString &path) {
  struct stat st {};
  return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

}  // namespace

class TestConnectionStore : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QString settingsFile() const { return m_dir.filePath(QStringLiteral("console.conf")); }
  QString keyFile() const { return m_dir.filePath(QStringLiteral("keys.json")); }

private Q_SLOTS:
  void init() {
    QFile::remove(settingsFile());
    QFile::remove(keyFile());
  }

  void roundTripKeepsKeysOutOfTheSettings() {
    QString id;
    {
      QSettings settings(settingsFile(), QSettings::IniFormat);
      FileSecretStore secrets(keyFile());
      ConnectionStore store(&settings, &secrets);
      QCOMPARE(store.connections().size(), 1);
      QVERIFY(store.connections().first().isLocal());
      QSignalSpy added(&store, &ConnectionStore::connectionAdded);
      auto result =
          store.add(ConnectionSpec{QStringLiteral(" edge-1 "), QStringLiteral("wss://edge.example.com:8443/ops"),
                                   QStringLiteral("lmf_secretvalue"), QString()});
      QVERIFY2(result.isOk(), result.status().message().c_str());
      id = *result;
      QCOMPARE(added.count(), 1);
      QCOMPARE(store.apiKey(id), QStringLiteral("lmf_secretvalue"));
      QVERIFY(store.keyError(id).isEmpty());
      QVERIFY(store.add(ConnectionSpec{QStringLiteral("lab"), QStringLiteral("http://10.0.0.7:8080"), {}, {}}));
    }
    QVERIFY(!readAll(settingsFile()).contains("lmf_secretvalue"));
    QVERIFY(readAll(settingsFile()).contains("edge.example.com"));
    QVERIFY(readAll(keyFile()).contains("lmf_secretvalue"));
    QCOMPARE(modeOf(keyFile()), 0600);

    QSettings settings(settingsFile(), QSettings::IniFormat);
    FileSecretStore secrets(keyFile());
    ConnectionStore store(&settings, &secrets);
    QVERIFY(store.keysLoaded());
    const auto connections = store.connections();
    QCOMPARE(connections.size(), 3);
    QVERIFY(connections.at(0).isLocal());
    QCOMPARE(connections.at(1).id, id);
    QCOMPARE(connections.at(1).name, QStringLiteral("edge-1"));
    QCOMPARE(connections.at(1).url, QUrl(QStringLiteral("wss://edge.example.com:8443/ops")));
    QCOMPARE(connections.at(1).httpBase(), QUrl(QStringLiteral("https://edge.example.com:8443")));
    QCOMPARE(connections.at(1).opsUrl(), QUrl(QStringLiteral("wss://edge.example.com:8443/ops")));
    QCOMPARE(connections.at(2).name, QStringLiteral("lab"));
    QCOMPARE(connections.at(2).opsUrl(), QUrl(QStringLiteral("ws://10.0.0.7:8080/ops")));
    QCOMPARE(store.apiKey(id), QStringLiteral("lmf_secretvalue"));
    QVERIFY(store.apiKey(connections.at(2).id).isEmpty());
    QCOMPARE(store.keyLocation(), keyFile());
  }

  void validationSaysWhatIsWrong() {
    QSettings settings(settingsFile(), QSettings::IniFormat);
    FileSecretStore secrets(keyFile());
    ConnectionStore store(&settings, &secrets);
    QVERIFY(store.add(ConnectionSpec{QStringLiteral("edge"), QStringLiteral("ws://127.0.0.1:9000"), {}, {}}));
    auto spec = [](const QString &name, const QString &url, const QString &ca = {}) {
      return ConnectionSpec{name, url, {}, ca};
    };
    QCOMPARE(store.validate(spec(QStringLiteral("  "), QStringLiteral("ws://a:1"))), QStringLiteral("Enter a name."));
    QVERIFY(store.validate(spec(QStringLiteral("EDGE"), QStringLiteral("ws://a:1")))
                .contains(QStringLiteral("already exists")));
    QVERIFY(store.validate(spec(QStringLiteral("local node"), QStringLiteral("ws://a:1")))
                .contains(QStringLiteral("already exists")));
    for (const char *bad : {"", "not a url", "ftp://a:21", "a:8080", "ws//a:1"})
      QVERIFY2(
          store.validate(spec(QStringLiteral("n"), QString::fromLatin1(bad))).startsWith(QStringLiteral("Enter a URL")),
          bad);
    QVERIFY(!store.validate(spec(QStringLiteral("n"), QStringLiteral("http://:8080"))).isEmpty());
    QVERIFY(store.validate(spec(QStringLiteral("n"), QStringLiteral("http://a:1/v1")))
                .contains(QStringLiteral("ends at the port")));
    QVERIFY(
        store.validate(spec(QStringLiteral("n"), QStringLiteral("ws://a:1/other"))).contains(QStringLiteral("/ops")));
    QVERIFY(store.validate(spec(QStringLiteral("n"), QStringLiteral("https://a:1?x=1")))
                .contains(QStringLiteral("ends at the port")));
    for (const char *good :
         {"ws://a:1", "wss://a.example:443/ops", "http://[::1]:8080", "https://node/", "ws://a:1/ops"})
      QVERIFY2(store.validate(spec(QStringLiteral("n"), QString::fromLatin1(good))).isEmpty(), good);

    const QString missing = m_dir.filePath(QStringLiteral("nope.pem"));
    QCOMPARE(store.validate(spec(QStringLiteral("n"), QStringLiteral("wss://a:1"), missing)),
             QStringLiteral("The CA file %1 does not exist.").arg(missing));
    const QString notPem = m_dir.filePath(QStringLiteral("notpem.pem"));
    writeFile(notPem, "hello\n");
    QCOMPARE(store.validate(spec(QStringLiteral("n"), QStringLiteral("wss://a:1"), notPem)),
             QStringLiteral("The CA file %1 holds no PEM certificate.").arg(notPem));
    QCOMPARE(store.validate(spec(QStringLiteral("n"), QStringLiteral("wss://a:1"), m_dir.path())),
             QStringLiteral("The CA file %1 cannot be read.").arg(m_dir.path()));
    const QString ca = m_dir.filePath(QStringLiteral("ca.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                   m_dir.filePath(QStringLiteral("ca.key")), QStringLiteral("-out"), ca, QStringLiteral("-days"),
                   QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=lmfront test CA")});
    QVERIFY(openssl.waitForFinished(60000));
    QCOMPARE(openssl.exitCode(), 0);
    QVERIFY(store.validate(spec(QStringLiteral("n"), QStringLiteral("wss://a:1"), ca)).isEmpty());

    // add() refuses what validate() refuses, and saves nothing.
    auto refused = store.add(spec(QString(), QStringLiteral("ws://a:1")));
    QVERIFY(!refused.isOk());
    QCOMPARE(QString::fromStdString(refused.status().message()), QStringLiteral("Enter a name."));
    QCOMPARE(store.connections().size(), 2);
  }

  void editKeepsTheKeyAndRemoveDropsIt() {
    QSettings settings(settingsFile(), QSettings::IniFormat);
    FileSecretStore secrets(keyFile());
    ConnectionStore store(&settings, &secrets);
    const QString id =
        *store.add(ConnectionSpec{QStringLiteral("a"), QStringLiteral("ws://a:1"), QStringLiteral("lmf_k1"), {}});
    QVERIFY(store.update(
        id, ConnectionSpec{QStringLiteral("b"), QStringLiteral("http://b:2"), QStringLiteral("lmf_k1"), {}}));
    QCOMPARE(store.find(id)->name, QStringLiteral("b"));
    QCOMPARE(store.find(id)->httpBase(), QUrl(QStringLiteral("http://b:2")));
    QCOMPARE(*secrets.readNow(id), QStringLiteral("lmf_k1"));
    // Keeping its own name is not a duplicate.
    QVERIFY(store.update(
        id, ConnectionSpec{QStringLiteral("B"), QStringLiteral("http://b:2"), QStringLiteral("lmf_k2"), {}}));
    QCOMPARE(*secrets.readNow(id), QStringLiteral("lmf_k2"));
    QCOMPARE(store.update(id, ConnectionSpec{QStringLiteral("b"), QStringLiteral("gopher://b"), {}, {}}).code(),
             StatusCode::InvalidArgument);
    QCOMPARE(store.find(id)->name, QStringLiteral("B"));

    QVERIFY(!store.remove(ConnectionStore::localId()));
    QVERIFY(!store.update(ConnectionStore::localId(),
                          ConnectionSpec{QStringLiteral("x"), QStringLiteral("ws://x:1"), {}, {}}));
    QCOMPARE(store.remove(QStringLiteral("nosuch")).code(), StatusCode::NotFound);
    QSignalSpy removed(&store, &ConnectionStore::connectionRemoved);
    QVERIFY(store.remove(id));
    QCOMPARE(removed.count(), 1);
    QVERIFY(!store.find(id));
    QCOMPARE(secrets.readNow(id).status().code(), StatusCode::NotFound);
    QVERIFY(!readAll(keyFile()).contains("lmf_k2"));
    QVERIFY(!readAll(settingsFile()).contains("http://b:2"));
  }

  void corruptKeyFileIsReportedNotReplaced() {
    {
      QSettings settings(settingsFile(), QSettings::IniFormat);
      FileSecretStore secrets(keyFile());
      ConnectionStore store(&settings, &secrets);
      QVERIFY(store.add(ConnectionSpec{QStringLiteral("a"), QStringLiteral("ws://a:1"), QStringLiteral("lmf_k"), {}}));
    }
    writeFile(keyFile(), "{\"version\":1,\"keys\":{\"x\":");
    QSettings settings(settingsFile(), QSettings::IniFormat);
    FileSecretStore secrets(keyFile());
    ConnectionStore store(&settings, &secrets);
    const QString id = store.connections().at(1).id;
    QVERIFY(store.apiKey(id).isEmpty());
    QVERIFY2(store.keyError(id).contains(QStringLiteral("corrupt")), qPrintable(store.keyError(id)));
    QVERIFY(store.keyError(id).contains(keyFile()));
    QVERIFY(!store.keyError(id).contains(QStringLiteral("lmf_k")));

    QSignalSpy errors(&store, &ConnectionStore::keyErrorChanged);
    store.setApiKey(id, QStringLiteral("lmf_new"));
    QVERIFY(store.keyError(id).startsWith(QStringLiteral("The API key could not be stored")));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(readAll(keyFile()), QByteArray("{\"version\":1,\"keys\":{\"x\":"));  // not overwritten

    writeFile(keyFile(), "[1,2]");
    QVERIFY(secrets.readNow(id).status().message().find("not a version 1 key file") != std::string::npos);
    writeFile(keyFile(), "{\"version\":1,\"keys\":{\"x\":5}}");
    QCOMPARE(secrets.readNow(id).status().code(), StatusCode::DataLoss);
  }

  void unreadableKeyFileIsReported() {
    QVERIFY(QDir().mkpath(keyFile()));  // a folder where the file should be: unreadable as a file, even for root
    QSettings settings(settingsFile(), QSettings::IniFormat);
    settings.beginWriteArray(ConnectionStore::settingsGroup());
    settings.setArrayIndex(0);
    settings.setValue(QStringLiteral("id"), QStringLiteral("abc"));
    settings.setValue(QStringLiteral("name"), QStringLiteral("a"));
    settings.setValue(QStringLiteral("url"), QStringLiteral("ws://a:1"));
    settings.endArray();
    FileSecretStore secrets(keyFile());
    ConnectionStore store(&settings, &secrets);
    QVERIFY2(store.keyError(QStringLiteral("abc")).contains(keyFile()),
             qPrintable(store.keyError(QStringLiteral("abc"))));
    QVERIFY(QDir(keyFile()).removeRecursively());
  }

  void handEditedEntriesThatDoNotValidateAreSkipped() {
    QSettings settings(settingsFile(), QSettings::IniFormat);
    settings.beginWriteArray(ConnectionStore::settingsGroup());
    const char *rows[][3] = {{"a1", "good", "ws://a:1"},   {"", "noid", "ws://a:1"},
                             {"a2", "", "ws://a:1"},       {"a3", "badurl", "ftp://x"},
                             {"a1", "dup-id", "ws://b:1"}, {"local", "fake-local", "ws://c:1"}};
    for (int i = 0; i < 6; ++i) {
      settings.setArrayIndex(i);
      settings.setValue(QStringLiteral("id"), QString::fromLatin1(rows[i][0]));
      settings.setValue(QStringLiteral("name"), QString::fromLatin1(rows[i][1]));
      settings.setValue(QStringLiteral("url"), QString::fromLatin1(rows[i][2]));
    }
    settings.endArray();
    FileSecretStore secrets(keyFile());
    ConnectionStore store(&settings, &secrets);
    QCOMPARE(store.connections().size(), 2);
    QCOMPARE(store.connections().at(1).name, QStringLiteral("good"));
  }

  void listModelSaysTheCaFileWentMissing() {
    // Saved with a CA file that is gone since: the connection fails and says why, instead of
    // quietly trusting the system's CAs only.
    const QString gone = m_dir.filePath(QStringLiteral("gone-ca.pem"));
    QSettings settings(settingsFile(), QSettings::IniFormat);
    settings.beginWriteArray(ConnectionStore::settingsGroup());
    settings.setArrayIndex(0);
    settings.setValue(QStringLiteral("id"), QStringLiteral("tls1"));
    settings.setValue(QStringLiteral("name"), QStringLiteral("secure"));
    settings.setValue(QStringLiteral("url"), QStringLiteral("wss://127.0.0.1:1/ops"));
    settings.setValue(QStringLiteral("caFile"), gone);
    settings.endArray();
    FileSecretStore secrets(keyFile());
    ConnectionStore store(&settings, &secrets);
    models::ConnectionListModel list(&store);
    QAbstractItemModelTester tester(&list, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(list.rowCount(), 2);
    QCOMPARE(list.stateOf(QStringLiteral("tls1")), models::ConnectionListModel::State::Failed);
    QVERIFY2(list.reasonOf(QStringLiteral("tls1")).contains(gone), qPrintable(list.reasonOf(QStringLiteral("tls1"))));
    QVERIFY(!list.session(QStringLiteral("tls1"))->isPolling());
    QCOMPARE(list.session(QStringLiteral("tls1"))->baseUrl(), QUrl(QStringLiteral("https://127.0.0.1:1")));
    QCOMPARE(list.data(list.index(1, 0)).toString(), QStringLiteral("secure"));
    QCOMPARE(list.data(list.index(0, 0)).toString(), QStringLiteral("Local node"));
    QCOMPARE(list.data(list.index(0, 2)).toString(), QStringLiteral("not running"));
  }

  void keyringWithoutABusFallsBackToTheFile() {
    // No session bus: the real keyring cannot be reached, whatever the machine has.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lmfront-test-bus");
    models::KeyringSecretStore keyring(QStringLiteral("lmfront-console-test"), keyFile());
    QCOMPARE(keyring.backend(), models::KeyringSecretStore::Backend::Probing);
    bool written = false;
    keyring.write(QStringLiteral("acc"), QStringLiteral("lmf_fallback"), [&](Status s) { written = s.isOk(); });
    QTRY_COMPARE_WITH_TIMEOUT(keyring.backend(), models::KeyringSecretStore::Backend::File, 30000);
    QVERIFY(written);
    QVERIFY(keyring.description().startsWith(keyFile()));
    QVERIFY(keyring.description().contains(QStringLiteral("no desktop keyring")));
    QCOMPARE(modeOf(keyFile()), 0600);
    QString read;
    keyring.read(QStringLiteral("acc"), [&](Result<QString> r) { read = r.valueOr(QString()); });
    QCOMPARE(read, QStringLiteral("lmf_fallback"));
  }
};

QTEST_GUILESS_MAIN(TestConnectionStore)
#include "tst_connectionstore.moc"
