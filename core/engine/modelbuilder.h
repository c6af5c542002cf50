// NgramSet and the model builder: ARPA text -> n-grams in memory -> a compiled image.
//
// Contract: readArpa() streams an ARPA file through ArpaReader into an NgramSet (word ids, <unk>
// always id 0). buildImage() turns an NgramSet into the exact bytes of an "lmb" file
// (modelformat.h), ready to be written by compile or used in memory by Model::open on an .arpa:
// both paths query the same structure, so an ARPA and its compiled file score identically.
// The builder closes the n-gram set the way queries need it: every n-gram's prefix and suffix
// must be an n-gram too; a missing one is added as a "blank" whose probability is what backoff
// already gives and whose backoff is 0, which changes no probability (KenLM does the same).
// Neither function is thread-safe on the same set; different sets are independent.
#pragma once

#include "common/status.h"
#include "state.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lmfront::engine {

struct NgramSet {
  struct Order {
    std::vector<WordId> words;  // n ids per entry, text order
    std::vector<float> prob;
    std::vector<float> backoff;  // 0 where the ARPA gave none
  };
  int order = 0;
  std::vector<std::string> vocab;  // id -> word; vocab[0] == "<unk>"
  bool unkSynthesized = false;     // the ARPA had no <unk>: see docs/model-format.md
  std::vector<std::uint64_t> arpaCounts;
  std::vector<Order> orders;  // orders[n-1]; orders[0].words[id] == id
};

struct BuildOptions {
  // Hash slots per n-gram of order >= 2. Larger is faster on misses and bigger on disk;
  // 1.5 is KenLM's default. Must be in [1.05, 4].
  double probingMultiplier = 1.5;
};

// Reads an ARPA file ("-" = stdin). An ARPA without <unk> gets one (see the doc for its prob).
Result<NgramSet> readArpa(const std::string &path);
Result<NgramSet> readArpaBuffer(std::string_view text, const std::string &name);

// The complete file image (header + sections), 64-byte aligned storage.
struct ModelImage {
  std::vector<std::uint64_t> storage;  // uint64 for alignment; bytes() is the view
  std::size_t size = 0;
  const std::byte *bytes() const { return reinterpret_cast<const std::byte *>(storage.data()); }
};
Result<ModelImage> buildImage(NgramSet set, const BuildOptions &options = {});

}  // namespace lmfront::engine
