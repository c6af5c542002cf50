#include "alerting/alertrule.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace lmfront::alerting {

std::string_view aggregateName(Aggregate a) {
  switch (a) {
  case Aggregate::Rate: return "rate";
  case Aggregate::Ratio: return "ratio";
  case Aggregate::Avg: return "avg";
  case Aggregate::Max: return "max";
  case Aggregate::Quantile: return "quantile";
  }
  return "?";
}

std::string_view comparisonName(Comparison c) {
  switch (c) {
  case Comparison::Greater: return ">";
  case Comparison::GreaterOrEqual: return ">=";
  case Comparison::Less: return "<";
  case Comparison::LessOrEqual: return "<=";
  case Comparison::Equal: return "==";
  case Comparison::NotEqual: return "!=";
  }
  return "?";
}

std::string_view severityName(Severity s) {
  switch (s) {
  case Severity::Critical: return "critical";
  case Severity::Warning: return "warning";
  case Severity::Info: return "info";
  }
  return "?";
}

bool compare(double value, Comparison op, double threshold) {
  if (std::isnan(value)) return false;
  switch (op) {
  case Comparison::Greater: return value > threshold;
  case Comparison::GreaterOrEqual: return value >= threshold;
  case Comparison::Less: return value < threshold;
  case Comparison::LessOrEqual: return value <= threshold;
  case Comparison::Equal: return value == threshold;
  case Comparison::NotEqual: return value != threshold;
  }
  return false;
}

bool LabelMatcher::matches(const Labels &labels) const {
  for (const auto &[name, value] : labels)
    if (name == label) return std::regex_match(value, regex);
  return std::regex_match(std::string(), regex);
}

bool Selector::matches(const Labels &labels) const {
  return std::all_of(match.begin(), match.end(), [&](const LabelMatcher &m) { return m.matches(labels); });
}

namespace {

bool sameSelector(const Selector &a, const Selector &b) {
  if (a.metric != b.metric || a.match.size() != b.match.size()) return false;
  for (std::size_t i = 0; i < a.match.size(); ++i)
    if (a.match[i].label != b.match[i].label || a.match[i].pattern != b.match[i].pattern) return false;
  return true;
}

}  // namespace

bool AlertRule::sameDefinition(const AlertRule &o) const {
  const bool sameDenominator =
      std::equal(denominator.begin(), denominator.end(), o.denominator.begin(), o.denominator.end(), sameSelector);
  return name == o.name && sameSelector(selector, o.selector) && aggregate == o.aggregate && sameDenominator &&
         minRate == o.minRate && q == o.q && by == o.by && window == o.window && op == o.op &&
         threshold == o.threshold && forDuration == o.forDuration && keepFiringFor == o.keepFiringFor &&
         severity == o.severity && labels == o.labels && summary == o.summary;
}

std::string AlertRule::renderSummary(const Labels &alertLabels, double value) const {
  std::string out;
  std::size_t at = 0;
  while (at < summary.size()) {
    const std::size_t open = summary.find("{{", at);
    const std::size_t close = open == std::string::npos ? std::string::npos : summary.find("}}", open + 2);
    if (close == std::string::npos) {
      out.append(summary, at);
      break;
    }
    out.append(summary, at, open - at);
    std::string_view inner(summary.data() + open + 2, close - open - 2);
    while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
    while (!inner.empty() && inner.back() == ' ') inner.remove_suffix(1);
    if (inner == "$value") {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 4);
      out.append(buf, r.ptr);
    } else if (inner.starts_with("$labels.")) {
      const std::string_view key = inner.substr(8);
      for (const auto &[labelName, v] : alertLabels)
        if (labelName == key) out += v;
    } else {
      out.append(summary, open, close + 2 - open);  // not ours: left as written
    }
    at = close + 2;
  }
  return out;
}

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  const Status bad =
      Status::invalidArgument("expected a duration such as 30s, 5m, 1h30m or 500ms, got \"" + std::string(text) + "\"");
  if (text.empty()) return bad;
  if (text.front() == '-') return Status::invalidArgument("must not be negative");
  std::chrono::milliseconds total{0};
  while (!text.empty()) {
    long long n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data()) return bad;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    std::size_t unitLength = 0;
    while (unitLength < text.size() && std::isalpha(static_cast<unsigned char>(text[unitLength]))) ++unitLength;
    const std::string_view unit = text.substr(0, unitLength);
    text.remove_prefix(unitLength);
    long long ms = 0;
    if (unit == "ms")
      ms = 1;
    else if (unit == "s")
      ms = 1000;
    else if (unit == "m")
      ms = 60'000;
    else if (unit == "h")
      ms = 3'600'000;
    else if (unit == "d")
      ms = 86'400'000;
    else
      return bad;
    if (n > (1LL << 40) / ms) return Status::invalidArgument("duration too long");
    total += std::chrono::milliseconds(n * ms);
  }
  return total;
}

