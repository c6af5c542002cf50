// Reading submission bundles: a good bundle opens as a directory and as a .tar.gz (flat or under
// one directory) into a scratch copy that goes with the Bundle; every bad one is refused with the
// entry and the rule — bad model.json, path traversal, links, devices, duplicates, too many
// entries, oversized files, a gzip bomb stopped early — and leaves nothing on disk.
#include "bundlefixture.h"
#include "engine/trainer.h"
#include "registry/bundle.h"

#include <sys/stat.h>
#include <unistd.h>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::registry;
using lmfront::testing::file;
using lmfront::testing::TarEntry;

Q_DECLARE_METATYPE(std::vector<lmfront::testing::TarEntry>)

namespace {

QStringList leftIn(const QString &dir) {
  return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

#define VERIFY_REFUSED(result, fragment)                                                       \
  do {                                                                                         \
    QVERIFY2(!(result).isOk(), "expected a refusal");                                          \
    const QString message_ = QString::fromStdString((result).status().message());              \
    QVERIFY2(message_.contains(fragment), qPrintable(message_ + u" lacks: "_qs + (fragment))); \
  } while (false)

}  // namespace

class TstBundle : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  testing::GoodBundle m_good;
  QString work() const { return m_dir.filePath(u"work"_qs); }
  QString tarGz(const std::vector<TarEntry> &entries, const QString &name = u"b.tar.gz"_qs) {
    const QString path = m_dir.filePath(name);
    QFile::remove(path);
    return testing::writeTarGz(path, entries) ? path : QString();
  }

private Q_SLOTS:
  void initTestCase() { QVERIFY(m_good.make(m_dir.path())); }
  void cleanup() { QCOMPARE(leftIn(work()), QStringList()); }  // no test leaves anything behind

  void aDirectoryBundleOpensIntoAScratchCopy() {
    const QString src = m_dir.filePath(u"dirbundle"_qs);
    QVERIFY(m_good.writeDirectory(src));
    auto b = openBundle(src, {}, work());
    QVERIFY2(b.isOk(), b.status().message().c_str());
    QCOMPARE(b->source, u"dirbundle"_qs);
    QCOMPARE(b->manifest.name, u"tiny"_qs);
    QCOMPARE(b->manifest.owner, u"alice"_qs);
    QCOMPARE(b->manifest.license, u"CC0-1.0"_qs);
    QCOMPARE(b->manifest.order, 3);
    QCOMPARE(b->manifest.tokenizer.mode, engine::TokenizerMode::Default);
    QCOMPARE(b->manifest.dependsOn.size(), std::size_t(1));
    QCOMPARE(b->manifest.dependsOn[0].model, u"english"_qs);
    QCOMPARE(b->manifest.dependsOn[0].version, 2);
    QVERIFY(!b->needsTraining());
    QCOMPARE(b->card, QString::fromUtf8(m_good.card));
    QVERIFY(b->root.startsWith(work() + u'/'));
    QVERIFY(b->arpaPath.startsWith(b->root));
    QCOMPARE(testing::readAll(b->arpaPath), m_good.arpa);  // a copy, not the submitted file
    QCOMPARE(testing::readAll(b->devPath), m_good.dev);
    QCOMPARE(b->files.size(), std::size_t(4));
    QCOMPARE(leftIn(work()).size(), 1);
    const QString root = b->root;
    b = Status::cancelled("dropped");  // the last copy goes: its scratch directory with it
    QVERIFY(!QFileInfo::exists(root));
  }

  void aTarGzOpensFlatOrUnderOneDirectory_data() {
    QTest::addColumn<std::vector<TarEntry>>("entries");
    QTest::newRow("flat") << m_good.entries();
    std::vector<TarEntry> nested{testing::directory("tiny/")};
    for (const TarEntry &e : m_good.entries("tiny/")) nested.push_back(e);
    QTest::newRow("one directory") << nested;
    QTest::newRow("./ prefix") << m_good.entries("./");
  }
  void aTarGzOpensFlatOrUnderOneDirectory() {
    QFETCH(std::vector<TarEntry>, entries);
    auto b = openBundle(tarGz(entries), {}, work());
    QVERIFY2(b.isOk(), b.status().message().c_str());
    QCOMPARE(b->source, u"b.tar.gz"_qs);
    QCOMPARE(testing::readAll(b->arpaPath), m_good.arpa);
    QCOMPARE(b->card, QString::fromUtf8(m_good.card));
  }

