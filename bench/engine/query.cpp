// bench_engine_query MODEL.lmb TEXT [REPS]: in-process figures for docs/benchmarks/engine-model.md.
// Prints one JSON object: median load time (default checks, and with the full sha256), scoring
// throughput on 1 and 2 threads (end to end: scoreFile, i.e. reading, whitespace splitting,
// vocabulary lookup and query, as `lmfront score` after its load; query only: Scorer::scoreRun
// over pre-mapped ids), and generation tokens/s (exact path; top-k 40 at T 0.8).
#include "engine/model.h"
#include "engine/sampler.h"
#include "engine/scorer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace lmfront::engine;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Splits on spaces and tabs (the whitespace tokenizer's rule for plain ASCII text).
void splitWords(const std::string &line, std::vector<std::string_view> &out) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t s = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > s) out.emplace_back(line.data() + s, i - s);
  }
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_engine_query MODEL.lmb TEXT [REPS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  std::vector<double> loadFast, loadVerify;
  for (int r = 0; r < reps; ++r) {
    for (bool verify : {false, true}) {
      LoadOptions o;
      o.verifySha256 = verify;
      auto t0 = Clock::now();
      auto m = Model::open(path, o);
      auto t1 = Clock::now();
      if (!m.isOk()) {
        std::fprintf(stderr, "%s\n", m.status().message().c_str());
        return 1;
      }
      (verify ? loadVerify : loadFast).push_back(seconds(t0, t1) * 1000);
    }
  }
  auto model = Model::open(path);
  const Model &m = **model;
  std::vector<std::string> lines;
  {
    std::ifstream in(argv[2]);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  // Pre-mapped ids, all sentences back to back, for the query-only figure.
  std::vector<WordId> ids;
  std::vector<std::size_t> ends;
  {
    std::vector<std::string_view> words;
    for (const std::string &line : lines) {
      splitWords(line, words);
      for (auto w : words) ids.push_back(m.vocab().index(w));
      ends.push_back(ids.size());
    }
  }
  const std::uint64_t tokens = ids.size() + lines.size();
  // Returns tokens per second of wall time; `cpuRate` gets tokens per CPU-second of the busiest
  // thread (robust to the time-slicing of a shared machine).
  //  - end to end: scoreFile on the text file (read, split, vocabulary, query: what `lmfront
  //    score` runs after loading); with 2 threads each thread scores the whole file.
  //  - query only: Scorer::scoreRun over the pre-mapped ids; with 2 threads each takes half.
  double cpuRate = 0;
  double checkSum = 0;
  auto run = [&](int threads, bool endToEnd) {
    std::vector<double> sums(static_cast<std::size_t>(threads)), cpu(static_cast<std::size_t>(threads));
    auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        ScoreTotals totals;
        if (endToEnd) {
          auto r = scoreFile(m, argv[2], {TokenizerMode::Whitespace, false});
          if (r.isOk()) totals = *r;
        } else {
          const std::size_t n = ends.size(),
                            first = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads),
                            last = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
          const std::size_t begin = first == 0 ? 0 : ends[first - 1];
          std::vector<std::size_t> local(ends.begin() + static_cast<std::ptrdiff_t>(first),
                                         ends.begin() + static_cast<std::ptrdiff_t>(last));
          for (auto &e : local) e -= begin;
          std::vector<ScoreTotals> results(local.size());
          Scorer(m).scoreRun({ids.data() + begin, (last == 0 ? 0 : ends[last - 1]) - begin}, local, results);
          for (const auto &r : results) totals.add(r);
        }
        sums[static_cast<std::size_t>(t)] = totals.log10Prob;
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        cpu[static_cast<std::size_t>(t)] = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
      });
    }
    for (auto &p : pool) p.join();
    for (double x : sums) checkSum += x;
    const std::uint64_t work = endToEnd ? tokens * static_cast<std::uint64_t>(threads) : tokens;
    cpuRate = static_cast<double>(work) / static_cast<double>(threads) / *std::max_element(cpu.begin(), cpu.end());
    return static_cast<double>(work) / seconds(t0, Clock::now());
  };
  std::vector<double> e2e1, e2e2, q1, q2, e2e1cpu, q1cpu;
  for (int r = 0; r < reps; ++r) {
    e2e1.push_back(run(1, true));
    e2e1cpu.push_back(cpuRate);
    q1.push_back(run(1, false));
    q1cpu.push_back(cpuRate);
    e2e2.push_back(run(2, true));
    q2.push_back(run(2, false));
  }
  // Generation: restart at </s>, count generated words.
  auto index = ContinuationIndex::build(m);
  auto tb = Clock::now();
  auto index2 = ContinuationIndex::build(m);
  const double indexMs = seconds(tb, Clock::now()) * 1000;
  Sampler sampler(*model, *index);
  auto gen = [&](SamplingOptions o) {
    std::uint64_t produced = 0;
    auto t0 = Clock::now();
    o.maxTokens = 1000;
    const std::uint64_t target = o.temperature == 1.0 && o.topK == 0 ? 300000 : 3000;
    while (produced < target) {
      ++o.seed;
      auto r = sampler.generate("", o, {TokenizerMode::Whitespace, false});
      produced += r->words.size() + 1;
    }
    return static_cast<double>(produced) / seconds(t0, Clock::now());
  };
  std::vector<double> g1, gk;
  for (int r = 0; r < reps; ++r) {
    g1.push_back(gen({}));
    SamplingOptions k;
    k.topK = 40;
    k.temperature = 0.8;
    gk.push_back(gen(k));
  }
  std::printf(
      "{\"model\":\"%s\",\"file_bytes\":%llu,\"tokens\":%llu,\"load_ms\":%.3f,\"load_verify_sha256_ms\":%.3f,"
      "\"score_tokens_per_s_1t\":%.0f,\"score_tokens_per_s_2t\":%.0f,\"query_only_tokens_per_s_1t\":%.0f,"
      "\"query_only_tokens_per_s_2t\":%.0f,\"score_tokens_per_cpu_s_1t\":%.0f,\"query_only_tokens_per_cpu_s_1t\":%.0f,"
      "\"sampling_index_ms\":%.1f,\"generate_tokens_per_s\":%.0f,"
      "\"generate_topk40_t0.8_tokens_per_s\":%.0f}\n",
      path.c_str(), static_cast<unsigned long long>(m.fileSize()), static_cast<unsigned long long>(tokens),
      median(loadFast), median(loadVerify), median(e2e1), median(e2e2), median(q1), median(q2), median(e2e1cpu),
      median(q1cpu), indexMs, median(g1), median(gk));
  return 0;
}
