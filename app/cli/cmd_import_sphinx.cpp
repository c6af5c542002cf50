// `lmfront import-sphinx IN.lm.bin OUT.arpa|OUT.lmb|- [--log-base B] [--keep-no-unk] [--json]`:
// reads a CMU Sphinx binary trie model (core/engine/sphinxreader.h) and writes it as ARPA or as
// a compiled model. Every correction the reader made and the <unk> it added are printed as
// warnings on stderr and listed in the --json output, so nothing is changed silently.
#include "commandregistry.h"
#include "engine/continuationindex.h"
#include "engine/model.h"
#include "engine/sphinxreader.h"
#include "enginecli.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>

namespace {

using lmfront::cli::fail;
using lmfront::cli::jsonString;
namespace engine = lmfront::engine;

constexpr const char *kVerb = "import-sphinx";

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

// Writes atomically (PATH.tmp, fsync, rename), so a node never maps half a model.
lmfront::Status writeFileAtomically(const std::string &path, const std::byte *data, std::size_t size) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return lmfront::Status::fromErrno(errno, "cannot create " + tmp);
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return lmfront::Status::fromErrno(e, "cannot write " + tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return lmfront::Status::fromErrno(e, "cannot write " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return lmfront::Status::fromErrno(errno, "cannot rename to " + path);
  return lmfront::Status::ok();
}

constexpr lmfront::config::FlagSpec kFlags[] = {
    lmfront::config::flag("log-base", "B", "Sphinx's log base when the model was written").byDefault("1.0001"),
    lmfront::config::switchFlag("keep-no-unk", "do not add <unk> to a model that has none (see docs/models.md)"),
    lmfront::config::switchFlag("json", "print a summary as JSON on stdout"),
    lmfront::config::switchFlag("help", "print this help"),
};

void printUsage(std::FILE *out) {
  std::fputs(lmfront::cli::usageText("import-sphinx IN.lm.bin OUT.arpa|OUT.lmb|- [flags]", kFlags,
                                     "Reads a CMU Sphinx binary trie language model (e.g. pocketsphinx's "
                                     "en-us.lm.bin).\nOUT.arpa (or - for stdout) writes ARPA text; OUT.lmb writes a "
                                     "compiled model.\n")
                 .c_str(),
             out);
}

int runImportSphinx(int argc, char **argv) {
  auto parsed = lmfront::config::parseFlags(kFlags, argc, argv);
  if (!parsed) return fail(kVerb, parsed.status().message(), 2);
  const lmfront::config::ParsedFlags &args = *parsed;
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
  if (compiled && args.has("keep-no-unk")) return fail(kVerb, "a compiled model needs <unk>: drop --keep-no-unk", 2);

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
    if (!unk.rule.empty()) std::fprintf(stderr, "lmfront %s: note: %s\n", kVerb, unk.rule.c_str());
  }
  // What JSON and the summary report, taken before a compiled output consumes the model.
  const int order = model->order;
  const std::vector<std::uint64_t> counts = model->counts;
  const std::vector<std::uint64_t> headerCounts = model->headerCounts;
  const std::vector<std::string> corrections = model->corrections;
  const double unigramMass = model->unigramMass;
  std::string sha256;
  if (compiled) {
    auto set = engine::toNgramSet(std::move(*model));
    if (!set) return fail(kVerb, set.status().message());
    auto built = engine::Model::fromNgrams(std::move(*set));
    if (!built) return fail(kVerb, built.status().message());
    auto image = engine::ContinuationIndex::compiledImage(**built);
    if (!image) return fail(kVerb, image.status().message());
    built = engine::Model::fromImage(std::move(*image));
    if (!built) return fail(kVerb, built.status().message());
    if (auto st = writeFileAtomically(out, (*built)->imageData(), (*built)->imageSize()); !st)
      return fail(kVerb, st.message());
    sha256 = (*built)->payloadSha256();
  } else if (auto st = engine::writeSphinxModelAsArpa(*model, out); !st) {
    return fail(kVerb, st.message());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (json) {
    std::string correctionsJson = "[";
    for (std::size_t i = 0; i < corrections.size(); ++i) {
      if (i) correctionsJson += ',';
      correctionsJson += jsonString(corrections[i]);
    }
    correctionsJson += "]";
    std::string unkJson = unk.added ? "{\"added\":true" : "{\"added\":false";
    if (!unk.rule.empty() && !unk.added) {
      unkJson += ",\"rule\":";
      unkJson += jsonString(unk.rule);
    }
    if (unk.added) {
      char buf[160];
      std::snprintf(buf, sizeof buf, ",\"log10_prob\":%.6f,\"unigram_scale_log10\":%.3g,\"max_backoff_change\":%.3g",
                    static_cast<double>(unk.log10Prob), unk.scaleLog10, unk.maxBackoffChange);
      unkJson += buf;
      unkJson += ",\"rule\":";
      unkJson += jsonString(unk.rule);
    }
    unkJson += "}";
    std::string shaJson = sha256.empty() ? "" : ",\"payload_sha256\":" + jsonString(sha256);
    std::printf(
        "{\"input\":%s,\"output\":%s,\"format\":\"%s\",\"order\":%d,\"counts\":%s,\"header_counts\":%s,"
        "\"corrections\":%s,\"unk\":%s,\"unigram_mass\":%.6f%s,\"seconds\":%.3f}\n",
        jsonString(in).c_str(), jsonString(out).c_str(),
        compiled ? ("lmb v" + std::to_string(engine::format::kVersion)).c_str() : "arpa", order,
        jsonCounts(counts).c_str(), jsonCounts(headerCounts).c_str(), correctionsJson.c_str(), unkJson.c_str(),
        unigramMass, shaJson.c_str(), seconds);
  } else if (out != "-") {
    std::fprintf(stderr, "lmfront %s: wrote %s: order %d, counts %s in %.2f s\n", kVerb, out.c_str(), order,
                 jsonCounts(counts).c_str(), seconds);
  }
  return 0;
}

const bool kRegistered = lmfront::cli::registerCommand(
    {kVerb, "import a CMU Sphinx binary trie model (.lm.bin) as ARPA or compiled", &runImportSphinx});

}  // namespace
