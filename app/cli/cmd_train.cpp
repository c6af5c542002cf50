// `lmfront train`: corpus -> interpolated modified Kneser-Ney ARPA model (lmplz's estimates).
// Thin front end over engine::train(); prints a summary on stderr, or JSON on stdout (--json).
#include "commandregistry.h"
#include "common/jsonescape.h"
#include "engine/trainer.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace {

using lmfront::cli::fail;
namespace config = lmfront::config;

constexpr config::FlagSpec kFlags[] = {
    config::flag("order", "N", "n-gram order, 1..6; required"),
    config::flag("text", "FILE|-", "the corpus, one sentence per line (- for stdin); required"),
    config::flag("arpa", "OUT|-", "where the ARPA model goes (- for stdout); required"),
    config::flag("tokenizer", "MODE",
                 "default (NFKC, punctuation split, CJK per character; the default) or whitespace"),
    config::switchFlag("lowercase", "lowercase (default tokenizer only)"),
    config::flag("memory", "SIZE", "counting budget, e.g. 512M, 2G; sorted runs spill beyond it").byDefault("1G"),
    config::flag("temp-dir", "DIR", "where spilled runs go").byDefault("$TMPDIR or /tmp"),
    config::switchFlag("skip-invalid", "skip lines that are not valid UTF-8 instead of failing"),
    config::switchFlag("discount-fallback", "use D1=0.5 D2=1 D3+=1.5 when an order's discounts cannot be estimated"),
    config::switchFlag("json", "print the summary as JSON on stdout"),
    config::switchFlag("help", "print this help"),
};

using lmfront::jsonString;

void printJson(const lmfront::engine::TrainSummary &s, const std::string &arpa) {
  std::string ngrams, discounts;
  for (std::size_t i = 0; i < s.ngramCounts.size(); ++i) {
    if (i) ngrams += ',';
    ngrams += std::to_string(s.ngramCounts[i]);
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s{\"order\":%zu,\"d1\":%.7g,\"d2\":%.7g,\"d3plus\":%.7g,\"fallback\":%s}",
                  i ? "," : "", i + 1, s.discounts[i].amount[1], s.discounts[i].amount[2], s.discounts[i].amount[3],
                  s.usedFallback[i] ? "true" : "false");
    discounts += buf;
  }
  std::printf(
      "{\"arpa\":%s,\"order\":%d,\"ngrams\":[%s],\"vocab_size\":%llu,\"sentences\":%llu,\"tokens\":%llu,"
      "\"invalid_lines\":%llu,\"skipped_specials\":%llu,\"spilled_runs\":%llu,\"discounts\":[%s],"
      "\"seconds\":{\"count\":%.3f,\"estimate\":%.3f,\"write\":%.3f,\"total\":%.3f},\"peak_rss_bytes\":%llu}\n",
      jsonString(arpa).c_str(), s.order, ngrams.c_str(), static_cast<unsigned long long>(s.vocabularySize),
      static_cast<unsigned long long>(s.sentences), static_cast<unsigned long long>(s.tokens),
      static_cast<unsigned long long>(s.invalidLines), static_cast<unsigned long long>(s.skippedSpecials),
      static_cast<unsigned long long>(s.spilledRuns), discounts.c_str(), s.countSeconds, s.estimateSeconds,
      s.writeSeconds, s.totalSeconds, static_cast<unsigned long long>(s.peakRssBytes));
}

