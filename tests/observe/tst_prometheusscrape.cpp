// /metrics as the Prometheus ecosystem reads it, black-box: a real lmfrontd serving a real model
// takes traffic of every kind (completions, streams, cache hits, errors), then Debian's
// `promtool check metrics` must accept the exposition with no warning at all, and a real
// Prometheus server (127.0.0.1, temp dir) scrapes the node and answers queries over its HTTP API
// with the node's own counts.
#include "../support/daemonharness.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

using namespace lmfront::testing;

namespace {

// The value of one sample line `name{labels} value` in an exposition; -1 when absent.
double sampleValue(const QByteArray &exposition, const QByteArray &series) {
  const QByteArray prefix = QByteArray(series).append(' ');
  for (const QByteArray &line : exposition.split('\n'))
    if (line.startsWith(prefix)) return line.mid(prefix.size()).toDouble();
  return -1;
}

// Instant query; the first result's value, or NaN when Prometheus has none (yet).
double promQuery(quint16 port, const QByteArray &query) {
  const QByteArray path = "/api/v1/query?query=" + QUrl::toPercentEncoding(QString::fromUtf8(query));
  const HttpReply reply = httpRequest(port, "GET", path, {}, {{"Host", "127.0.0.1"}}, 5000);
  if (reply.status != 200) return std::nan("");
  const QJsonObject data = QJsonDocument::fromJson(reply.body).object().value(u"data").toObject();
  const QJsonArray result = data.value(u"result").toArray();
  if (result.isEmpty()) return std::nan("");
  return result.first().toObject().value(u"value").toArray().at(1).toString().toDouble();
}

}  // namespace

class TstPrometheusScrape : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  Daemon m_node;
  QByteArray m_exposition;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    const QString model = buildFortunesModel(m_dir.path(), u"fortunes"_qs, 800);
    QVERIFY(!model.isEmpty());
    QVERIFY(m_node.start({u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.filePath(u"data"_qs),
                          u"--model"_qs, u"fortunes="_qs + model}));
    QVERIFY(m_node.waitReady());
    // Every kind of answer, so every family that has samples shows them: computed, cached,
    // streamed, scored, and refused.
    const quint16 port = m_node.port();
    for (int i = 0; i < 3; ++i)
      QCOMPARE(httpRequest(port, "POST", "/v1/completions",
                           R"({"model":"fortunes","prompt":"the","max_tokens":4,"temperature":0})")
                   .status,
               200);
    QCOMPARE(httpRequest(port, "POST", "/v1/completions",
                         R"({"model":"fortunes","prompt":"a","max_tokens":4,"stream":true,"seed":7})")
                 .status,
             200);
    QCOMPARE(httpRequest(port, "POST", "/v1/chat/completions",
                         R"({"model":"fortunes","messages":[{"role":"user","content":"you"}],"max_tokens":3})")
                 .status,
             200);
    QCOMPARE(httpRequest(port, "POST", "/v1/score", R"({"model":"fortunes","text":"the cat"})").status, 200);
    QCOMPARE(httpRequest(port, "POST", "/v1/completions", R"({"model":"nope","prompt":"x"})").status, 404);
    QCOMPARE(httpRequest(port, "POST", "/v1/completions", "{not json").status, 400);
    const HttpReply metrics = httpRequest(port, "GET", "/metrics");
    QCOMPARE(metrics.status, 200);
    m_exposition = metrics.body;
  }
  void cleanupTestCase() { m_node.stop(); }

  void promtoolAcceptsTheExpositionWithoutWarnings() {
    const QString promtool = QStandardPaths::findExecutable(u"promtool"_qs);
    QVERIFY2(!promtool.isEmpty(), "promtool not found: scripts/setup.sh installs Debian's prometheus");
    // The families the traffic above must have filled, so the check is not of an empty page.
    QVERIFY2(m_exposition.contains("lmfront_request_duration_seconds_bucket{"), m_exposition.constData());
    QVERIFY(m_exposition.contains("lmfront_cache_hits_total{tier=\"local\"} "));
    QVERIFY(sampleValue(m_exposition, "lmfront_cache_hits_total{tier=\"local\"}") >= 2);

    QProcess check;
    check.start(promtool, {u"check"_qs, u"metrics"_qs});
    QVERIFY(check.waitForStarted());
    check.write(m_exposition);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(30000));
    const QByteArray said = check.readAllStandardOutput() + check.readAllStandardError();
    QVERIFY2(check.exitCode() == 0, said.constData());
    QVERIFY2(said.trimmed().isEmpty(), said.constData());  // a lint warning also exits 0
  }

  void aPrometheusServerScrapesAndQueriesTheNode() {
    const QString prometheus = QStandardPaths::findExecutable(u"prometheus"_qs);
    QVERIFY2(!prometheus.isEmpty(), "prometheus not found: scripts/setup.sh installs Debian's prometheus");
    const quint16 webPort = freePort();
    QVERIFY(webPort != 0);
    const QString config = m_dir.filePath(u"prometheus.yml"_qs);
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QStringLiteral("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                              "scrape_configs:\n  - job_name: lmfront\n    static_configs:\n"
                              "      - targets: ['127.0.0.1:%1']\n")
                   .arg(m_node.port())
                   .toUtf8());
    file.close();

    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(prometheus, {u"--config.file="_qs + config, u"--storage.tsdb.path="_qs + m_dir.filePath(u"tsdb"_qs),
                              u"--web.listen-address=127.0.0.1:%1"_qs.arg(webPort), u"--log.level=warn"_qs});
    QVERIFY(server.waitForStarted());
    auto stopServer = qScopeGuard([&] {
      server.terminate();
      if (!server.waitForFinished(10000)) server.kill();
    });

    // The scrape is healthy and the node's count of computed completions arrives intact.
    const double served = sampleValue(m_exposition, "lmfront_models_loaded");
    QCOMPARE(served, 1.0);
    double up = std::nan(""), loaded = std::nan(""), hits = std::nan("");
    for (QDeadlineTimer deadline(60000); !deadline.hasExpired(); QTest::qWait(250)) {
      up = promQuery(webPort, "up{job=\"lmfront\"}");
      loaded = promQuery(webPort, "lmfront_models_loaded");
      hits = promQuery(webPort, "lmfront_cache_hits_total{tier=\"local\"}");
      if (up == 1 && loaded == 1 && hits >= 2) break;
      if (server.state() != QProcess::Running) break;
    }
    QVERIFY2(server.state() == QProcess::Running, server.readAll().constData());
    QCOMPARE(up, 1.0);
    QCOMPARE(loaded, 1.0);
    QVERIFY2(hits >= 2, qPrintable(QString::number(hits)));
    // A histogram is usable as one: Prometheus computes a quantile from the node's buckets.
    const double p99 =
        promQuery(webPort, "histogram_quantile(0.99, sum by (le) (lmfront_request_duration_seconds_bucket))");
    QVERIFY2(p99 > 0 && p99 < 60, qPrintable(QString::number(p99)));
  }
};

QTEST_GUILESS_MAIN(TstPrometheusScrape)
#include "tst_prometheusscrape.moc"
