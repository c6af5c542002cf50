// Progress: a one-line progress bar on stderr for long engine jobs (training, compiling).
//
// Contract: draws only when stderr is a terminal (isatty), so logs, pipes and tests stay clean;
// redraws at most every 100 ms; finish() clears the line. Not thread-safe: one owner thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace lmfront::engine {

class Progress {
public:
  // total 0 means unknown: the bar then shows the amount done only.
  Progress(std::string label, std::uint64_t total, bool enabled = true);
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  void update(std::uint64_t done);
  void setLabel(std::string label);
  void finish();
  bool active() const { return m_active; }

private:
  void draw(std::uint64_t done);

  std::string m_label;
  std::uint64_t m_total;
  bool m_active;
  bool m_drawn = false;
  std::chrono::steady_clock::time_point m_last;
};

}  // namespace lmfront::engine