namespace {

// Reads one file's rules; every error goes through fail() with the node it is about.
class RuleReader {
public:
  RuleReader(std::string_view shownPath, const MetricExists &metricExists)
      : m_path(shownPath), m_metricExists(metricExists) {}

  Status fail(const YAML::Node &at, std::string_view rule, std::string_view field, std::string_view what) const {
    std::string message = m_path;
    if (at.IsDefined() && at.Mark().line >= 0) message.append(":").append(std::to_string(at.Mark().line + 1));
    message.append(": ");
    if (!rule.empty()) message.append("rule \"").append(rule).append("\": ");
    if (!field.empty()) message.append("\"").append(field).append("\": ");
    message.append(what);
    return Status::invalidArgument(message);
  }

  Result<std::string> scalar(const YAML::Node &node, std::string_view rule, std::string_view field) const {
    if (!node.IsScalar()) return fail(node, rule, field, "expected a single value");
    return node.Scalar();
  }

  Result<double> number(const YAML::Node &node, std::string_view rule, std::string_view field) const {
    auto text = scalar(node, rule, field);
    if (!text) return text.status();
    double value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(value))
      return fail(node, rule, field, "expected a number, got \"" + *text + "\"");
    return value;
  }

  Result<std::chrono::milliseconds> duration(const YAML::Node &node, std::string_view rule,
                                             std::string_view field) const {
    auto text = scalar(node, rule, field);
    if (!text) return text.status();
    auto d = parseDuration(*text);
    if (!d) return fail(node, rule, field, d.status().message());
    return *d;
  }

  Result<Selector> selector(const YAML::Node &metric, const YAML::Node &match, std::string_view rule,
                            std::string_view metricField) const {
    Selector s;
    if (!metric.IsDefined()) return fail(metric, rule, metricField, "is required");
    auto name = scalar(metric, rule, metricField);
    if (!name) return name.status();
    if (!m_metricExists(*name)) return fail(metric, rule, metricField, "unknown metric \"" + *name + "\"");
    s.metric = *name;
    if (!match.IsDefined()) return s;
    if (!match.IsMap()) return fail(match, rule, "match", "expected a map of label: regular expression");
    for (auto it = match.begin(); it != match.end(); ++it) {
      auto label = scalar(it->first, rule, "match");
      if (!label) return label.status();
      auto pattern = scalar(it->second, rule, "match." + *label);
      if (!pattern) return pattern.status();
      try {
        s.match.push_back({*label, *pattern, std::regex(*pattern, std::regex::ECMAScript)});
      } catch (const std::regex_error &e) {
        return fail(it->second, rule, "match." + *label, "bad regular expression \"" + *pattern + "\": " + e.what());
      }
    }
    std::sort(s.match.begin(), s.match.end(), [](const auto &a, const auto &b) { return a.label < b.label; });
    return s;
  }

