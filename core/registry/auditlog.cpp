#include "registry/auditlog.h"

#include "common/csv.h"
#include "storage/sqlitedb.h"

#include <QDateTime>
#include <QTimeZone>
#include <algorithm>
#include <charconv>

namespace lmfront::registry {

std::string_view auditOutcomeName(AuditOutcome outcome) { return outcome == AuditOutcome::Ok ? "ok" : "refused"; }

Status AuditLog::append(const AuditEntry &e) {
  auto insert = m_db.prepare(
      "INSERT INTO audit (time_ms, actor, action, model, version, before, after, reason, outcome)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.status();
  insert->bind(1, e.timeMs).bind(2, e.actor).bind(3, e.action).bind(4, e.model);
  if (e.version)
    insert->bind(5, *e.version);
  else
    insert->bindNull(5);
  insert->bind(6, e.before).bind(7, e.after).bind(8, e.reason).bind(9, auditOutcomeName(e.outcome));
  return insert->run();
}

Result<std::vector<AuditEntry>> AuditLog::query(const AuditQuery &q) const {
  // The newest `limit` rows, then oldest first: a bounded tail that reads like a log.
  // One model's rows through its index: an OR on a parameter would scan the whole log.
  auto select = m_db.prepare(
      std::string("SELECT time_ms, actor, action, model, version, before, after, reason, outcome, id FROM audit"
                  " WHERE time_ms >= ?1 AND id > ?4") +
      (q.model.empty() ? "" : " AND model = ?2") + " ORDER BY id DESC LIMIT ?3");
  if (!select) return select.status();
  select->bind(1, q.sinceMs).bind(3, static_cast<std::int64_t>(std::max(q.limit, 0))).bind(4, q.afterId);
  if (!q.model.empty()) select->bind(2, q.model);
  auto rows = select->collect<AuditEntry>([](const storage::SqliteStatement &row) {
    AuditEntry e;
    e.timeMs = row.int64(0);
    e.actor = row.text(1);
    e.action = row.text(2);
    e.model = row.text(3);
    e.version = row.optionalInt64(4);
    e.before = row.text(5);
    e.after = row.text(6);
    e.reason = row.text(7);
    e.outcome = row.text(8) == "ok" ? AuditOutcome::Ok : AuditOutcome::Refused;
    e.id = row.int64(9);
    return e;
  });
  if (!rows) return rows;
  std::reverse(rows->begin(), rows->end());
  return rows;
}

std::string isoUtcMs(std::int64_t unixMs) {
  return QDateTime::fromMSecsSinceEpoch(unixMs, Qt::UTC).toString(Qt::ISODateWithMs).toStdString();
}

Result<std::int64_t> parseAuditTime(std::string_view text) {
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) {
    if (seconds < 0) return Status::invalidArgument("since: expected a time at or after 1970");
    return seconds * 1000;
  }
  const QString s = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
  QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
  if (!t.isValid()) t = QDateTime::fromString(s, Qt::ISODate);
  if (!t.isValid())
    return Status::invalidArgument("since: expected unix seconds or an ISO 8601 time, got \"" + std::string(text) +
                                   "\"");
  if (t.timeSpec() == Qt::LocalTime) t.setTimeZone(QTimeZone::utc());  // no zone given: UTC, like every time shown
  return t.toMSecsSinceEpoch();
}

std::string auditCsv(const std::vector<AuditEntry> &entries) {
  std::string out = "time,actor,action,model,version,before,after,reason,outcome\r\n";
  for (const AuditEntry &e : entries) {
    const std::string fields[] = {isoUtcMs(e.timeMs),
                                  e.actor,
                                  e.action,
                                  e.model,
                                  e.version ? std::to_string(*e.version) : std::string(),
                                  e.before,
                                  e.after,
                                  e.reason,
                                  std::string(auditOutcomeName(e.outcome))};
    appendCsvRow(out, fields);
  }
  return out;
}

}  // namespace lmfront::registry
