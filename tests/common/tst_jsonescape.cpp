#include "common/jsonescape.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

class TstJsonEscape : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void escapesWhatJsonRequires() {
    QCOMPARE(lmfront::jsonString("plain"), std::string("\"plain\""));
    QCOMPARE(lmfront::jsonString("a\"b\\c"), std::string("\"a\\\"b\\\\c\""));
    QCOMPARE(lmfront::jsonString("l1\nl2\t\r"), std::string("\"l1\\nl2\\t\\r\""));
    QCOMPARE(lmfront::jsonString(std::string_view("\x01", 1)), std::string("\"\\u0001\""));
    QCOMPARE(lmfront::jsonString(std::string_view("\0", 1)), std::string("\"\\u0000\""));
  }
  void keepsValidUtf8() { QCOMPARE(lmfront::jsonString("人生 ok é 😀"), std::string("\"人生 ok é 😀\"")); }
  void replacesInvalidUtf8() {
    // Lone continuation byte, overlong '/', a surrogate, and a truncated sequence.
    for (std::string bad :
         {std::string("\x80"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("ab\xE4\xBA")}) {
      const std::string json = "{\"k\":" + lmfront::jsonString(bad) + "}";
      QJsonParseError error{};
      const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
      QCOMPARE(error.error, QJsonParseError::NoError);
      QVERIFY(doc.object()[u"k"].toString().contains(QChar(0xFFFD)));
    }
  }
  void roundTripsThroughAParser() {
    const std::string tricky = "quote\" slash\\ nl\n tab\t bell\x07 中文";
    const std::string json = "{\"k\":" + lmfront::jsonString(tricky) + "}";
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json));
    QCOMPARE(doc.object()[u"k"].toString(), QString::fromStdString(tricky));
  }
};

QTEST_APPLESS_MAIN(TstJsonEscape)
#include "tst_jsonescape.moc"
