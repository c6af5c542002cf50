// Black-box: per-model engine slots on a real lmfrontd serving two models. Model "a" is flooded
// with long generations beyond its one slot and its queue: the overflow is refused with 503
// "overloaded" and counted, never more than one of its requests runs at once, and model "b" is
// answered while a's queue is still full of waiting requests — it did not wait behind them.
// A bad slots value in the config file is refused naming the key.
#include "../support/daemonharness.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>
#include <vector>

using namespace lmfront::testing;

namespace {

constexpr int kFlood = 72;       // 1 running + 64 queued (the queue's default) + the overflow
constexpr int kQueueLimit = 64;  // docs/pools.md

// One series of the node's /metrics; -1 when absent.
double metric(quint16 port, const QByteArray &series) {
  const QByteArray text = httpRequest(port, "GET", "/metrics").body;
  const QByteArray prefix = series + ' ';
  for (const QByteArray &line : text.split('\n'))
    if (line.startsWith(prefix)) return line.mid(prefix.size()).toDouble();
  return -1;
}

// Sum of lmfront_requests_total over every backend label for `model` and `code`.
double requests(quint16 port, const QByteArray &model, const QByteArray &code) {
  double sum = 0;
  const QByteArray start = "lmfront_requests_total{model=\"" + model + "\",";
  const QByteArray end = "code=\"" + code + "\"}";
  for (const QByteArray &line : httpRequest(port, "GET", "/metrics").body.split('\n')) {
    const qsizetype space = line.lastIndexOf(' ');
    if (line.startsWith(start) && space > 0 && line.left(space).endsWith(end)) sum += line.mid(space + 1).toDouble();
  }
  return sum;
}

QByteArray post(const QByteArray &body) {
  return "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

class TstModelSlots : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  QString m_model;

  QString writeConfig(const QString &name, const QByteArray &json) {
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size()) return {};
    return path;
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_model = buildFortunesModel(m_dir.path(), u"tiny"_qs);
    QVERIFY2(!m_model.isEmpty(), "could not build the test model with the lmfront CLI");
  }

  void aFloodedModelLeavesTheOtherItsThreads() {
    const QString config = writeConfig(u"slots.json"_qs, R"({"engine":{"model_slots":1,"slots":{"b":2}}})");
    Daemon node;
    QVERIFY(node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.filePath(u"flood"_qs), u"--model"_qs,
                        u"a="_qs + m_model, u"--model"_qs, u"b="_qs + m_model, u"--config"_qs, config}));
    QVERIFY(node.waitReady());
    // Unseeded (never cached) and never stopping early: tens of ms each, so a's queue takes
    // seconds to drain while b's requests take milliseconds.
    const QByteArray longA = post(R"({"model":"a","prompt":"the","max_tokens":512,"ignore_eos":true})");
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < kFlood; ++i) {
      auto socket = std::make_unique<QTcpSocket>();
      socket->connectToHost(QHostAddress::LocalHost, node.port());
      QVERIFY(socket->waitForConnected(3000));
      socket->write(longA);
      QVERIFY(socket->waitForBytesWritten(3000));
      flood.push_back(std::move(socket));
    }
    // a's queue fills up behind its one slot.
    QTRY_VERIFY_WITH_TIMEOUT(metric(node.port(), R"(lmfront_queue_depth{model="a"})") >= kQueueLimit / 2, 10000);
    QVERIFY(metric(node.port(), R"(lmfront_backend_inflight{backend="engine:a"})") <= 1);

    // b is served now, not after a's queue: when its answer is back, a still has requests waiting.
    for (int i = 0; i < 3; ++i) {
      const auto b =
          httpRequest(node.port(), "POST", "/v1/completions", R"({"model":"b","prompt":"the","max_tokens":8})");
      QCOMPARE(b.status, 200);
      QCOMPARE(b.header("x-lmfront-backend"), QByteArray("engine:b"));
      QVERIFY2(metric(node.port(), R"(lmfront_queue_depth{model="a"})") > 0,
               "b's request waited until a's queue had drained");
    }
    QVERIFY(metric(node.port(), R"(lmfront_backend_inflight{backend="engine:a"})") <= 1);

    // Every flooding request is answered: generated, refused at once when the queue was full
    // (503 overloaded), or — on a slow machine — refused after waiting the queue's 30 s (504).
    int ok = 0, overloaded = 0, timedOut = 0;
    for (auto &socket : flood) {
      const HttpReply reply = readReply(*socket, 120000);
      const QString code = QJsonDocument::fromJson(reply.body).object()[u"error"_qs].toObject()[u"code"_qs].toString();
      if (reply.status == 200) {
        ++ok;
      } else if (reply.status == 503) {
        QCOMPARE(code, u"overloaded"_qs);
        ++overloaded;
      } else {
        QCOMPARE(reply.status, 504);
        QCOMPARE(code, u"queue_timeout"_qs);
        ++timedOut;
      }
    }
    QCOMPARE(ok + overloaded + timedOut, kFlood);
    QVERIFY2(overloaded >= kFlood - 1 - kQueueLimit, qPrintable(QString::number(overloaded)));
    QVERIFY(ok >= 1);
    QTRY_COMPARE_WITH_TIMEOUT(requests(node.port(), "a", "503"), double(overloaded), 5000);
    QCOMPARE(requests(node.port(), "a", "504"), double(timedOut));
    QCOMPARE(requests(node.port(), "b", "200"), 3.0);
  }

  void badSlotsAreRefusedNamingTheKey() {
    const QString config = writeConfig(u"bad.json"_qs, R"({"engine":{"slots":{"a":0}}})");
    QProcess lmfrontd;
    lmfrontd.start(binPath(u"lmfrontd"_qs), {u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs,
                                             m_dir.filePath(u"bad"_qs), u"--config"_qs, config});
    QVERIFY(lmfrontd.waitForFinished(20000));
    QVERIFY(lmfrontd.exitCode() != 0);
    const QByteArray err = lmfrontd.readAllStandardError();
    QVERIFY2(err.contains("engine.slots.a: expected an integer from 1 to 1000, got 0"), err.constData());
  }
};

QTEST_GUILESS_MAIN(TstModelSlots)
#include "tst_modelslots.moc"
