// `lmfront mix --model A --model B [...] --tune DEV [--out MIXED.arpa] [--weights w1,w2,...] --json`; with
// --node it is the node's mix job instead (platformverbs.h).
#include "commandregistry.h"
#include "engine/mixture.h"
#include "enginecli.h"
#include "platformverbs.h"

#include <cstdio>
#include <sstream>
#include <string>

namespace {

using namespace lmfront;

constexpr config::FlagSpec kFlags[] = {
    config::flag("model", "M", "a model to mix; at least two").repeatable(),
    config::flag("tune", "DEV", "EM-optimise the interpolation weights on held-out text (one sentence per line)"),
    config::flag("weights", "W1,W2,...", "fixed interpolation weights instead of --tune"),
    config::flag("out", "MIXED.arpa", "write the static merge (union of n-grams, interpolated, renormalised)"),
    config::flag("tokenizer", "MODE", "default (the default) or whitespace"),
    config::switchFlag("json", "print the weights and perplexities as JSON"),
    config::switchFlag("help", "print this help"),
};

int runMix(int argc, char **argv) {
  if (cli::hasNodeFlag(argc, argv)) return cli::runPlatformMix(argc, argv);
  auto parsed = config::parseFlags(kFlags, argc, argv);
  if (!parsed) return cli::fail("mix", parsed.status().message(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(
        cli::usageText("mix --model A --model B [...] (--tune DEV | --weights W1,W2,...) [flags]", kFlags,
                       "A node's mix job instead: lmfront mix NEW --from M:V --from M:V --node URL (see its --help).\n")
            .c_str(),
        stdout);
    return 0;
  }
  const std::vector<std::string> paths = args.values("model");
  if (paths.size() < 2) return cli::fail("mix", "at least two --model flags are needed", 2);
  if (!args.has("tune") && !args.has("weights")) return cli::fail("mix", "--tune DEV or --weights is needed", 2);
  auto mode = engine::parseTokenizerMode(args.value("tokenizer", "default"));
  if (!mode.isOk()) return cli::fail("mix", mode.status().message(), 2);
  engine::TokenizerOptions tok;
  tok.mode = *mode;
  std::vector<std::shared_ptr<const engine::Model>> models;
  for (const std::string &p : paths) {
    auto m = engine::Model::open(p);
    if (!m.isOk()) return cli::fail("mix", m.status().message());
    models.push_back(*m);
  }
  std::vector<double> weights;
  engine::TuneReport report;
  if (args.has("tune")) {
    auto r = engine::tuneWeights(models, args.value("tune"), tok);
    if (!r.isOk()) return cli::fail("mix", r.status().message());
    report = *r;
    weights = report.weights;
  } else {
    std::stringstream ss(args.value("weights"));
    std::string item;
    while (std::getline(ss, item, ',')) {
      char *end = nullptr;
      weights.push_back(std::strtod(item.c_str(), &end));
      if (end == item.c_str() || *end) return cli::fail("mix", "--weights: '" + item + "' is not a number", 2);
    }
  }
  auto mixture = engine::Mixture::create(models, weights);
  if (!mixture.isOk()) return cli::fail("mix", mixture.status().message(), 2);
  if (args.has("out")) {
    auto merged = engine::staticMerge(*mixture);
    if (!merged.isOk()) return cli::fail("mix", merged.status().message());
    if (Status st = engine::writeArpa(*merged, args.value("out")); !st.isOk()) return cli::fail("mix", st.message());
  }
  const auto &w = mixture->weights();
  if (args.has("json")) {
    std::string out = "{\"models\":[";
    for (std::size_t i = 0; i < models.size(); ++i) {
      if (i) out += ',';
      out += "{\"path\":";
      out += cli::jsonString(paths[i]);
      out += ",\"weight\":";
      out += cli::jsonNumber(w[i]);
      if (args.has("tune")) {
        out += ",\"dev_perplexity\":";
        out += cli::jsonNumber(report.modelPerplexity[i]);
      }
      out += '}';
    }
    out += "],\"weights\":[";
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (i) out += ',';
      out += cli::jsonNumber(w[i]);
    }
    out += ']';
    if (args.has("tune")) {
      out += ",\"dev_tokens\":" + std::to_string(report.tokens);
      out += ",\"dev_oov\":" + std::to_string(report.oov);
      out += ",\"uniform_perplexity\":" + cli::jsonNumber(report.uniformPerplexity);
      out += ",\"tuned_perplexity\":" + cli::jsonNumber(report.tunedPerplexity);
      out += ",\"iterations\":" + std::to_string(report.iterations);
    }
    if (args.has("out")) out += ",\"out\":" + cli::jsonString(args.value("out"));
    out += "}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  for (std::size_t i = 0; i < models.size(); ++i) {
    std::printf("%-40s weight %.6f", paths[i].c_str(), w[i]);
    if (args.has("tune")) std::printf("  dev perplexity %.4f", report.modelPerplexity[i]);
    std::printf("\n");
  }
  if (args.has("tune"))
    std::printf("uniform mix perplexity %.4f, tuned mix perplexity %.4f (%d EM iterations, %llu tokens)\n",
                report.uniformPerplexity, report.tunedPerplexity, report.iterations,
                static_cast<unsigned long long>(report.tokens));
  return 0;
}

const bool kRegistered =
    cli::registerCommand({"mix", "interpolate models: EM-tuned weights, optional static merge to ARPA", &runMix});

}  // namespace
