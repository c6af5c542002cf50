#include "buildinfo.h"

#include "buildinfo_commit.h"

namespace lmfront::buildinfo {

std::string_view version() { return LMFRONT_VERSION; }

std::string_view gitCommit() { return LMFRONT_GIT_COMMIT; }

std::string versionText(std::string_view program) {
  std::string out(program);
  out.append(" ").append(version());
  if (gitCommit().empty()) {
    out.append(" (built outside git)\n");
  } else {
    out.append(" (commit ").append(gitCommit()).append(LMFRONT_GIT_DIRTY ? ", modified)\n" : ")\n");
  }
  return out;
}

}  // namespace lmfront::buildinfo
