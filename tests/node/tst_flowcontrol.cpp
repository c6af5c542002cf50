// Flow control through the real lmfrontd over real sockets (docs/gateway-policies.md): a URL pool limited
// to one request in flight with a one-place queue (max_wait_ms 300) in front of an upstream that
// holds every request until the test lets it go. Of three concurrent requests one is served, one
// waits and gets 504 after ~300 ms without reaching the upstream, one gets 503 + Retry-After at
// once; /metrics shows the waiter; the node keeps serving; bad values stop the start naming the key.
#include "../support/daemonharness.h"
#include "../support/fakehttp.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace lmfront::testing;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

namespace {

const std::string kCompletion = R"({"model":"slow","prompt":"the","max_tokens":4,"temperature":1})";

// An OpenAI-compatible upstream that holds every completion until release() (or 10 s).
class HoldingUpstream {
public:
  std::atomic<int> requests{0};
  bool start() {
    m_listen = listenOnLoopback(m_port);
    if (m_listen < 0) return false;
    m_thread = std::thread([this] {
      for (int fd; (fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;)
        m_conns.emplace_back([this, fd] { serve(fd); });
    });
    return true;
  }
  ~HoldingUpstream() {
    release();
    ::shutdown(m_listen, SHUT_RDWR);
    ::close(m_listen);
    if (m_thread.joinable()) m_thread.join();
    for (auto &t : m_conns) t.join();
  }
  quint16 port() const { return m_port; }
  void release() {
    std::lock_guard lock(m_mutex);
    m_released = true;
    m_cv.notify_all();
  }

private:
  void serve(int fd) {
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in, request;
    for (;;) {
      if (!readHttpRequest(fd, in, request)) return (void)::close(fd);
      const bool isGet = request.rfind("GET ", 0) == 0;
      std::string body = "ok";
      if (!isGet) {
        ++requests;
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, 10s, [&] { return m_released; });
        body = R"({"id":"x","object":"text_completion","choices":[{"index":0,"text":" held answer",)"
               R"("finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})";
      }
      const std::string out =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body;
      ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }
  }

  int m_listen = -1;
  quint16 m_port = 0;
  std::thread m_thread;
  std::vector<std::thread> m_conns;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_released = false;
};

double metric(quint16 port, const std::string &series) {
  const RawReply r = rawRequest(port, "GET", "/metrics");
  const auto at = r.body.find(series + " ");
  return at == std::string::npos ? -1 : std::atof(r.body.c_str() + at + series.size() + 1);
}

long long msSince(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t).count();
}

}  // namespace

class TstFlowControl : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;

  QString writeConfig(const QString &name, const QByteArray &pool) {
    const QString path = m_dir.filePath(name + u".json"_qs);
    QFile f(path);
    const QByteArray json = R"({"pools":{"slow":)" + pool + "}}";
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size()) return {};
    return path;
  }
  QStringList args(const QString &name, const QString &config) {
    return {u"--listen"_qs, u"127.0.0.1:0"_qs, u"--data-dir"_qs, m_dir.filePath(name), u"--config"_qs,
            config,         u"--workers"_qs,   u"2"_qs};
  }