  Result<AlertRule> rule(const YAML::Node &node) const {
    if (!node.IsMap()) return fail(node, {}, {}, "a rule must be a map of fields");
    static const std::set<std::string, std::less<>> kFields = {
        "name",   "metric", "match",     "aggregate", "denominator",     "min_rate", "q",      "by",
        "window", "op",     "threshold", "for",       "keep_firing_for", "severity", "labels", "summary"};
    AlertRule r;
    r.line = node.Mark().line + 1;
    const YAML::Node nameNode = node["name"];
    if (!nameNode.IsDefined()) return fail(node, {}, "name", "is required");
    auto name = scalar(nameNode, {}, "name");
    if (!name) return name.status();
    if (name->empty() || !std::all_of(name->begin(), name->end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        }))
      return fail(nameNode, {}, "name", "expected letters, digits, '_', '-' or '.', got \"" + *name + "\"");
    r.name = *name;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (!kFields.contains(key))
        return fail(it->first, r.name, key,
                    "unknown field (known: name, metric, match, aggregate, denominator, min_rate, q, "
                    "by, window, op, threshold, for, keep_firing_for, severity, labels, "
                    "summary)");
    }
    auto selected = selector(node["metric"], node["match"], r.name, "metric");
    if (!selected) return selected.status();
    r.selector = std::move(*selected);

    const YAML::Node aggregate = node["aggregate"];
    if (!aggregate.IsDefined()) return fail(node, r.name, "aggregate", "is required");
    auto how = scalar(aggregate, r.name, "aggregate");
    if (!how) return how.status();
    static const std::pair<std::string_view, Aggregate> kAggregates[] = {{"rate", Aggregate::Rate},
                                                                         {"ratio", Aggregate::Ratio},
                                                                         {"avg", Aggregate::Avg},
                                                                         {"max", Aggregate::Max},
                                                                         {"quantile", Aggregate::Quantile}};
    const auto found =
        std::find_if(std::begin(kAggregates), std::end(kAggregates), [&](const auto &a) { return a.first == *how; });
    if (found == std::end(kAggregates))
      return fail(aggregate, r.name, "aggregate", "expected rate, ratio, avg, max or quantile, got \"" + *how + "\"");
    r.aggregate = found->second;

    const YAML::Node q = node["q"];
    if (r.aggregate == Aggregate::Quantile) {
      if (!q.IsDefined()) return fail(aggregate, r.name, "q", "is required with aggregate: quantile");
      auto value = number(q, r.name, "q");
      if (!value) return value.status();
      if (!(*value > 0 && *value < 1)) return fail(q, r.name, "q", "must lie between 0 and 1");
      r.q = *value;
    } else if (q.IsDefined()) {
      return fail(q, r.name, "q", "only with aggregate: quantile");
    }

    const YAML::Node denominator = node["denominator"];
    if (r.aggregate == Aggregate::Ratio) {
      if (!denominator.IsDefined() || !(denominator.IsMap() || (denominator.IsSequence() && denominator.size() > 0)))
        return fail(denominator.IsDefined() ? denominator : aggregate, r.name, "denominator",
                    "is required with aggregate: ratio, a map with metric and match (or a list of them)");
      std::vector<YAML::Node> parts;
      if (denominator.IsMap())
        parts.push_back(denominator);
      else
        for (std::size_t i = 0; i < denominator.size(); ++i) parts.push_back(denominator[i]);
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const YAML::Node &part = parts[i];
        const std::string at =
            denominator.IsMap() ? std::string("denominator") : "denominator[" + std::to_string(i) + "]";
        if (!part.IsMap()) return fail(part, r.name, at, "expected a map with metric and match");
        for (auto it = part.begin(); it != part.end(); ++it) {
          const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
          if (key != "metric" && key != "match")
            return fail(it->first, r.name, at + "." + key, "unknown field (known: metric, match)");
        }
        auto d = selector(part["metric"], part["match"], r.name, at + ".metric");
        if (!d) return d.status();
        r.denominator.push_back(std::move(*d));
      }
    } else if (denominator.IsDefined()) {
      return fail(denominator, r.name, "denominator", "only with aggregate: ratio");
    }

    if (const YAML::Node minRate = node["min_rate"]; minRate.IsDefined()) {
      if (r.aggregate != Aggregate::Ratio) return fail(minRate, r.name, "min_rate", "only with aggregate: ratio");
      auto value = number(minRate, r.name, "min_rate");
      if (!value) return value.status();
      if (!(*value >= 0)) return fail(minRate, r.name, "min_rate", "must not be negative");
      r.minRate = *value;
    }

    if (const YAML::Node by = node["by"]; by.IsDefined()) {
      if (!by.IsSequence()) return fail(by, r.name, "by", "expected a list of label names");
      std::vector<std::string> labels;
      for (const auto &label : by) {
        auto l = scalar(label, r.name, "by");
        if (!l) return l.status();
        labels.push_back(*l);
      }
      std::sort(labels.begin(), labels.end());
      r.by = std::move(labels);
    }

    if (const YAML::Node window = node["window"]; window.IsDefined()) {
      auto w = duration(window, r.name, "window");
      if (!w) return w.status();
      if (w->count() < 1000) return fail(window, r.name, "window", "must be at least 1s");
      r.window = *w;
    }

    const YAML::Node op = node["op"];
    if (!op.IsDefined()) return fail(node, r.name, "op", "is required");
    auto opText = scalar(op, r.name, "op");
    if (!opText) return opText.status();
    static const std::pair<std::string_view, Comparison> kOps[] = {
        {">", Comparison::Greater},      {">=", Comparison::GreaterOrEqual}, {"<", Comparison::Less},
        {"<=", Comparison::LessOrEqual}, {"==", Comparison::Equal},          {"!=", Comparison::NotEqual}};
    const auto foundOp =
        std::find_if(std::begin(kOps), std::end(kOps), [&](const auto &o) { return o.first == *opText; });
    if (foundOp == std::end(kOps)) return fail(op, r.name, "op", "expected >, >=, <, <=, == or !=");
    r.op = foundOp->second;

    const YAML::Node threshold = node["threshold"];
    if (!threshold.IsDefined()) return fail(node, r.name, "threshold", "is required");
    auto t = number(threshold, r.name, "threshold");
    if (!t) return t.status();
    r.threshold = *t;

    if (const YAML::Node f = node["for"]; f.IsDefined()) {
      auto d = duration(f, r.name, "for");
      if (!d) return d.status();
      r.forDuration = *d;
    }
    if (const YAML::Node k = node["keep_firing_for"]; k.IsDefined()) {
      auto d = duration(k, r.name, "keep_firing_for");
      if (!d) return d.status();
      r.keepFiringFor = *d;
    }

    const YAML::Node severity = node["severity"];
    if (!severity.IsDefined()) return fail(node, r.name, "severity", "is required");
    auto s = scalar(severity, r.name, "severity");
    if (!s) return s.status();
    if (*s == "critical")
      r.severity = Severity::Critical;
    else if (*s == "warning")
      r.severity = Severity::Warning;
    else if (*s == "info")
      r.severity = Severity::Info;
    else
      return fail(severity, r.name, "severity", "expected critical, warning or info, got \"" + *s + "\"");

    if (const YAML::Node labels = node["labels"]; labels.IsDefined()) {
      if (!labels.IsMap()) return fail(labels, r.name, "labels", "expected a map of label: value");
      for (auto it = labels.begin(); it != labels.end(); ++it) {
        auto k = scalar(it->first, r.name, "labels");
        if (!k) return k.status();
        auto v = scalar(it->second, r.name, "labels." + *k);
        if (!v) return v.status();
        r.labels.emplace_back(*k, *v);
      }
      std::sort(r.labels.begin(), r.labels.end());
    }
    if (const YAML::Node summary = node["summary"]; summary.IsDefined()) {
      auto text = scalar(summary, r.name, "summary");
      if (!text) return text.status();
      r.summary = *text;
    }
    return r;
  }