  void aCorpusBundleNeedsTraining() {
    const QByteArray manifest = R"({"name":"tiny","owner":"bob","license":"MIT","order":2,"tokenizer":"whitespace",
        "train":{"corpus":"corpus.txt","discount_fallback":true,"memory_mb":64}})";
    auto b = openBundle(tarGz({file("model.json", manifest), file("corpus.txt", m_good.corpus)}), {}, work());
    QVERIFY2(b.isOk(), b.status().message().c_str());
    QVERIFY(b->needsTraining());
    QVERIFY(b->arpaPath.isEmpty());
    auto options = trainingOptions(*b, m_dir.filePath(u"out.arpa"_qs), m_dir.path());
    QVERIFY(options.isOk());
    QCOMPARE(options->count.order, 2);
    QCOMPARE(options->count.tokenizer.mode, engine::TokenizerMode::Whitespace);
    QCOMPARE(options->count.memoryBytes, std::uint64_t{64} << 20);
    QVERIFY(options->kneserNey.fallback.has_value());
    QCOMPARE(QString::fromStdString(options->textPath), b->corpusPath);
  }

  void aBadManifestNamesTheField_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    const QByteArray base = R"("name":"tiny","owner":"o","license":"l")";
    QTest::newRow("not JSON") << QByteArray("{\"name\":") << u"model.json: not JSON"_qs;
    QTest::newRow("not an object") << QByteArray("[1]") << u"model.json: expected a JSON object"_qs;
    QTest::newRow("order type") << "{" + base + R"(,"order":"three"})"
                                << uR"(model.json: order: expected an integer from 1 to 6, got "three")"_qs;
    QTest::newRow("order range") << "{" + base + R"(,"order":7})" << u"order: expected an integer from 1 to 6"_qs;
    QTest::newRow("order missing") << "{" + base + "}" << u"model.json: order: missing"_qs;
    QTest::newRow("owner missing") << QByteArray(R"({"name":"tiny","license":"l","order":3})")
                                   << u"model.json: owner: missing"_qs;
    QTest::newRow("name upper case") << QByteArray(R"({"name":"Tiny","owner":"o","license":"l","order":3})")
                                     << u"name: expected a model name"_qs;
    QTest::newRow("lowercase type") << "{" + base + R"(,"order":3,"lowercase":"yes"})"
                                    << u"lowercase: expected true or false"_qs;
    QTest::newRow("tokenizer value") << "{" + base + R"(,"order":3,"tokenizer":"bpe"})"
                                     << uR"(tokenizer: expected "default" or "whitespace")"_qs;
    QTest::newRow("unknown field") << "{" + base + R"(,"order":3,"version":4})" << u"unknown key 'version'"_qs;
    QTest::newRow("dependency version") << "{" + base + R"(,"order":3,"depends_on":[{"model":"a","version":"2"}]})"
                                        << u"depends_on[0].version: expected an integer"_qs;
    QTest::newRow("dependency unknown key")
        << "{" + base + R"(,"order":3,"depends_on":[{"model":"a","version":2,"x":1}]})"
        << u"depends_on[0]: unknown key 'x'"_qs;
    QTest::newRow("train unknown key") << "{" + base + R"(,"order":3,"train":{"corpus":"c.txt","epochs":3}})"
                                       << u"train: unknown key 'epochs'"_qs;
    QTest::newRow("train corpus name") << "{" + base + R"(,"order":3,"train":{"corpus":"../c.txt"}})"
                                       << u"train.corpus: expected a file name of the bundle"_qs;
  }
  void aBadManifestNamesTheField() {
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    auto b = openBundle(tarGz({file("model.json", json), file("model.arpa", m_good.arpa)}), {}, work());
    QCOMPARE(b.status().code(), StatusCode::InvalidArgument);
    VERIFY_REFUSED(b, u"b.tar.gz: "_qs);
    VERIFY_REFUSED(b, expected);
  }

  void aBadArchiveIsRefusedWithEntryAndRule_data() {
    QTest::addColumn<std::vector<TarEntry>>("entries");
    QTest::addColumn<QString>("expected");
    const auto good = m_good.entries();
    auto with = [&](TarEntry extra) {
      auto e = good;
      e.push_back(std::move(extra));
      return e;
    };
    QTest::newRow("no model.json") << std::vector<TarEntry>{file("model.arpa", m_good.arpa)}
                                   << u"b.tar.gz: model.json: missing"_qs;
    QTest::newRow("no model") << std::vector<TarEntry>{file("model.json", m_good.manifest)}
                              << u"model.arpa: missing"_qs;
    QTest::newRow("dot-dot") << with(file("../x", "evil")) << uR"(../x: path leaves the bundle (a ".." component))"_qs;
    QTest::newRow("dot-dot inside") << with(file("a/../../x", "evil")) << u"a/../../x: path leaves the bundle"_qs;
    QTest::newRow("absolute") << with(file("/etc/x", "evil")) << u"/etc/x: an absolute path"_qs;
    QTest::newRow("symlink") << with(testing::symlink("notes", "/etc/passwd")) << u"notes: a symbolic link"_qs;
    QTest::newRow("hard link") << with(testing::hardLink("notes", "/etc/passwd"))
                               << u"notes: a hard link (to /etc/passwd)"_qs;
    QTest::newRow("fifo") << with(testing::special("pipe", AE_IFIFO)) << u"pipe: a fifo"_qs;
    QTest::newRow("device") << with(testing::special("dev", AE_IFCHR)) << u"dev: a character device"_qs;
    QTest::newRow("duplicate") << with(file("dev.txt", "again")) << u"dev.txt: a second entry with this name"_qs;
    QTest::newRow("nested") << with(file("a/b/c.txt", "x")) << u"a/b/c.txt: a nested directory"_qs;
    QTest::newRow("flat and nested") << with(file("sub/x.txt", "x")) << u"sub/x.txt: files both at the top level"_qs;
    QTest::newRow("long name") << with(file(QByteArray(300, 'n'), "x")) << u"a name longer than 255 bytes"_qs;
    QTest::newRow("unknown file") << with(file("notes.txt", "x")) << u"notes.txt: not part of a bundle"_qs;
    QTest::newRow("card not UTF-8") << std::vector<TarEntry>{file("model.json", m_good.manifest),
                                                             file("model.arpa", m_good.arpa),
                                                             file("README.md", "\xff\xfe")}
                                    << u"README.md: not UTF-8 (byte 1)"_qs;
    std::vector<TarEntry> many = good;
    for (int i = 0; i < 20; ++i) many.push_back(file("f" + QByteArray::number(i), "x"));
    QTest::newRow("too many entries") << many << u"more than 16 entries in the bundle"_qs;
    QTest::newRow("oversized model.json")
        << std::vector<TarEntry>{file("model.json", QByteArray(70 << 10, ' ')), file("model.arpa", m_good.arpa)}
        << u"model.json: 71680 bytes or more, over the limit of 65536 bytes for this file"_qs;
    QByteArray corpusManifest = m_good.manifest;
    corpusManifest.replace("\"order\":3", R"("order":3,"train":{"corpus":"c.txt"})");
    QTest::newRow("arpa and corpus") << std::vector<TarEntry>{file("model.json", corpusManifest),
                                                              file("model.arpa", m_good.arpa), file("c.txt", "a b")}
                                     << u"model.arpa: a bundle carries model.arpa or a corpus"_qs;
    QTest::newRow("corpus missing") << std::vector<TarEntry>{file("model.json", corpusManifest)}
                                    << u"c.txt: missing (model.json's train.corpus names it)"_qs;
  }
  void aBadArchiveIsRefusedWithEntryAndRule() {
    QFETCH(std::vector<TarEntry>, entries);
    QFETCH(QString, expected);
    auto b = openBundle(tarGz(entries), {}, work());
    QCOMPARE(b.status().code(), StatusCode::InvalidArgument);
    VERIFY_REFUSED(b, expected);
  }

  void aFileOverItsLimitIsRefusedWhileReading() {
    BundleLimits limits;
    limits.maxDevBytes = 100;
    auto dev = openBundle(tarGz(replacing(m_good.entries(), file("dev.txt", QByteArray(1000, 'a')))), limits, work());
    VERIFY_REFUSED(dev, u"dev.txt: 1000 bytes or more, over the limit of 100 bytes"_qs);

    limits = {};
    limits.maxTotalBytes = m_good.arpa.size() + 10;
    auto total = openBundle(tarGz(m_good.entries()), limits, work());
    VERIFY_REFUSED(total, u"exceed the limit of"_qs);
  }

  void aGzipBombIsStoppedEarly() {
    // 64 MiB of zeros compress about 1000:1; the limits would allow the file's size, the ratio
    // must not: reading stops a few chunks past 1 MiB.
    const qint64 size = qint64{64} << 20;
    const QString bomb =
        tarGz(replacing(m_good.entries(), file("model.arpa", QByteArray(size, '\0'))), u"bomb.tar.gz"_qs);
    QVERIFY(QFileInfo(bomb).size() < size / 100);
    auto b = openBundle(bomb, {}, work());
    VERIFY_REFUSED(b, u"bomb.tar.gz: model.arpa: a compression ratio over 100:1"_qs);
    const QRegularExpressionMatch m =
        QRegularExpression(u"stopped after (\\d+) bytes"_qs).match(QString::fromStdString(b.status().message()));
    QVERIFY(m.hasMatch());
    QVERIFY2(m.captured(1).toLongLong() < 8 << 20, qPrintable(m.captured(0)));  // never inflated to the end

    BundleLimits noRatio;
    noRatio.maxCompressionRatio = 1e9;
    noRatio.maxTotalBytes = qint64{16} << 20;
    auto total = openBundle(bomb, noRatio, work());  // the total limit alone stops it too
    VERIFY_REFUSED(total, u"model.arpa: the bundle's files exceed the limit of 16777216 bytes in all"_qs);
  }

  void aDirectoryBundleFollowsTheSameRules_data() {
    QTest::addColumn<QString>("extra");
    QTest::addColumn<QString>("expected");
    QTest::newRow("symlink") << u"symlink"_qs << u"extra: a symbolic link"_qs;
    QTest::newRow("hard link") << u"hardlink"_qs << u"extra: a hard link (the file has 2 names)"_qs;
    QTest::newRow("subdirectory") << u"dir"_qs << u"extra: a subdirectory"_qs;
    QTest::newRow("fifo") << u"fifo"_qs << u"extra: a fifo"_qs;
    QTest::newRow("unknown file") << u"file"_qs << u"extra: not part of a bundle"_qs;
  }
  void aDirectoryBundleFollowsTheSameRules() {
    QFETCH(QString, extra);
    QFETCH(QString, expected);
    QTemporaryDir src;
    QVERIFY(m_good.writeDirectory(src.path()));
    const QByteArray target = QFile::encodeName(src.filePath(u"extra"_qs));
    const QByteArray arpa = QFile::encodeName(src.filePath(u"model.arpa"_qs));
    if (extra == u"symlink") QCOMPARE(::symlink("/etc/passwd", target.constData()), 0);
    if (extra == u"hardlink") QCOMPARE(::link(arpa.constData(), target.constData()), 0);
    if (extra == u"dir") QVERIFY(QDir(src.path()).mkdir(u"extra"_qs));
    if (extra == u"fifo") QCOMPARE(::mkfifo(target.constData(), 0600), 0);
    if (extra == u"file") QVERIFY(testing::writeAll(src.filePath(u"extra"_qs), "x"));
    auto b = openBundle(src.path(), {}, work());
    QCOMPARE(b.status().code(), StatusCode::InvalidArgument);
    VERIFY_REFUSED(b, expected);
  }

  void somethingElseIsNotABundle() {
    const QString junk = m_dir.filePath(u"junk.tar.gz"_qs);
    QVERIFY(testing::writeAll(junk, "this is not an archive at all"));
    auto b = openBundle(junk, {}, work());
    VERIFY_REFUSED(b, u"junk.tar.gz: not a .tar.gz archive"_qs);
    auto missing = openBundle(m_dir.filePath(u"nothing-here"_qs), {}, work());
    QCOMPARE(missing.status().code(), StatusCode::NotFound);
  }

private:
  static std::vector<TarEntry> replacing(std::vector<TarEntry> entries, const TarEntry &replacement) {
    for (TarEntry &e : entries)
      if (e.name == replacement.name) e = replacement;
    return entries;
  }
};

QTEST_GUILESS_MAIN(TstBundle)
#include "tst_bundle.moc"
