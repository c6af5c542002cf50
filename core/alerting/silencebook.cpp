#include "alerting/silencebook.h"

#include "common/jsonescape.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace lmfront::alerting {

namespace {

std::string newId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

Result<LabelMatcher> matcher(const std::string &label, const std::string &pattern) {
  if (label.empty()) return Status::invalidArgument("a matcher needs a label name");
  try {
    return LabelMatcher{label, pattern, std::regex(pattern, std::regex::ECMAScript)};
  } catch (const std::regex_error &e) {
    return Status::invalidArgument("matcher " + label + ": bad regular expression \"" + pattern + "\": " + e.what());
  }
}

// Stored as "label\x1fpattern\x1e…": a separator no label name holds, read back without a JSON parser.
std::string encodeMatchers(const std::vector<LabelMatcher> &matchers) {
  std::string out;
  for (const auto &m : matchers) out.append(m.label).append(1, '\x1f').append(m.pattern).append(1, '\x1e');
  return out;
}

std::vector<std::pair<std::string, std::string>> decodeMatchers(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const auto end = text.find('\x1e');
    const std::string_view item = text.substr(0, end);
    const auto sep = item.find('\x1f');
    if (sep != std::string_view::npos) out.emplace_back(item.substr(0, sep), item.substr(sep + 1));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

bool Silence::mutes(const Labels &labels) const {
  return std::all_of(matchers.begin(), matchers.end(), [&](const LabelMatcher &m) { return m.matches(labels); });
}

std::string Silence::matchersJson() const {
  std::string out = "{";
  for (const auto &m : matchers) {
    if (out.size() > 1) out += ',';
    appendJsonString(out, m.label);
    out += ':';
    appendJsonString(out, m.pattern);
  }
  return out + "}";
}

Status SilenceBook::load() {
  auto stmt = m_db.prepare("SELECT id, matchers, starts_ms, ends_ms, author, comment FROM silences ORDER BY starts_ms");
  if (!stmt) return stmt.status();
  m_silences.clear();
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.status();
    if (!*row) break;
    Silence s;
    s.id = stmt->text(0);
    for (const auto &[label, pattern] : decodeMatchers(stmt->text(1))) {
      auto m = matcher(label, pattern);
      if (!m) return m.status().withContext(m_db.path() + ": silence " + s.id);
      s.matchers.push_back(std::move(*m));
    }
    s.startsMs = stmt->int64(2);
    s.endsMs = stmt->int64(3);
    s.author = stmt->text(4);
    s.comment = stmt->text(5);
    m_silences.push_back(std::move(s));
  }
  return Status::ok();
}

Result<Silence> SilenceBook::add(const std::vector<std::pair<std::string, std::string>> &matchers,
                                 std::int64_t startsMs, std::int64_t endsMs, std::string author, std::string comment) {
  if (matchers.empty()) return Status::invalidArgument("a silence needs at least one matcher");
  if (endsMs <= startsMs) return Status::invalidArgument("a silence must end after it starts");
  Silence s;
  s.id = newId();
  for (const auto &[label, pattern] : matchers) {
    auto m = matcher(label, pattern);
    if (!m) return m.status();
    s.matchers.push_back(std::move(*m));
  }
  s.startsMs = startsMs;
  s.endsMs = endsMs;
  s.author = std::move(author);
  s.comment = std::move(comment);
  auto stmt = m_db.prepare(
      "INSERT INTO silences (id, matchers, starts_ms, ends_ms, author, comment) VALUES (?, ?, ?, ?, ?, ?)");
  if (!stmt) return stmt.status();
  stmt->bind(1, s.id).bind(2, encodeMatchers(s.matchers)).bind(3, s.startsMs).bind(4, s.endsMs);
  stmt->bind(5, s.author).bind(6, s.comment);
  LMFRONT_RETURN_IF_ERROR(stmt->run());
  m_silences.push_back(s);
  return s;
}

Status SilenceBook::remove(const std::string &id) {
  auto stmt = m_db.prepare("DELETE FROM silences WHERE id = ?");
  if (!stmt) return stmt.status();
  stmt->bind(1, id);
  LMFRONT_RETURN_IF_ERROR(stmt->run());
  std::erase_if(m_silences, [&](const Silence &s) { return s.id == id; });
  return Status::ok();
}

Result<Silence> SilenceBook::expire(const std::string &id, std::int64_t nowMs) {
  auto it = std::find_if(m_silences.begin(), m_silences.end(), [&](const Silence &s) { return s.id == id; });
  if (it == m_silences.end()) return Status::notFound("no silence " + id);
  Silence s = *it;
  s.endsMs = std::min(s.endsMs, nowMs);
  LMFRONT_RETURN_IF_ERROR(remove(id));
  return s;
}

Result<std::vector<Silence>> SilenceBook::takeEnded(std::int64_t nowMs) {
  std::vector<Silence> ended;
  for (const auto &s : m_silences)
    if (s.endsMs <= nowMs) ended.push_back(s);
  for (const auto &s : ended) LMFRONT_RETURN_IF_ERROR(remove(s.id));
  return ended;
}

const Silence *SilenceBook::muting(const Labels &labels, std::int64_t nowMs) const {
  for (const auto &s : m_silences)
    if (s.inEffect(nowMs) && s.mutes(labels)) return &s;
  return nullptr;
}

}  // namespace lmfront::alerting
