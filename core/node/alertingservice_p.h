// AlertingService's state, shared by its two source files: alertingservice.cpp (lifecycle, the
// tick, the topic) and alertcommands.cpp (the ops commands). Node thread only (see the header).
#pragma once

#include "alerting/alertevaluator.h"
#include "alerting/alerthistory.h"
#include "alerting/silencebook.h"
#include "node/alertingservice.h"
#include "node/alertnotifier.h"
#include "observe/timeseriesstore.h"
#include "storage/sqlitedb.h"

#include <QJsonArray>
#include <atomic>
#include <map>
#include <set>

namespace lmfront::node {

struct AlertingService::Impl {
  Impl(const NodeContext &c, observe::TimeSeriesStore &s, AlertingOptions o)
      : context(c), options(std::move(o)), store(&s) {}

  struct Ack {
    std::string author, comment;
    std::int64_t atMs = 0;
  };

  const NodeContext &context;
  const AlertingOptions options;
  observe::TimeSeriesStore *store;  // the node's, sampled by the series service
  alerting::AlertEvaluator evaluator;
  std::unique_ptr<storage::SqliteDb> db;
  std::unique_ptr<alerting::AlertHistory> history;
  std::unique_ptr<alerting::SilenceBook> silences;
  std::unique_ptr<AlertNotifier> notifier;
  std::map<std::string, Ack> acks;       // by alert id, while the alert is active
  std::set<std::string> notifiedFiring;  // alert ids whose firing was notified: their resolve is too
  std::string rulesYaml;                 // the rules in effect, as written
  std::string nodeId;
  bool registered = false;
  std::atomic<bool> running{false};
  qint64 wallAtStart = 0;
  Clock::TimePoint clockAtStart{};
  std::int64_t lastPruneMs = 0;

  // The node's clock as Unix ms (anchored to the wall clock at start).
  std::int64_t wallMs(Clock::TimePoint at) const;
  std::int64_t nowMs() const { return wallMs(context.clock.now()); }

  // The alert's labels plus `rule` and `severity`: what silences match.
  static alerting::Labels silenceLabels(const alerting::Alert &a);
  const alerting::Silence *mutedBy(const alerting::Alert &a) const;
  QJsonObject toJson(const alerting::Alert &a) const;
  QJsonArray silencesJson() const;
  QJsonArray activeJson() const;
  // A notification of `a`: firing when endsMs is 0, else resolved at endsMs (Unix ms).
  AlertNotice notice(const alerting::Alert &a, std::int64_t endsMs) const;
  alerting::HistoryEvent historyEvent(const alerting::Alert &a, std::int64_t atMs) const;
  alerting::HistoryEvent silenceEvent(const alerting::Silence &s, std::string_view state, std::int64_t atMs) const;
  // Writes events to the history; a failure is reported on the event sink, not returned.
  void record(std::vector<alerting::HistoryEvent> events);

  // A rules file checked whole against the node's metrics; InvalidArgument naming line and field.
  Result<std::vector<alerting::AlertRule>> parse(std::string_view yaml, std::string_view shownPath) const;
  Status apply(std::string_view yaml, std::string_view shownPath);
  Status track(const std::vector<alerting::AlertRule> &rules);
  Status openDatabase();
  Status registerOps(AlertingService &service);  // alertcommands.cpp
};

QJsonObject historyEventJson(const alerting::HistoryEvent &e);  // alertcommands.cpp
QJsonObject silenceJson(const alerting::Silence &s);            // alertcommands.cpp

}  // namespace lmfront::node
