// The catalog scan and NAME.json manifests: parsed once into typed fields, strict (a wrong or
// unknown field is an error naming the file and the field), defaults without a manifest, a
// --model entry winning over a data-dir model of the same name, and a broken data-dir manifest
// kept on its entry rather than stopping the scan.
#include "registry/catalog.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace lmfront;
using namespace lmfront::registry;

namespace {
bool writeFile(const QString &path, const QByteArray &bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}
const CatalogEntry *find(const std::vector<CatalogEntry> &entries, const QString &name) {
  for (const auto &e : entries)
    if (e.name == name) return &e;
  return nullptr;
}
}  // namespace

class TstCatalog : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void aFullManifestIsTyped() {
    const QByteArray json = R"({"name":"english","description":"Fortunes","source":"fortunes 1:1.99",
        "order":2,"counts":[10,20],"file":"english.lmb","bytes":1234,
        "sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "created":"2026-01-02T03:04:05Z","tokenizer":"whitespace","lowercase":false})";
    auto m = parseManifest(json, u"models/english.json"_qs, u"english"_qs);
    QVERIFY2(m.isOk(), m.status().message().c_str());
    QCOMPARE(m->description, u"Fortunes"_qs);
    QCOMPARE(m->source, u"fortunes 1:1.99"_qs);
    QCOMPARE(m->order, std::optional<int>(2));
    QCOMPARE(m->counts, (std::vector<std::int64_t>{10, 20}));
    QCOMPARE(m->bytes, std::optional<std::int64_t>(1234));
    QCOMPARE(m->tokenizer.mode, engine::TokenizerMode::Whitespace);
    QCOMPARE(m->tokenizer.lowercase, false);
    QCOMPARE(m->created, u"2026-01-02T03:04:05Z"_qs);
  }

  void defaultsWithoutFields() {
    auto m = parseManifest("{}", u"m.json"_qs, u"m"_qs);
    QVERIFY(m.isOk());
    QCOMPARE(m->tokenizer.mode, engine::TokenizerMode::Default);
    QCOMPARE(m->tokenizer.lowercase, true);  // how the default models are trained
    QVERIFY(m->description.isEmpty());
  }

  void aBrokenManifestNamesFileAndField_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("tokenizer") << QByteArray(R"({"tokenizer":"bpe"})")
                               << uR"(models/english.json: "tokenizer": expected "default" or "whitespace")"_qs;
    QTest::newRow("lowercase") << QByteArray(R"({"lowercase":"yes"})")
                               << uR"(models/english.json: "lowercase": expected true or false)"_qs;
    QTest::newRow("unknown") << QByteArray(R"({"descripton":"typo"})")
                             << uR"(models/english.json: "descripton": unknown field)"_qs;
    QTest::newRow("description") << QByteArray(R"({"description":3})")
                                 << uR"(models/english.json: "description": expected a string)"_qs;
    QTest::newRow("order") << QByteArray(R"({"order":2.5})")
                           << uR"(models/english.json: "order": expected an integer)"_qs;
    QTest::newRow("count") << QByteArray(R"({"counts":[1,-2]})")
                           << uR"(models/english.json: "counts[1]": expected an integer >= 0)"_qs;
    QTest::newRow("counts per order") << QByteArray(R"({"order":3,"counts":[1,2]})")
                                      << uR"(models/english.json: "counts": expected 3 entries)"_qs;
    QTest::newRow("name") << QByteArray(R"({"name":"french"})")
                          << uR"(models/english.json: "name": "french" differs from the file's name english)"_qs;
    QTest::newRow("file") << QByteArray(R"({"file":"other.lmb"})")
                          << uR"(models/english.json: "file": expected "english.lmb")"_qs;
    QTest::newRow("sha256") << QByteArray(R"({"sha256":"ABC"})")
                            << uR"(models/english.json: "sha256": expected 64 lower-case hex digits)"_qs;
    QTest::newRow("created") << QByteArray(R"({"created":"yesterday"})")
                             << uR"(models/english.json: "created": expected an ISO 8601 time)"_qs;
    QTest::newRow("not an object") << QByteArray("[1]") << uR"(models/english.json: expected a JSON object)"_qs;
    QTest::newRow("not json") << QByteArray("{\"description\":") << uR"(models/english.json: not JSON)"_qs;
  }
  void aBrokenManifestNamesFileAndField() {
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    auto m = parseManifest(json, u"models/english.json"_qs, u"english"_qs);
    QCOMPARE(m.status().code(), StatusCode::InvalidArgument);
    const QString message = QString::fromStdString(m.status().message());
    QVERIFY2(message.startsWith(expected), qPrintable(message));
  }

  void scanReadsManifestsOnceAndKeepsBrokenOnesOnTheirEntry() {
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(u"models"_qs));
    const QString models = dir.filePath(u"models"_qs);
    QVERIFY(writeFile(models + u"/english.lmb"_qs, "not read by the scan"));
    QVERIFY(writeFile(models + u"/english.json"_qs, R"({"description":"English","lowercase":false})"));
    QVERIFY(writeFile(models + u"/broken.lmb"_qs, "x"));
    QVERIFY(writeFile(models + u"/broken.json"_qs, R"({"tokenizer":"bpe"})"));
    QVERIFY(writeFile(models + u"/bare.lmb"_qs, "x"));
    QVERIFY(writeFile(models + u"/notes.txt"_qs, "ignored"));
    auto entries = scanCatalog({}, dir.path());
    QVERIFY2(entries.isOk(), entries.status().message().c_str());
    QCOMPARE(entries->size(), std::size_t(3));
    const CatalogEntry *english = find(*entries, u"english"_qs);
    QVERIFY(english && english->manifestError.isOk());
    QCOMPARE(english->manifest.description, u"English"_qs);
    QCOMPARE(english->manifest.tokenizer.lowercase, false);
    QVERIFY(!english->fromFlag);
    const CatalogEntry *broken = find(*entries, u"broken"_qs);
    QVERIFY(broken);
    QCOMPARE(broken->manifestError.code(), StatusCode::InvalidArgument);
    QCOMPARE(QString::fromStdString(broken->manifestError.message()),
             uR"(models/broken.json: "tokenizer": expected "default" or "whitespace")"_qs);
    const CatalogEntry *bare = find(*entries, u"bare"_qs);
    QVERIFY(bare && bare->manifestError.isOk());
    QCOMPARE(bare->manifest.tokenizer.lowercase, true);
  }

  void flaggedModelsWinAndMustExist() {
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(u"models"_qs));
    QVERIFY(writeFile(dir.filePath(u"models/english.lmb"_qs), "x"));
    QVERIFY(writeFile(dir.filePath(u"mine.lmb"_qs), "x"));
    auto entries = scanCatalog({{u"english"_qs, dir.filePath(u"mine.lmb"_qs)}}, dir.path());
    QVERIFY(entries.isOk());
    QCOMPARE(entries->size(), std::size_t(1));
    QVERIFY(entries->front().fromFlag);
    QCOMPARE(entries->front().path, dir.filePath(u"mine.lmb"_qs));

    auto missing = scanCatalog({{u"gone"_qs, dir.filePath(u"gone.lmb"_qs)}}, dir.path());
    QCOMPARE(missing.status().code(), StatusCode::NotFound);
    auto twice =
        scanCatalog({{u"a"_qs, dir.filePath(u"mine.lmb"_qs)}, {u"a"_qs, dir.filePath(u"mine.lmb"_qs)}}, dir.path());
    QCOMPARE(twice.status().code(), StatusCode::AlreadyExists);

    // A --model's broken manifest stops the scan: the node must not start without that model.
    QVERIFY(writeFile(dir.filePath(u"mine.json"_qs), R"({"lowercase":1})"));
    auto broken = scanCatalog({{u"english"_qs, dir.filePath(u"mine.lmb"_qs)}}, dir.path());
    QCOMPARE(broken.status().code(), StatusCode::InvalidArgument);
    const std::string &m = broken.status().message();
    QVERIFY2(m.find("mine.json: \"lowercase\": expected true or false") != std::string::npos, m.c_str());
  }
};

QTEST_GUILESS_MAIN(TstCatalog)
#include "tst_catalog.moc"
