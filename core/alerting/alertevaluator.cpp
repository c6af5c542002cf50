#include "alerting/alertevaluator.h"

#include <algorithm>
#include <cstdio>

namespace lmfront::alerting {

std::string_view alertStateName(AlertState s) {
  switch (s) {
  case AlertState::Inactive: return "inactive";
  case AlertState::Pending: return "pending";
  case AlertState::Firing: return "firing";
  case AlertState::Resolved: return "resolved";
  }
  return "?";
}

namespace {

std::string alertId(const std::string &rule, const Labels &labels, Clock::TimePoint since) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  auto mix = [&h](std::string_view bytes) {
    for (const unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;  // separator: ("ab","c") differs from ("a","bc")
  };
  mix(rule);
  for (const auto &[k, v] : labels) {
    mix(k);
    mix(v);
  }
  mix(std::to_string(since.time_since_epoch().count()));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Labels withRuleLabels(Labels series, const Labels &ruleLabels) {
  for (const auto &[k, v] : ruleLabels) {
    auto it = std::find_if(series.begin(), series.end(), [&](const auto &p) { return p.first == k; });
    if (it != series.end())
      it->second = v;
    else
      series.emplace_back(k, v);
  }
  std::sort(series.begin(), series.end());
  return series;
}

}  // namespace

void AlertEvaluator::setRules(std::vector<AlertRule> rules) {
  std::map<std::string, RuleState> kept;
  for (const auto &rule : rules) {
    auto old = std::find_if(m_rules.begin(), m_rules.end(), [&](const AlertRule &r) { return r.name == rule.name; });
    auto state = m_state.find(rule.name);
    if (old != m_rules.end() && old->sameDefinition(rule) && state != m_state.end())
      kept[rule.name] = std::move(state->second);
  }
  for (auto &[name, state] : m_state) {
    if (kept.contains(name)) continue;
    for (auto &[labels, alert] : state.alerts) m_ended.push_back(std::move(alert));
  }
  m_rules = std::move(rules);
  m_state = std::move(kept);
}

std::vector<Transition> AlertEvaluator::evaluate(const SeriesSource &source, Clock::TimePoint now) {
  std::vector<Transition> out;
  for (auto &alert : m_ended) {
    const AlertState from = alert.state;
    alert.state = from == AlertState::Firing ? AlertState::Resolved : AlertState::Inactive;
    out.push_back({std::move(alert), from, now});
  }
  m_ended.clear();

  for (const auto &rule : m_rules) {
    auto &alerts = m_state[rule.name].alerts;
    std::map<Labels, double> values;
    for (auto &[labels, value] : source.evaluate(rule, now)) values[std::move(labels)] = value;

    // Label sets that meet the condition and have no alert yet start one.
    for (const auto &[labels, value] : values) {
      if (!compare(value, rule.op, rule.threshold) || alerts.contains(labels)) continue;
      Alert a;
      a.rule = rule.name;
      a.severity = rule.severity;
      a.labels = withRuleLabels(labels, rule.labels);
      a.activeSince = now;
      a.id = alertId(rule.name, a.labels, now);
      alerts.emplace(labels, std::move(a));
    }

    for (auto it = alerts.begin(); it != alerts.end();) {
      Alert &a = it->second;
      const auto found = values.find(it->first);
      const double value = found == values.end() ? std::numeric_limits<double>::quiet_NaN() : found->second;
      const bool met = compare(value, rule.op, rule.threshold);
      const AlertState from = a.state;
      if (found != values.end()) a.value = value;
      if (met) a.lastMet = now;
      a.summary = rule.renderSummary(a.labels, a.value);
      bool drop = false;
      if (met) {
        if (a.state == AlertState::Inactive) a.state = AlertState::Pending;
        if (a.state == AlertState::Pending && now - a.activeSince >= rule.forDuration) {
          a.state = AlertState::Firing;
          a.firingSince = now;
        }
      } else if (a.state == AlertState::Pending || a.state == AlertState::Inactive) {
        a.state = AlertState::Inactive;
        drop = true;
      } else if (a.state == AlertState::Firing && now - a.lastMet >= rule.keepFiringFor) {
        a.state = AlertState::Resolved;
        drop = true;
      }
      if (a.state != from) out.push_back({a, from, now});
      it = drop ? alerts.erase(it) : std::next(it);
    }
  }
  return out;
}

std::vector<Alert> AlertEvaluator::active() const {
  std::vector<Alert> out;
  for (const auto &rule : m_rules) {
    const auto state = m_state.find(rule.name);
    if (state == m_state.end()) continue;
    for (const auto &[labels, alert] : state->second.alerts) out.push_back(alert);
  }
  return out;
}

}  // namespace lmfront::alerting
