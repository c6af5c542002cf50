#include "commandregistry.h"

#include <cstdio>

namespace {
int runVersion(int, char **) {
  std::printf("lmfront %s\n", LMFRONT_VERSION);
  return 0;
}
const bool kRegistered = lmfront::cli::registerCommand({"version", "print the version", &runVersion});
}  // namespace
