// SilenceBook: the node's silences (docs/alerting.md, "Silences"). A silence mutes the
// notifications of every alert whose labels match all of its matchers while it is in effect
// (starts <= now < ends); the alert still changes state and is still recorded. Matchers are
// label → regular expression over the whole value, as in rules; the pseudo-labels `rule` and
// `severity` match the alert's rule name and severity. A silence ends at its end time, on the
// caller's clock, or earlier when expired by hand.
//
// Silences are rows of the alerting database (alertdb.h), so they outlive a restart; this object
// is their in-memory copy, loaded once and written through.
//
// Threads: the database's owning thread only. Plain C++.
#pragma once

#include "alerting/alertrule.h"
#include "common/status.h"
#include "storage/sqlitedb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmfront::alerting {

struct Silence {
  std::string id;  // 16 hex digits
  std::vector<LabelMatcher> matchers;
  std::int64_t startsMs = 0;
  std::int64_t endsMs = 0;
  std::string author;
  std::string comment;

  bool inEffect(std::int64_t nowMs) const { return startsMs <= nowMs && nowMs < endsMs; }
  // `labels` sorted, including `rule` and `severity`.
  bool mutes(const Labels &labels) const;
  std::string matchersJson() const;  // {"label": "regex", ...}
};

class SilenceBook {
public:
  explicit SilenceBook(storage::SqliteDb &db) : m_db(db) {}
  Status load();

  // Checks the matchers (at least one; every regex compiles; InvalidArgument naming the label) and
  // that the silence ends after it starts, then stores it.
  Result<Silence> add(const std::vector<std::pair<std::string, std::string>> &matchers, std::int64_t startsMs,
                      std::int64_t endsMs, std::string author, std::string comment);
  // Ends a silence now (NotFound when it is unknown or over).
  Result<Silence> expire(const std::string &id, std::int64_t nowMs);
  // Removes and returns the silences whose end is at or before `nowMs`.
  Result<std::vector<Silence>> takeEnded(std::int64_t nowMs);

  // The first silence in effect that mutes `labels`, or nullptr.
  const Silence *muting(const Labels &labels, std::int64_t nowMs) const;
  const std::vector<Silence> &all() const { return m_silences; }

private:
  Status remove(const std::string &id);

  storage::SqliteDb &m_db;
  std::vector<Silence> m_silences;
};

}  // namespace lmfront::alerting
