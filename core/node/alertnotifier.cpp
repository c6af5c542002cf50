#include "node/alertnotifier.h"

#include "alerting/alerthistory.h"
#include "common/eventsink.h"
#include "storage/sqlitedb.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <algorithm>
#include <functional>
#include <map>
#include <mutex>

namespace lmfront::node {

namespace {

constexpr std::int64_t kFirstRetryMs = 1000;
constexpr std::int64_t kMaxRetryMs = 5 * 60 * 1000;

// Go's zero time.Time, which Alertmanager's webhook sends as endsAt of a firing alert.
constexpr char kZeroTime[] = "0001-01-01T00:00:00Z";

QString str(const std::string &s) { return QString::fromStdString(s); }

QString rfc3339(std::int64_t ms) { return str(alerting::isoUtc(ms)); }

QJsonObject labelsOf(const AlertNotice &a, const std::string &nodeId) {
  QJsonObject labels{{u"alertname"_qs, str(a.rule)}, {u"severity"_qs, str(a.severity)}};
  if (!nodeId.empty()) labels.insert(u"node"_qs, str(nodeId));
  for (const auto &[k, v] : a.labels) labels.insert(str(k), str(v));
  return labels;
}

QJsonObject annotationsOf(const AlertNotice &a) {
  QJsonObject annotations;
  if (!a.summary.empty()) annotations.insert(u"summary"_qs, str(a.summary));
  return annotations;
}

std::int64_t backoffMs(int attempts) {
  std::int64_t delay = kFirstRetryMs;
  for (int i = 1; i < attempts && delay < kMaxRetryMs; ++i) delay *= 2;
  return std::min(delay, kMaxRetryMs);
}

}  // namespace

std::string AlertReceiver::key() const { return (kind == Kind::Webhook ? "webhook " : "alertmanager ") + url; }

std::string AlertNotifier::webhookBody(const AlertNotice &a, const std::string &receiver, const std::string &nodeId) {
  const QJsonObject labels = labelsOf(a, nodeId);
  const QJsonObject annotations = annotationsOf(a);
  const QJsonObject alert{{u"status"_qs, str(a.status)},
                          {u"labels"_qs, labels},
                          {u"annotations"_qs, annotations},
                          {u"startsAt"_qs, rfc3339(a.startsMs)},
                          {u"endsAt"_qs, a.endsMs ? rfc3339(a.endsMs) : QString::fromLatin1(kZeroTime)},
                          {u"generatorURL"_qs, QString()},
                          {u"fingerprint"_qs, str(a.id)}};
  // A group of one alert, grouped by alertname: what Alertmanager would send for it.
  const QJsonObject message{
      {u"version"_qs, u"4"_qs},
      {u"groupKey"_qs, QStringLiteral("{}:{alertname=\"%1\"}").arg(str(a.rule))},
      {u"truncatedAlerts"_qs, 0},
      {u"receiver"_qs, str(receiver)},
      {u"status"_qs, str(a.status)},
      {u"alerts"_qs, QJsonArray{alert}},
      {u"groupLabels"_qs, QJsonObject{{u"alertname"_qs, str(a.rule)}}},
      {u"commonLabels"_qs, labels},
      {u"commonAnnotations"_qs, annotations},
      {u"externalURL"_qs, QString()},
  };
  return QJsonDocument(message).toJson(QJsonDocument::Compact).toStdString();
}

std::string AlertNotifier::alertmanagerBody(const std::vector<AlertNotice> &alerts, const std::string &nodeId) {
  QJsonArray out;
  for (const AlertNotice &a : alerts) {
    QJsonObject alert{{u"labels"_qs, labelsOf(a, nodeId)},
                      {u"annotations"_qs, annotationsOf(a)},
                      {u"startsAt"_qs, rfc3339(a.startsMs)}};
    if (a.endsMs) alert.insert(u"endsAt"_qs, rfc3339(a.endsMs));
    out.append(alert);
  }
  return QJsonDocument(out).toJson(QJsonDocument::Compact).toStdString();
}

struct AlertNotifier::Impl {
  struct Row {
    std::size_t receiver = 0;
    std::string body;
    int attempts = 0;
    std::int64_t nextMs = 0;
    bool inFlight = false;
  };
  struct Answer {
    std::int64_t seq;
    Status status;
    int httpStatus;
  };
  // Where answers land. `owner` lives on the owning thread: each answer wakes it with a queued
  // call, so the next notification of that receiver goes out at once, not at the next tick.
  struct Inbox {
    std::mutex mutex;
    std::vector<Answer> answers;  // GUARDED_BY(mutex)
    QObject *owner = nullptr;     // GUARDED_BY(mutex); null once the notifier is going away
    std::function<void()> wake;   // set once before the first send; runs on owner's thread
  };
  class Handler final : public gateway::upstream::ResponseHandler {
  public:
    Handler(std::int64_t seq, std::weak_ptr<Inbox> inbox) : m_seq(seq), m_inbox(std::move(inbox)) {}
    void onHead(int status, const gateway::HeaderList &) override { m_status = status; }
    void onBody(std::string_view) override {}
    void onComplete(const Status &status) override {
      if (auto inbox = m_inbox.lock()) {
        std::lock_guard lock(inbox->mutex);
        inbox->answers.push_back({m_seq, status, m_status});
        // Posted under the lock: the notifier's destructor clears `owner` under it first, and Qt
        // drops events posted to an object when it is deleted.
        if (inbox->owner) QMetaObject::invokeMethod(inbox->owner, inbox->wake, Qt::QueuedConnection);
      }
    }

