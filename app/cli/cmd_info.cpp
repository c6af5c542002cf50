// `lmfront info --model M [--verify] [--json]`: what a model file is (ARPA or compiled).
#include "commandregistry.h"
#include "engine/model.h"
#include "engine/sha256.h"
#include "enginecli.h"

#include <cstdio>
#include <string>

namespace {

using namespace lmfront;

constexpr config::FlagSpec kFlags[] = {
    config::flag("model", "M", "the model file (.arpa or .lmb); required"),
    config::switchFlag("verify", "also check the compiled file's payload sha256"),
    config::switchFlag("json", "print the description as JSON"),
    config::switchFlag("vocab", "list the vocabulary instead: one \"ID<TAB>WORD\" line per word (ids for logit_bias)"),
    config::switchFlag("help", "print this help"),
};

int runInfo(int argc, char **argv) {
  auto parsed = config::parseFlags(kFlags, argc, argv);
  if (!parsed) return cli::fail("info", parsed.status().message(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(cli::usageText("info --model M [flags]", kFlags).c_str(), stdout);
    return 0;
  }
  if (Status st = args.require({"model"}); !st.isOk()) return cli::fail("info", st.message(), 2);
  engine::LoadOptions options;
  options.verifySha256 = args.has("verify");
  auto model = engine::Model::open(args.value("model"), options);
  if (!model.isOk()) return cli::fail("info", model.status().message());
  const engine::Model &m = **model;
  if (args.has("vocab")) {
    for (engine::WordId w = 0; w < m.vocab().size(); ++w) {
      const std::string_view word = m.vocab().word(w);
      std::printf("%u\t%.*s\n", w, static_cast<int>(word.size()), word.data());
    }
    return 0;
  }
  auto digest = engine::sha256File(m.path());
  if (!digest.isOk()) return cli::fail("info", digest.status().message());
  std::string counts;
  for (int n = 1; n <= m.order(); ++n) {
    if (n > 1) counts += ',';
    counts += std::to_string(m.arpaCount(n));
  }
  if (args.has("json")) {
    std::printf(
        "{\"path\":%s,\"format\":\"%s\",\"order\":%d,\"ngrams\":[%s],\"vocab_size\":%u,\"sha256\":\"%s\","
        "\"file_size\":%llu,\"unk\":\"%s\"",
        cli::jsonString(m.path()).c_str(), m.format().c_str(), m.order(), counts.c_str(), m.vocab().size(),
        engine::toHex(*digest).c_str(), static_cast<unsigned long long>(m.fileSize()),
        m.unkSynthesized() ? "synthesized" : "model");
    if (m.format() != "arpa") std::printf(",\"payload_sha256\":\"%s\"", m.payloadSha256().c_str());
    // Whether the sampler's index is in the file (lmb v5) or built at the first generation.
    std::printf(",\"continuation_index\":%s}\n", m.hasContinuationIndex() ? "true" : "false");
    return 0;
  }
  std::printf(
      "path        %s\nformat      %s\norder       %d\nngrams      %s\nvocabulary  %u\nsha256      %s\n"
      "file size   %llu bytes\n<unk>       %s\n",
      m.path().c_str(), m.format().c_str(), m.order(), counts.c_str(), m.vocab().size(), engine::toHex(*digest).c_str(),
      static_cast<unsigned long long>(m.fileSize()),
      m.unkSynthesized() ? "synthesized (absent from the ARPA; see docs/model-format.md)" : "in the model");
  return 0;
}

const bool kRegistered =
    cli::registerCommand({"info", "describe a model: order, n-gram counts, sha256, format", &runInfo});

}  // namespace
