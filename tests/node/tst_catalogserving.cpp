// What is served, black-box through the real lmfrontd: a data dir with one good model, one
// corrupt model file and one model whose manifest is broken. The good one serves; the other two
// are named with their reasons in /readyz, counted in /metrics and reported as events (lmfrontd's
// event sink writes them to stderr), never silently skipped. PUT /admin/pools goes through the
// same door: a pool over the failed model is refused, one over the good model is served.
#include "../support/daemonharness.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace lmfront::testing;

namespace {
bool writeFile(const QString &path, const QByteArray &bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}
QJsonObject json(const HttpReply &r) { return QJsonDocument::fromJson(r.body).object(); }
}  // namespace

class TstCatalogServing : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  Daemon m_node;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    const QString models = m_dir.filePath(u"data/models"_qs);
    QVERIFY(QDir().mkpath(models));
    const QString good = buildFortunesModel(m_dir.path(), u"good"_qs, 800);
    QVERIFY(!good.isEmpty());
    QVERIFY(QFile::copy(good, models + u"/good.lmb"_qs));
    QVERIFY(writeFile(models + u"/good.json"_qs, R"({"description":"fortunes","tokenizer":"default"})"));
    // Same bytes as the good model; only its manifest is wrong.
    QVERIFY(QFile::copy(good, models + u"/broken.lmb"_qs));
    QVERIFY(writeFile(models + u"/broken.json"_qs, R"({"tokenizer":"bpe"})"));
    // A model file cut short: its header promises more than is there.
    QFile whole(good);
    QVERIFY(whole.open(QIODevice::ReadOnly));
    QVERIFY(writeFile(models + u"/corrupt.lmb"_qs, whole.read(whole.size() / 2)));

    QVERIFY(m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.filePath(u"data"_qs)}));
    QVERIFY(m_node.waitReady());
  }
  void cleanupTestCase() { m_node.stop(); }

  void theGoodModelServes() {
    const HttpReply models = httpRequest(m_node.port(), "GET", "/v1/models");
    QCOMPARE(models.status, 200);
    QStringList ids;
    for (const auto &m : json(models).value(u"data").toArray()) ids << m.toObject().value(u"id").toString();
    QCOMPARE(ids, QStringList{u"good"_qs});
    const HttpReply completion =
        httpRequest(m_node.port(), "POST", "/v1/completions", R"({"model":"good","prompt":"the","max_tokens":3})");
    QCOMPARE(completion.status, 200);
  }

  void readyzNamesEachFailedModelWithItsReason() {
    const HttpReply ready = httpRequest(m_node.port(), "GET", "/readyz");
    QCOMPARE(ready.status, 200);  // the others serve: the node stays in rotation
    const QJsonArray failed = json(ready).value(u"models_failed").toArray();
    QCOMPARE(failed.size(), 2);
    QMap<QString, QString> reasons;
    for (const auto &f : failed)
      reasons[f.toObject().value(u"model").toString()] = f.toObject().value(u"reason").toString();
    QVERIFY2(reasons.value(u"broken"_qs)
                 .contains(uR"(models/broken.json: "tokenizer": expected "default" or "whitespace")"_qs),
             qPrintable(reasons.value(u"broken"_qs)));
    QVERIFY2(reasons.value(u"corrupt"_qs).contains(u"corrupt.lmb"_qs), qPrintable(reasons.value(u"corrupt"_qs)));
    QCOMPARE(json(httpRequest(m_node.port(), "GET", "/healthz")).value(u"models_loading").toInt(), 0);
  }

  void metricsCountFailuresAndLoadedModels() {
    const HttpReply metrics = httpRequest(m_node.port(), "GET", "/metrics");
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.body.contains("lmfront_model_load_failures_total{model=\"corrupt\"} 1\n"),
             metrics.body.constData());
    QVERIFY(metrics.body.contains("lmfront_model_load_failures_total{model=\"broken\"} 1\n"));
    QVERIFY(!metrics.body.contains("lmfront_model_load_failures_total{model=\"good\"}"));
    QVERIFY(metrics.body.contains("lmfront_models_loaded 1\n"));
  }

  void theEventSinkHeardEachFailure() {
    // The events were written before /readyz turned 200; the pipe may still hold them.
    QString events;
    auto heard = [&](const QString &model) {
      for (const QString &line : events.split(u'\n'))
        if (line.contains(u"[catalog]"_qs) && line.contains(u"model=%1"_qs.arg(model))) return true;
      return false;
    };
    for (QDeadlineTimer deadline(5000); !deadline.hasExpired(); QTest::qWait(20)) {
      events += QString::fromUtf8(m_node.takeStderr());
      if (heard(u"broken"_qs) && heard(u"corrupt"_qs)) break;
    }
    QVERIFY2(heard(u"broken"_qs), qPrintable(events));
    QVERIFY2(heard(u"corrupt"_qs), qPrintable(events));
  }

  void adminPoolsGoThroughTheSameDoor() {
    const HttpReply refused = httpRequest(m_node.port(), "PUT", "/admin/pools",
                                          R"({"both":{"backends":[{"engine":"good"},{"engine":"corrupt"}]}})");
    QCOMPARE(refused.status, 400);
    QVERIFY2(refused.body.contains("no loaded model 'corrupt'"), refused.body.constData());
    QCOMPARE(httpRequest(m_node.port(), "GET", "/v1/models").body.count("\"id\""), 1);  // nothing changed

    const HttpReply accepted =
        httpRequest(m_node.port(), "PUT", "/admin/pools", R"({"twice":{"backends":[{"engine":"good"}]}})");
    QCOMPARE(accepted.status, 200);
    QCOMPARE(json(accepted).value(u"models").toArray(), (QJsonArray{u"good"_qs, u"twice"_qs}));
    QCOMPARE(httpRequest(m_node.port(), "POST", "/v1/completions", R"({"model":"twice","prompt":"the","max_tokens":2})")
                 .status,
             200);
  }
};

QTEST_GUILESS_MAIN(TstCatalogServing)
#include "tst_catalogserving.moc"
