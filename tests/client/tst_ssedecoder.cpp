// SseDecoder: the event-stream format over every way a network can split it.
#include "client/ssedecoder.h"

#include <QTest>

using lmfront::client::SseDecoder;
using lmfront::client::SseEvent;

namespace {

SseEvent ev(QByteArray data, QByteArray type = "message", QByteArray id = {}) {
  return {std::move(type), std::move(data), std::move(id)};
}

QList<SseEvent> decodeWhole(const QByteArray &stream) {
  SseDecoder d;
  d.feed(stream);
  return d.takeEvents();
}

// The same stream fed as a list of chunks.
QList<SseEvent> decodeChunks(const QList<QByteArray> &chunks) {
  SseDecoder d;
  QList<SseEvent> events;
  for (const QByteArray &c : chunks) {
    d.feed(c);
    events += d.takeEvents();
  }
  return events;
}

}  // namespace

class TestSseDecoder : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void decodesOpenAiStyleStream() {
    const QByteArray s = "data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n";
    QCOMPARE(decodeWhole(s), QList<SseEvent>({ev("{\"a\":1}"), ev("{\"b\":2}"), ev("[DONE]")}));
  }

  void everySplitGivesTheSameEvents_data() {
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("events");
    QTest::newRow("lf") << QByteArray("data: one\n\ndata: two\ndata: lines\n\n: keep-alive\n\ndata: [DONE]\n\n") << 3;
    QTest::newRow("crlf") << QByteArray("data: one\r\n\r\ndata: two\r\ndata: lines\r\n\r\ndata: [DONE]\r\n\r\n") << 3;
    QTest::newRow("cr") << QByteArray("data: one\r\rdata: two\rdata: lines\r\rdata: [DONE]\r\r") << 3;
    QTest::newRow("mixed") << QByteArray("data: one\r\n\ndata: two\rdata: lines\n\r\ndata: [DONE]\n\r") << 3;
    QTest::newRow("bom+fields") << QByteArray("\xEF\xBB\xBFid: 7\nevent: tick\ndata:x\nretry: 500\n\ndata\n\n") << 2;
    QTest::newRow("utf8") << QByteArray("data: {\"text\":\"\xE4\xBD\xA0\xE5\xA5\xBD\"}\r\n\r\n") << 1;
  }
  void everySplitGivesTheSameEvents() {
    QFETCH(QByteArray, stream);
    QFETCH(int, events);
    const QList<SseEvent> whole = decodeWhole(stream);
    QCOMPARE(whole.size(), events);
    for (qsizetype cut = 0; cut <= stream.size(); ++cut)
      QVERIFY2(decodeChunks({stream.left(cut), stream.mid(cut)}) == whole, qPrintable(QString::number(cut)));
    for (qsizetype a = 1; a < stream.size(); ++a)
      for (qsizetype b = a; b < stream.size(); ++b)
        QVERIFY(decodeChunks({stream.left(a), stream.mid(a, b - a), stream.mid(b)}) == whole);
    QList<QByteArray> bytes;
    for (char c : stream) bytes.append(QByteArray(1, c));
    QCOMPARE(decodeChunks(bytes), whole);
  }

  void multiLineDataJoinsWithLf() {
    QCOMPARE(decodeWhole("data: a\ndata: b\ndata:\ndata:  c\n\n"), QList<SseEvent>({ev("a\nb\n\n c")}));
  }

  void commentsAndUnknownFieldsAreIgnored() {
    QCOMPARE(decodeWhole(": hello\nfoo: bar\ndata: x\n: between\n\n:only a comment\n\n"), QList<SseEvent>({ev("x")}));
  }

  void fieldsAreKept() {
    SseDecoder d;
    d.feed("\xEF\xBB\xBFid: 7\nevent: tick\ndata:x\nretry: 500\n\ndata: y\n\nretry: 12x\n\n");
    QCOMPARE(d.takeEvents(), QList<SseEvent>({ev("x", "tick", "7"), ev("y", "message", "7")}));
    QCOMPARE(d.retryMs(), 500);  // "12x" is not a number: ignored
    QVERIFY(d.takeEvents().isEmpty());
  }

  void eventWithoutDataIsNotDispatched() { QVERIFY(decodeWhole("event: ping\n\nid: 3\n\n\n\n").isEmpty()); }

  void unterminatedEventIsHeldBack() {
    SseDecoder d;
    d.feed("data: partial\n");
    QVERIFY(d.takeEvents().isEmpty());
    d.feed("\n");
    QCOMPARE(d.takeEvents(), QList<SseEvent>({ev("partial")}));
  }

  void doneIsJustData() {
    // [DONE] is OpenAI's convention on top of SSE, not part of it: the decoder hands it over.
    QCOMPARE(decodeWhole("data: [DONE]\n\n").value(0).data, QByteArray("[DONE]"));
  }

  void bomOnlyAtStart() {
    QCOMPARE(decodeWhole("data: \xEF\xBB\xBFx\n\n").value(0).data, QByteArray("\xEF\xBB\xBFx"));
    QCOMPARE(decodeWhole("\xEF\xBB\xBF").size(), 0);
    QCOMPARE(decodeWhole("\xEF\xBB").size(), 0);
    QCOMPARE(decodeChunks({"\xEF", "\xBB", "\xBF", "data: x\n\n"}), QList<SseEvent>({ev("x")}));
    QCOMPARE(decodeChunks({"\xEF", "dat", "a: x\n\n"}).size(), 0);  // "\xEF" starts a field name
  }

  void overlongLineIsAnError() {
    SseDecoder d(16);
    QVERIFY(d.feed("data: short\n\n"));
    QVERIFY(d.feed("data: 0123456"));
    QVERIFY(!d.feed("789abcdef"));
    QVERIFY(d.hasError());
    QVERIFY(d.errorString().contains(QStringLiteral("16")));
    QVERIFY(!d.feed("\n\n"));  // sticky
    QCOMPARE(d.takeEvents(), QList<SseEvent>({ev("short")}));
    d.reset();
    QVERIFY(!d.hasError());
    QVERIFY(d.feed("data: ok\n\n"));
    QCOMPARE(d.takeEvents().size(), 1);
  }

  void manySmallEventsInOneChunk() {
    QByteArray s;
    for (int i = 0; i < 1000; ++i) s += "data: " + QByteArray::number(i) + "\n\n";
    const QList<SseEvent> events = decodeWhole(s);
    QCOMPARE(events.size(), 1000);
    QCOMPARE(events.last().data, QByteArray("999"));
  }
};

QTEST_APPLESS_MAIN(TestSseDecoder)
#include "tst_ssedecoder.moc"
