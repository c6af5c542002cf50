// The version line every lmfront binary prints for --version: the project's version number and
// the git commit the binary was built from, e.g.
//   lmfrontd 0.1.0 (commit 1a2b3c4d5e6f)
//   lmfrontd 0.1.0 (commit 1a2b3c4d5e6f, modified)   tracked files differed from that commit
//   lmfrontd 0.1.0 (built outside git)               no checkout and no LMFRONT_GIT_COMMIT given
// The first two words are "PROGRAM VERSION", the form man pages and packaging read.
#pragma once

#include <string>
#include <string_view>

namespace lmfront::buildinfo {

std::string_view version();    // "0.1.0"
std::string_view gitCommit();  // "1a2b3c4d5e6f", empty outside git
// "PROGRAM VERSION (commit ...)\n"
std::string versionText(std::string_view program);

}  // namespace lmfront::buildinfo
