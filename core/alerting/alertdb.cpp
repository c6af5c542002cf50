#include "alerting/alertdb.h"

namespace lmfront::alerting {

namespace {

// Step 1: history. `alert_events` holds every state change, ack and silence (no cap; pruned only
// by the retention the operator sets); its indexes serve the queries the views and the CLI make:
// a time range alone, or with a severity, rule or state. `alert_episodes` is one row per alert id
// (pending to resolved): when it fired, was acknowledged, resolved. `alert_daily` folds episodes
// per UTC day of firing, severity and rule (counts and summed delays), so a summary of a year
// reads at most days × severities × rules rows; only the partial days at a period's edges are
// read from episodes (through their covering index).
constexpr std::string_view kHistory = R"sql(
CREATE TABLE alert_events (
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  from_state TEXT NOT NULL,
  model TEXT NOT NULL,
  node TEXT NOT NULL,
  labels TEXT NOT NULL,
  value REAL,
  summary TEXT NOT NULL,
  author TEXT NOT NULL,
  comment TEXT NOT NULL
);
CREATE INDEX alert_events_at ON alert_events (at_ms);
CREATE INDEX alert_events_severity_at ON alert_events (severity, at_ms);
CREATE INDEX alert_events_rule_at ON alert_events (rule, at_ms);
CREATE INDEX alert_events_state_at ON alert_events (state, at_ms);
CREATE TABLE alert_episodes (
  alert_id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  firing_ms INTEGER,
  acked_ms INTEGER,
  resolved_ms INTEGER
);
CREATE INDEX alert_episodes_firing ON alert_episodes (firing_ms, severity, rule, acked_ms, resolved_ms);
CREATE INDEX alert_episodes_started ON alert_episodes (started_ms);
CREATE TABLE alert_daily (
  day INTEGER NOT NULL,
  severity TEXT NOT NULL,
  rule TEXT NOT NULL,
  fired INTEGER NOT NULL DEFAULT 0,
  acked INTEGER NOT NULL DEFAULT 0,
  ack_ms INTEGER NOT NULL DEFAULT 0,
  resolved INTEGER NOT NULL DEFAULT 0,
  resolve_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, severity, rule)
) WITHOUT ROWID;
)sql";

// Step 2: silences (label matchers as JSON text) and the notification outbox: a notification is
// a row until a receiver took it, so one owed survives a restart.
constexpr std::string_view kSilencesAndOutbox = R"sql(
CREATE TABLE silences (
  id TEXT PRIMARY KEY,
  matchers TEXT NOT NULL,
  starts_ms INTEGER NOT NULL,
  ends_ms INTEGER NOT NULL,
  author TEXT NOT NULL,
  comment TEXT NOT NULL
);
CREATE TABLE notification_outbox (
  seq INTEGER PRIMARY KEY,
  receiver TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT ''
);
)sql";

}  // namespace

Result<std::unique_ptr<storage::SqliteDb>> openAlertDb(const std::string &path) {
  storage::SqliteOptions options;
  options.migrations = {kHistory, kSilencesAndOutbox};
  return storage::SqliteDb::open(path, options);
}

}  // namespace lmfront::alerting
