// SqliteDb on real files: migrations run once and in order, re-opening is idempotent, a newer
// schema and a corrupt file are clear errors, WAL is on, statements leave no read transaction
// behind, transactions roll back, and a connection refuses other threads.
#include "storage/sqlitedb.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <thread>

using namespace lmfront;
using namespace lmfront::storage;

namespace {
const std::vector<std::string_view> kTwoSteps = {
    "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);",
    // A step that would fail if it ran twice: proves a re-open runs nothing.
    "ALTER TABLE things ADD COLUMN size INTEGER NOT NULL DEFAULT 0;",
};

SqliteOptions options(std::vector<std::string_view> steps) {
  SqliteOptions o;
  o.migrations = std::move(steps);
  return o;
}

std::unique_ptr<SqliteDb> openDb(const QString &path, std::vector<std::string_view> steps = kTwoSteps) {
  auto db = SqliteDb::open(path.toStdString(), options(std::move(steps)));
  if (!db) qWarning("%s", db.status().toString().c_str());
  return db ? std::move(db).value() : nullptr;
}

// Reads one value through Qt's driver: a second, independent connection.
QVariant readRaw(const QString &path, const QString &sql) {
  QVariant out;
  {
    auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
    db.setDatabaseName(path);
    if (db.open()) {
      QSqlQuery q(db);
      if (q.exec(sql) && q.next()) out = q.value(0);
      q.finish();
    }
    db.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("raw"));
  return out;
}

bool execRaw(const QString &path, const QString &sql) {
  bool ok = false;
  {
    auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
    db.setDatabaseName(path);
    ok = db.open() && QSqlQuery(db).exec(sql);
    db.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("raw"));
  return ok;
}
}  // namespace

