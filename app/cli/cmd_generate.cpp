// `lmfront generate --model M --prompt TEXT [--max-tokens N --temperature T --top-k K --top-p P
//  --seed S --stop STR...] [--json]`: sample a continuation; without --json tokens stream to stdout.
#include "args.h"
#include "commandregistry.h"
#include "engine/sampler.h"
#include "enginecli.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

namespace {

using namespace lmfront;

int runGenerate(int argc, char **argv) {
  cli::Args args;
  args.option("model").option("prompt").option("max-tokens").option("temperature").option("top-k").option("top-p");
  args.option("seed").option("stop", true).option("tokenizer").flag("allow-unk").flag("json").flag("help");
  if (Status st = args.parse(argc, argv); !st.isOk()) return cli::fail("generate", st.message(), 2);
  if (args.has("help")) {
    std::printf(
        "usage: lmfront generate --model M [--prompt TEXT] [--max-tokens N] [--temperature T] [--top-k K]\n"
        "                        [--top-p P] [--seed S] [--stop STR]... [--tokenizer whitespace|default]\n"
        "                        [--allow-unk] [--json]\n"
        "  temperature 1 without top-k/top-p samples exactly from the model; a seed repeats the text\n");
    return 0;
  }
  if (Status st = args.require({"model"}); !st.isOk()) return cli::fail("generate", st.message(), 2);
  engine::SamplingOptions o;
  auto maxTokens = args.integer("max-tokens", 64);
  auto temperature = args.number("temperature", 1.0);
  auto topK = args.integer("top-k", 0);
  auto topP = args.number("top-p", 1.0);
  auto seed = args.integer("seed", -1);
  for (const auto *r : {&maxTokens, &topK, &seed})
    if (!r->isOk()) return cli::fail("generate", r->status().message(), 2);
  for (const auto *r : {&temperature, &topP})
    if (!r->isOk()) return cli::fail("generate", r->status().message(), 2);
  o.maxTokens = static_cast<int>(*maxTokens);
  o.temperature = *temperature;
  o.topK = static_cast<int>(*topK);
  o.topP = *topP;
  o.seed = *seed >= 0 ? static_cast<std::uint64_t>(*seed) : std::random_device{}();
  o.stop = args.values("stop");
  o.allowUnk = args.has("allow-unk");
  if (Status st = engine::validate(o); !st.isOk()) return cli::fail("generate", st.message(), 2);
  auto mode = engine::parseTokenizerMode(args.value("tokenizer", "default"));
  if (!mode.isOk()) return cli::fail("generate", mode.status().message(), 2);
  engine::TokenizerOptions tok;
  tok.mode = *mode;

  auto model = engine::Model::open(args.value("model"));
  if (!model.isOk()) return cli::fail("generate", model.status().message());
  auto index = engine::ContinuationIndex::build(**model);
  if (!index.isOk()) return cli::fail("generate", index.status().message());
  engine::Sampler sampler(*model, *index);
  const bool json = args.has("json");
  const auto start = std::chrono::steady_clock::now();
  auto result = sampler.generate(args.value("prompt"), o, tok, [&](const engine::GeneratedToken &t) {
    if (!json) {
      std::fputs(t.text.c_str(), stdout);
      std::fflush(stdout);
    }
    return true;
  });
  if (!result.isOk()) return cli::fail("generate", result.status().message());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (json) {
    std::printf(
        "{\"text\":%s,\"finish_reason\":\"%s\",\"prompt_tokens\":%llu,\"completion_tokens\":%zu,\"seed\":%llu,"
        "\"seconds\":%s}\n",
        cli::jsonString(result->text).c_str(), result->finishReason.c_str(),
        static_cast<unsigned long long>(result->promptTokens), result->words.size(),
        static_cast<unsigned long long>(o.seed), cli::jsonNumber(secs).c_str());
  } else {
    std::printf("\n");
  }
  return 0;
}

const bool kRegistered = cli::registerCommand(
    {"generate", "sample text from a model (temperature, top-k, top-p, seed, stop)", &runGenerate});

}  // namespace
