#include "engine/progress.h"

#include <unistd.h>
#include <cstdio>

namespace lmfront::engine {

Progress::Progress(std::string label, std::uint64_t total, bool enabled)
    : m_label(std::move(label)), m_total(total), m_active(enabled && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { finish(); }

void Progress::setLabel(std::string label) { m_label = std::move(label); }

void Progress::update(std::uint64_t done) {
  if (!m_active) return;
  auto now = std::chrono::steady_clock::now();
  if (m_drawn && now - m_last < std::chrono::milliseconds(100)) return;
  m_last = now;
  draw(done);
}

void Progress::draw(std::uint64_t done) {
  constexpr int kWidth = 40;
  if (m_total > 0) {
    const double frac = done >= m_total ? 1.0 : static_cast<double>(done) / static_cast<double>(m_total);
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %3d%%", m_label.c_str(), bar.c_str(), static_cast<int>(frac * 100.0));
  } else {
    std::fprintf(stderr, "\r%s %.1f MB", m_label.c_str(), static_cast<double>(done) / 1048576.0);
  }
  std::fflush(stderr);
  m_drawn = true;
}

void Progress::finish() {
  if (m_active && m_drawn) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  m_drawn = false;
}

}  // namespace lmfront::engine