class TstSqliteDb : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void migrationsRunOnceAndReopenIsIdempotent() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.sqlite"));
    {
      auto db = openDb(path, {kTwoSteps[0]});
      QVERIFY(db);
      QCOMPARE(db->schemaVersion(), 1);
      auto ins = db->prepare("INSERT INTO things (name) VALUES (?)");
      QVERIFY(ins);
      QVERIFY(ins->bind(1, "first").run().isOk());
    }
    for (int i = 0; i < 2; ++i) {  // step 2 applies once, then the second open runs nothing
      auto db = openDb(path);
      QVERIFY(db);
      QCOMPARE(db->schemaVersion(), 2);
      auto rows = db->prepare("SELECT name, size FROM things");
      QVERIFY(rows);
      auto row = rows->step();
      QVERIFY(row.isOk() && *row);
      QCOMPARE(rows->text(0), std::string("first"));
      QCOMPARE(rows->int64(1), std::int64_t(0));
      row = rows->step();
      QVERIFY(row.isOk() && !*row);
    }
    QCOMPARE(readRaw(path, QStringLiteral("SELECT COUNT(*) FROM schema_version")).toInt(), 1);
    QCOMPARE(readRaw(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 2);
  }

  void aFailingMigrationLeavesThePreviousVersion() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.sqlite"));
    QVERIFY(openDb(path, {kTwoSteps[0]}));
    auto broken = SqliteDb::open(path.toStdString(), options({kTwoSteps[0], kTwoSteps[1], "CREATE TABLE nonsense (;"}));
    QVERIFY(!broken.isOk());
    QVERIFY2(broken.status().message().find("migration to schema 3") != std::string::npos,
             broken.status().message().c_str());
    // Step 2 ran inside the same transaction and was rolled back with it.
    QCOMPARE(readRaw(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 1);
    QVERIFY(openDb(path));  // and the good steps still apply afterwards
  }

  void aNewerDatabaseIsRefusedUntouched() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.sqlite"));
    QVERIFY(openDb(path));
    QVERIFY(execRaw(path, QStringLiteral("UPDATE schema_version SET version = 7")));
    auto db = SqliteDb::open(path.toStdString(), options(kTwoSteps));
    QCOMPARE(db.status().code(), StatusCode::FailedPrecondition);
    const std::string &m = db.status().message();
    QVERIFY2(m.find(path.toStdString()) == 0, m.c_str());
    QVERIFY2(m.find("schema version 7 is newer than this lmfront understands (2)") != std::string::npos, m.c_str());
    QCOMPARE(readRaw(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 7);
  }

  void walIsOnAndTheFileIsPrivate() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.sqlite"));
    auto db = openDb(path);
    QVERIFY(db);
    QCOMPARE(readRaw(path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteOther),
             QFile::Permissions());
  }

  void aCorruptFileIsAClearError() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("junk.sqlite"));
    QFile junk(path);
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(8192, 'x'));
    junk.close();
    auto db = SqliteDb::open(path.toStdString(), options(kTwoSteps));
    QCOMPARE(db.status().code(), StatusCode::DataLoss);
    QVERIFY2(db.status().message().find(path.toStdString()) == 0, db.status().message().c_str());

    // A good database whose pages were overwritten after its header: refused or reported, never a crash.
    const QString damaged = dir.filePath(QStringLiteral("damaged.sqlite"));
    {
      auto good = openDb(damaged);
      QVERIFY(good);
      auto ins = good->prepare("INSERT INTO things (name) VALUES (?)");
      QVERIFY(ins);
      for (int i = 0; i < 200; ++i) {
        ins->reset();
        QVERIFY(ins->bind(1, std::string(200, char('a' + i % 26)) + std::to_string(i)).run().isOk());
      }
      QVERIFY(good->exec("PRAGMA wal_checkpoint(TRUNCATE)").isOk());
    }
    QFile file(damaged);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.seek(4096));
    file.write(QByteArray(static_cast<int>(file.size() - 4096), '\xee'));
    file.close();
    auto reopened = SqliteDb::open(damaged.toStdString(), options(kTwoSteps));
    Status seen = reopened.status();
    if (reopened) {
      auto rows = (*reopened)->prepare("SELECT COUNT(*) FROM things WHERE name LIKE 'a%'");
      seen = rows ? rows->run() : rows.status();
    }
    QCOMPARE(seen.code(), StatusCode::DataLoss);
    QVERIFY2(seen.message().find(damaged.toStdString()) == 0, seen.message().c_str());
  }

  void aFinishedQueryHoldsNoSnapshot() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.sqlite"));
    auto reader = openDb(path);
    auto writer = openDb(path);
    QVERIFY(reader && writer);
    auto count = reader->prepare("SELECT COUNT(*) FROM things");
    QVERIFY(count);
    auto read = [&] {
      auto row = count->step();
      const std::int64_t n = row.isOk() && *row ? count->int64(0) : -1;
      (void)count->step();  // to the end: the statement resets itself
      return n;
    };
    QCOMPARE(read(), std::int64_t(0));
    QVERIFY(writer->prepare("INSERT INTO things (name) VALUES ('x')")->run().isOk());
    QCOMPARE(read(), std::int64_t(1));  // a frozen snapshot would still say 0
  }

  void transactionsCommitOrRollBack() {
    QTemporaryDir dir;
    auto db = openDb(dir.filePath(QStringLiteral("a.sqlite")));
    QVERIFY(db);
    auto insert = [&](const char *name) {
      return db->prepare("INSERT INTO things (name) VALUES (?)")->bind(1, name).run();
    };
    QVERIFY(db->transaction([&] { return insert("kept"); }).isOk());
    Status failed = db->transaction([&]() -> Status {
      LMFRONT_RETURN_IF_ERROR(insert("dropped"));
      return insert("kept");  // UNIQUE: the whole transaction goes
    });
    QCOMPARE(failed.code(), StatusCode::AlreadyExists);
    auto value = db->transaction([&]() -> Result<std::int64_t> {
      auto rows = db->prepare("SELECT COUNT(*) FROM things");
      if (!rows) return rows.status();
      auto row = rows->step();
      if (!row) return row.status();
      const std::int64_t n = rows->int64(0);
      (void)rows->step();
      return n;
    });
    QVERIFY(value.isOk());
    QCOMPARE(*value, std::int64_t(1));
  }

  void anotherThreadIsRefused() {
    QTemporaryDir dir;
    auto db = openDb(dir.filePath(QStringLiteral("a.sqlite")));
    QVERIFY(db);
    Status fromOther;
    std::thread([&] { fromOther = db->exec("DELETE FROM things"); }).join();
    QCOMPARE(fromOther.code(), StatusCode::FailedPrecondition);
    QVERIFY(fromOther.message().find("thread") != std::string::npos);
    QVERIFY(db->exec("DELETE FROM things").isOk());
  }
};

QTEST_GUILESS_MAIN(TstSqliteDb)
#include "tst_sqlitedb.moc"
