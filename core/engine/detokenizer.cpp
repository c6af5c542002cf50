// Detokenisation for generated text (declared in sampler.h).
#include "sampler.h"

namespace lmfront::engine {
namespace {

char32_t decodeAt(std::string_view s, std::size_t i, std::size_t &len) {
  const auto c = static_cast<unsigned char>(s[i]);
  len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + len > s.size() || len == 1) {
    len = 1;
    return c;
  }
  char32_t cp = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

char32_t first(std::string_view s) {
  std::size_t len = 0;
  return s.empty() ? 0 : decodeAt(s, 0, len);
}

char32_t last(std::string_view s) {
  if (s.empty()) return 0;
  std::size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  std::size_t len = 0;
  return decodeAt(s, i, len);
}

bool isCjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
         (c >= 0x20000 && c <= 0x3FFFF);
}

bool attachesLeft(char32_t c) {
  switch (c) {
  case '.':
  case ',':
  case '!':
  case '?':
  case ';':
  case ':':
  case ')':
  case ']':
  case '}':
  case '%':
  case '\'':
  case 0x2019:
  case 0x201D:
  case 0x2026: return true;
  default: return false;
  }
}

bool attachesRight(char32_t c) {
  switch (c) {
  case '(':
  case '[':
  case '{':
  case 0x2018:
  case 0x201C:
  case 0xBF:
  case 0xA1:
  case '$': return true;
  default: return false;
  }
}

}  // namespace

std::string detokenizePiece(std::string_view previous, std::string_view token) {
  if (previous.empty() || token.empty()) return std::string(token);
  const char32_t a = last(previous), b = first(token);
  const bool space = !(attachesLeft(b) || attachesRight(a) || (isCjk(a) && isCjk(b)));
  std::string out;
  out.reserve(token.size() + 1);
  if (space) out += ' ';
  out += token;
  return out;
}

std::string detokenize(const std::vector<std::string_view> &tokens) {
  std::string out;
  std::string_view previous;
  for (std::string_view t : tokens) {
    out += detokenizePiece(previous, t);
    previous = t;
  }
  return out;
}

}  // namespace lmfront::engine
