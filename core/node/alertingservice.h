// AlertingService: the node's alert rules, evaluated every second over the node's own per-second
// series (docs/alerting.md): the node's one TimeSeriesStore, which the series service samples. Rules come from
// DATA_DIR/alerts/rules.yaml when it exists, else the shipped defaults (resources/alerts/default-rules.yaml, compiled
// in); a broken rules file stops the start with its file, line and field.
//
// Every state change goes to the event sink (component `alerting`), to the ops API's `alerts`
// topic, to the history (DATA_DIR/alerts/alerts.db, alerting/alerthistory.h) and, unless a
// silence mutes the alert, to the configured receivers (node/alertnotifier.h). Ops commands:
// `apply_rules`, `check_rules`, `alert_rules`, `ack`, `silence`, `expire_silence`, `alert_history`,
// `alert_summary` (docs/ops-protocol.md).
//
// Order: after the gateway (the metric families it reads are registered by then) and the series
// service (whose store it reads), and before the ops service (its topic and commands are in the table before the first
// connection).
//
// Ticks: the node calls tick() from the series service's listener, right after each 1 s sample,
// so every evaluation reads the second just sampled (a timer of its own would drift against the
// sampler and read a sample up to a second old). Tests call it after advancing a ManualClock.
//
// Threads: start/stop, tick(), the topic's snapshot and every command run on the node thread (the
// ops server runs there), so the evaluator and the database have one owner and no lock.
//
// Time: the node's clock drives everything (`for`, silences' expiry, notification retries);
// history and the ops API speak wall-clock UTC, mapped from that clock at start.
#pragma once

#include "node/nodeconfig.h"
#include "node/nodecontext.h"
#include "node/service.h"

#include <QJsonObject>
#include <functional>
#include <memory>

namespace lmfront::observe {
class TimeSeriesStore;
}

namespace lmfront::node {

struct AlertingOptions {
  AlertSettings settings;
  // The node's id for history and notifications, read at start (the gateway knows it once bound).
  std::function<QString()> nodeId;
};

class AlertingService final : public Service {
public:
  // `context` and `store` must outlive the service.
  AlertingService(const NodeContext &context, observe::TimeSeriesStore &store, AlertingOptions options);
  ~AlertingService() override;

  std::string_view name() const override { return "alerting"; }
  Status start() override;
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  // One evaluation of every rule over the store, then history, notifications and the
  // topic, at the context's clock. Does nothing unless started.
  void tick();
  // Takes notification answers that arrived and sends what is due, without evaluating rules:
  // what tick() ends with (tests wait on a receiver with it).
  void pumpNotifications();
  // {"active": [alert...], "rules": n, "silences": [silence...]}: the `alerts` topic's snapshot.
  QJsonObject snapshot() const;
  // Parses and applies a rules file's text; InvalidArgument naming the line and field.
  Status applyRules(std::string_view yaml, std::string_view shownPath);
  std::size_t pendingNotifications() const;

  static std::string_view defaultRules();  // the shipped rules file

  struct Impl;

private:
  std::unique_ptr<Impl> d;
};

}  // namespace lmfront::node
