// bench_engine_coldstart MODEL [--drop-cache]: one cold start, for bench/engine/coldstart.sh.
// In a fresh process: opens MODEL, takes its continuation index (mapped from an lmb v5 file,
// built otherwise) and generates one token, then prints "open_ms index_ms first_token_ms"
// (first_token_ms = from before the open to the first token). --drop-cache first asks the kernel
// to evict the file's pages (posix_fadvise DONTNEED: unprivileged; it drops clean pages no
// process has mapped, so the open then reads from disk).
#include "engine/continuationindex.h"
#include "engine/sampler.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

using namespace lmfront::engine;
using Clock = std::chrono::steady_clock;

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL [--drop-cache]\n", argv[0]);
    return 2;
  }
  if (argc > 2 && std::strcmp(argv[2], "--drop-cache") == 0) {
    const int fd = ::open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) {
      std::perror(argv[1]);
      return 1;
    }
    ::close(fd);
  }
  const auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  const auto t0 = Clock::now();
  auto model = Model::open(argv[1]);
  if (!model.isOk()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  const auto t1 = Clock::now();
  auto index = ContinuationIndex::forModel(*model);
  if (!index.isOk()) {
    std::fprintf(stderr, "%s\n", index.status().message().c_str());
    return 1;
  }
  const auto t2 = Clock::now();
  Clock::time_point first{};
  Sampler sampler(*model, *index);
  SamplingOptions o;
  o.seed = 1;
  o.maxTokens = 1;
  auto r = sampler.generate("", o, {}, [&](const GeneratedToken &) {
    first = Clock::now();
    return true;
  });
  if (!r.isOk() || first == Clock::time_point{}) {
    std::fprintf(stderr, "no token generated\n");
    return 1;
  }
  std::printf("%.3f %.3f %.3f\n", ms(t0, t1), ms(t1, t2), ms(t0, first));
  return 0;
}