  private:
    std::int64_t m_seq;
    std::weak_ptr<Inbox> m_inbox;
    int m_status = 0;
  };

  Impl(gateway::upstream::HttpClient &h, EventSink &e, storage::SqliteDb &d, std::string n,
       std::function<std::int64_t()> c)
      : http(h), events(e), db(d), nodeId(std::move(n)), clock(std::move(c)) {}
  ~Impl() {
    std::lock_guard lock(inbox->mutex);
    inbox->owner = nullptr;
    owner.reset();
  }

  gateway::upstream::HttpClient &http;
  EventSink &events;
  storage::SqliteDb &db;
  const std::string nodeId;
  std::vector<AlertReceiver> receivers;
  std::vector<gateway::upstream::ParsedUrl> urls;
  std::map<std::int64_t, Row> rows;           // by outbox seq
  const std::function<std::int64_t()> clock;  // the node's clock as Unix ms
  std::int64_t lastResendMs = 0;
  std::shared_ptr<Inbox> inbox = std::make_shared<Inbox>();
  std::unique_ptr<QObject> owner = std::make_unique<QObject>();

  Status insert(std::size_t receiver, std::string body, std::int64_t nowMs) {
    auto stmt = db.prepare("INSERT INTO notification_outbox (receiver, body, next_ms) VALUES (?, ?, ?)");
    if (!stmt) return stmt.status();
    stmt->bind(1, receivers[receiver].key()).bind(2, body).bind(3, nowMs);
    LMFRONT_RETURN_IF_ERROR(stmt->run());
    rows[db.lastInsertRowId()] = Row{receiver, std::move(body), 0, nowMs, false};
    return Status::ok();
  }

  Status remove(std::int64_t seq) {
    auto stmt = db.prepare("DELETE FROM notification_outbox WHERE seq = ?");
    if (!stmt) return stmt.status();
    stmt->bind(1, seq);
    return stmt->run();
  }

  void send(std::int64_t seq, Row &row) {
    const auto &url = urls[row.receiver];
    gateway::upstream::ClientRequest request;
    request.host = url.host;
    request.port = url.port;
    request.method = "POST";
    request.target = receivers[row.receiver].kind == AlertReceiver::Kind::Alertmanager
                         ? url.basePath + "/api/v2/alerts"
                         : (url.basePath.empty() ? std::string("/") : url.basePath);
    request.headers = {{"Content-Type", "application/json"}, {"User-Agent", "lmfront-alerting"}};
    request.body = row.body;
    request.timeouts.connect = std::chrono::seconds(2);
    request.timeouts.firstByte = std::chrono::seconds(10);
    request.timeouts.total = std::chrono::seconds(30);
    row.inFlight = true;
    http.send(std::move(request), std::make_shared<Handler>(seq, inbox));
  }

