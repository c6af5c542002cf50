// `lmfront score --model M --text FILE|- [--tokenizer whitespace|default] [--per-sentence] --json`
#include "args.h"
#include "commandregistry.h"
#include "engine/scorer.h"
#include "enginecli.h"

#include <cstdio>
#include <string>

namespace {

using namespace lmfront;

int runScore(int argc, char **argv) {
  cli::Args args;
  args.option("model").option("text").option("tokenizer").flag("lowercase").flag("per-sentence").flag("verify");
  args.flag("json").flag("help");
  if (Status st = args.parse(argc, argv); !st.isOk()) return cli::fail("score", st.message(), 2);
  if (args.has("help")) {
    std::printf(
        "usage: lmfront score --model M --text FILE|- [--tokenizer whitespace|default] [--lowercase]\n"
        "                     [--per-sentence] [--verify] [--json]\n"
        "  one sentence per line; </s> is scored and counted as a token (as KenLM's query does)\n");
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
