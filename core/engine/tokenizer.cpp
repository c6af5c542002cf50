#include "engine/tokenizer.h"

#include <utf8proc.h>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lmfront::engine {

namespace {

enum class CharClass { Separator, Word, Single };

bool isCjkIdeograph(std::int32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x2FA1F) || (c >= 0x30000 && c <= 0x3134F);
}

CharClass classify(std::int32_t c) {
  if (c < 0x80) {
    if (c <= 0x20 || c == 0x7F) return CharClass::Separator;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CharClass::Word;
    return CharClass::Single;
  }
  if (isCjkIdeograph(c)) return CharClass::Single;
  switch (utf8proc_category(c)) {
  case UTF8PROC_CATEGORY_ZS:
  case UTF8PROC_CATEGORY_ZL:
  case UTF8PROC_CATEGORY_ZP:
  case UTF8PROC_CATEGORY_CC:
  case UTF8PROC_CATEGORY_CF: return CharClass::Separator;
  case UTF8PROC_CATEGORY_PC:
  case UTF8PROC_CATEGORY_PD:
  case UTF8PROC_CATEGORY_PS:
  case UTF8PROC_CATEGORY_PE:
  case UTF8PROC_CATEGORY_PI:
  case UTF8PROC_CATEGORY_PF:
  case UTF8PROC_CATEGORY_PO:
  case UTF8PROC_CATEGORY_SM:
  case UTF8PROC_CATEGORY_SC:
  case UTF8PROC_CATEGORY_SK:
  case UTF8PROC_CATEGORY_SO: return CharClass::Single;
  default: return CharClass::Word;
  }
}

bool isDigit(std::int32_t c) {
  return (c >= '0' && c <= '9') || (c >= 0x80 && utf8proc_category(c) == UTF8PROC_CATEGORY_ND);
}

bool isLetter(std::int32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  auto cat = utf8proc_category(c);
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO && !isCjkIdeograph(c);
}

bool isSpecial(std::string_view t) { return t == "<s>" || t == "</s>" || t == "<unk>"; }

}  // namespace

Result<TokenizerMode> parseTokenizerMode(std::string_view name) {
  if (name == "whitespace") return TokenizerMode::Whitespace;
  if (name == "default") return TokenizerMode::Default;
  return Status::invalidArgument("unknown tokenizer '" + std::string(name) + "' (expected whitespace or default)");
}

std::size_t findInvalidUtf8(std::string_view text) {
  const auto *s = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path: 32 bytes at a time, then 8.
#if defined(__SSE2__)
    while (i + 32 <= n) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i + 16));
      if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) break;
      i += 32;
    }
#endif
    while (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i + 1;
    }
    if (i + len > n) return i + 1;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i + 1;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return i + 1;
    i += len;
  }
  return 0;
}

namespace {

// splitWhitespaceLines over 64 bytes at a time: bit i of the returned masks describes byte i.
struct ByteMasks {
  std::uint64_t separator;  // space, tab, CR, NUL or LF
  std::uint64_t newline;    // LF
  std::uint64_t high;       // a byte >= 0x80
};

ByteMasks classify64(const char *p) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r'),
                lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
  ByteMasks m{0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * i));
    const __m128i nl = _mm_cmpeq_epi8(x, lf);
    const __m128i sep = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, space), _mm_cmpeq_epi8(x, tab)),
                                     _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, zero)), nl));
    const int shift = 16 * i;
    m.separator |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(sep))} << shift;
    m.newline |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(nl))} << shift;
    m.high |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(x))} << shift;
  }
  return m;
#else
  ByteMasks m{0, 0, 0};
  for (int i = 0; i < 64; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    const std::uint64_t bit = std::uint64_t{1} << i;
    if (c == ' ' || c == '\t' || c == '\r' || c == 0 || c == '\n') m.separator |= bit;
    if (c == '\n') m.newline |= bit;
    if (c >= 0x80) m.high |= bit;
  }
  return m;
#endif
}

}  // namespace

std::uint64_t splitWhitespaceLines(std::string_view text, std::vector<std::string_view> &words,
                                   std::vector<std::size_t> &lineEnds, bool *allAscii) {
  // Byte classes come 64 at a time as bit masks; token starts and ends are where the separator
  // mask changes, visited in order with count-trailing-zeros: no branch per byte, and the
  // branches left (start or end, line end) follow the text's regular rhythm.
  std::uint64_t skipped = 0, high = 0;
  const char *const data = text.data();
  const std::size_t size = text.size();
  std::size_t tokenStart = 0;
  std::uint64_t carry = 1;  // "the byte before is a separator": true at the start
  for (std::size_t base = 0; base < size; base += 64) {
    ByteMasks m;
    if (size - base >= 64) {
      m = classify64(data + base);
    } else {  // the tail, padded with NULs (separators) to a whole chunk
      char tail[64] = {};
      std::memcpy(tail, data + base, size - base);
      m = classify64(tail);
    }
    high |= m.high;
    const std::uint64_t before = (m.separator << 1) | carry;  // bit i: byte i - 1 is a separator
    carry = m.separator >> 63;
    const std::uint64_t starts = ~m.separator & before;
    const std::uint64_t ends = m.separator & ~before;
    for (std::uint64_t events = starts | ends | m.newline; events != 0; events &= events - 1) {
      const int i = __builtin_ctzll(events);
      const std::uint64_t bit = std::uint64_t{1} << i;
      if (starts & bit) {
        tokenStart = base + static_cast<std::size_t>(i);
        continue;
      }
      if (ends & bit) {
        const std::string_view token(data + tokenStart, base + static_cast<std::size_t>(i) - tokenStart);
        if (token[0] == '<' && isSpecial(token))
          ++skipped;
        else
          words.push_back(token);
      }
      if (m.newline & bit) lineEnds.push_back(words.size());
    }
  }
  if (size % 64 == 0 && carry == 0) {  // a word runs to the very end with no padding after it
    const std::string_view token(data + tokenStart, size - tokenStart);
    if (token[0] == '<' && isSpecial(token))
      ++skipped;
    else
      words.push_back(token);
  }
  if (size != 0 && data[size - 1] != '\n') lineEnds.push_back(words.size());
  if (allAscii) *allAscii = high == 0;
  return skipped;
}

