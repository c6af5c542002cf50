// AlertHistory: every alert state change, acknowledgement and silence a node saw, in SQLite
// (alertdb.h), kept without a cap until the operator's retention removes it (docs/alerting.md,
// "History"). Queried by time range, severity, rule, model, node, state, kind and text; exported
// as CSV; summarised per period (alerts per day by severity, mean time to acknowledge and to
// resolve, the noisiest rules).
//
// Times are Unix milliseconds (UTC). A state event carries the alert's new state and the one it
// left; an ack event has state "acknowledged"; a silence event has state "silenced" (or "expired"),
// its id in alertId and its matchers as labels. Labels travel as a JSON object's text.
//
// Threads: the database's owning thread only (storage/sqlitedb.h). Plain C++.
#pragma once

#include "common/status.h"
#include "storage/sqlitedb.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace lmfront::alerting {

struct HistoryEvent {
  std::int64_t seq = 0;  // assigned by record(), increasing
  std::int64_t atMs = 0;
  std::string kind;  // "state" | "ack" | "silence"
  std::string alertId;
  std::string rule;
  std::string severity;
  std::string state;
  std::string fromState;
  std::string model;  // the alert's `model` label, "" when it has none
  std::string node;   // the node that raised it
  std::string labelsJson = "{}";
  std::optional<double> value;
  std::string summary;
  std::string author;
  std::string comment;
};

// Empty strings match anything; `text` is a case-insensitive substring of the rule, labels,
// summary or comment. Rows come oldest first; `limit` 0 returns all of them.
struct HistoryQuery {
  std::int64_t sinceMs = 0;                                         // inclusive
  std::int64_t untilMs = std::numeric_limits<std::int64_t>::max();  // exclusive
  std::string severity{};
  std::string rule{};
  std::string model{};
  std::string node{};
  std::string state{};
  std::string kind{};
  std::string text{};
  std::int64_t limit = 0;
};

struct HistorySummary {
  struct Day {
    std::string date;  // "2026-12-07", UTC
    std::int64_t critical = 0, warning = 0, info = 0;
  };
  struct Rule {
    std::string rule;
    std::int64_t fired = 0;
  };
  std::vector<Day> perDay;  // days on which some alert began firing, in order
  std::int64_t fired = 0, acknowledged = 0, resolved = 0;
  std::optional<double> mttaSeconds;  // over the alerts that fired in the period and were acknowledged
  std::optional<double> mttrSeconds;  // over those that fired in the period and resolved
  std::vector<Rule> noisiest;         // most alerts fired first, at most 10
};

class AlertHistory {
public:
  explicit AlertHistory(storage::SqliteDb &db) : m_db(db) {}  // db from openAlertDb(), outlives this

  // Appends the events in one transaction and folds state and ack events into their alert's
  // episode (for the summary). seq is set on each.
  Status record(std::vector<HistoryEvent> &events);
  Result<std::vector<HistoryEvent>> query(const HistoryQuery &q) const;
  // Alerts that began firing in [sinceMs, untilMs).
  Result<HistorySummary> summary(std::int64_t sinceMs, std::int64_t untilMs) const;
  // Removes events and episodes that began before `beforeMs`; returns the events removed.
  Result<std::int64_t> prune(std::int64_t beforeMs);

private:
  storage::SqliteDb &m_db;
};

// RFC 4180 CSV with a header row: time (ISO 8601 UTC, ms), kind, alert_id, rule, severity, state,
// from, model, node, labels (JSON), value, summary, author, comment. Lines end in CRLF.
std::string historyCsv(const std::vector<HistoryEvent> &events);
// Unix ms as "2026-12-07T04:50:00.123Z".
std::string isoUtc(std::int64_t unixMs);

}  // namespace lmfront::alerting
