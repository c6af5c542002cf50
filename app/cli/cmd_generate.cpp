// `lmfront generate --model M --prompt TEXT [--max-tokens N --temperature T --top-k K --top-p P
//  --seed S --stop STR...] [--json]`: sample a continuation; without --json tokens stream to stdout.
#include "commandregistry.h"
#include "engine/sampler.h"
#include "enginecli.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

namespace {

using namespace lmfront;

constexpr config::FlagSpec kFlags[] = {
    config::flag("model", "M", "the model file (.arpa or .lmb); required"),
    config::flag("prompt", "TEXT", "the text to continue").byDefault("empty"),
    config::flag("max-tokens", "N", "tokens to generate at most").byDefault("64"),
    config::flag("temperature", "T", "sampling temperature").byDefault("1"),
    config::flag("top-k", "K", "sample among the K most likely words; 0 = all").byDefault("0"),
    config::flag("top-p", "P", "sample within this probability mass").byDefault("1"),
    config::flag("seed", "S", "repeat a generation; -1 = random").byDefault("-1"),
    config::flag("stop", "STR", "stop when the text ends with STR").repeatable(),
    config::flag("tokenizer", "MODE", "default (the default) or whitespace"),
    config::switchFlag("allow-unk", "let <unk> be sampled"),
    config::switchFlag("json", "print the result as JSON on stdout (tokens are not streamed)"),
    config::switchFlag("help", "print this help"),
};

int runGenerate(int argc, char **argv) {
  auto parsed = config::parseFlags(kFlags, argc, argv);
  if (!parsed) return cli::fail("generate", parsed.status().message(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(cli::usageText("generate --model M [flags]", kFlags,
                              "temperature 1 without top-k/top-p samples exactly from the model; a seed repeats the "
                              "text\n")
                   .c_str(),
               stdout);
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