  void take(const Answer &answer, std::int64_t nowMs) {
    auto it = rows.find(answer.seq);
    if (it == rows.end()) return;
    Row &row = it->second;
    row.inFlight = false;
    if (answer.status.isOk() && answer.httpStatus >= 200 && answer.httpStatus < 300) {
      if (Status st = remove(answer.seq); !st)
        events.report(EventLevel::Error, "alerting", "notification outbox: " + st.message());
      rows.erase(it);
      return;
    }
    ++row.attempts;
    row.nextMs = nowMs + backoffMs(row.attempts);
    const std::string why =
        answer.status.isOk() ? "HTTP " + std::to_string(answer.httpStatus) : answer.status.message();
    auto stmt = db.prepare("UPDATE notification_outbox SET attempts = ?, next_ms = ?, last_error = ? WHERE seq = ?");
    if (stmt) {
      stmt->bind(1, static_cast<std::int64_t>(row.attempts)).bind(2, row.nextMs).bind(3, why).bind(4, answer.seq);
      (void)stmt->run();
    }
    if (row.attempts == 1 || row.attempts % 10 == 0)
      events.report(EventLevel::Warning, "alerting",
                    "notification to " + receivers[row.receiver].key() + " failed: " + why + "; retrying",
                    {{"attempts", std::to_string(row.attempts)}});
  }
};

AlertNotifier::AlertNotifier(gateway::upstream::HttpClient &http, EventSink &events, storage::SqliteDb &db,
                             std::string nodeId, std::function<std::int64_t()> nowMs)
    : d(std::make_unique<Impl>(http, events, db, std::move(nodeId), std::move(nowMs))) {
  d->inbox->wake = [impl = d.get(), this] { pump(impl->clock()); };
  d->inbox->owner = d->owner.get();
}

AlertNotifier::~AlertNotifier() = default;  // answers still in flight land in an inbox nobody reads

Status AlertNotifier::start(std::vector<AlertReceiver> receivers, std::int64_t nowMs) {
  std::vector<gateway::upstream::ParsedUrl> urls;
  for (const auto &r : receivers) {
    auto url = gateway::upstream::parseHttpUrl(r.url);
    if (!url) return url.status().withContext(r.key());
    urls.push_back(*url);
  }
  d->receivers = std::move(receivers);
  d->urls = std::move(urls);
  d->rows.clear();
  auto stmt = d->db.prepare("SELECT seq, receiver, body, attempts FROM notification_outbox ORDER BY seq");
  if (!stmt) return stmt.status();
  std::vector<std::int64_t> orphans;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    const std::string key = stmt->text(1);
    auto r =
        std::find_if(d->receivers.begin(), d->receivers.end(), [&](const AlertReceiver &x) { return x.key() == key; });
    if (r == d->receivers.end()) {
      orphans.push_back(stmt->int64(0));
      d->events.report(EventLevel::Warning, "alerting",
                       "dropping a notification owed to " + key + ": that receiver is no longer configured");
      continue;
    }
    d->rows[stmt->int64(0)] = Impl::Row{static_cast<std::size_t>(r - d->receivers.begin()), stmt->text(2),
                                        static_cast<int>(stmt->int64(3)), nowMs, false};
  }
  for (const std::int64_t seq : orphans) LMFRONT_RETURN_IF_ERROR(d->remove(seq));
  d->lastResendMs = nowMs;
  return Status::ok();
}

Status AlertNotifier::notify(const std::vector<AlertNotice> &alerts, std::int64_t nowMs) {
  if (alerts.empty() || d->receivers.empty()) return Status::ok();
  return d->db.transaction([&]() -> Status {
    for (std::size_t i = 0; i < d->receivers.size(); ++i) {
      if (d->receivers[i].kind == AlertReceiver::Kind::Alertmanager) {
        LMFRONT_RETURN_IF_ERROR(d->insert(i, alertmanagerBody(alerts, d->nodeId), nowMs));
        continue;
      }
      for (const AlertNotice &a : alerts)
        LMFRONT_RETURN_IF_ERROR(d->insert(i, webhookBody(a, "lmfront", d->nodeId), nowMs));
    }
    return Status::ok();
  });
}

Status AlertNotifier::refresh(const std::vector<AlertNotice> &firing, std::int64_t nowMs) {
  if (nowMs - d->lastResendMs < kResendIntervalMs) return Status::ok();
  d->lastResendMs = nowMs;
  if (firing.empty()) return Status::ok();
  std::vector<bool> owing(d->receivers.size(), false);
  for (const auto &[seq, row] : d->rows) owing[row.receiver] = true;
  return d->db.transaction([&]() -> Status {
    for (std::size_t i = 0; i < d->receivers.size(); ++i)
      if (d->receivers[i].kind == AlertReceiver::Kind::Alertmanager && !owing[i])
        LMFRONT_RETURN_IF_ERROR(d->insert(i, alertmanagerBody(firing, d->nodeId), nowMs));
    return Status::ok();
  });
}

void AlertNotifier::pump(std::int64_t nowMs) {
  std::vector<Impl::Answer> answers;
  {
    std::lock_guard lock(d->inbox->mutex);
    answers.swap(d->inbox->answers);
  }
  for (const auto &a : answers) d->take(a, nowMs);
  // One request in flight per receiver, oldest first: a receiver hears an alert's resolve after
  // its firing, even across retries (a row backing off holds back the ones behind it).
  std::vector<bool> busy(d->receivers.size(), false);
  for (auto &[seq, row] : d->rows) {
    if (busy[row.receiver]) continue;
    busy[row.receiver] = true;
    if (!row.inFlight && row.nextMs <= nowMs) d->send(seq, row);
  }
}

std::size_t AlertNotifier::pending() const { return d->rows.size(); }

std::size_t AlertNotifier::inFlight() const {
  return static_cast<std::size_t>(
      std::count_if(d->rows.begin(), d->rows.end(), [](const auto &r) { return r.second.inFlight; }));
}

}  // namespace lmfront::node