private Q_SLOTS:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void oneServedOneTimesOutOneRefused() {
    HoldingUpstream upstream;
    QVERIFY(upstream.start());
    const QByteArray url =
        "http:/"
        "/127.0.0.1:" +
        QByteArray::number(upstream.port());
    const QString config =
        writeConfig(u"front"_qs, "{\"backends\":[{\"url\":\"" + url +
                                     "\"}],\"concurrency\":{\"algorithm\":\"fixed\",\"initial_limit\":1},"
                                     "\"queue\":{\"max_waiters\":1,\"max_wait_ms\":300}}");
    Daemon front;
    QVERIFY(front.start(args(u"front"_qs, config)));
    QVERIFY(front.waitReady());
    const quint16 port = front.port();
    QCOMPARE(metric(port, "lmfront_backend_concurrency_limit{backend=\"" + url.toStdString() + "\"}"), 1.0);

    // 1: takes the only slot; the upstream holds it until the test lets go.
    RawReply served;
    std::thread first([&] { served = rawRequest(port, "POST", "/v1/completions", kCompletion); });
    for (int i = 0; i < 400 && upstream.requests.load() < 1; ++i) std::this_thread::sleep_for(5ms);
    QCOMPARE(upstream.requests.load(), 1);
    QCOMPARE(metric(port, "lmfront_backend_inflight{backend=\"" + url.toStdString() + "\"}"), 1.0);

    // 2: waits in the queue (seen in /metrics), then times out.
    RawReply timedOut;
    long long waitedMs = 0;
    const auto secondSent = Steady::now();
    std::thread second([&] {
      timedOut = rawRequest(port, "POST", "/v1/completions", kCompletion);
      waitedMs = msSince(secondSent);
    });
    double depth = 0;
    for (int i = 0; i < 100 && depth != 1.0; ++i) {
      depth = metric(port, "lmfront_queue_depth{model=\"slow\"}");
      if (depth != 1.0) std::this_thread::sleep_for(2ms);
    }
    QCOMPARE(depth, 1.0);

    // 3: the queue is full: refused at once.
    const auto thirdSent = Steady::now();
    const RawReply refused = rawRequest(port, "POST", "/v1/completions", kCompletion);
    const long long refusedMs = msSince(thirdSent);
    second.join();
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.header("retry-after"), std::string("1"));
    QVERIFY2(refused.body.find("\"code\":\"overloaded\"") != std::string::npos, refused.body.c_str());
    QVERIFY2(refusedMs < 250, std::to_string(refusedMs).c_str());

    QCOMPARE(timedOut.status, 504);
    QVERIFY2(timedOut.body.find("\"code\":\"queue_timeout\"") != std::string::npos, timedOut.body.c_str());
    QVERIFY2(waitedMs >= 280 && waitedMs < 3000, std::to_string(waitedMs).c_str());
    QCOMPARE(upstream.requests.load(), 1);  // neither reached the upstream

    upstream.release();
    first.join();
    QCOMPARE(served.status, 200);
    QVERIFY(served.body.find("held answer") != std::string::npos);
    QCOMPARE(metric(port, "lmfront_queue_depth{model=\"slow\"}"), 0.0);
    QCOMPARE(metric(port, "lmfront_backend_inflight{backend=\"" + url.toStdString() + "\"}"), 0.0);

    // The node keeps serving.
    for (int i = 0; i < 3; ++i) QCOMPARE(rawRequest(port, "POST", "/v1/completions", kCompletion).status, 200);
    QCOMPARE(upstream.requests.load(), 4);
    QCOMPARE(rawRequest(port, "GET", "/healthz").status, 200);
  }

  void badValuesStopTheStartNamingTheKey_data() {
    QTest::addColumn<QByteArray>("pool");
    QTest::addColumn<QString>("named");
    const QByteArray backends =
        "\"backends\":[{\"url\":\"http:/"
        "/127.0.0.1:9\"}]";
    QTest::newRow("algorithm") << "{" + backends + ",\"concurrency\":{\"algorithm\":\"fast\"}}"
                               << u"pools.slow.concurrency.algorithm"_qs;
    QTest::newRow("limit bounds") << "{" + backends + ",\"concurrency\":{\"initial_limit\":2,\"min_limit\":5}}"
                                  << u"pools.slow.concurrency: initial_limit"_qs;
    QTest::newRow("zero wait") << "{" + backends + ",\"queue\":{\"max_wait_ms\":0}}"
                               << u"pools.slow.queue.max_wait_ms"_qs;
    QTest::newRow("unknown key") << "{" + backends + ",\"queue\":{\"max_waiter\":3}}" << u"max_waiter"_qs;
    QTest::newRow("wrong type") << "{" + backends + ",\"queue\":{\"max_waiters\":\"many\"}}"
                                << u"pools.slow.queue.max_waiters"_qs;
  }
  void badValuesStopTheStartNamingTheKey() {
    QFETCH(QByteArray, pool);
    QFETCH(QString, named);
    const QString tag = QString::fromUtf8(QTest::currentDataTag()).replace(u' ', u'-');
    Daemon d;
    QVERIFY(!d.start(args(u"bad-"_qs + tag, writeConfig(u"bad-"_qs + tag, pool))));
    if (d.process().state() != QProcess::NotRunning) QVERIFY(d.process().waitForFinished(10000));
    QVERIFY(d.process().exitCode() != 0);
    const QString err = QString::fromUtf8(d.takeStderr());
    QVERIFY2(err.contains(named), qPrintable(err));
  }
};

QTEST_GUILESS_MAIN(TstFlowControl)
#include "tst_flowcontrol.moc"
