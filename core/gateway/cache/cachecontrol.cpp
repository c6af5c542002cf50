#include "gateway/cache/cachecontrol.h"

#include <cctype>

namespace lmfront::gateway::cache {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

CacheControl parseCacheControl(std::string_view v) {
  CacheControl cc;
  std::size_t i = 0;
  while (i < v.size()) {
    // One directive: token [ "=" ( token / quoted-string ) ], up to the next top-level comma.
    const std::size_t start = i;
    std::size_t eq = std::string_view::npos;
    while (i < v.size() && v[i] != ',') {
      if (v[i] == '=' && eq == std::string_view::npos) eq = i;
      if (v[i] == '"') {
        for (++i; i < v.size() && v[i] != '"'; ++i)
          if (v[i] == '\\' && i + 1 < v.size()) ++i;
      }
      if (i < v.size()) ++i;
    }
    const std::string_view directive = v.substr(start, i - start);
    if (i < v.size()) ++i;  // the comma
    const std::string_view name = trim(eq == std::string_view::npos ? directive : directive.substr(0, eq - start));
    std::string_view arg =
        eq == std::string_view::npos ? std::string_view{} : trim(v.substr(eq + 1, start + directive.size() - eq - 1));
    if (arg.size() >= 2 && arg.front() == '"' && arg.back() == '"') arg = arg.substr(1, arg.size() - 2);
    if (iequals(name, "no-cache")) {
      cc.bypass = true;
    } else if (iequals(name, "no-store")) {
      cc.noStore = true;
    } else if (iequals(name, "max-age") && arg == "0") {
      cc.bypass = true;
    }
  }
  return cc;
}

}  // namespace lmfront::gateway::cache
