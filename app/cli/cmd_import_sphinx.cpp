// `lmfront import-sphinx IN.lm.bin OUT.arpa|OUT.lmb|- [--log-base B] [--keep-no-unk] [--json]`:
// reads a CMU Sphinx binary trie model (core/engine/sphinxreader.h) and writes it as ARPA or as
// a compiled model. Every correction the reader made and the <unk> it added are printed as
// warnings on stderr and listed in the --json output, so nothing is changed silently.
#include "args.h"
#include "commandregistry.h"
#include "engine/sphinxreader.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace {

using lmfront::cli::Args;
using lmfront::cli::fail;
namespace engine = lmfront::engine;

constexpr const char *kVerb = "import-sphinx";

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string jsonCounts(const std::vector<std::uint64_t> &counts) {
  std::string out = "[";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(counts[i]);
  }
  return out + "]";
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void printUsage(std::FILE *out) {
  std::fprintf(out,
               "usage: lmfront import-sphinx IN.lm.bin OUT.arpa|OUT.lmb|- [--log-base B] [--keep-no-unk] [--json]\n"
               "  Reads a CMU Sphinx binary trie language model (e.g. pocketsphinx's en-us.lm.bin).\n"
               "  OUT.arpa (or - for stdout) writes ARPA text; OUT.lmb writes a compiled model.\n"
               "  --log-base B    Sphinx's log base when the model was written (default 1.0001)\n"
               "  --keep-no-unk   do not add <unk> to a model that has none (see docs/models.md)\n"
               "  --json          print a summary as JSON on stdout\n");
}

int runImportSphinx(int argc, char **argv) {
  Args args;
  args.option("log-base").flag("keep-no-unk").flag("json").flag("help");
  if (auto st = args.parse(argc, argv); !st) return fail(kVerb, st.message(), 2);
  if (args.has("help")) {
    printUsage(stdout);
    return 0;
  }
  if (args.positionals().size() != 2) {
    printUsage(stderr);
    return fail(kVerb, "expected IN.lm.bin and OUT.arpa|OUT.lmb", 2);
  }
  const std::string in = args.positionals()[0];
  const std::string out = args.positionals()[1];
  const bool json = args.has("json");
  const bool compiled = endsWith(out, ".lmb");
  if (!compiled && out != "-" && !endsWith(out, ".arpa"))
    return fail(kVerb, "the output must end in .arpa or .lmb (or be - for ARPA on stdout)", 2);
  if (json && out == "-") return fail(kVerb, "--json needs an output file (stdout carries the JSON)", 2);
  engine::SphinxReadOptions options;
  auto base = args.number("log-base", options.logBase);
  if (!base) return fail(kVerb, base.status().message(), 2);
  options.logBase = *base;
  if (compiled) return fail(kVerb, "compiled output not available yet: write OUT.arpa and run `lmfront compile`");

  const auto start = std::chrono::steady_clock::now();
  auto model = engine::SphinxReader::read(in, options);
  if (!model) return fail(kVerb, model.status().message());
  for (const auto &c : model->corrections) std::fprintf(stderr, "lmfront %s: warning: %s\n", kVerb, c.c_str());
  if (model->unigramMass < 0.9 || model->unigramMass > 1.1)
    std::fprintf(stderr,
                 "lmfront %s: warning: the unigram probabilities sum to %.4f, not 1: was the model written with "
                 "another --log-base?\n",
                 kVerb, model->unigramMass);
  engine::UnknownWordReport unk;
  if (!args.has("keep-no-unk")) {
    unk = engine::addUnknownWord(*model);
    if (unk.added) std::fprintf(stderr, "lmfront %s: note: %s\n", kVerb, unk.rule.c_str());
  }
  if (auto st = engine::writeSphinxModelAsArpa(*model, out); !st) return fail(kVerb, st.message());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (json) {
    std::string corrections = "[";
    for (std::size_t i = 0; i < model->corrections.size(); ++i) {
      if (i) corrections += ',';
      corrections += jsonString(model->corrections[i]);
    }
    corrections += "]";
    std::string unkJson = unk.added ? "{\"added\":true" : "{\"added\":false";
    if (unk.added) {
      char buf[160];
      std::snprintf(buf, sizeof buf, ",\"log10_prob\":%.6f,\"unigram_scale_log10\":%.3g,\"max_backoff_change\":%.3g",
                    static_cast<double>(unk.log10Prob), unk.scaleLog10, unk.maxBackoffChange);
      unkJson += buf;
      unkJson += ",\"rule\":";
      unkJson += jsonString(unk.rule);
    }
    unkJson += "}";
    std::printf(
        "{\"input\":%s,\"output\":%s,\"format\":\"arpa\",\"order\":%d,\"counts\":%s,\"header_counts\":%s,"
        "\"corrections\":%s,\"unk\":%s,\"unigram_mass\":%.6f,\"seconds\":%.3f}\n",
        jsonString(in).c_str(), jsonString(out).c_str(), model->order, jsonCounts(model->counts).c_str(),
        jsonCounts(model->headerCounts).c_str(), corrections.c_str(), unkJson.c_str(), model->unigramMass, seconds);
  } else if (out != "-") {
    std::fprintf(stderr, "lmfront %s: wrote %s: order %d, counts %s in %.2f s\n", kVerb, out.c_str(), model->order,
                 jsonCounts(model->counts).c_str(), seconds);
  }
  return 0;
}

const bool kRegistered = lmfront::cli::registerCommand(
    {kVerb, "import a CMU Sphinx binary trie model (.lm.bin) as ARPA or compiled", &runImportSphinx});

}  // namespace
