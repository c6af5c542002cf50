// AlertingService: the node's alert rules, evaluated every second over the node's own per-second
// series (docs/alerting.md). Rules come from DATA_DIR/alerts/rules.yaml when it exists, else the
// shipped defaults (resources/alerts/default-rules.yaml, compiled in); a broken rules file stops
// the start with its file, line and field. Every state change goes to the event sink (component
// `alerting`) and to the ops API's `alerts` topic; `apply_rules` replaces the rules at run time
// (checked whole first; unchanged rules keep their alerts).
//
// Order: after the gateway (the metric families it reads are registered by then) and before the
// ops service (its topic and command are in the table before the first connection).
//
// Threads: start/stop, the 1 s timer, the `alerts` snapshot and `apply_rules` run on the node
// thread (the ops server runs there), so the evaluator has one owner and no lock. tick() is what
// the timer calls; tests call it after advancing a ManualClock.
#pragma once

#include "node/nodecontext.h"
#include "node/service.h"

#include <QJsonObject>
#include <memory>

namespace lmfront::node {

class AlertingService final : public Service {
public:
  explicit AlertingService(const NodeContext &context);  // context must outlive the service
  ~AlertingService() override;

  std::string_view name() const override { return "alerting"; }
  Status start() override;
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  // One sample of the series and one evaluation of every rule, at the context's clock.
  void tick();
  // {"active": [alert...], "rules": n}: the `alerts` topic's snapshot.
  QJsonObject snapshot() const;
  // Parses and applies a rules file's text; InvalidArgument naming the line and field.
  Status applyRules(std::string_view yaml, std::string_view shownPath);

  static std::string_view defaultRules();  // the shipped rules file

private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace lmfront::node
