// Notifications of a real AlertingService on a ManualClock to a webhook receiver on loopback
// that refuses the first deliveries: retries follow the backoff on the injected clock, nothing
// is lost across a restart of the service (the outbox is in SQLite), the body is Alertmanager's
// webhook format (version 4), a silenced alert sends nothing and its resolve neither; Alertmanager
// receivers hear a still-firing alert again every minute (webhooks do not).
#include "../support/fakehttp.h"
#include "alerttestparts.h"

#include <QJsonDocument>
#include <QtTest>
#include <atomic>
#include <mutex>
#include <thread>

using namespace lmfront;
using namespace std::chrono_literals;

namespace {

// Answers 503 to the first `failures` requests, then 204; keeps every body.
class Receiver {
public:
  explicit Receiver(int failures) : m_failures(failures) {
    m_fd = testing::listenOnLoopback(m_port);
    m_acceptor = std::thread([this] {
      for (;;) {
        const int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) return;
        std::lock_guard lock(m_mutex);
        m_conns.push_back(conn);
        m_workers.emplace_back([this, conn] { serve(conn); });
      }
    });
  }
  ~Receiver() {
    ::shutdown(m_fd, SHUT_RDWR);
    ::close(m_fd);
    m_acceptor.join();
    std::lock_guard lock(m_mutex);
    for (const int c : m_conns) ::shutdown(c, SHUT_RDWR);
    for (auto &w : m_workers) w.join();
    for (const int c : m_conns) ::close(c);
  }
  std::uint16_t port() const { return m_port; }
  int requests() const { return m_requests.load(); }
  std::vector<std::string> delivered() const {
    std::lock_guard lock(m_mutex);
    return m_delivered;
  }

private:
  void serve(int conn) {
    std::string pending, request;
    while (testing::readHttpRequest(conn, pending, request)) {
      const int n = ++m_requests;
      const bool fail = n <= m_failures;
      if (!fail) {
        std::lock_guard lock(m_mutex);
        m_delivered.push_back(request.substr(request.find("\r\n\r\n") + 4));
      }
      const std::string reply =
          fail ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n" : "HTTP/1.1 204 No Content\r\n\r\n";
      if (::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  const int m_failures;
  std::uint16_t m_port = 0;
  int m_fd = -1;
  std::atomic<int> m_requests{0};
  mutable std::mutex m_mutex;
  std::vector<std::string> m_delivered;  // GUARDED_BY(m_mutex)
  std::vector<int> m_conns;              // GUARDED_BY(m_mutex)
  std::vector<std::thread> m_workers;    // GUARDED_BY(m_mutex)
  std::thread m_acceptor;
};

node::AlertingOptions webhookTo(const Receiver &r) {
  node::AlertingOptions o;
  o.settings.webhooks << QStringLiteral("http://127.0.0.1:%1/hook").arg(r.port());
  o.nodeId = [] { return QStringLiteral("node-a"); };
  return o;
}

// Pumps until the receiver has seen `n` requests and their answers were taken.
bool answered(node::AlertingService &alerting, const Receiver &r, int n) {
  for (int i = 0; i < 500; ++i) {
    alerting.pumpNotifications();
    if (r.requests() >= n) {
      QCoreApplication::processEvents();
      alerting.pumpNotifications();
      return true;
    }
    QTest::qWait(10);  // real sockets: wait for the receiver's thread, not for a timer
  }
  return false;
}

int failures(const RecordingEventSink &events) {
  int n = 0;
  for (const auto &e : events.events())
    if (e.message.find("notification to webhook") != std::string::npos) ++n;
  return n;
}

}  // namespace

class TstAlertNotifications : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void retriedWithBackoffAndNotLostAcrossARestart() {
    Receiver receiver(2);
    testing::AlertParts p;
    QString id;
    {
      node::AlertingService alerting(*p.context, p.store, webhookTo(receiver));
      QVERIFY(p.start(alerting).isOk());
      for (int s = 0; s < 2; ++s) p.second(alerting, 10);  // fires (the rate needs 2 points); delivery goes out
      const QJsonArray active = alerting.snapshot().value(u"active").toArray();
      QCOMPARE(active.size(), 1);
      id = active[0].toObject().value(u"id").toString();
      QVERIFY(answered(alerting, receiver, 1));
      QTRY_COMPARE(failures(p.events), 1);  // the 503 was taken: retry due in 1 s
      QCOMPARE(alerting.pendingNotifications(), 1u);

      p.clock.advance(1s);
      QVERIFY(answered(alerting, receiver, 2));  // second attempt, 503 again: next in 2 s
      for (int i = 0; i < 20; ++i) alerting.pumpNotifications();
      p.clock.advance(1s);
      for (int i = 0; i < 20; ++i) alerting.pumpNotifications();
      QCOMPARE(receiver.requests(), 2);  // 1 s after the second failure: not due yet
      QCOMPARE(alerting.pendingNotifications(), 1u);
      alerting.stop();  // the node goes down owing the notification
    }
    p.newNode();
    node::AlertingService again(*p.context, p.store, webhookTo(receiver));
    QVERIFY(p.start(again).isOk());
    QCOMPARE(again.pendingNotifications(), 1u);
    QVERIFY(answered(again, receiver, 3));
    QTRY_COMPARE(again.pendingNotifications(), 0u);

    const auto bodies = receiver.delivered();
    QCOMPARE(bodies.size(), 1u);
    const QJsonObject message = QJsonDocument::fromJson(QByteArray::fromStdString(bodies[0])).object();
    QCOMPARE(message.value(u"version").toString(), u"4"_qs);
    QCOMPARE(message.value(u"status").toString(), u"firing"_qs);
    QCOMPARE(message.value(u"groupKey").toString(), u"{}:{alertname=\"busy\"}"_qs);
    const QJsonObject alert = message.value(u"alerts").toArray()[0].toObject();
    QCOMPARE(alert.value(u"status").toString(), u"firing"_qs);
    QCOMPARE(alert.value(u"fingerprint").toString(), id);
    QCOMPARE(alert.value(u"labels").toObject().value(u"alertname").toString(), u"busy"_qs);
    QCOMPARE(alert.value(u"labels").toObject().value(u"model").toString(), u"english"_qs);
    QCOMPARE(alert.value(u"labels").toObject().value(u"severity").toString(), u"critical"_qs);
    QCOMPARE(alert.value(u"labels").toObject().value(u"node").toString(), u"node-a"_qs);
    QCOMPARE(alert.value(u"annotations").toObject().value(u"summary").toString(), u"english is busy"_qs);
    QCOMPARE(alert.value(u"endsAt").toString(), u"0001-01-01T00:00:00Z"_qs);
    QVERIFY(QDateTime::fromString(alert.value(u"startsAt").toString(), Qt::ISODateWithMs).isValid());
  }

  void resolvedIsSentAndSilencedAlertsSendNothing() {
    Receiver receiver(0);
    testing::AlertParts p;
    node::AlertingService alerting(*p.context, p.store, webhookTo(receiver));
    QVERIFY(p.start(alerting).isOk());
    const auto silenced =
        p.run(u"silence"_qs, {{u"matchers"_qs, QJsonObject{{u"model"_qs, u"tiny"_qs}}}, {u"for"_qs, u"1h"_qs}},
              cluster::Role::Operator);
    QCOMPARE(silenced.type, client::OpsType::Result);
    for (int s = 0; s < 2; ++s) {
      p.requests->withLabels({"tiny", "engine:tiny", "200"}).inc(10);
      p.second(alerting, 10);
    }
    for (int s = 0; s < 3; ++s) p.second(alerting, 0);  // both resolve
    QVERIFY(answered(alerting, receiver, 2));
    QTRY_COMPARE(alerting.pendingNotifications(), 0u);
    const auto bodies = receiver.delivered();
    QCOMPARE(bodies.size(), 2u);  // english firing, english resolved; tiny nothing
    QStringList seen;
    for (const auto &b : bodies) {
      const QJsonObject m = QJsonDocument::fromJson(QByteArray::fromStdString(b)).object();
      const QJsonObject a = m.value(u"alerts").toArray()[0].toObject();
      seen << a.value(u"labels").toObject().value(u"model").toString() + u' ' + a.value(u"status").toString();
      if (a.value(u"status").toString() == u"resolved"_qs)
        QVERIFY(a.value(u"endsAt").toString() != u"0001-01-01T00:00:00Z"_qs);
    }
    QCOMPARE(seen, (QStringList{u"english firing"_qs, u"english resolved"_qs}));
  }

  // Alertmanager drops an alert it has not heard about for its resolve_timeout: every minute on
  // the node's clock each still-firing alert goes to it again; the webhook hears the firing once.
  void alertmanagerHearsStillFiringAlertsEveryMinute() {
    Receiver alertmanager(0);
    Receiver webhook(0);
    testing::AlertParts p;
    node::AlertingOptions options = webhookTo(webhook);
    options.settings.alertmanagers << QStringLiteral("http://127.0.0.1:%1").arg(alertmanager.port());
    node::AlertingService alerting(*p.context, p.store, options);
    QVERIFY(p.start(alerting).isOk());
    for (int s = 0; s < 2; ++s) p.second(alerting, 10);  // fires at start + 2 s
    QVERIFY(answered(alerting, alertmanager, 1));
    QVERIFY(answered(alerting, webhook, 1));
    QTRY_COMPARE(alerting.pendingNotifications(), 0u);

    auto firingPosts = [&alertmanager] {
      int n = 0;
      for (const auto &b : alertmanager.delivered()) {
        const QJsonArray alerts = QJsonDocument::fromJson(QByteArray::fromStdString(b)).array();
        if (alerts.size() != 1) return -1;
        const QJsonObject a = alerts[0].toObject();
        if (a.value(u"labels").toObject().value(u"alertname").toString() != u"busy"_qs) return -1;
        if (!a.contains(u"endsAt")) ++n;
      }
      return n;
    };
    for (int s = 2; s < 59; ++s) p.second(alerting, 10);
    for (int i = 0; i < 20; ++i) alerting.pumpNotifications();
    QCOMPARE(alertmanager.requests(), 1);  // 59 s after start: not yet
    p.second(alerting, 10);                // 60 s
    QVERIFY(answered(alerting, alertmanager, 2));
    QTRY_COMPARE(firingPosts(), 2);
    for (int s = 60; s < 120; ++s) p.second(alerting, 10);
    QVERIFY(answered(alerting, alertmanager, 3));
    QTRY_COMPARE(firingPosts(), 3);
    QCOMPARE(webhook.requests(), 1);

    // Resolved: one resolve (with endsAt), then nothing more to repeat.
    for (int s = 0; s < 3; ++s) p.second(alerting, 0);
    QVERIFY(answered(alerting, alertmanager, 4));
    for (int s = 0; s < 130; ++s) p.second(alerting, 0);
    for (int i = 0; i < 20; ++i) alerting.pumpNotifications();
    QTRY_COMPARE(alerting.pendingNotifications(), 0u);
    QCOMPARE(alertmanager.requests(), 4);
    QCOMPARE(firingPosts(), 3);
    QCOMPARE(webhook.requests(), 2);  // its firing and its resolve
  }
};

QTEST_GUILESS_MAIN(TstAlertNotifications)
#include "tst_alertnotifications.moc"
