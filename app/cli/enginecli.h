// Small helpers shared by the engine verbs (compile, score, generate, mix, info): JSON output
// and number formatting, so every verb prints the same shapes. Header-only, no state.
#pragma once

#include "common/jsonescape.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace lmfront::cli {

using lmfront::jsonString;  // common/jsonescape.h

// A JSON number with round-trip precision; non-finite values (an empty input's perplexity) are null.
inline std::string jsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace lmfront::cli
