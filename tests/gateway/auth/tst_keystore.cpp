// KeyStore on real SQLite files: create/list/revoke, only hashes on disk, schema versioning,
// clear errors for bad input and bad files, change detection across connections.
#include "gateway/auth/keystore.h"

#include <sys/stat.h>
#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::gateway::auth;

namespace {
std::unique_ptr<KeyStore> openStore(const QTemporaryDir &dir) {
  auto store = KeyStore::open(dir.path().toStdString());
  if (!store) qWarning("%s", store.status().toString().c_str());
  return store ? std::move(store).value() : nullptr;
}
QByteArray readAll(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
}  // namespace

class TstKeyStore : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void createListAndRevoke() {
    QTemporaryDir dir;
    auto store = openStore(dir);
    QVERIFY(store);
    auto a = store->create("ci-bot", Role::User);
    QVERIFY2(a.isOk(), a.status().toString().c_str());
    QCOMPARE(a->record.keyId, a->key.substr(4, 8));
    QCOMPARE(a->record.role, Role::User);
    QVERIFY(a->record.createdAtMs > 1'600'000'000'000);
    auto b = store->create("ops@example.com", Role::Admin);
    QVERIFY(b.isOk());
    auto list = store->list();
    QVERIFY(list.isOk());
    QCOMPARE(list->size(), std::size_t(2));
    QCOMPARE((*list)[0].name, std::string("ci-bot"));
    QCOMPARE((*list)[1].role, Role::Admin);
    QCOMPARE(*store->activeKeyCount(), std::size_t(2));