Tokenizer::Tokenizer(TokenizerOptions options) : m_options(options) {}

void Tokenizer::push(std::string_view token, std::vector<std::string_view> &out) {
  if (isSpecial(token)) {
    ++m_skippedSpecials;
    return;
  }
  out.push_back(token);
}

Status Tokenizer::tokenize(std::string_view line, std::vector<std::string_view> &out) {
  if (std::size_t bad = findInvalidUtf8(line))
    return Status::invalidArgument("invalid UTF-8 at byte " + std::to_string(bad));
  if (m_options.mode == TokenizerMode::Default) return tokenizeDefault(line, out);
  const char *p = line.data();
  const char *end = p + line.size();
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\0')) ++p;
    const char *start = p;
    while (p < end && !(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\0')) ++p;
    if (p > start) push(std::string_view(start, static_cast<std::size_t>(p - start)), out);
  }
  return Status::ok();
}

Status Tokenizer::tokenizeDefault(std::string_view line, std::vector<std::string_view> &out) {
  // 1. Code points in NFKC. Pure ASCII is already NFKC, so utf8proc is skipped for it.
  bool ascii = true;
  for (char ch : line)
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  m_codepoints.clear();
  if (ascii) {
    m_codepoints.reserve(line.size());
    for (char ch : line) m_codepoints.push_back(static_cast<unsigned char>(ch));
  } else {
    const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    const auto *bytes = reinterpret_cast<const utf8proc_uint8_t *>(line.data());
    const auto length = static_cast<utf8proc_ssize_t>(line.size());
    m_codepoints.resize(line.size() + 16);
    utf8proc_ssize_t n = utf8proc_decompose(bytes, length, m_codepoints.data(),
                                            static_cast<utf8proc_ssize_t>(m_codepoints.size()), options);
    if (n > static_cast<utf8proc_ssize_t>(m_codepoints.size())) {
      m_codepoints.resize(static_cast<std::size_t>(n));
      n = utf8proc_decompose(bytes, length, m_codepoints.data(), n, options);
    }
    if (n < 0) return Status::invalidArgument(std::string("cannot normalise line: ") + utf8proc_errmsg(n));
    n = utf8proc_normalize_utf32(m_codepoints.data(), n, options);
    if (n < 0) return Status::invalidArgument(std::string("cannot normalise line: ") + utf8proc_errmsg(n));
    m_codepoints.resize(static_cast<std::size_t>(n));
  }
  if (m_options.lowercase)
    for (auto &c : m_codepoints) c = c < 0x80 ? ((c >= 'A' && c <= 'Z') ? c + 32 : c) : utf8proc_tolower(c);

  // 2. Split into words and single-code-point tokens, recording byte spans in m_text.
  m_text.clear();
  m_spans.clear();
  std::size_t wordStart = std::string::npos;
  auto closeWord = [&] {
    if (wordStart != std::string::npos && m_text.size() > wordStart) m_spans.emplace_back(wordStart, m_text.size());
    wordStart = std::string::npos;
  };
  auto append = [&](std::int32_t c) {
    if (c < 0x80) {
      m_text.push_back(static_cast<char>(c));
      return;
    }
    utf8proc_uint8_t buf[4];
    auto len = utf8proc_encode_char(c, buf);
    m_text.append(reinterpret_cast<const char *>(buf), static_cast<std::size_t>(len));
  };
  const std::size_t count = m_codepoints.size();
  for (std::size_t i = 0; i < count; ++i) {
    const std::int32_t c = m_codepoints[i];
    CharClass cls = classify(c);
    if (cls == CharClass::Single && wordStart != std::string::npos && i > 0 && i + 1 < count) {
      const std::int32_t prev = m_codepoints[i - 1], next = m_codepoints[i + 1];
      const bool numberJoin = (c == '.' || c == ',') && isDigit(prev) && isDigit(next);
      const bool apostropheJoin = (c == '\'' || c == 0x2019) && isLetter(prev) && isLetter(next);
      if (numberJoin || apostropheJoin) cls = CharClass::Word;
    }
    switch (cls) {
    case CharClass::Separator: closeWord(); break;
    case CharClass::Word:
      if (wordStart == std::string::npos) wordStart = m_text.size();
      append(c);
      break;
    case CharClass::Single: {
      closeWord();
      const std::size_t start = m_text.size();
      append(c);
      m_spans.emplace_back(start, m_text.size());
      break;
    }
    }
  }
  closeWord();
  for (auto [b, e] : m_spans) push(std::string_view(m_text).substr(b, e - b), out);
  return Status::ok();
}

Result<std::vector<std::string>> Tokenizer::tokenizeToStrings(std::string_view line) {
  std::vector<std::string_view> views;
  LMFRONT_RETURN_IF_ERROR(tokenize(line, views));
  return std::vector<std::string>(views.begin(), views.end());
}

}  // namespace lmfront::engine
