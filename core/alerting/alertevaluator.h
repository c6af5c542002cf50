// AlertEvaluator: turns rules and the values they select into alerts with states, one alert per
// rule and distinct label set, inactive → pending → firing → resolved (docs/alerting.md).
//
// Contract of evaluate(source, now), called on a timer (every second on a node):
// - A label set whose value meets the rule's condition starts a pending alert; once the condition
//   has held for the rule's `for` (at once when `for` is 0) it fires.
// - A pending alert whose condition stops holding goes back to inactive (reported, then dropped).
// - A firing alert whose condition stops holding keeps firing until it has not held for
//   `keep_firing_for`, then resolves. A resolved alert is reported once and dropped; when the
//   condition holds again, a new alert (new id) starts pending. A series that vanished (no value,
//   or NaN) does not meet any condition.
// - Every state change is returned as a Transition, in rule order then label order: history,
//   notifications and the ops topic consume them.
// setRules() keeps the alerts of every rule whose definition is unchanged (a rules reload never
// drops their state); the alerts of a removed or changed rule end: firing ones resolve, pending
// ones go inactive, all reported at the next evaluate().
//
// Time is the caller's: `now` comes from the node's injected clock. Not thread-safe: one owner
// (the alerting service's thread) drives it.
#pragma once

#include "alerting/alertrule.h"
#include "common/clock.h"

#include <map>
#include <string>
#include <vector>

namespace lmfront::alerting {

enum class AlertState { Inactive, Pending, Firing, Resolved };
std::string_view alertStateName(AlertState s);  // "inactive", "pending", "firing", "resolved"

struct Alert {
  std::string id;  // 16 hex digits: rule, labels and when it started; unique per episode
  std::string rule;
  Severity severity = Severity::Warning;
  Labels labels;  // the series' (or `by`) labels plus the rule's labels, sorted
  AlertState state = AlertState::Inactive;
  double value = 0;  // the last evaluated value
  std::string summary;
  Clock::TimePoint activeSince{};  // became pending
  Clock::TimePoint firingSince{};  // became firing (zero before)
  Clock::TimePoint lastMet{};      // the condition held last
};

struct Transition {
  Alert alert;  // as it is after the change
  AlertState from = AlertState::Inactive;
  Clock::TimePoint at{};
};

// What a rule selects, evaluated now: one value per label set (the labels the alert is kept by).
class SeriesSource {
public:
  virtual ~SeriesSource() = default;
  virtual std::vector<std::pair<Labels, double>> evaluate(const AlertRule &rule, Clock::TimePoint now) const = 0;
};

class AlertEvaluator {
public:
  void setRules(std::vector<AlertRule> rules);
  const std::vector<AlertRule> &rules() const { return m_rules; }

  std::vector<Transition> evaluate(const SeriesSource &source, Clock::TimePoint now);
  // Pending and firing alerts, in rule order then label order.
  std::vector<Alert> active() const;

private:
  struct RuleState {
    std::map<Labels, Alert> alerts;  // by the series' labels
  };
  std::vector<AlertRule> m_rules;
  std::map<std::string, RuleState> m_state;  // by rule name
  std::vector<Alert> m_ended;                // of removed/changed rules, reported at the next evaluate()
};

}  // namespace lmfront::alerting