    auto revoked = store->revoke("ci-bot");
    QVERIFY2(revoked.isOk(), revoked.status().toString().c_str());
    QCOMPARE(revoked->keyId, a->record.keyId);
    QVERIFY(revoked->revoked());
    QCOMPARE(*store->activeKeyCount(), std::size_t(1));
    list = store->list();
    QVERIFY((*list)[0].revoked() && !(*list)[1].revoked());
  }
  void revokeAcceptsTheIdInEveryShownForm() {
    QTemporaryDir dir;
    auto store = openStore(dir);
    std::vector<CreatedKey> keys;
    for (const char *n : {"k1", "k2", "k3", "k4"}) keys.push_back(*store->create(n, Role::Viewer));
    QVERIFY(store->revoke(keys[0].record.keyId).isOk());
    QVERIFY(store->revoke("lmf_" + keys[1].record.keyId + "…").isOk());
    QVERIFY(store->revoke("lmf_" + keys[2].record.keyId + "...").isOk());
    QVERIFY(store->revoke(keys[3].key).isOk());  // a whole key pasted by mistake
    QCOMPARE(*store->activeKeyCount(), std::size_t(0));
  }
  void inputErrorsAreClear() {
    QTemporaryDir dir;
    auto store = openStore(dir);
    QVERIFY(store->create("dup", Role::User).isOk());
    auto dup = store->create("dup", Role::Admin);
    QCOMPARE(dup.status().code(), StatusCode::AlreadyExists);
    QVERIFY(dup.status().message().find("'dup' already exists") != std::string::npos);
    for (const char *bad : {"", "has space", "semi;colon", "quote'"})
      QCOMPARE(store->create(bad, Role::User).status().code(), StatusCode::InvalidArgument);
    QCOMPARE(store->create(std::string(65, 'a'), Role::User).status().code(), StatusCode::InvalidArgument);

    auto unknown = store->revoke("nobody");
    QCOMPARE(unknown.status().code(), StatusCode::NotFound);
    QVERIFY(unknown.status().message().find("'nobody'") != std::string::npos);
    QVERIFY(store->revoke("dup").isOk());
    QCOMPARE(store->revoke("dup").status().code(), StatusCode::FailedPrecondition);
    // A revoked name is free again.
    QVERIFY(store->create("dup", Role::Admin).isOk());
    QCOMPARE(*store->activeKeyCount(), std::size_t(1));
  }
  void onlyHashesReachTheDisk() {
    QTemporaryDir dir;
    std::vector<std::string> secrets;
    {
      auto store = openStore(dir);
      for (int i = 0; i < 5; ++i) secrets.push_back(store->create("key" + std::to_string(i), Role::Operator)->key);
      // Every file SQLite wrote, while the WAL still holds the rows and after the checkpoint.
      for (const char *suffix : {"", "-wal", "-shm"}) {
        const QByteArray bytes = readAll(dir.filePath(QStringLiteral("auth.sqlite") + QLatin1String(suffix)));
        for (const std::string &s : secrets) {
          QVERIFY(!bytes.contains(QByteArray::fromStdString(s)));
          QVERIFY(!bytes.contains(QByteArray::fromStdString(s.substr(4))));   // not even without lmf_
          QVERIFY(!bytes.contains(QByteArray::fromStdString(s.substr(12))));  // nor the part after the id
        }
      }
    }
    const QByteArray file = readAll(dir.filePath(QStringLiteral("auth.sqlite")));
    QVERIFY(file.size() > 0);
    QVERIFY(file.contains(QByteArray::fromStdString(secrets[0].substr(4, 8))));  // the id is there
    for (const std::string &s : secrets) QVERIFY(!file.contains(QByteArray::fromStdString(s.substr(4))));

    // And row by row through an independent reader (Qt's SQLite driver).
    {
      auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
      db.setDatabaseName(dir.filePath(QStringLiteral("auth.sqlite")));
      QVERIFY(db.open());
      QSqlQuery q(db);
      QVERIFY(q.exec(QStringLiteral("SELECT * FROM api_keys")));
      int rows = 0;
      while (q.next()) {
        ++rows;
        for (int c = 0; c < q.record().count(); ++c) {
          const QByteArray v = q.value(c).toByteArray();
          for (const std::string &s : secrets) QVERIFY(!v.contains(QByteArray::fromStdString(s.substr(4))));
        }
        QCOMPARE(q.value(QStringLiteral("hash")).toByteArray().size(), 32);
        QCOMPARE(q.value(QStringLiteral("salt")).toByteArray().size(), 16);
      }
      QCOMPARE(rows, 5);
      QVERIFY(q.exec(QStringLiteral("SELECT version FROM schema_version")) && q.next());
      QCOMPARE(q.value(0).toInt(), KeyStore::kSchemaVersion);
      QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
      QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
      q.finish();
      db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
  }
  void theFileIsPrivateAndSurvivesReopening() {
    QTemporaryDir dir;
    std::string id;
    {
      auto store = openStore(dir);
      id = store->create("keep", Role::Admin)->record.keyId;
    }
    struct stat st {};
    QCOMPARE(::stat(dir.filePath(QStringLiteral("auth.sqlite")).toLocal8Bit().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    auto store = openStore(dir);
    QVERIFY(store);
    auto list = store->list();
    QCOMPARE(list->size(), std::size_t(1));
    QCOMPARE(list->front().keyId, id);
    QCOMPARE(list->front().role, Role::Admin);
  }
  void aNewDataDirIsCreatedPrivate() {
    QTemporaryDir dir;
    const QString nested = dir.filePath(QStringLiteral("a/b/lmfront"));
    QVERIFY(KeyStore::open(nested.toStdString()).isOk());
    struct stat st {};
    QCOMPARE(::stat(nested.toLocal8Bit().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
  }
  void aNewerSchemaIsRefused() {
    QTemporaryDir dir;
    QVERIFY(openStore(dir));
    {
      auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
      db.setDatabaseName(dir.filePath(QStringLiteral("auth.sqlite")));
      QVERIFY(db.open());
      QSqlQuery q(db);
      QVERIFY(q.exec(QStringLiteral("UPDATE schema_version SET version = 99")));
      db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bump"));
    auto store = KeyStore::open(dir.path().toStdString());
    QCOMPARE(store.status().code(), StatusCode::FailedPrecondition);
    QVERIFY(store.status().message().find("schema version 99") != std::string::npos);
  }
  void badFilesAndDirectoriesAreClearErrors() {
    QTemporaryDir dir;
    QFile junk(dir.filePath(QStringLiteral("auth.sqlite")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(8192, 'x'));
    junk.close();
    auto notDb = KeyStore::open(dir.path().toStdString());
    QCOMPARE(notDb.status().code(), StatusCode::DataLoss);
    QVERIFY(notDb.status().message().find("auth.sqlite") != std::string::npos);

    // A data dir below a regular file cannot be created (works as root too, unlike chmod).
    auto under = KeyStore::open(dir.filePath(QStringLiteral("auth.sqlite/sub")).toStdString());
    QCOMPARE(under.status().code(), StatusCode::IoError);
    QVERIFY(under.status().message().find("cannot create data directory") != std::string::npos);
    QCOMPARE(KeyStore::open("").status().code(), StatusCode::InvalidArgument);
  }
  void theChangeTokenSeesOtherConnections() {
    QTemporaryDir dir;
    auto node = openStore(dir);
    auto cli = openStore(dir);
    const auto t0 = *node->changeToken();
    QCOMPARE(*node->changeToken(), t0);
    QVERIFY(cli->create("from-cli", Role::User).isOk());
    const auto t1 = *node->changeToken();
    QVERIFY(t1 != t0);
    QVERIFY(node->create("from-node", Role::User).isOk());
    const auto t2 = *node->changeToken();
    QVERIFY(t2 != t1);
    QVERIFY(cli->revoke("from-node").isOk());
    QVERIFY(*node->changeToken() != t2);
  }
  void usageOnlyMovesForward() {
    QTemporaryDir dir;
    auto store = openStore(dir);
    const std::string id = store->create("u", Role::User)->record.keyId;
    QVERIFY(!store->list()->front().lastUsedAtMs);
    QVERIFY(store->recordUsage({{id, 2000}, {"unknown1", 5}}).isOk());
    QCOMPARE(*store->list()->front().lastUsedAtMs, std::int64_t(2000));
    QVERIFY(store->recordUsage({{id, 1000}}).isOk());
    QCOMPARE(*store->list()->front().lastUsedAtMs, std::int64_t(2000));
  }
};

QTEST_GUILESS_MAIN(TstKeyStore)  // Qt's SQL driver plugin needs a QCoreApplication
#include "tst_keystore.moc"
