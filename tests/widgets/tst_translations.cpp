// The zh_CN translation is complete: every message in the .ts is translated (placeholders kept),
// and lupdate run over the console's sources now finds no string the .ts lacks.
#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

namespace {

struct Message {
  QString context;
  QString source;
  QString comment;
  QString type;  // "", "unfinished", "obsolete", "vanished"
  QStringList translations;
  QString key() const { return context + QLatin1Char('\x1f') + source + QLatin1Char('\x1f') + comment; }
};

bool parseTs(const QByteArray &xml, QList<Message> &out, QString &error) {
  QXmlStreamReader r(xml);
  QString context;
  while (!r.atEnd()) {
    r.readNext();
    if (!r.isStartElement()) continue;
    if (r.name() == QLatin1String("name")) {
      context = r.readElementText();
    } else if (r.name() == QLatin1String("message")) {
      Message m;
      m.context = context;
      while (!(r.isEndElement() && r.name() == QLatin1String("message")) && !r.atEnd()) {
        r.readNext();
        if (!r.isStartElement()) continue;
        if (r.name() == QLatin1String("source")) {
          m.source = r.readElementText();
        } else if (r.name() == QLatin1String("comment")) {
          m.comment = r.readElementText();
        } else if (r.name() == QLatin1String("translation")) {
          m.type = r.attributes().value(QLatin1String("type")).toString();
          // Numerus messages hold <numerusform>s; plain ones hold text.
          QString text;
          while (!(r.isEndElement() && r.name() == QLatin1String("translation")) && !r.atEnd()) {
            r.readNext();
            if (r.isCharacters()) text += r.text();
            if (r.isStartElement() && r.name() == QLatin1String("numerusform")) m.translations << r.readElementText();
          }
          if (m.translations.isEmpty()) m.translations << text;
        }
      }
      out << m;
    }
  }
  if (r.hasError()) {
    error = QStringLiteral("line %1: %2").arg(r.lineNumber()).arg(r.errorString());
    return false;
  }
  return true;
}

QSet<QString> placeholders(const QString &s) {
  QSet<QString> found;
  for (qsizetype i = 0; i + 1 < s.size(); ++i)
    if (s[i] == QLatin1Char('%') && s[i + 1].isDigit()) found.insert(s.mid(i, 2));
  return found;
}

// Every problem with the translations of `messages`, one line each.
QStringList unfinished(const QList<Message> &messages) {
  QStringList problems;
  for (const Message &m : messages) {
    if (m.type == QLatin1String("obsolete") || m.type == QLatin1String("vanished")) continue;
    const QString where = m.context + QStringLiteral(": \"") + m.source + QLatin1Char('"');
    if (m.type == QLatin1String("unfinished")) problems << where + QStringLiteral(" is unfinished");
    for (const QString &t : m.translations) {
      if (t.trimmed().isEmpty())
        problems << where + QStringLiteral(" has an empty translation");
      else if (placeholders(t) != placeholders(m.source))
        problems << where + QStringLiteral(" changes the placeholders: \"") + t + QLatin1Char('"');
    }
  }
  return problems;
}

QByteArray readFile(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestTranslations : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void checkerCatchesProblems() {
    // The checker itself must be able to fail.
    const QByteArray bad = R"(<?xml version="1.0" encoding="utf-8"?><TS version="2.1" language="zh_CN">
      <context><name>C</name>
        <message><source>a %1</source><translation type="unfinished"></translation></message>
        <message><source>b</source><translation></translation></message>
        <message><source>c %1</source><translation>丙</translation></message>
        <message><source>gone</source><translation type="vanished"></translation></message>
        <message><source>ok %1</source><translation>好 %1</translation></message>
      </context></TS>)";
    QList<Message> messages;
    QString error;
    QVERIFY2(parseTs(bad, messages, error), qPrintable(error));
    QCOMPARE(messages.size(), 5);
    const QStringList problems = unfinished(messages);
    QCOMPARE(problems.size(), 4);  // a: unfinished + empty; b: empty; c: lost %1
  }

  void everyMessageIsTranslated() {
    QList<Message> messages;
    QString error;
    const QByteArray ts = readFile(QStringLiteral(LMFRONT_TS_FILE));
    QVERIFY2(!ts.isEmpty(), LMFRONT_TS_FILE " is missing or empty");
    QVERIFY2(parseTs(ts, messages, error), qPrintable(error));
    QVERIFY(messages.size() >= 20);
    const QStringList problems = unfinished(messages);
    QVERIFY2(
        problems.isEmpty(),
        qPrintable(
            QStringLiteral("%1 untranslated in %2:\n  ").arg(problems.size()).arg(QStringLiteral(LMFRONT_TS_FILE)) +
            problems.join(QStringLiteral("\n  "))));
  }

  void tsHasEveryStringOfTheSources() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString fresh = tmp.filePath(QStringLiteral("fresh_zh_CN.ts"));
    QStringList args{QStringLiteral("-silent"), QStringLiteral("-locations"), QStringLiteral("none")};
    for (const QString &inc : QStringLiteral(LMFRONT_TR_INCLUDES).split(QLatin1Char('|'), Qt::SkipEmptyParts))
      args << QStringLiteral("-I") << inc;
    args << QStringLiteral(LMFRONT_TR_DIRS).split(QLatin1Char('|'), Qt::SkipEmptyParts);
    args << QStringLiteral("-ts") << fresh;
    QProcess lupdate;
    lupdate.start(QStringLiteral(LMFRONT_LUPDATE), args);
    QVERIFY2(lupdate.waitForFinished(60000), "lupdate did not finish in 60 s");
    QVERIFY2(lupdate.exitStatus() == QProcess::NormalExit && lupdate.exitCode() == 0,
             lupdate.readAllStandardError().constData());

    QList<Message> inSources, inTs;
    QString error;
    QVERIFY2(parseTs(readFile(fresh), inSources, error), qPrintable(error));
    QVERIFY2(parseTs(readFile(QStringLiteral(LMFRONT_TS_FILE)), inTs, error), qPrintable(error));
    QVERIFY2(inSources.size() >= 20, "lupdate found suspiciously few strings: wrong source folders?");
    QSet<QString> known;
    for (const Message &m : inTs)
      if (m.type != QLatin1String("obsolete") && m.type != QLatin1String("vanished")) known.insert(m.key());
    QStringList missing;
    QSet<QString> current;
    for (const Message &m : inSources) {
      current.insert(m.key());
      if (!known.contains(m.key())) missing << m.context + QStringLiteral(": \"") + m.source + QLatin1Char('"');
    }
    QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("%1 strings are not in the .ts (run `ninja "
                                                          "update_translations`, then translate them):\n  ")
                                               .arg(missing.size()) +
                                           missing.join(QStringLiteral("\n  "))));
    for (const QString &k : std::as_const(known))
      if (!current.contains(k)) qWarning("stale entry in the .ts (no longer in the sources): %s", qPrintable(k));
  }

  void embeddedCatalogueTranslates() {
    // The .qm built from the .ts is embedded in lmfront_widgets under :/i18n.
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/lmfront_zh_CN.qm")));
    QCOMPARE(translator.translate("lmfront::widgets::OverviewPage", "Overview"), QString::fromUtf8("概览"));
  }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
