// Small helpers shared by the engine verbs (compile, score, generate, mix, info): JSON output
// and number formatting, so every verb prints the same shapes. Header-only, no state.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace lmfront::cli {

inline std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "\"";
}

// A JSON number with round-trip precision; non-finite values (an empty input's perplexity) are null.
inline std::string jsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace lmfront::cli
