// tst_artifactstore_put ROOT SOURCE: opens the artifact store at ROOT and puts SOURCE, printing
// the sha256. tst_artifactstore runs it as a real process and kills it in the middle of the put.
#include "registry/artifactstore.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s ROOT SOURCE\n", argv[0]);
    return 2;
  }
  auto store = lmfront::registry::ArtifactStore::open(argv[1]);
  if (!store.isOk()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return 1;
  }
  auto put = (*store)->put(argv[2]);
  if (!put.isOk()) {
    std::fprintf(stderr, "%s\n", put.status().message().c_str());
    return 1;
  }
  std::printf("%s\n", put->sha256.c_str());
  return 0;
}
