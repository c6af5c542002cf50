#include "common/eventsink.h"

#include <cstdio>

namespace lmfront {

std::string_view eventLevelName(EventLevel level) {
  switch (level) {
  case EventLevel::Debug: return "debug";
  case EventLevel::Info: return "info";
  case EventLevel::Warning: return "warning";
  case EventLevel::Error: return "error";
  }
  return "info";
}

const std::string *Event::field(std::string_view key) const {
  for (const auto &[k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

void EventSink::report(EventLevel level, std::string component, std::string message,
                       std::vector<std::pair<std::string, std::string>> fields) {
  Event event;
  event.level = level;
  event.component = std::move(component);
  event.message = std::move(message);
  event.fields = std::move(fields);
  event.at = std::chrono::system_clock::now();
  record(std::move(event));
}

std::string StderrEventSink::format(const Event &event) {
  std::string line = "lmfront ";
  line += eventLevelName(event.level);
  line += " [";
  line += event.component;
  line += "] ";
  line += event.message;
  for (const auto &[k, v] : event.fields) {
    line += ' ';
    line += k;
    line += '=';
    // Quoted when it would not read back as one token.
    const bool quote = v.empty() || v.find_first_of(" \t\r\n\"=") != std::string::npos;
    if (quote) line += '"';
    for (char c : v) {
      if (c == '\n' || c == '\r') c = ' ';
      if (quote && c == '"') line += '\\';
      line += c;
    }
    if (quote) line += '"';
  }
  line += '\n';
  return line;
}

void StderrEventSink::record(Event event) {
  const std::string line = format(event);
  // One fwrite per line: stdio locks the stream, so lines from several threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void RecordingEventSink::record(Event event) {
  std::lock_guard lock(m_mutex);
  event.sequence = m_next++;
  m_events.push_back(std::move(event));
  while (m_events.size() > m_capacity) {
    m_events.pop_front();
    ++m_dropped;
  }
}

std::vector<Event> RecordingEventSink::events() const { return since(0); }

std::vector<Event> RecordingEventSink::since(std::uint64_t sequence) const {
  std::lock_guard lock(m_mutex);
  std::vector<Event> out;
  for (const auto &e : m_events)
    if (e.sequence > sequence) out.push_back(e);
  return out;
}

std::uint64_t RecordingEventSink::dropped() const {
  std::lock_guard lock(m_mutex);
  return m_dropped;
}

}  // namespace lmfront
