// `lmfront compile IN OUT.lmb [--probing-multiplier X] [--no-index] [--json]`: an ARPA (or an older compiled
// file) -> a compiled model with its continuation index. With --node it is the platform's compile
// job instead (`compile MODEL VERSION --node URL`, platformverbs.h).
#include "commandregistry.h"
#include "engine/continuationindex.h"
#include "engine/model.h"
#include "enginecli.h"
#include "platformverbs.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>

namespace {

using namespace lmfront;

// Writes atomically: PATH.tmp, fsync, rename, so a reader never maps half a model.
Status writeFile(const std::string &path, const std::byte *data, std::size_t size) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::fromErrno(errno, "cannot create " + tmp);
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::fromErrno(e, "cannot write " + tmp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Status::fromErrno(e, "cannot write " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::fromErrno(errno, "cannot rename to " + path);
  return Status::ok();
}

constexpr config::FlagSpec kFlags[] = {
    config::flag("probing-multiplier", "X", "hash slots per n-gram, 1.05..4: larger is faster, bigger")
        .byDefault("1.5"),
    config::switchFlag("no-index",
                       "leave out the sampler's continuation index: a smaller file, but the first generation "
                       "after a load builds the index (about a second per million n-grams)"),
    config::switchFlag("json", "print the result as JSON on stdout"),
    config::switchFlag("help", "print this help"),
};

int runCompile(int argc, char **argv) {
  if (cli::hasNodeFlag(argc, argv)) return cli::runPlatformCompile(argc, argv);
  auto parsed = config::parseFlags(kFlags, argc, argv);
  if (!parsed) return cli::fail("compile", parsed.status().message(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help") || args.positionals().size() != 2) {
    std::fputs(
        cli::usageText("compile IN.arpa OUT.lmb [flags]", kFlags,
                       "A node's compile job instead: lmfront compile MODEL VERSION --node URL (see its --help).\n")
            .c_str(),
        args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  Result<double> mult = args.number("probing-multiplier", 1.5);
  if (!mult.isOk()) return cli::fail("compile", mult.status().message(), 2);
  const auto start = std::chrono::steady_clock::now();
  engine::LoadOptions options;
  options.build.probingMultiplier = *mult;
  auto model = engine::Model::open(args.positionals()[0], options);
  if (!model.isOk()) return cli::fail("compile", model.status().message());
  // The sampler's index goes into the file, so a freshly loaded model generates at once.
  if (!args.has("no-index")) {
    auto image = engine::ContinuationIndex::compiledImage(**model);
    if (!image.isOk()) return cli::fail("compile", image.status().message());
    auto compiled = engine::Model::fromImage(std::move(*image));
    if (!compiled.isOk()) return cli::fail("compile", compiled.status().message());
    model = std::move(compiled);
  }
  const std::string &out = args.positionals()[1];
  if (Status st = writeFile(out, (*model)->imageData(), (*model)->imageSize()); !st.isOk())
    return cli::fail("compile", st.message());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.has("json"))
    std::printf("{\"out\":%s,\"bytes\":%zu,\"seconds\":%s,\"payload_sha256\":\"%s\"}\n", cli::jsonString(out).c_str(),
                (*model)->imageSize(), cli::jsonNumber(secs).c_str(), (*model)->payloadSha256().c_str());
  else
    std::fprintf(stderr, "compiled %s -> %s (%zu bytes, %.2f s)\n", args.positionals()[0].c_str(), out.c_str(),
                 (*model)->imageSize(), secs);
  return 0;
}

const bool kRegistered = cli::registerCommand(
    {"compile", "compile an ARPA model into the mmap-able binary format (with --node: a job)", &runCompile});

}  // namespace
