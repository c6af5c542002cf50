// `lmfront compile` and `lmfront mix` have two forms: the local engine verb (files in, file out)
// and the node's job (`compile MODEL VERSION --node URL`, `mix NEW --from M:V... --node URL`). The
// rule: with a --node flag it is the node's.
#pragma once

namespace lmfront::cli {

bool hasNodeFlag(int argc, char **argv);        // a --node flag among the arguments
int runPlatformCompile(int argc, char **argv);  // cmd_platform.cpp
int runPlatformMix(int argc, char **argv);

}  // namespace lmfront::cli
