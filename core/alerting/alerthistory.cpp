#include "alerting/alerthistory.h"

#include "common/csv.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace lmfront::alerting {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string dateOfDay(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

// LIKE pattern for a substring, with the pattern's own wildcards escaped.
std::string likeSubstring(std::string_view text) {
  std::string out = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::string formatValue(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

std::string isoUtc(std::int64_t unixMs) {
  const std::int64_t day = floorDiv(unixMs, kDayMs);
  const std::int64_t inDay = unixMs - day * kDayMs;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03dZ", dateOfDay(day).c_str(), static_cast<int>(inDay / 3'600'000),
                static_cast<int>(inDay / 60'000 % 60), static_cast<int>(inDay / 1000 % 60),
                static_cast<int>(inDay % 1000));
  return buf;
}

Status AlertHistory::record(std::vector<HistoryEvent> &events) {
  if (events.empty()) return Status::ok();
  return m_db.transaction([&]() -> Status {
    auto insert = m_db.prepare(
        "INSERT INTO alert_events (at_ms, kind, alert_id, rule, severity, state, from_state, model, node, labels, "
        "value, summary, author, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.status();
    auto read = m_db.prepare("SELECT firing_ms, acked_ms, resolved_ms FROM alert_episodes WHERE alert_id = ?");
    if (!read) return read.status();
    // COALESCE keeps the first time an alert fired, was acknowledged or resolved.
    auto episode = m_db.prepare(
        "INSERT INTO alert_episodes (alert_id, rule, severity, started_ms, firing_ms, acked_ms, resolved_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id) DO UPDATE SET "
        "firing_ms = COALESCE(firing_ms, excluded.firing_ms), acked_ms = COALESCE(acked_ms, excluded.acked_ms), "
        "resolved_ms = COALESCE(resolved_ms, excluded.resolved_ms)");
    if (!episode) return episode.status();
    auto daily = m_db.prepare(
        "INSERT INTO alert_daily (day, severity, rule, fired, acked, ack_ms, resolved, resolve_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, severity, rule) DO UPDATE SET "
        "fired = fired + excluded.fired, acked = acked + excluded.acked, ack_ms = ack_ms + excluded.ack_ms, "
        "resolved = resolved + excluded.resolved, resolve_ms = resolve_ms + excluded.resolve_ms");
    if (!daily) return daily.status();
    auto addDaily = [&](const HistoryEvent &e, std::int64_t firingMs, std::int64_t fired, std::int64_t acked,
                        std::int64_t ackMs, std::int64_t resolved, std::int64_t resolveMs) {
      daily->bind(1, floorDiv(firingMs, kDayMs)).bind(2, e.severity).bind(3, e.rule).bind(4, fired);
      daily->bind(5, acked).bind(6, ackMs).bind(7, resolved).bind(8, resolveMs);
      Status st = daily->run();
      daily->reset();
      return st;
    };

    for (HistoryEvent &e : events) {
      insert->bind(1, e.atMs).bind(2, e.kind).bind(3, e.alertId).bind(4, e.rule).bind(5, e.severity);
      insert->bind(6, e.state).bind(7, e.fromState).bind(8, e.model).bind(9, e.node).bind(10, e.labelsJson);
      if (e.value)
        insert->bind(11, *e.value);
      else
        insert->bindNull(11);
      insert->bind(12, e.summary).bind(13, e.author).bind(14, e.comment);
      LMFRONT_RETURN_IF_ERROR(insert->run());
      e.seq = m_db.lastInsertRowId();
      insert->reset();

      const bool firing = e.kind == "state" && e.state == "firing";
      const bool resolved = e.kind == "state" && e.state == "resolved";
      const bool acked = e.kind == "ack";
      if (!(e.kind == "state" && e.state != "inactive") && !acked) continue;

      std::optional<std::int64_t> firedAt, ackedAt, resolvedAt;
      read->bind(1, e.alertId);
      auto found = read->step();
      if (!found) return found.status();
      if (*found) {
        firedAt = read->optionalInt64(0);
        ackedAt = read->optionalInt64(1);
        resolvedAt = read->optionalInt64(2);
        read->reset();
      }

      episode->bind(1, e.alertId).bind(2, e.rule).bind(3, e.severity).bind(4, e.atMs);
      for (const auto &[index, set] : {std::pair{5, firing}, std::pair{6, acked}, std::pair{7, resolved}}) {
        if (set)
          episode->bind(index, e.atMs);
        else
          episode->bindNull(index);
      }
      LMFRONT_RETURN_IF_ERROR(episode->run());
      episode->reset();

      // The day rollup counts each alert once, on the day it fired; an ack before firing counts 0 s.
      if (firing && !firedAt) LMFRONT_RETURN_IF_ERROR(addDaily(e, e.atMs, 1, ackedAt ? 1 : 0, 0, 0, 0));
      if (acked && !ackedAt && firedAt)
        LMFRONT_RETURN_IF_ERROR(addDaily(e, *firedAt, 0, 1, std::max<std::int64_t>(0, e.atMs - *firedAt), 0, 0));
      if (resolved && !resolvedAt && firedAt)
        LMFRONT_RETURN_IF_ERROR(addDaily(e, *firedAt, 0, 0, 0, 1, e.atMs - *firedAt));
    }
    return Status::ok();
  });
}

Result<std::vector<HistoryEvent>> AlertHistory::query(const HistoryQuery &q) const {
  std::string sql =
      "SELECT seq, at_ms, kind, alert_id, rule, severity, state, from_state, model, node, labels, value, summary, "
      "author, comment FROM alert_events WHERE at_ms >= ? AND at_ms < ?";
  std::vector<std::string> params;
  for (const auto &[column, value] :
       {std::pair{"severity", &q.severity}, std::pair{"rule", &q.rule}, std::pair{"model", &q.model},
        std::pair{"node", &q.node}, std::pair{"state", &q.state}, std::pair{"kind", &q.kind}}) {
    if (value->empty()) continue;
    sql.append(" AND ").append(column).append(" = ?");
    params.push_back(*value);
  }
  if (!q.text.empty()) {
    sql +=
        " AND (rule LIKE ?1x ESCAPE '\\' OR labels LIKE ?1x ESCAPE '\\' OR summary LIKE ?1x ESCAPE '\\' OR comment "
        "LIKE ?1x ESCAPE '\\')";
    const std::string index = std::to_string(params.size() + 3);
    for (std::size_t at; (at = sql.find("?1x")) != std::string::npos;) sql.replace(at, 3, "?" + index);
    params.push_back(likeSubstring(q.text));
  }
  sql += " ORDER BY at_ms, seq";
  if (q.limit > 0) sql += " LIMIT " + std::to_string(q.limit);

  auto stmt = m_db.prepare(sql);
  if (!stmt) return stmt.status();
  stmt->bind(1, q.sinceMs).bind(2, q.untilMs);
  for (std::size_t i = 0; i < params.size(); ++i) stmt->bind(static_cast<int>(i + 3), params[i]);
  std::vector<HistoryEvent> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    HistoryEvent e;
    e.seq = stmt->int64(0);
    e.atMs = stmt->int64(1);
    e.kind = stmt->text(2);
    e.alertId = stmt->text(3);
    e.rule = stmt->text(4);
    e.severity = stmt->text(5);
    e.state = stmt->text(6);
    e.fromState = stmt->text(7);
    e.model = stmt->text(8);
    e.node = stmt->text(9);
    e.labelsJson = stmt->text(10);
    e.value = stmt->optionalReal(11);
    e.summary = stmt->text(12);
    e.author = stmt->text(13);
    e.comment = stmt->text(14);
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

struct SummaryTotals {
  std::map<std::int64_t, HistorySummary::Day> days;
  std::unordered_map<std::string, std::int64_t> rules;
  std::int64_t fired = 0, acked = 0, resolved = 0;
  double ackMs = 0, resolveMs = 0;

  // `rule` empty: counted per day only (the rules are summed separately).
  void add(std::int64_t day, const std::string &severity, const std::string &rule, std::int64_t n) {
    auto &d = days[day];
    (severity == "critical" ? d.critical : severity == "warning" ? d.warning : d.info) += n;
    if (n > 0 && !rule.empty()) rules[rule] += n;
    fired += n;
  }
};

}  // namespace

Result<HistorySummary> AlertHistory::summary(std::int64_t sinceMs, std::int64_t untilMs) const {
  SummaryTotals t;
  // Whole UTC days inside the period come from the rollup, the partial days at its edges from
  // the episodes themselves.
  const std::int64_t firstDay = floorDiv(sinceMs, kDayMs) + (sinceMs % kDayMs != 0 ? 1 : 0);
  const std::int64_t endDay = std::max(firstDay, floorDiv(untilMs, kDayMs));
  auto scanEpisodes = [&](std::int64_t from, std::int64_t to) -> Status {
    if (from >= to) return Status::ok();
    auto stmt = m_db.prepare(
        "SELECT firing_ms, severity, rule, acked_ms, resolved_ms FROM alert_episodes "
        "WHERE firing_ms >= ? AND firing_ms < ?");
    if (!stmt) return stmt.status();
    stmt->bind(1, from).bind(2, to);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.status();
      if (!*row) return Status::ok();
      const std::int64_t firing = stmt->int64(0);
      t.add(floorDiv(firing, kDayMs), stmt->text(1), stmt->text(2), 1);
      if (const auto acked = stmt->optionalInt64(3)) {
        ++t.acked;
        t.ackMs += static_cast<double>(std::max<std::int64_t>(0, *acked - firing));
      }
      if (const auto resolved = stmt->optionalInt64(4)) {
        ++t.resolved;
        t.resolveMs += static_cast<double>(*resolved - firing);
      }
    }
  };
  if (firstDay >= endDay) {
    LMFRONT_RETURN_IF_ERROR(scanEpisodes(sinceMs, untilMs));
  } else {
    LMFRONT_RETURN_IF_ERROR(scanEpisodes(sinceMs, firstDay * kDayMs));
    LMFRONT_RETURN_IF_ERROR(scanEpisodes(endDay * kDayMs, untilMs));
    // Aggregated inside SQLite (no row crosses into C++ unsummed); each reads the key's range.
    auto days = m_db.prepare(
        "SELECT day, severity, SUM(fired) FROM alert_daily WHERE day >= ? AND day < ? GROUP BY day, severity");
    if (!days) return days.status();
    days->bind(1, firstDay).bind(2, endDay);
    for (;;) {
      auto row = days->step();
      if (!row) return row.status();
      if (!*row) break;
      t.add(days->int64(0), days->text(1), {}, days->int64(2));
    }
    auto rules = m_db.prepare("SELECT rule, SUM(fired) FROM alert_daily WHERE day >= ? AND day < ? GROUP BY rule");
    if (!rules) return rules.status();
    rules->bind(1, firstDay).bind(2, endDay);
    for (;;) {
      auto row = rules->step();
      if (!row) return row.status();
      if (!*row) break;
      if (const std::int64_t n = rules->int64(1); n > 0) t.rules[rules->text(0)] += n;
    }
    auto delays = m_db.prepare(
        "SELECT TOTAL(acked), TOTAL(ack_ms), TOTAL(resolved), TOTAL(resolve_ms) FROM alert_daily "
        "WHERE day >= ? AND day < ?");
    if (!delays) return delays.status();
    delays->bind(1, firstDay).bind(2, endDay);
    auto row = delays->step();
    if (!row) return row.status();
    if (*row) {
      t.acked += static_cast<std::int64_t>(*delays->optionalReal(0));
      t.ackMs += *delays->optionalReal(1);
      t.resolved += static_cast<std::int64_t>(*delays->optionalReal(2));
      t.resolveMs += *delays->optionalReal(3);
      delays->reset();
    }
  }

  HistorySummary s;
  for (auto &[day, counts] : t.days) {
    if (counts.critical + counts.warning + counts.info == 0) continue;
    counts.date = dateOfDay(day);
    s.perDay.push_back(std::move(counts));
  }
  s.fired = t.fired;
  s.acknowledged = t.acked;
  s.resolved = t.resolved;
  if (t.acked > 0) s.mttaSeconds = t.ackMs / static_cast<double>(t.acked) / 1000.0;
  if (t.resolved > 0) s.mttrSeconds = t.resolveMs / static_cast<double>(t.resolved) / 1000.0;
  for (auto &[rule, fired] : t.rules) s.noisiest.push_back({rule, fired});
  std::sort(s.noisiest.begin(), s.noisiest.end(),
            [](const auto &a, const auto &b) { return a.fired != b.fired ? a.fired > b.fired : a.rule < b.rule; });
  if (s.noisiest.size() > 10) s.noisiest.resize(10);
  return s;
}

Result<std::int64_t> AlertHistory::prune(std::int64_t beforeMs) {
  return m_db.transaction([&]() -> Result<std::int64_t> {
    auto events = m_db.prepare("DELETE FROM alert_events WHERE at_ms < ?");
    if (!events) return events.status();
    events->bind(1, beforeMs);
    LMFRONT_RETURN_IF_ERROR(events->run());
    const std::int64_t removed = m_db.changes();
    auto episodes = m_db.prepare("DELETE FROM alert_episodes WHERE started_ms < ?");
    if (!episodes) return episodes.status();
    episodes->bind(1, beforeMs);
    LMFRONT_RETURN_IF_ERROR(episodes->run());
    auto daily = m_db.prepare("DELETE FROM alert_daily WHERE day < ?");  // whole days only
    if (!daily) return daily.status();
    daily->bind(1, floorDiv(beforeMs, kDayMs));
    LMFRONT_RETURN_IF_ERROR(daily->run());
    return removed;
  });
}

std::string historyCsv(const std::vector<HistoryEvent> &events) {
  std::string out = "time,kind,alert_id,rule,severity,state,from,model,node,labels,value,summary,author,comment\r\n";
  for (const HistoryEvent &e : events) {
    const std::string cells[] = {isoUtc(e.atMs),
                                 e.kind,
                                 e.alertId,
                                 e.rule,
                                 e.severity,
                                 e.state,
                                 e.fromState,
                                 e.model,
                                 e.node,
                                 e.labelsJson,
                                 e.value ? formatValue(*e.value) : std::string(),
                                 e.summary,
                                 e.author,
                                 e.comment};
    appendCsvRow(out, cells);
  }
  return out;
}

}  // namespace lmfront::alerting
