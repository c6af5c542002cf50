// `lmfront generate --model M --prompt TEXT [--max-tokens N --seed S --stop STR... --logprobs N
//  --logit-bias ID=BIAS... <sampling flags>] [--json]`: sample a continuation; without --json
// tokens stream to stdout. The sampling flags come from engine/samplingparams.h, the table the
// OpenAI API's fields come from too.
#include "commandregistry.h"
#include "engine/sampler.h"
#include "enginecli.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace lmfront;

constexpr config::FlagSpec kFixedFlags[] = {
    config::flag("model", "M", "the model file (.arpa or .lmb); required"),
    config::flag("prompt", "TEXT", "the text to continue").byDefault("empty"),
    config::flag("max-tokens", "N", "tokens to generate at most").byDefault("64"),
    config::flag("seed", "S", "repeat a generation; -1 = random").byDefault("-1"),
    config::flag("stop", "STR", "stop before the first STR (matched across tokens)").repeatable(),
    config::flag("logit-bias", "ID=BIAS", "add BIAS (-100..100) to word ID's log-probability; ids from info --vocab")
        .repeatable(),
    config::flag("logprobs", "N", "give each token's log-probability and its N most likely alternatives (0-20)"),
    config::flag("tokenizer", "MODE", "default (the default) or whitespace"),
    config::switchFlag("allow-unk", "let <unk> be sampled"),
    config::switchFlag("json", "print the result as JSON on stdout (tokens are not streamed)"),
    config::switchFlag("help", "print this help"),
};

// The fixed flags plus one per sampling control of engine/samplingparams.h (the API's fields).
const std::vector<config::FlagSpec> &flagTable() {
  static const std::vector<config::FlagSpec> table = [] {
    std::vector<config::FlagSpec> t(std::begin(kFixedFlags), std::end(kFixedFlags) - 1);
    for (const engine::SamplingParamSpec &p : engine::samplingParams()) {
      if (p.type == engine::ParamType::Switch)
        t.push_back(config::switchFlag(p.flag, p.meaning));
      else
        t.push_back(
            config::flag(p.flag, p.type == engine::ParamType::Integer ? "N" : "X", p.meaning).byDefault(p.defaultText));
    }
    t.push_back(std::end(kFixedFlags)[-1]);  // --help last
    return t;
  }();
  return table;
}

Status readSampling(const config::ParsedFlags &args, engine::SamplingOptions &o) {
  for (const engine::SamplingParamSpec &p : engine::samplingParams()) {
    if (!args.has(p.flag)) continue;
    double v = 1;
    if (p.type != engine::ParamType::Switch) {
      auto number = args.number(p.flag, 0);
      if (!number) return number.status();
      v = *number;
    }
    if (Status st = engine::setSamplingParam(p, v, o); !st.isOk())
      return Status::invalidArgument("--" + std::string(p.flag) + ": " + st.message());
  }
  for (const std::string &pair : args.values("logit-bias")) {
    const auto eq = pair.find('=');
    char *end = nullptr;
    const unsigned long id = eq == std::string::npos ? 0 : std::strtoul(pair.c_str(), &end, 10);
    const double bias = eq == std::string::npos ? 0 : std::strtod(pair.c_str() + eq + 1, nullptr);
    if (eq == std::string::npos || end != pair.c_str() + eq)
      return Status::invalidArgument("--logit-bias takes ID=BIAS, got '" + pair + "'");
    o.logitBias.emplace_back(static_cast<engine::WordId>(id), bias);
  }
  if (args.has("logprobs")) {
    auto n = args.integer("logprobs", 0);
    if (!n) return n.status();
    if (*n < 0 || *n > engine::kMaxTopLogprobs) return Status::invalidArgument("--logprobs must be from 0 to 20");
    o.logprobs = static_cast<int>(*n);
  }
  return Status::ok();
}

std::string tokensJson(const std::vector<engine::GeneratedToken> &tokens) {
  std::string out = "[";
  for (const auto &t : tokens) {
    if (out.size() > 1) out += ',';
    out += "{\"text\":" + cli::jsonString(t.text) + ",\"id\":" + std::to_string(t.word) +
           ",\"logprob\":" + cli::jsonNumber(t.logprob) + ",\"top\":[";
    for (std::size_t i = 0; i < t.top.size(); ++i) {
      if (i > 0) out += ',';
      out += "{\"text\":" + cli::jsonString(t.top[i].text) + ",\"id\":" + std::to_string(t.top[i].word) +
             ",\"logprob\":" + cli::jsonNumber(t.top[i].logprob) + "}";
    }
    out += "]}";
  }
  return out + "]";
}

int runGenerate(int argc, char **argv) {
  const auto &flags = flagTable();
  auto parsed = config::parseFlags(flags, argc, argv);
  if (!parsed) return cli::fail("generate", parsed.status().message(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(cli::usageText("generate --model M [flags]", flags,
                              "temperature 1 without top-k/top-p samples exactly from the model; temperature 0 is "
                              "greedy; a seed repeats the text. The sampling flags are the OpenAI API's fields of "
                              "the same name (docs/http-api.md)\n")
                   .c_str(),
               stdout);
    return 0;
  }
  if (Status st = args.require({"model"}); !st.isOk()) return cli::fail("generate", st.message(), 2);
  engine::SamplingOptions o;
  auto maxTokens = args.integer("max-tokens", 64);
  auto seed = args.integer("seed", -1);
  for (const auto *r : {&maxTokens, &seed})
    if (!r->isOk()) return cli::fail("generate", r->status().message(), 2);
  if (Status st = readSampling(args, o); !st.isOk()) return cli::fail("generate", st.message(), 2);
  o.maxTokens = static_cast<int>(*maxTokens);
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
  for (const auto &[id, bias] : o.logitBias)
    if (id >= (*model)->vocab().size())
      return cli::fail("generate", "--logit-bias: no word has id " + std::to_string(id), 2);
  auto index = engine::ContinuationIndex::forModel(*model);
  if (!index.isOk()) return cli::fail("generate", index.status().message());
  engine::Sampler sampler(*model, *index);
  const bool json = args.has("json");
  std::vector<engine::GeneratedToken> tokens;
  const auto start = std::chrono::steady_clock::now();
  auto result = sampler.generate(args.value("prompt"), o, tok, [&](const engine::GeneratedToken &t) {
    if (o.logprobs >= 0) tokens.push_back(t);
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
        "\"seconds\":%s",
        cli::jsonString(result->text).c_str(), result->finishReason.c_str(),
        static_cast<unsigned long long>(result->promptTokens), result->words.size(),
        static_cast<unsigned long long>(o.seed), cli::jsonNumber(secs).c_str());
    if (o.logprobs >= 0) std::printf(",\"tokens\":%s", tokensJson(tokens).c_str());
    std::printf("}\n");
  } else {
    std::printf("\n");
    for (const auto &t : tokens) {
      std::printf("%-16s %9.4f", cli::jsonString(t.text).c_str(), t.logprob);
      for (const auto &alt : t.top) std::printf("  %s %.4f", cli::jsonString(alt.text).c_str(), alt.logprob);
      std::printf("\n");
    }
  }
  return 0;
}

const bool kRegistered = cli::registerCommand(
    {"generate", "sample text from a model (temperature, top-k/p, penalties, logprobs, seed, stop)", &runGenerate});

}  // namespace
