// lmfront-bench-observe: (1) CPU nanoseconds to record one request's metrics as the gateway does
// on its hot path (the request counter, the latency, TTFT and gateway-overhead histograms, the
// token counters — through series references taken once), on 1 and 2 threads; (2) the memory of
// the node's TimeSeriesStore after SECONDS simulated 1 s samples of MODELS models' traffic on a
// ManualClock (the coarse tiers go to a sink, as the node sends them to disk), with the CPU cost of
// one sample(). Prints "case value unit" lines.
//
// Usage: lmfront-bench-observe [ITERATIONS] [SECONDS] [MODELS]   (default 5000000 86400 50)
#include "common/clock.h"
#include "observe/metricnames.h"
#include "observe/metricsregistry.h"
#include "observe/timeseriesstore.h"

#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace lmfront;
using namespace lmfront::observe;
using namespace std::chrono_literals;

namespace {

// "<prefix><n>" built by appending (GCC 12 warns falsely on `"literal" + std::string`).
std::string named(const char *prefix, int n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long rssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

struct Families {
  CounterFamily *requests, *tokensIn, *tokensOut;
  HistogramFamily *latency, *ttft, *overhead;
  GaugeFamily *queue, *inflight;
};

Families registerFamilies(MetricsRegistry &reg) {
  const std::vector<double> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return Families{
      *reg.counter(std::string(names::kRequestsTotal), "h", {"model", "backend", "code"}),
      *reg.counter(std::string(names::kTokensInTotal), "h", {"model"}),
      *reg.counter(std::string(names::kTokensOutTotal), "h", {"model"}),
      *reg.histogram(std::string(names::kRequestDurationSeconds), "h", {"model"}, bounds),
      *reg.histogram(std::string(names::kTimeToFirstTokenSeconds), "h", {"model"}, bounds),
      *reg.histogram(std::string(names::kGatewayOverheadSeconds), "h", {"model"}, bounds),
      *reg.gauge(std::string(names::kQueueDepth), "h", {"model"}),
      *reg.gauge(std::string(names::kBackendInflight), "h", {"backend"}),
  };
}

void hotPath(long iterations) {
  MetricsRegistry reg;
  const Families f = registerFamilies(reg);
  for (const int threads : {1, 2}) {
    std::vector<std::thread> pool;
    std::vector<double> ns(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        // One model per thread, as the workers of a node see different requests.
        const std::string model = named("m", t), backend = named("engine:m", t);
        Counter &requests = f.requests->withLabels({model, backend, "200"});
        Counter &in = f.tokensIn->withLabels({model});
        Counter &out = f.tokensOut->withLabels({model});
        Histogram &latency = f.latency->withLabels({model});
        Histogram &ttft = f.ttft->withLabels({model});
        Histogram &overhead = f.overhead->withLabels({model});
        const double start = threadCpuSeconds();
        for (long i = 0; i < iterations; ++i) {
          const double jitter = static_cast<double>(i & 1023) * 1e-5;
          requests.inc();
          in.inc(12);
          out.inc(32);
          latency.observe(0.004 + jitter);
          ttft.observe(0.001 + jitter);
          overhead.observe(0.0001 + jitter * 0.01);
        }
        ns[static_cast<std::size_t>(t)] = (threadCpuSeconds() - start) * 1e9 / static_cast<double>(iterations);
      });
    for (auto &th : pool) th.join();
    double worst = 0;
    for (const double v : ns) worst = std::max(worst, v);
    std::printf("record_one_request threads=%d %.1f ns\n", threads, worst);
  }
}

void memory(long seconds, int models) {
  const long before = rssKiB();
  MetricsRegistry reg;
  const Families f = registerFamilies(reg);
  ManualClock clock;
  TimeSeriesStore store(reg);
  std::size_t buckets = 0;
  store.enableCharts({10s, 60s}, [&](auto, auto, auto points) { buckets += points.size() > 0 ? 1 : 0; });
  std::map<std::string, std::string> backendModel;
  std::vector<std::string> modelNames, backendNames;
  for (int m = 0; m < models; ++m) {
    modelNames.push_back(named("m", m));
    backendNames.push_back(named("engine:m", m));
    backendModel[backendNames.back()] = modelNames.back();
  }
  store.setBackendModels(backendModel);
  // The raw series the node tracks besides the charts (the metrics topic and the shipped rules).
  (void)store.track(names::kRequestsTotal);
  (void)store.track(names::kRequestDurationSeconds, {0.5, 0.99});
  (void)store.track(names::kQueueDepth);
  double sampleCpu = 0;
  for (long s = 0; s <= seconds; ++s) {
    for (int m = 0; m < models; ++m) {
      const std::string &model = modelNames[static_cast<std::size_t>(m)];
      const std::string &backend = backendNames[static_cast<std::size_t>(m)];
      f.requests->withLabels({model, backend, "200"}).inc(10);
      if (s % 7 == 0) f.requests->withLabels({model, backend, "503"}).inc();
      f.tokensIn->withLabels({model}).inc(120);
      f.tokensOut->withLabels({model}).inc(320);
      for (int i = 0; i < 10; ++i) {
        f.latency->withLabels({model}).observe(0.002 * (i + 1));
        f.ttft->withLabels({model}).observe(0.0005 * (i + 1));
      }
      f.queue->withLabels({model}).set(static_cast<double>(s % 5));
      f.inflight->withLabels({backend}).set(static_cast<double>(s % 3));
    }
    const double start = threadCpuSeconds();
    store.sample(clock.now());
    sampleCpu += threadCpuSeconds() - start;
    clock.advance(1s);
  }
  std::printf("series_memory models=%d seconds=%ld %.2f MiB\n", models, seconds,
              static_cast<double>(store.memoryBytes()) / (1024.0 * 1024.0));
  std::printf("series_rss_growth models=%d seconds=%ld %.2f MiB\n", models, seconds,
              static_cast<double>(rssKiB() - before) / 1024.0);
  std::printf("sample_cpu models=%d %.1f us\n", models, sampleCpu * 1e6 / static_cast<double>(seconds + 1));
  std::printf("coarse_buckets models=%d %zu buckets\n", models, buckets);
}

}  // namespace

int main(int argc, char **argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 5'000'000;
  const long seconds = argc > 2 ? std::atol(argv[2]) : 86'400;
  const int models = argc > 3 ? std::atoi(argv[3]) : 50;
  hotPath(iterations);
  memory(seconds, models);
  return 0;
}
