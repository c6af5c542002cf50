// kill -9 of a real lmfrontd in the middle of the model platform's work, then a restart on the
// same data dir (docs/models.md, "Jobs"): an upload resumes at the offset the node acknowledged;
// a training job and a compile job interrupted are reported failed ("interrupted by a restart")
// and leave the version as it was; a publish is all or nothing. After each restart: no temporary
// artifact is left, every stored artifact's name is the sha256 of its bytes, and the node's
// working files are gone.
#include "../registry/bundlefixture.h"
#include "../support/daemonharness.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront::testing;

namespace {

const QByteArray kTrainedManifest = R"({"name":"big","description":"trained by the node","owner":"alice",
  "license":"CC0-1.0","order":3,"train":{"corpus":"corpus.txt","discount_fallback":true}})";

}  // namespace

class TstPlatformCrash : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  Daemon m_node;
  QString m_bigBundle;

  QString data() const { return m_dir.filePath(u"data"_qs); }
  QString node() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_node.port()); }
  bool startNode() {
    return m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, data()}) && m_node.waitReady();
  }
  void killNode() {
    m_node.process().kill();  // SIGKILL
    m_node.process().waitForFinished(10'000);
  }
  QJsonDocument json(QStringList args) {
    QByteArray out, err;
    args << u"--node"_qs << node() << u"--json"_qs;
    const int code = runCli(args, &out, &err, 120'000);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }
  QJsonObject job(qint64 id) {
    return QJsonDocument::fromJson(httpRequest(m_node.port(), "GET", "/admin/jobs/" + QByteArray::number(id)).body)
        .object();
  }
  bool waitForState(qint64 id, const QString &state, int timeoutMs) {
    return QTest::qWaitFor([&] { return job(id)[u"state"].toString() == state; }, timeoutMs);
  }
  QString versionState(const QString &model, int version) {
    for (const auto &v : json({u"versions"_qs, model}).array())
      if (v[u"version"].toInt() == version) return v[u"state"].toString();
    return {};
  }
  // What must hold after any crash and restart.
  void verifyStore() {
    QCOMPARE(QDir(data() + u"/artifacts/incoming"_qs).entryList(QDir::Files), QStringList());
    QDirIterator it(data() + u"/artifacts/sha256"_qs, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
      QFile f(it.next());
      QVERIFY(f.open(QIODevice::ReadOnly));
      QCryptographicHash hash(QCryptographicHash::Sha256);
      QVERIFY(hash.addData(&f));
      QCOMPARE(QString::fromLatin1(hash.result().toHex()), QFileInfo(f).fileName());
    }
    QCOMPARE(QDir(data() + u"/jobs"_qs).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(QDir().mkpath(data()));
    const QString dir = m_dir.filePath(u"big"_qs);
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(writeAll(dir + u"/model.json"_qs, kTrainedManifest));
    QVERIFY(writeAll(dir + u"/corpus.txt"_qs, bigCorpus()));
    m_bigBundle = m_dir.filePath(u"big.tar.gz"_qs);
    QVERIFY(writeTarGz(m_bigBundle, {file("model.json", kTrainedManifest), file("corpus.txt", bigCorpus())}));
    QVERIFY(startNode());
  }
  void cleanupTestCase() { m_node.stop(); }

  void anUploadResumesAfterTheNodeWasKilled() {
    const QByteArray archive = readAll(m_bigBundle);
    const qint64 total = archive.size(), half = total / 2;
    const auto created = httpRequest(m_node.port(), "POST", "/admin/submissions");
    QCOMPARE(created.status, 201);
    const QByteArray path = "/admin/submissions/" + QJsonDocument::fromJson(created.body)[u"id"].toString().toUtf8();
    const auto range = [&](qint64 first, qint64 last) {
      return Headers{{"Content-Range", "bytes " + QByteArray::number(first) + "-" + QByteArray::number(last) + "/" +
                                           QByteArray::number(total)}};
    };
    QCOMPARE(httpRequest(m_node.port(), "PUT", path, archive.left(half), range(0, half - 1)).status, 200);
    killNode();
    QVERIFY(startNode());
    QCOMPARE(QJsonDocument::fromJson(httpRequest(m_node.port(), "GET", path).body)[u"offset"].toInteger(), half);
    QCOMPARE(httpRequest(m_node.port(), "PUT", path, archive.mid(half), range(half, total - 1)).status, 200);
    const auto done = httpRequest(m_node.port(), "POST", path + "/complete", {}, {}, 60'000);
    QCOMPARE(done.status, 201);
    const QJsonObject submitted = QJsonDocument::fromJson(done.body).object();
    QCOMPARE(submitted[u"model"].toString(), u"big"_qs);
    QCOMPARE(submitted[u"version"].toInt(), 1);
    QCOMPARE(job(submitted[u"job"].toInteger())[u"kind"].toString(), u"train"_qs);

    // Killed while training: the job is failed at restart, the version still submitted.
    QVERIFY(waitForState(submitted[u"job"].toInteger(), u"running"_qs, 30'000));
    killNode();
    QVERIFY(startNode());
    const QJsonObject interrupted = job(submitted[u"job"].toInteger());
    QCOMPARE(interrupted[u"state"].toString(), u"failed"_qs);
    QCOMPARE(interrupted[u"error"].toString(), u"interrupted by a restart"_qs);
    QCOMPARE(versionState(u"big"_qs, 1), u"submitted"_qs);
    verifyStore();
  }

  void aCompileKilledIsFailedAndAPublishIsAllOrNothing() {
    // Validation again, this time to the end.
    const QJsonObject validation = json({u"validate"_qs, u"big"_qs, u"1"_qs}).object();
    QCOMPARE(validation[u"kind"].toString(), u"validate"_qs);
    QVERIFY(waitForState(validation[u"id"].toInteger(), u"succeeded"_qs, 180'000));
    QCOMPARE(versionState(u"big"_qs, 1), u"validated"_qs);
    QCOMPARE(json({u"approve"_qs, u"big"_qs, u"1"_qs}).object()[u"state"].toString(), u"approved"_qs);

    const QJsonObject compile = json({u"compile"_qs, u"big"_qs, u"1"_qs}).object();
    QVERIFY(waitForState(compile[u"id"].toInteger(), u"running"_qs, 30'000));
    killNode();
    QVERIFY(startNode());
    QCOMPARE(job(compile[u"id"].toInteger())[u"state"].toString(), u"failed"_qs);
    QCOMPARE(versionState(u"big"_qs, 1), u"approved"_qs);
    verifyStore();

    const QJsonObject again = json({u"compile"_qs, u"big"_qs, u"1"_qs}).object();
    QVERIFY(waitForState(again[u"id"].toInteger(), u"succeeded"_qs, 180'000));
    QCOMPARE(versionState(u"big"_qs, 1), u"compiled"_qs);

    // Killed right after the publish request went out: compiled or published, and the audit agrees.
    const auto sent = httpRequest(m_node.port(), "POST", "/admin/catalog/big/versions/1/publish", {}, {}, 1);
    Q_UNUSED(sent);
    killNode();
    QVERIFY(startNode());
    const QString state = versionState(u"big"_qs, 1);
    QVERIFY2(state == u"compiled"_qs || state == u"published"_qs, qPrintable(state));
    bool audited = false;
    for (const auto &row : json({u"audit"_qs, u"--model"_qs, u"big"_qs}).array())
      if (row[u"action"].toString() == u"publish"_qs && row[u"outcome"].toString() == u"ok"_qs) audited = true;
    QCOMPARE(audited, state == u"published"_qs);
    verifyStore();
  }
};

QTEST_GUILESS_MAIN(TstPlatformCrash)
#include "tst_platformcrash.moc"
