// bench_engine_logprobs MODEL [REPS]: what log-probabilities cost per generated token, for
// docs/benchmarks/engine-logprobs.md. For each sampling mode (exact T 1; T 0.8; top-k 40 T 0.8;
// top-p 0.9; penalties), generation tokens/s without log-probabilities and with 0, 5 and 20
// alternatives per token (medians of REPS), as one JSON object per mode, one per line.
#include "engine/model.h"
#include "engine/sampler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace lmfront::engine;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_engine_logprobs MODEL [REPS]\n");
    return 2;
  }
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  auto model = Model::open(argv[1]);
  if (!model) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  auto index = ContinuationIndex::build(**model);
  if (!index) {
    std::fprintf(stderr, "%s\n", index.status().message().c_str());
    return 1;
  }
  Sampler sampler(*model, *index);
  // Restarts at </s>; the same seeds for every variant of a mode, so each draws the same texts.
  auto tokensPerSecond = [&](SamplingOptions o, std::uint64_t target) {
    std::uint64_t produced = 0, seed = 0;
    o.maxTokens = 1000;
    const auto t0 = Clock::now();
    while (produced < target) {
      o.seed = ++seed;
      auto r = sampler.generate("", o, {TokenizerMode::Whitespace, false});
      produced += r->words.size() + 1;
    }
    return static_cast<double>(produced) / std::chrono::duration<double>(Clock::now() - t0).count();
  };
  struct Mode {
    const char *name;
    SamplingOptions options;
    std::uint64_t target;
  };
  std::vector<Mode> modes(5);
  modes[0] = {"exact_t1", {}, 200000};
  modes[1].name = "t0.8";
  modes[1].options.temperature = 0.8;
  modes[1].target = 1000;
  modes[2].name = "topk40_t0.8";
  modes[2].options.topK = 40;
  modes[2].options.temperature = 0.8;
  modes[2].target = 20000;
  modes[3].name = "topp0.9";
  modes[3].options.topP = 0.9;
  modes[3].target = 5000;
  modes[4].name = "penalties";
  modes[4].options.presencePenalty = 0.5;
  modes[4].options.frequencyPenalty = 0.5;
  modes[4].target = 300;
  for (const Mode &mode : modes) {
    std::vector<double> off, zero, five, twenty;
    for (int r = 0; r < reps; ++r) {
      SamplingOptions o = mode.options;
      off.push_back(tokensPerSecond(o, mode.target));
      o.logprobs = 0;
      zero.push_back(tokensPerSecond(o, mode.target));
      o.logprobs = 5;
      five.push_back(tokensPerSecond(o, mode.target));
      o.logprobs = 20;
      twenty.push_back(tokensPerSecond(o, mode.target));
    }
    std::printf(
        "{\"mode\":\"%s\",\"tokens_per_s\":%.0f,\"logprobs0_tokens_per_s\":%.0f,"
        "\"logprobs5_tokens_per_s\":%.0f,\"logprobs20_tokens_per_s\":%.0f}\n",
        mode.name, median(off), median(zero), median(five), median(twenty));
    std::fflush(stdout);
  }
  return 0;
}
