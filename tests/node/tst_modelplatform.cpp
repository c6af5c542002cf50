// The model platform of a real lmfrontd through the real `lmfront` CLI and the node's HTTP API
// (docs/models.md): a bundle submitted, validated by a job, approved by someone else (the node
// forbids self-approval), compiled by a job into a stored artifact, published; bad bundles
// refused at upload with their reason and nothing stored; an upload resumed at the offset the
// node holds; the jobs listed with their logs; gc; a mix of two published versions as a job; a
// corpus bundle trained once, by its train job, and compiled from what that job trained.
#include "../registry/bundlefixture.h"
#include "../support/daemonharness.h"

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

QStringList sortedKeys(const QJsonObject &o) {
  QStringList k = o.keys();
  k.sort();
  return k;
}

QStringList filesUnder(const QString &dir) {
  QStringList out;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) out << it.next();
  out.sort();
  return out;
}

const QByteArray kManifest = R"({"name":"tiny","description":"five sentences","owner":"alice",
  "license":"CC0-1.0","tokenizer":"default","lowercase":true,"order":3})";

}  // namespace

class TstModelPlatform : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  Daemon m_node;
  GoodBundle m_good;
  QByteArray m_alice, m_bob;

  QString data() const { return m_dir.filePath(u"data"_qs); }
  QString node() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_node.port()); }
  bool startNode() {
    return m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, data(), u"--forbid-self-approval"_qs,
                         u"--max-submission-bytes"_qs, u"2000000"_qs}) &&
           m_node.waitReady();
  }
  int cli(QStringList args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
    args << u"--node"_qs << node();
    return runCli(args, out, err, 60'000);
  }
  QJsonDocument json(QStringList args) {
    QByteArray out, err;
    const int code = cli(args << u"--json"_qs, &out, &err);
    if (code != 0) qWarning("lmfront %s: exit %d: %s", qPrintable(args.join(u' ')), code, err.constData());
    return QJsonDocument::fromJson(out);
  }
  QByteArray createKey(const QString &name) {
    QByteArray out;
    if (runCli({u"keys"_qs, u"create"_qs, u"--name"_qs, name, u"--role"_qs, u"operator"_qs, u"--data-dir"_qs, data(),
                u"--json"_qs},
               &out) != 0)
      return {};
    return QJsonDocument::fromJson(out).object()[u"key"].toString().toUtf8();
  }
  // The job's final state (bounded wait: jobs of the tiny model take milliseconds).
  QJsonObject waitForJob(qint64 id) {
    QJsonObject job;
    (void)QTest::qWaitFor(
        [&] {
          const auto reply = httpRequest(m_node.port(), "GET", "/admin/jobs/" + QByteArray::number(id));
          job = QJsonDocument::fromJson(reply.body).object();
          const QString state = job[u"state"].toString();
          return state == u"succeeded"_qs || state == u"failed"_qs || state == u"cancelled"_qs;
        },
        30'000);
    return job;
  }
  // Upload `bytes` in one PUT and complete it: the completion's reply.
  HttpReply upload(const QByteArray &bytes) {
    const auto created = httpRequest(m_node.port(), "POST", "/admin/submissions");
    if (created.status != 201) return created;
    const QByteArray id = QJsonDocument::fromJson(created.body).object()[u"id"].toString().toUtf8();
    const auto put = httpRequest(m_node.port(), "PUT", "/admin/submissions/" + id, bytes,
                                 {{"Content-Range", "bytes 0-" + QByteArray::number(bytes.size() - 1) + "/" +
                                                        QByteArray::number(bytes.size())}});
    if (put.status != 200) return put;
    return httpRequest(m_node.port(), "POST", "/admin/submissions/" + id + "/complete", {}, {}, 30'000);
  }
  QByteArray tarGz(const std::vector<TarEntry> &entries) {
    const QString path = m_dir.filePath(u"upload.tar.gz"_qs);
    if (!writeTarGz(path, entries)) return {};
    return readAll(path);
  }
  std::vector<TarEntry> goodEntries() const {
    auto entries = m_good.entries();
    entries[0].data = kManifest;
    return entries;
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_good.make(m_dir.path()));
    m_good.manifest = kManifest;
    QVERIFY(QDir().mkpath(data()));
    m_alice = createKey(u"alice"_qs);
    m_bob = createKey(u"bob"_qs);
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
    QVERIFY(startNode());
  }
  void cleanupTestCase() { m_node.stop(); }

  void theWholeLifecycleThroughTheCli() {
    const QString bundle = m_dir.filePath(u"bundle"_qs);
    QVERIFY(m_good.writeDirectory(bundle));
    const QJsonObject submitted = json({u"submit"_qs, bundle, u"--key"_qs, QString::fromLatin1(m_alice)}).object();
    QCOMPARE(sortedKeys(submitted), (QStringList{u"model"_qs, u"state"_qs, u"version"_qs}));
    QCOMPARE(submitted[u"model"].toString(), u"tiny"_qs);
    QCOMPARE(submitted[u"version"].toInt(), 1);
    QCOMPARE(submitted[u"state"].toString(), u"submitted"_qs);

    QJsonArray jobs = json({u"jobs"_qs}).array();
    QVERIFY(!jobs.isEmpty());
    QCOMPARE(jobs[0][u"kind"].toString(), u"validate"_qs);
    for (const char16_t *key :
         {u"id", u"kind", u"model", u"version", u"state", u"progress", u"created", u"started", u"finished", u"error"})
      QVERIFY2(jobs[0].toObject().contains(QString::fromUtf16(key)), qPrintable(QString::fromUtf16(key)));
    const QJsonObject validated = waitForJob(jobs[0][u"id"].toInteger());
    QCOMPARE(validated[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(validated[u"progress"].toDouble(), 1.0);
    const auto log =
        httpRequest(m_node.port(), "GET", "/admin/jobs/" + QByteArray::number(validated[u"id"].toInteger()) + "/log");
    QCOMPARE(log.status, 200);
    QVERIFY2(log.body.contains("passed dev_perplexity"), log.body.constData());

    QJsonArray versions = json({u"versions"_qs, u"tiny"_qs}).array();
    QCOMPARE(versions[0][u"state"].toString(), u"validated"_qs);
    QVERIFY(versions[0][u"dev_perplexity"].toDouble() > 1);
    QCOMPARE(versions[0][u"order"].toInt(), 3);
    QCOMPARE(versions[0][u"submitter"].toString(), u"alice"_qs);

    // The node forbids approving one's own submission.
    QByteArray out, err;
    QCOMPARE(cli({u"approve"_qs, u"tiny"_qs, u"1"_qs, u"--key"_qs, QString::fromLatin1(m_alice)}, &out, &err), 1);
    QVERIFY2(err.contains("alice"), err.constData());
    QCOMPARE(
        json({u"approve"_qs, u"tiny"_qs, u"1"_qs, u"--key"_qs, QString::fromLatin1(m_bob), u"--comment"_qs, u"fine"_qs})
            .object()[u"state"]
            .toString(),
        u"approved"_qs);

    const QJsonObject compile = json({u"compile"_qs, u"tiny"_qs, u"1"_qs}).object();
    QCOMPARE(compile[u"kind"].toString(), u"compile"_qs);
    const QJsonObject compiled = waitForJob(compile[u"id"].toInteger());
    QCOMPARE(compiled[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(json({u"versions"_qs, u"tiny"_qs}).array()[0][u"state"].toString(), u"compiled"_qs);
    QCOMPARE(json({u"publish"_qs, u"tiny"_qs, u"1"_qs}).object()[u"state"].toString(), u"published"_qs);

    // The compiled artifact is stored whole, read-only, as a compiled model file.
    bool found = false;
    for (const QString &f : filesUnder(data() + u"/artifacts/sha256"_qs)) {
      QFile file(f);
      QVERIFY(file.open(QIODevice::ReadOnly));
      if (file.read(8) == "LMFRONTB") found = true;
    }
    QVERIFY(found);

    // The local engine verb is unchanged: files in, file out.
    QCOMPARE(runCli({u"compile"_qs, m_dir.filePath(u"tiny.arpa"_qs), m_dir.filePath(u"local.lmb"_qs)}), 0);
    QVERIFY(QFile::exists(m_dir.filePath(u"local.lmb"_qs)));

    const QJsonObject gc = json({u"gc"_qs}).object();
    QCOMPARE(sortedKeys(gc), (QStringList{u"bytes"_qs, u"removed"_qs}));
    QCOMPARE(gc[u"removed"].toInt(), 0);  // the bundle and its compiled file are both needed

    const QJsonArray audit = json({u"audit"_qs, u"--model"_qs, u"tiny"_qs}).array();
    QStringList actions;
    for (const auto &row : audit) actions << row[u"action"].toString();
    for (const QString &a : {u"submit"_qs, u"validate"_qs, u"approve"_qs, u"compile"_qs, u"publish"_qs})
      QVERIFY2(actions.contains(a), qPrintable(actions.join(u',')));
  }

  void badBundlesAreRefusedWithTheirReasonAndNothingIsStored_data() {
    QTest::addColumn<QByteArray>("archive");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");
    auto entries = goodEntries();
    QTest::newRow("missing model.json") << tarGz({entries[1], entries[2]}) << 400 << u"model.json"_qs;
    auto wrongType = entries;
    wrongType[0].data = R"({"name":"tiny","description":"","owner":"a","license":"x","order":"three"})";
    QTest::newRow("wrong types") << tarGz(wrongType) << 400 << u"order: expected an integer"_qs;
    auto traversal = entries;
    traversal.push_back(file("../evil", "x"));
    QTest::newRow("path traversal") << tarGz(traversal) << 400 << u"../evil: path leaves the bundle"_qs;
    auto link = entries;
    link.push_back(lmfront::testing::symlink("extra", "/etc/passwd"));
    QTest::newRow("symlink") << tarGz(link) << 400 << u"extra: a symbolic link"_qs;
    auto bomb = entries;
    bomb[1] = file("model.arpa", QByteArray(qint64{64} << 20, '\0'));
    QTest::newRow("gzip bomb") << tarGz(bomb) << 400 << u"a compression ratio over 100:1"_qs;
    QTest::newRow("not an archive") << QByteArray("hello") << 400 << u"not a .tar.gz archive"_qs;
    QByteArray big(2'000'001, 'x');
    QTest::newRow("oversized") << big << 413 << u"exceed the limit of 2000000"_qs;
  }
  void badBundlesAreRefusedWithTheirReasonAndNothingIsStored() {
    QFETCH(QByteArray, archive);
    QFETCH(int, status);
    QFETCH(QString, reason);
    QVERIFY(!archive.isEmpty());
    const QStringList artifactsBefore = filesUnder(data() + u"/artifacts"_qs);
    const QJsonArray catalogBefore = json({u"models"_qs}).array();
    const auto reply = upload(archive);
    QCOMPARE(reply.status, status);
    const QString message = QJsonDocument::fromJson(reply.body).object()[u"error"][u"message"].toString();
    QVERIFY2(message.contains(reason), qPrintable(message));
    QVERIFY2(!message.contains(data()), qPrintable(message));  // names the bundle's entries, not the node's files
    QCOMPARE(filesUnder(data() + u"/artifacts"_qs), artifactsBefore);
    QCOMPARE(json({u"models"_qs}).array(), catalogBefore);
    if (status != 413) QCOMPARE(filesUnder(data() + u"/submissions"_qs), QStringList());
  }

  void anUploadResumesAtTheOffsetTheNodeHolds() {
    auto entries = goodEntries();
    entries[3].data = "# tiny, resumed\n";  // another archive: a new version
    const QByteArray archive = tarGz(entries);
    QVERIFY(archive.size() > 100);
    const auto created = httpRequest(m_node.port(), "POST", "/admin/submissions");
    QCOMPARE(created.status, 201);
    const QJsonObject upload = QJsonDocument::fromJson(created.body).object();
    QCOMPARE(sortedKeys(upload), (QStringList{u"id"_qs, u"max_bytes"_qs, u"offset"_qs}));
    QCOMPARE(upload[u"max_bytes"].toInteger(), 2000000);
    const QByteArray path = "/admin/submissions/" + upload[u"id"].toString().toUtf8();
    const qint64 half = archive.size() / 2, total = archive.size();
    const auto range = [&](qint64 first, qint64 last) {
      return Headers{{"Content-Range", "bytes " + QByteArray::number(first) + "-" + QByteArray::number(last) + "/" +
                                           QByteArray::number(total)}};
    };
    QCOMPARE(httpRequest(m_node.port(), "PUT", path, archive.left(half), range(0, half - 1)).status, 200);
    // A client that lost the answer sends the first half again: refused with where to resume.
    const auto again = httpRequest(m_node.port(), "PUT", path, archive.left(half), range(0, half - 1));
    QCOMPARE(again.status, 409);
    QCOMPARE(QJsonDocument::fromJson(again.body).object()[u"offset"].toInteger(), half);
    QCOMPARE(QJsonDocument::fromJson(httpRequest(m_node.port(), "GET", path).body).object()[u"offset"].toInteger(),
             half);
    // A range that does not match its body is refused before anything is written.
    QCOMPARE(httpRequest(m_node.port(), "PUT", path, archive.mid(half), range(half, total)).status, 400);
    QCOMPARE(httpRequest(m_node.port(), "PUT", path, archive.mid(half), range(half, total - 1)).status, 200);
    const auto done = httpRequest(m_node.port(), "POST", path + "/complete", {}, {}, 30'000);
    QCOMPARE(done.status, 201);
    const QJsonObject version = QJsonDocument::fromJson(done.body).object();
    QCOMPARE(version[u"version"].toInt(), 2);
    QCOMPARE(waitForJob(version[u"job"].toInteger())[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(httpRequest(m_node.port(), "GET", path).status, 404);  // gone once completed
  }

  void aCorruptArpaIsRejectedByValidationAndCollected() {
    auto entries = goodEntries();
    entries[1].data.replace("\\data\\", "\\dada\\");
    const auto reply = upload(tarGz(entries));
    QCOMPARE(reply.status, 201);
    const QJsonObject version = QJsonDocument::fromJson(reply.body).object();
    QCOMPARE(waitForJob(version[u"job"].toInteger())[u"state"].toString(), u"succeeded"_qs);
    const QJsonArray versions = json({u"versions"_qs, u"tiny"_qs}).array();
    QCOMPARE(versions.last()[u"state"].toString(), u"rejected"_qs);
    const QJsonObject last = json({u"audit"_qs, u"--model"_qs, u"tiny"_qs}).array().last().toObject();
    QCOMPARE(last[u"action"].toString(), u"reject"_qs);
    QVERIFY2(last[u"reason"].toString().contains(u"arpa"_qs), qPrintable(last[u"reason"].toString()));
    const QStringList before = filesUnder(data() + u"/artifacts/sha256"_qs);
    const QJsonObject gc = json({u"gc"_qs}).object();
    QCOMPARE(gc[u"removed"].toInt(), 1);  // the rejected bundle
    QVERIFY(gc[u"bytes"].toInteger() > 0);
    QCOMPARE(filesUnder(data() + u"/artifacts/sha256"_qs).size(), before.size() - 1);
  }

  void aMixOfPublishedVersionsIsANewVersionThatDependsOnThem() {
    // tiny v2 (the resumed upload) through review, compile and publish.
    QCOMPARE(json({u"approve"_qs, u"tiny"_qs, u"2"_qs, u"--key"_qs, QString::fromLatin1(m_bob)})
                 .object()[u"state"]
                 .toString(),
             u"approved"_qs);
    QCOMPARE(waitForJob(json({u"compile"_qs, u"tiny"_qs, u"2"_qs}).object()[u"id"].toInteger())[u"state"].toString(),
             u"succeeded"_qs);
    QCOMPARE(json({u"publish"_qs, u"tiny"_qs, u"2"_qs}).object()[u"state"].toString(), u"published"_qs);

    QByteArray out, err;
    QCOMPARE(cli({u"mix"_qs, u"tinymix"_qs, u"--from"_qs, u"tiny:1"_qs, u"--from"_qs, u"tiny:3"_qs, u"--weights"_qs,
                  u"0.5,0.5"_qs},
                 &out, &err),
             1);  // v3 was rejected
    QVERIFY2(err.contains("only published versions are mixed"), err.constData());

    const QString dev = m_dir.filePath(u"mixdev.txt"_qs);
    QVERIFY(writeAll(dev, m_good.dev));
    const QJsonObject mix =
        json({u"mix"_qs, u"tinymix"_qs, u"--from"_qs, u"tiny:1"_qs, u"--from"_qs, u"tiny:2"_qs, u"--tune"_qs, dev})
            .object();
    QCOMPARE(mix[u"kind"].toString(), u"mix"_qs);
    QCOMPARE(waitForJob(mix[u"id"].toInteger())[u"state"].toString(), u"succeeded"_qs);
    const QJsonArray jobs = json({u"jobs"_qs}).array();
    QCOMPARE(jobs[0][u"kind"].toString(), u"validate"_qs);  // the mixed version's validation, started by the mix
    QCOMPARE(jobs[0][u"model"].toString(), u"tinymix"_qs);
    QCOMPARE(waitForJob(jobs[0][u"id"].toInteger())[u"state"].toString(), u"succeeded"_qs);
    const QJsonObject mixed = json({u"versions"_qs, u"tinymix"_qs}).array()[0].toObject();
    QCOMPARE(mixed[u"state"].toString(), u"validated"_qs);
    QCOMPARE(mixed[u"depends_on"].toArray(), (QJsonArray{QJsonObject{{u"model"_qs, u"tiny"_qs}, {u"version"_qs, 1}},
                                                         QJsonObject{{u"model"_qs, u"tiny"_qs}, {u"version"_qs, 2}}}));
    QCOMPARE(cli({u"retire"_qs, u"tiny"_qs, u"1"_qs}, &out, &err), 1);  // tinymix v1 depends on it
    QVERIFY2(err.contains("depends on it"), err.constData());
  }

  void aCorpusBundleIsTrainedOnce() {
    const QByteArray manifest = R"({"name":"trained","description":"trained by the node","owner":"alice",
      "license":"CC0-1.0","lowercase":true,"order":3,"train":{"corpus":"corpus.txt","discount_fallback":true}})";
    const auto reply =
        upload(tarGz({file("model.json", manifest), file("corpus.txt", m_good.corpus), file("dev.txt", m_good.dev)}));
    QCOMPARE(reply.status, 201);
    const QJsonObject submitted = QJsonDocument::fromJson(reply.body).object();
    const QJsonObject train = waitForJob(submitted[u"job"].toInteger());
    QCOMPARE(train[u"kind"].toString(), u"train"_qs);
    QCOMPARE(train[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(json({u"approve"_qs, u"trained"_qs, u"1"_qs, u"--key"_qs, QString::fromLatin1(m_bob)})
                 .object()[u"state"]
                 .toString(),
             u"approved"_qs);
    const QJsonObject compile = waitForJob(json({u"compile"_qs, u"trained"_qs, u"1"_qs}).object()[u"id"].toInteger());
    QCOMPARE(compile[u"state"].toString(), u"succeeded"_qs);
    QCOMPARE(json({u"versions"_qs, u"trained"_qs}).array()[0][u"state"].toString(), u"compiled"_qs);

    // One training among all of the model's jobs: the train job's; compile worked from its model.
    QStringList trainings;
    for (const auto &job : json({u"jobs"_qs}).array()) {
      if (job[u"model"].toString() != u"trained"_qs) continue;
      const auto log =
          httpRequest(m_node.port(), "GET", "/admin/jobs/" + QByteArray::number(job[u"id"].toInteger()) + "/log");
      QCOMPARE(log.status, 200);
      for (const auto &line : QJsonDocument::fromJson(log.body).object()[u"lines"].toArray())
        if (line.toString().contains(u"training an order-3 model"_qs)) trainings << job[u"kind"].toString();
    }
    QCOMPARE(trainings, QStringList{u"train"_qs});
    const auto compileLog =
        httpRequest(m_node.port(), "GET", "/admin/jobs/" + QByteArray::number(compile[u"id"].toInteger()) + "/log");
    QVERIFY2(compileLog.body.contains("compiling the model its training job stored"), compileLog.body.constData());

    // The compiled file, not the trained ARPA, is what a deploy loads.
    const QString artifact = json({u"versions"_qs, u"trained"_qs}).array()[0][u"artifact_sha256"].toString();
    QFile compiled(data() + u"/artifacts/sha256/"_qs + artifact.left(2) + u'/' + artifact);
    QVERIFY2(compiled.open(QIODevice::ReadOnly), qPrintable(compiled.fileName()));
    QCOMPARE(compiled.read(8), QByteArray("LMFRONTB"));
  }
};

QTEST_GUILESS_MAIN(TstModelPlatform)
#include "tst_modelplatform.moc"
