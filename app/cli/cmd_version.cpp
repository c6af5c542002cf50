#include "buildinfo.h"
#include "commandregistry.h"

#include <cstdio>

namespace {
int runVersion(int, char **) {
  std::fputs(lmfront::buildinfo::versionText("lmfront").c_str(), stdout);
  return 0;
}
const bool kRegistered = lmfront::cli::registerCommand({"version", "print the version", &runVersion});
}  // namespace
