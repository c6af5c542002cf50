// AlertRule: one alert rule as an operator writes it in a rules file (docs/alerting.md), parsed
// once into this typed form. The evaluator (alertevaluator.h) never reads YAML.
//
// Contract of parseRules(): the text is YAML whose top level is `rules:`, a list of rule maps.
// Everything is checked before anything is returned — unknown fields, a metric the node does not
// have, a regular expression that does not compile, a negative `for`, a missing `q` for
// `quantile` — and the first problem is InvalidArgument naming the file, the line and the field:
// `rules.yaml:12: rule "p99_latency": "for": must not be negative`. Rule names are unique.
// Plain C++ (yaml-cpp; no Qt).
#pragma once

#include "common/status.h"

#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmfront::alerting {

using Labels = std::vector<std::pair<std::string, std::string>>;  // sorted by label name

enum class Aggregate { Rate, Ratio, Avg, Max, Quantile };
enum class Comparison { Greater, GreaterOrEqual, Less, LessOrEqual, Equal, NotEqual };
enum class Severity { Critical, Warning, Info };

std::string_view aggregateName(Aggregate a);                  // "rate", "ratio", ...
std::string_view comparisonName(Comparison c);                // ">", ">=", ...
std::string_view severityName(Severity s);                    // "critical", "warning", "info"
bool compare(double value, Comparison op, double threshold);  // false for NaN

// label → regular expression that must match the whole label value (as Prometheus' =~).
struct LabelMatcher {
  std::string label;
  std::string pattern;  // as written, for equality and display
  std::regex regex;
  bool matches(const Labels &labels) const;  // a missing label is matched as ""
};

struct Selector {
  std::string metric;
  std::vector<LabelMatcher> match;
  bool matches(const Labels &labels) const;
};

struct AlertRule {
  std::string name;
  Selector selector;
  Aggregate aggregate = Aggregate::Rate;
  // ratio only: selector / the sum of these (one or more). The node's cache hit ratio, say, is
  // hits of every tier over the local tier's hits plus misses (every lookup asks it first).
  std::vector<Selector> denominator;
  // ratio only: a group whose denominator rate (per second) is below this has no value, so a
  // handful of requests cannot fire a ratio alert. 0: any traffic counts.
  double minRate = 0;
  double q = 0;  // quantile only, in (0, 1)
  // The labels an alert is kept per. Absent: every label of the series (one alert per series);
  // for ratio, absent means the whole node (one alert).
  std::optional<std::vector<std::string>> by;
  std::chrono::milliseconds window{std::chrono::minutes(5)};
  Comparison op = Comparison::Greater;
  double threshold = 0;
  std::chrono::milliseconds forDuration{0};
  std::chrono::milliseconds keepFiringFor{0};
  Severity severity = Severity::Warning;
  Labels labels;        // added to every alert of the rule
  std::string summary;  // template: {{ $value }}, {{ $labels.NAME }}
  int line = 0;         // where the rule starts in its file (1-based), for messages

  // Same definition (the line does not count): a reload keeps the state of such a rule.
  bool sameDefinition(const AlertRule &other) const;
  // The summary with its placeholders filled.
  std::string renderSummary(const Labels &alertLabels, double value) const;
};

// true when the node has a metric family of that name (the rule's metric is checked with it).
using MetricExists = std::function<bool(std::string_view name)>;

Result<std::vector<AlertRule>> parseRules(std::string_view yaml, std::string_view shownPath,
                                          const MetricExists &metricExists);

// "30s", "5m", "1h30m", "500ms", "2d"; Status names what was expected.
Result<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace lmfront::alerting
