// AlertNotifier: delivers alert notifications to the node's receivers (docs/alerting.md,
// "Notifications") at least once: webhooks (a JSON POST in Alertmanager's webhook payload
// format, version 4, so receivers written for Alertmanager work unchanged) and Alertmanager
// itself (POST /api/v2/alerts).
//
// Every notification is a row of the alerting database's outbox (alerting/alertdb.h) before it is
// sent, and is deleted only once its receiver answered 2xx, so one owed survives a restart (all
// rows are due at once after a restart). A failure (refused connection, timeout, any other status)
// is retried after 1 s, doubling up to 5 min, on the node's injected clock; the first failure of a
// row and every 10th go to the event sink.
//
// Order: one request in flight per receiver, oldest row first, so a receiver hears an alert's
// resolve after its firing.
//
// Re-sending: Alertmanager forgets an alert it has not heard about for its resolve_timeout (5 min
// by default) and would resolve it on its own. refresh() is given the alerts still firing (and
// notified) at every tick, and every kResendIntervalMs queues them again for each Alertmanager
// receiver that owes nothing (one backing off gets the next round once it caught up), as
// Prometheus does. Webhooks hear each firing once: their receivers expect one message per change.
//
// Driving: pump(nowMs) takes the answers that arrived and sends what is due; the alerting service
// calls it every second (tests after advancing a ManualClock), and each answer calls it again at
// once through a queued call on the owning thread. Answers come from the HTTP client's I/O
// threads into a guarded inbox; everything else, SQLite included, runs on the owning thread (the
// node thread), which must run an event loop.
#pragma once

#include "common/status.h"
#include "gateway/upstream/httpclient.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lmfront {
class EventSink;
namespace storage {
class SqliteDb;
}
}  // namespace lmfront

namespace lmfront::node {

struct AlertReceiver {
  enum class Kind { Webhook, Alertmanager };
  Kind kind = Kind::Webhook;
  std::string url;          // as configured: http://host:port/path (Alertmanager: its base URL)
  std::string key() const;  // "webhook URL" / "alertmanager URL": the outbox's receiver column
};

// One alert as notifications describe it (times are Unix ms; endsMs 0 while firing).
struct AlertNotice {
  std::string id;  // the alert id: the webhook's fingerprint
  std::string rule;
  std::string status;                                       // "firing" | "resolved"
  std::vector<std::pair<std::string, std::string>> labels;  // without alertname/severity
  std::string severity;
  std::string summary;
  std::int64_t startsMs = 0;
  std::int64_t endsMs = 0;
};

class AlertNotifier {
public:
  // nowMs: the node's clock as Unix ms.
  AlertNotifier(gateway::upstream::HttpClient &http, EventSink &events, storage::SqliteDb &db, std::string nodeId,
                std::function<std::int64_t()> nowMs);
  ~AlertNotifier();

  // Checks the URLs (InvalidArgument naming the receiver) and loads the outbox: rows of receivers
  // no longer configured are dropped (reported), the others are due at once.
  Status start(std::vector<AlertReceiver> receivers, std::int64_t nowMs);
  // Adds one notification per receiver to the outbox.
  Status notify(const std::vector<AlertNotice> &alerts, std::int64_t nowMs);
  void pump(std::int64_t nowMs);
  // Queues `firing` for the Alertmanager receivers when kResendIntervalMs passed since the last
  // round (or since start()); nothing when `firing` is empty.
  Status refresh(const std::vector<AlertNotice> &firing, std::int64_t nowMs);

  static constexpr std::int64_t kResendIntervalMs = 60'000;

  std::size_t pending() const;   // rows owed (in flight included)
  std::size_t inFlight() const;  // requests sent, answer not taken yet

  // The bodies, public for tests and docs.
  static std::string webhookBody(const AlertNotice &alert, const std::string &receiver, const std::string &nodeId);
  static std::string alertmanagerBody(const std::vector<AlertNotice> &alerts, const std::string &nodeId);

private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace lmfront::node
