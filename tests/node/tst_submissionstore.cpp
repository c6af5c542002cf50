// The node's resumable uploads on real files (node/submissionstore.h): appends only at the
// current offset, the size limit checked before anything is written, a bad bundle leaving
// nothing behind, and expiry judged by an injected clock.
#include "node/submissionstore.h"
#include "registry/artifactstore.h"

#include <QDateTime>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::node;

class TstSubmissionStore : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  qint64 m_nowMs = 0;

  // Each test its own uploads directory; the artifacts are shared.
  std::shared_ptr<SubmissionStore> open(const QString &uploads) {
    SubmissionOptions options;
    options.maxBytes = 100;
    options.expiryMs = 60'000;
    auto store = SubmissionStore::open(m_dir.filePath(uploads), m_dir.filePath(u"artifacts"_qs), options,
                                       [this] { return m_nowMs; });
    return store ? *store : nullptr;
  }

private Q_SLOTS:
  void appendsOnlyAtTheCurrentOffsetAndWithinTheLimit() {
    auto store = open(u"appends"_qs);
    QVERIFY(store);
    m_nowMs = QDateTime::currentMSecsSinceEpoch();
    auto upload = store->create();
    QVERIFY(upload);
    QCOMPARE(upload->id.size(), std::size_t{32});
    QCOMPARE(*store->append(upload->id, 0, 10, "hello"), qint64{5});
    const auto twice = store->append(upload->id, 0, 10, "hello");
    QCOMPARE(twice.status().code(), StatusCode::FailedPrecondition);
    QCOMPARE(*store->offset(upload->id), qint64{5});
    QCOMPARE(store->append(upload->id, 5, 101, "x").status().code(), StatusCode::ResourceExhausted);
    QCOMPARE(store->append(upload->id, 5, std::nullopt, std::string(96, 'x')).status().code(),
             StatusCode::ResourceExhausted);
    QCOMPARE(*store->offset(upload->id), qint64{5});  // nothing written by a refusal
    QCOMPARE(store->offset("../../etc/passwd").status().code(), StatusCode::NotFound);
  }

  void aBadBundleLeavesNothingBehind() {
    auto store = open(u"bad"_qs);
    auto upload = store->create();
    QVERIFY(upload);
    QVERIFY(store->append(upload->id, 0, std::nullopt, "not an archive"));
    const auto done = store->complete(upload->id);
    QCOMPARE(done.status().code(), StatusCode::InvalidArgument);
    QVERIFY2(!QString::fromStdString(done.status().message()).contains(m_dir.path()), done.status().message().c_str());
    QCOMPARE(store->offset(upload->id).status().code(), StatusCode::NotFound);
    QCOMPARE(QDir(m_dir.filePath(u"bad"_qs)).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).size(), 0);
    auto artifacts = registry::ArtifactStore::open(m_dir.filePath(u"artifacts"_qs).toStdString());
    QVERIFY(artifacts);
    QVERIFY((*artifacts)->list()->empty());
  }

  void anAbandonedUploadExpires() {
    auto store = open(u"expiry"_qs);
    m_nowMs = QDateTime::currentMSecsSinceEpoch();
    auto kept = store->create();
    QVERIFY(kept);
    QCOMPARE(store->expire(), 0);
    m_nowMs += 61'000;  // past the expiry: the next create sweeps it
    QVERIFY(store->create());
    QCOMPARE(store->offset(kept->id).status().code(), StatusCode::NotFound);
  }
};

QTEST_GUILESS_MAIN(TstSubmissionStore)
#include "tst_submissionstore.moc"
