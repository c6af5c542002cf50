// lmfront-bench-alerthistory: fills an alert history (alerting/alerthistory.h) in a fresh SQLite
// file with ROWS events — alerts over 365 days, each pending → firing → (ack) → resolved, three
// severities, 40 rules, 20 models — then times, on a warm connection:
//   query: one day's range and one severity (every matching row read back, as the CLI does)
//   query_text: the same day, any severity, a text search
//   summary: the whole year (per day by severity, MTTA, MTTR, noisiest rules)
// and prints "case rows_returned milliseconds" per run (median of REPEAT runs each).
//
// Usage: lmfront-bench-alerthistory [ROWS] [REPEAT] [DIR]   (default 1000000 7 /tmp)
#include "alerting/alertdb.h"
#include "alerting/alerthistory.h"

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace lmfront::alerting;

namespace {

constexpr std::int64_t kStartMs = 1'765'065'600'000;  // 2025-12-07T00:00:00Z
constexpr std::int64_t kDayMs = 86'400'000;
const char *const kSeverities[] = {"critical", "warning", "info"};

template <typename F>
double medianMs(int repeat, F &&f) {
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
  const long rows = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 7;
  const std::string dir = argc > 3 ? argv[3] : "/tmp";
  const std::string path = dir + "/lmfront-bench-alerts-" + std::to_string(::getpid()) + ".db";
  auto db = openAlertDb(path);
  if (!db) {
    std::fprintf(stderr, "%s\n", db.status().message().c_str());
    return 1;
  }
  AlertHistory history(**db);

  std::mt19937_64 rng(42);
  const double spacingMs = 365.0 * kDayMs / (static_cast<double>(rows) / 3.5);
  std::vector<HistoryEvent> batch;
  long written = 0, alert = 0;
  const auto fill0 = std::chrono::steady_clock::now();
  while (written < rows) {
    const std::int64_t start = kStartMs + static_cast<std::int64_t>(static_cast<double>(alert) * spacingMs);
    HistoryEvent e;
    e.kind = "state";
    e.alertId = std::to_string(alert);
    e.rule = "rule_" + std::to_string(rng() % 40);
    e.severity = kSeverities[rng() % 3];
    e.model = "model_" + std::to_string(rng() % 20);
    e.node = "node-" + std::to_string(rng() % 3);
    e.labelsJson = "{\"model\":\"" + e.model + "\"}";
    e.value = 0.5;
    e.summary = e.model + ": error ratio above 5 %";
    auto add = [&](std::int64_t at, const char *kind, const char *state, const char *from) {
      HistoryEvent x = e;
      x.atMs = at;
      x.kind = kind;
      x.state = state;
      x.fromState = from;
      if (x.kind == "ack") {
        x.author = "oncall";
        x.comment = "looking";
      }
      batch.push_back(std::move(x));
      ++written;
    };
    add(start, "state", "pending", "inactive");
    add(start + 60'000, "state", "firing", "pending");
    if (rng() % 2) add(start + 60'000 + static_cast<std::int64_t>(rng() % 600'000), "ack", "acknowledged", "");
    add(start + 60'000 + static_cast<std::int64_t>(rng() % 3'600'000), "state", "resolved", "firing");
    ++alert;
    if (batch.size() >= 10'000) {
      if (auto st = history.record(batch); !st) {
        std::fprintf(stderr, "%s\n", st.message().c_str());
        return 1;
      }
      batch.clear();
    }
  }
  if (auto st = history.record(batch); !st) return 1;
  const double fillS = std::chrono::duration<double>(std::chrono::steady_clock::now() - fill0).count();
  std::printf("# rows=%ld alerts=%ld fill_s=%.1f\n", written, alert, fillS);

  std::size_t returned = 0;
  const std::int64_t day = kStartMs + 180 * kDayMs;
  const double query = medianMs(repeat, [&] {
    returned = history.query({.sinceMs = day, .untilMs = day + kDayMs, .severity = "critical"})->size();
  });
  std::printf("query %zu %.2f\n", returned, query);
  const double text = medianMs(repeat, [&] {
    returned = history.query({.sinceMs = day, .untilMs = day + kDayMs, .text = "model_7\""})->size();
  });
  std::printf("query_text %zu %.2f\n", returned, text);
  const double summary = medianMs(
      repeat, [&] { returned = static_cast<std::size_t>(history.summary(kStartMs, kStartMs + 366 * kDayMs)->fired); });
  std::printf("summary %zu %.2f\n", returned, summary);
  db->reset();
  for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return 0;
}
