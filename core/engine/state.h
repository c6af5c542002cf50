// State: the caller-owned context of a query (KenLM's State idea).
//
// A State names the longest suffix of the history that the model knows as an n-gram, by the
// slot index of each of its suffixes: idx[0] is the last word's id, idx[k] the slot of the
// (k+1)-gram ending at the last word in the order k+2 table, for k < length. backoff[k] is that
// n-gram's log10 backoff. It is a plain value (trivially copyable, 44 bytes), so many threads
// query one immutable Model at once, each with its own States, without locks.
#pragma once

#include "arpareader.h"

#include <array>
#include <cstdint>

namespace lmfront::engine {

using WordId = std::uint32_t;

struct State {
  std::array<std::uint32_t, kMaxOrder - 1> idx{};
  std::array<float, kMaxOrder - 1> backoff{};
  std::uint8_t length = 0;

  friend bool operator==(const State &a, const State &b) {
    if (a.length != b.length) return false;
    for (int i = 0; i < a.length; ++i)
      if (a.idx[i] != b.idx[i]) return false;
    return true;
  }
};

}  // namespace lmfront::engine