private:
  std::string m_path;
  const MetricExists &m_metricExists;
};

}  // namespace

Result<std::vector<AlertRule>> parseRules(std::string_view yaml, std::string_view shownPath,
                                          const MetricExists &metricExists) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception &e) {
    return Status::invalidArgument(std::string(shownPath) + ":" + std::to_string(e.mark.line + 1) +
                                   ": not valid YAML: " + e.msg);
  }
  RuleReader reader(shownPath, metricExists);
  if (!root.IsMap()) return reader.fail(root, {}, {}, "expected a map with one key, rules");
  for (auto it = root.begin(); it != root.end(); ++it)
    if (!it->first.IsScalar() || it->first.Scalar() != "rules")
      return reader.fail(it->first, {}, it->first.IsScalar() ? it->first.Scalar() : std::string(),
                         "unknown top-level key (known: rules)");
  const YAML::Node rules = root["rules"];
  if (!rules.IsDefined() || !rules.IsSequence()) return reader.fail(root, {}, "rules", "expected a list of rules");
  std::vector<AlertRule> out;
  std::set<std::string, std::less<>> names;
  for (const auto &node : rules) {
    auto r = reader.rule(node);
    if (!r) return r.status();
    if (!names.insert(r->name).second) return reader.fail(node["name"], r->name, "name", "another rule has this name");
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace lmfront::alerting
