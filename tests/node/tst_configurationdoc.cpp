// docs/configuration.md against the code, both ways: every flag of lmfrontd (nodeFlags()) is in
// the doc's flag table with its value name, config key and default, and every row of that table is
// a flag; every key the config readers know is in the doc's key table, and every row there is a
// key. A flag's config key must be a key the readers know.
#include "node/nodeconfig.h"

#include <QFile>
#include <QtTest>
#include <map>

using namespace lmfront;

namespace {

// The rows of the first markdown table under the heading `heading`, as trimmed cells.
std::vector<QStringList> tableUnder(const QString &doc, const QString &heading) {
  std::vector<QStringList> rows;
  bool inSection = false, inTable = false;
  for (const QString &line : doc.split(u'\n')) {
    if (line.startsWith(u"## ")) {
      if (inSection) break;
      inSection = line == heading;
      continue;
    }
    if (!inSection) continue;
    if (!line.startsWith(u'|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    QStringList cells = line.mid(1, line.size() - (line.endsWith(u'|') ? 2 : 1)).split(u'|');
    for (QString &c : cells) c = c.trimmed();
    if (cells.value(0) == u"---" || cells.value(0) == u"flag" || cells.value(0) == u"key") continue;
    rows.push_back(cells);
  }
  return rows;
}

// "`a`, `b`" -> "a, b"; "—" -> "".
QString plain(QString cell) {
  if (cell == u"—") return {};
  return cell.remove(u'`');
}

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

}  // namespace

class TstConfigurationDoc : public QObject {
  Q_OBJECT
  QString m_doc;

private Q_SLOTS:
  void initTestCase() {
    const QString path = qEnvironmentVariable("LMFRONT_SOURCE_DIR") + QStringLiteral("/docs/configuration.md");
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    m_doc = QString::fromUtf8(file.readAll());
  }

  void everyFlagIsDocumentedAndNothingElse() {
    const auto rows = tableUnder(m_doc, u"## Flags"_qs);
    QVERIFY(rows.size() >= 5);
    std::map<QString, QStringList> documented;
    for (const QStringList &row : rows) {
      QVERIFY2(row.size() == 4, qPrintable(row.join(u" | ")));
      const QString flag = plain(row[0]);
      QVERIFY2(!documented.count(flag), qPrintable(u"documented twice: "_qs + flag));
      documented[flag] = row;
    }
    for (const config::FlagSpec &spec : node::nodeFlags()) {
      const QString synopsis = QString::fromStdString(config::flagSynopsis(spec));
      const auto row = documented.find(synopsis);
      QVERIFY2(row != documented.end(), qPrintable(synopsis + u" is not in docs/configuration.md's flag table"_qs));
      QCOMPARE(plain(row->second[1]), qs(spec.configKey));
      QCOMPARE(plain(row->second[2]), qs(spec.defaultText));
      QVERIFY2(!row->second[3].isEmpty(), qPrintable(synopsis + u" has no meaning in the doc"_qs));
      documented.erase(row);
    }
    for (const auto &[flag, row] : documented)
      QVERIFY2(false, qPrintable(u"documented but lmfrontd has no such flag: "_qs + flag));
  }

  void everyConfigKeyIsDocumentedAndNothingElse() {
    const QStringList known = node::nodeConfigKeys();
    QVERIFY(known.contains(u"listen"_qs));
    QVERIFY(known.contains(u"limits.per_model.tokens_per_minute"_qs));
    QVERIFY(known.contains(u"pools"_qs));
    QStringList documented;
    for (const QStringList &row : tableUnder(m_doc, u"## Config file keys"_qs)) {
      QVERIFY2(row.size() == 4, qPrintable(row.join(u" | ")));
      const QString key = plain(row[0]);
      QVERIFY2(!documented.contains(key), qPrintable(u"documented twice: "_qs + key));
      documented << key;
    }
    for (const QString &key : known)
      QVERIFY2(documented.contains(key), qPrintable(key + u" is not in docs/configuration.md's key table"_qs));
    for (const QString &key : documented)
      QVERIFY2(known.contains(key), qPrintable(u"documented but no reader knows the key: "_qs + key));
  }

  void everyFlagsConfigKeyExists() {
    const QStringList known = node::nodeConfigKeys();
    for (const config::FlagSpec &spec : node::nodeFlags()) {
      if (spec.configKey.empty()) continue;
      for (const QString &key : qs(spec.configKey).split(u", "_qs))
        QVERIFY2(known.contains(key), qPrintable(u"--"_qs + qs(spec.name) + u" names an unknown key "_qs + key));
    }
  }

  void usageListsEveryFlag() {
    const QString usage = node::nodeUsage();
    for (const config::FlagSpec &spec : node::nodeFlags())
      QVERIFY2(usage.contains(u"  "_qs + QString::fromStdString(config::flagSynopsis(spec)) + u"  "_qs),
               qPrintable(qs(spec.name)));
  }
};

QTEST_APPLESS_MAIN(TstConfigurationDoc)
#include "tst_configurationdoc.moc"
