// `lmfront score --model M --text FILE|- [--tokenizer whitespace|default] [--per-sentence] --json`
#include "commandregistry.h"
#include "engine/scorer.h"
#include "enginecli.h"

#include <cstdio>
#include <string>

namespace {

using namespace lmfront;

constexpr config::FlagSpec kFlags[] = {
    config::flag("model", "M", "the model file (.arpa or .lmb); required"),
    config::flag("text", "FILE|-", "the text, one sentence per line (- for stdin); required"),
    config::flag("tokenizer", "MODE", "default (the default) or whitespace"),
    config::switchFlag("lowercase", "lowercase the text before scoring"),
    config::switchFlag("per-sentence", "also print each sentence's score"),
    config::switchFlag("verify", "check the compiled file's payload sha256 first"),
    config::switchFlag("json", "print the totals as JSON"),
    config::switchFlag("help", "print this help"),
};

int runScore(int argc, char **argv) {
  auto parsed = config::parseFlags(kFlags, argc, argv);
  if (!parsed) return cli::fail("score", parsed.status().message(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(cli::usageText("score --model M --text FILE|- [flags]", kFlags,
                              "</s> is scored and counted as a token (as KenLM's query does)\n")
                   .c_str(),
               stdout);
    return 0;
  }
  if (Status st = args.require({"model", "text"}); !st.isOk()) return cli::fail("score", st.message(), 2);
  auto mode = engine::parseTokenizerMode(args.value("tokenizer", "default"));
  if (!mode.isOk()) return cli::fail("score", mode.status().message(), 2);
  engine::TokenizerOptions tok;
  tok.mode = *mode;
  tok.lowercase = args.has("lowercase");
  engine::LoadOptions options;
  options.verifySha256 = args.has("verify");
  auto model = engine::Model::open(args.value("model"), options);
  if (!model.isOk()) return cli::fail("score", model.status().message());
  const bool json = args.has("json");
  const bool perSentence = args.has("per-sentence");
  std::string sentences;
  auto onSentence = [&](const engine::ScoreTotals &s) {
    if (json) {
      if (!sentences.empty()) sentences += ',';
      sentences += "{\"tokens\":";
      sentences += std::to_string(s.tokens);
      sentences += ",\"oov\":";
      sentences += std::to_string(s.oov);
      sentences += ",\"log10_prob\":";
      sentences += cli::jsonNumber(s.log10Prob);
      sentences += '}';
    } else {
      std::printf("%s\t%llu\t%llu\n", cli::jsonNumber(s.log10Prob).c_str(), static_cast<unsigned long long>(s.tokens),
                  static_cast<unsigned long long>(s.oov));
    }
  };
  auto totals = engine::scoreFile(**model, args.value("text"), tok,
                                  perSentence ? std::function<void(const engine::ScoreTotals &)>(onSentence) : nullptr);
  if (!totals.isOk()) return cli::fail("score", totals.status().message());
  const engine::ScoreTotals &t = *totals;
  if (json) {
    std::printf(
        "{\"tokens\":%llu,\"sentences\":%llu,\"oov\":%llu,\"log10_prob\":%s,\"perplexity\":%s,"
        "\"perplexity_excl_oov\":%s",
        static_cast<unsigned long long>(t.tokens), static_cast<unsigned long long>(t.sentences),
        static_cast<unsigned long long>(t.oov), cli::jsonNumber(t.log10Prob).c_str(),
        cli::jsonNumber(t.perplexity()).c_str(), cli::jsonNumber(t.perplexityExclOov()).c_str());
    if (perSentence) std::printf(",\"per_sentence\":[%s]", sentences.c_str());
    std::printf("}\n");
  } else {
    std::printf("tokens %llu  sentences %llu  oov %llu  log10_prob %s  perplexity %s  perplexity_excl_oov %s\n",
                static_cast<unsigned long long>(t.tokens), static_cast<unsigned long long>(t.sentences),
                static_cast<unsigned long long>(t.oov), cli::jsonNumber(t.log10Prob).c_str(),
                cli::jsonNumber(t.perplexity()).c_str(), cli::jsonNumber(t.perplexityExclOov()).c_str());
  }
  return 0;
}

const bool kRegistered = cli::registerCommand({"score", "score text: log10 prob, perplexity, OOVs", &runScore});

}  // namespace
