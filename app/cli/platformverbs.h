// `lmfront compile` has two forms: the local engine verb (IN.arpa OUT.lmb: files in, file out) and
// the platform job (MODEL VERSION --node URL). The rule: with a --node flag it is the platform's.
#pragma once

namespace lmfront::cli {

bool isPlatformCompile(int argc, char **argv);  // a --node flag among the arguments
int runPlatformCompile(int argc, char **argv);  // cmd_platform.cpp

}  // namespace lmfront::cli