void printSummary(const lmfront::engine::TrainSummary &s, const std::string &arpa, std::uint64_t budget) {
  std::fprintf(stderr, "trained order-%d model -> %s\n", s.order, arpa.c_str());
  std::fprintf(stderr, "  sentences %llu, tokens %llu, vocabulary %llu (with <unk> <s> </s>)\n",
               static_cast<unsigned long long>(s.sentences), static_cast<unsigned long long>(s.tokens),
               static_cast<unsigned long long>(s.vocabularySize));
  for (std::size_t i = 0; i < s.ngramCounts.size(); ++i)
    std::fprintf(stderr, "  %zu-grams %10llu   D1=%.4f D2=%.4f D3+=%.4f%s\n", i + 1,
                 static_cast<unsigned long long>(s.ngramCounts[i]), s.discounts[i].amount[1], s.discounts[i].amount[2],
                 s.discounts[i].amount[3], s.usedFallback[i] ? " (fallback)" : "");
  if (s.invalidLines)
    std::fprintf(stderr, "  skipped %llu lines with invalid UTF-8\n", static_cast<unsigned long long>(s.invalidLines));
  if (s.skippedSpecials)
    std::fprintf(stderr, "  dropped %llu literal <s>/</s>/<unk> tokens\n",
                 static_cast<unsigned long long>(s.skippedSpecials));
  if (s.spilledRuns)
    std::fprintf(stderr, "  counting spilled %llu sorted runs to disk\n",
                 static_cast<unsigned long long>(s.spilledRuns));
  std::fprintf(stderr, "  time %.2f s (count %.2f, estimate %.2f, write %.2f), peak memory %.1f MB\n", s.totalSeconds,
               s.countSeconds, s.estimateSeconds, s.writeSeconds, static_cast<double>(s.peakRssBytes) / 1048576.0);
  // --memory bounds counting; estimation keeps every distinct n-gram in memory. Say so when that
  // went past the budget rather than let the number surprise anyone.
  if (s.peakRssBytes > budget)
    std::fprintf(stderr, "  note: estimation holds all n-grams in memory and went above --memory (%.1f MB)\n",
                 static_cast<double>(budget) / 1048576.0);
}

int runTrain(int argc, char **argv) {
  const std::string verb = "train";
  auto parsed = config::parseFlags(kFlags, argc, argv);
  if (!parsed) return fail(verb, parsed.status().message() + " (see lmfront train --help)", 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(lmfront::cli::usageText("train --order N --text FILE|- --arpa OUT|- [flags]", kFlags,
                                       "Trains an interpolated modified Kneser-Ney model (as KenLM's lmplz) from one "
                                       "sentence per line.\n")
                   .c_str(),
               stdout);
    return 0;
  }
  if (!args.positionals().empty())
    return fail(verb, "unexpected argument '" + args.positionals().front() + "' (see lmfront train --help)", 2);
  if (auto s = args.require({"order", "text", "arpa"}); !s)
    return fail(verb, s.message() + " (see lmfront train --help)", 2);

  lmfront::engine::TrainOptions options;
  auto order = args.integer("order", 3);
  if (!order) return fail(verb, order.status().message(), 2);
  if (*order < 1 || *order > lmfront::engine::kMaxOrder)
    return fail(verb, "--order must be between 1 and 6, got " + std::to_string(*order), 2);
  options.count.order = static_cast<int>(*order);
  auto mode = lmfront::engine::parseTokenizerMode(args.value("tokenizer", "default"));
  if (!mode) return fail(verb, "--tokenizer: " + mode.status().message(), 2);
  options.count.tokenizer.mode = *mode;
  options.count.tokenizer.lowercase = args.has("lowercase");
  if (options.count.tokenizer.lowercase && *mode == lmfront::engine::TokenizerMode::Whitespace)
    return fail(verb, "--lowercase needs the default tokenizer (whitespace never changes the text)", 2);
  auto memory = args.byteSize("memory", 1ULL << 30);
  if (!memory) return fail(verb, memory.status().message(), 2);
  if (*memory < (64ULL << 10)) return fail(verb, "--memory must be at least 64k", 2);
  options.count.memoryBytes = *memory;
  options.count.tempDir = args.value("temp-dir");
  options.count.skipInvalid = args.has("skip-invalid");
  if (args.has("discount-fallback")) {
    lmfront::engine::Discount d;
    d.amount = {0.0, 0.5, 1.0, 1.5};
    options.kneserNey.fallback = d;
  }
  options.textPath = args.value("text");
  options.arpaPath = args.value("arpa");
  const bool json = args.has("json");
  if (json && options.arpaPath == "-") return fail(verb, "--json and --arpa - would both write to stdout", 2);

  auto summary = lmfront::engine::train(options);
  if (!summary) return fail(verb, summary.status().message(), 1);
  if (json)
    printJson(*summary, options.arpaPath);
  else
    printSummary(*summary, options.arpaPath, options.count.memoryBytes);
  return 0;
}

const bool kRegistered = lmfront::cli::registerCommand({"train", "train a Kneser-Ney n-gram model (ARPA)", &runTrain});

}  // namespace
