// EventSink: where core code reports what an operator should hear about — a model that failed
// to load, a pool left out of the served table, a store that could not be saved — instead of
// printing to stderr. One event is a level, the component that speaks, a message and a few
// key=value fields; the sink decides where it goes.
//
// Implementations here: StderrEventSink (one line per event, for the binaries) and
// RecordingEventSink (keeps the last N events in memory: tests read them, and the ops API
// publishes them). Contract for every sink: record() is thread-safe, cheap, never blocks on
// anything slower than a short mutex, and never throws. Plain C++ (no Qt).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmfront {

enum class EventLevel { Debug, Info, Warning, Error };

std::string_view eventLevelName(EventLevel level);  // "debug", "info", "warning", "error"

struct Event {
  EventLevel level = EventLevel::Info;
  std::string component;  // "node", "gateway", "catalog", ...
  std::string message;    // a complete sentence fragment, as in Status messages
  std::vector<std::pair<std::string, std::string>> fields;
  std::chrono::system_clock::time_point at{};  // stamped by report() when left empty
  std::uint64_t sequence = 0;                  // set by sinks that keep events (RecordingEventSink)

  const std::string *field(std::string_view key) const;
};

class EventSink {
public:
  virtual ~EventSink() = default;
  virtual void record(Event event) = 0;

  // Convenience: stamps the time and records.
  void report(EventLevel level, std::string component, std::string message,
              std::vector<std::pair<std::string, std::string>> fields = {});
};

// "lmfront warning [node] skipping model english: ... model=english" on stderr, one write per line.
class StderrEventSink final : public EventSink {
public:
  void record(Event event) override;
  static std::string format(const Event &event);
};

// Keeps the most recent `capacity` events (older ones are dropped and counted).
class RecordingEventSink final : public EventSink {
public:
  explicit RecordingEventSink(std::size_t capacity = 1024) : m_capacity(capacity == 0 ? 1 : capacity) {}
  void record(Event event) override;

  std::vector<Event> events() const;  // oldest first
  // Events recorded after `sequence` (0: all kept), oldest first: a subscriber's next batch.
  std::vector<Event> since(std::uint64_t sequence) const;
  std::uint64_t dropped() const;

private:
  const std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::deque<Event> m_events;   // guarded by m_mutex
  std::uint64_t m_next = 1;     // guarded by m_mutex
  std::uint64_t m_dropped = 0;  // guarded by m_mutex
};

}  // namespace lmfront
