#include "arpareader.h"

// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651); the code is fine.
#pragma GCC diagnostic ignored "-Wrestrict"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_set>

namespace lmfront::engine {
namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr float kPositiveTolerance = 1e-4f;

// Yields lines (without the newline) from a FILE* through one growing buffer, or from memory.
class LineSource {
public:
  explicit LineSource(std::FILE *file) : m_file(file), m_buffer(kBufferSize) {}
  explicit LineSource(std::string_view text) : m_text(text) {}

  // False at end of input; `error` is set when the OS refused to read.
  bool next(std::string_view &line, Status &error) {
    if (!m_file) {
      if (m_pos >= m_text.size()) return false;
      std::size_t end = m_text.find('\n', m_pos);
      if (end == std::string_view::npos) end = m_text.size();
      line = m_text.substr(m_pos, end - m_pos);
      m_pos = end + 1;
      return true;
    }
    for (;;) {
      const char *begin = m_buffer.data() + m_pos;
      const void *nl = std::memchr(begin, '\n', m_end - m_pos);
      if (nl) {
        const char *e = static_cast<const char *>(nl);
        line = std::string_view(begin, static_cast<std::size_t>(e - begin));
        m_pos += line.size() + 1;
        return true;
      }
      if (m_eof) {
        if (m_pos == m_end) return false;
        line = std::string_view(begin, m_end - m_pos);
        m_pos = m_end;
        return true;
      }
      // Keep the partial line, refill behind it; grow when one line fills the buffer.
      std::size_t rest = m_end - m_pos;
      std::memmove(m_buffer.data(), begin, rest);
      m_pos = 0;
      m_end = rest;
      if (m_end == m_buffer.size()) m_buffer.resize(m_buffer.size() * 2);
      std::size_t got = std::fread(m_buffer.data() + m_end, 1, m_buffer.size() - m_end, m_file);
      m_end += got;
      if (got == 0) {
        if (std::ferror(m_file)) {
          error = Status::fromErrno(errno, "read failed");
          return false;
        }
        m_eof = true;
      }
    }
  }

private:
  std::FILE *m_file = nullptr;
  std::vector<char> m_buffer;
  std::size_t m_pos = 0, m_end = 0;
  bool m_eof = false;
  std::string_view m_text;
};

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && isBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Splits on blanks into at most `max` fields; returns the count found (max + 1 means "more").
std::size_t splitFields(std::string_view s, std::string_view *out, std::size_t max) {
  std::size_t n = 0, i = 0;
  while (i < s.size()) {
    while (i < s.size() && isBlank(s[i])) ++i;
    if (i == s.size()) break;
    std::size_t start = i;
    while (i < s.size() && !isBlank(s[i])) ++i;
    if (n == max) return max + 1;
    out[n++] = s.substr(start, i - start);
  }
  return n;
}

// A finite float, or an error string.
const char *parseNumber(std::string_view text, float &out) {
  const char *first = text.data();
  if (!text.empty() && text.front() == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), out, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) return "number out of range";
  if (ec != std::errc() || ptr != text.data() + text.size()) return "not a number";
  if (!std::isfinite(out)) return "not a finite number (NaN and inf are not allowed)";
  return nullptr;
}

bool parseUint(std::string_view text, std::uint64_t &out) {
  text = trim(text);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

class Parser {
public:
  Parser(LineSource &source, const std::string &name, ArpaVisitor &visitor)
      : m_source(source), m_name(name), m_visitor(visitor) {}

  Status run() {
    Status st = parse();
    if (!st.isOk()) return st.withContext(m_name + ":" + std::to_string(m_line));
    return st;
  }

private:
  bool nextLine(std::string_view &line) {
    if (!m_source.next(line, m_ioError)) return false;
    ++m_line;
    return true;
  }

  Status parse() {
    std::string_view line;
    bool sawData = false;
    while (nextLine(line)) {
      if (trim(line) == "\\data\\") {
        sawData = true;
        break;
      }
    }
    LMFRONT_RETURN_IF_ERROR(m_ioError);
    if (!sawData) return Status::invalidArgument(m_line == 0 ? "empty file, not an ARPA model" : "no \\data\\ header");

    // Header: "ngram N=COUNT" lines until the first section marker.
    std::vector<std::uint64_t> counts;
    bool haveSection = false;
    while (nextLine(line)) {
      std::string_view t = trim(line);
      if (t.empty()) continue;
      if (t.front() == '\\') {
        haveSection = true;
        break;
      }
      if (t.substr(0, 5) != "ngram" || t.size() < 6 || !isBlank(t[5]))
        return Status::invalidArgument("expected 'ngram N=COUNT' in the \\data\\ header");
      std::string_view spec = trim(t.substr(6));
      std::size_t eq = spec.find('=');
      std::uint64_t n = 0, c = 0;
      if (eq == std::string_view::npos || !parseUint(spec.substr(0, eq), n) || !parseUint(spec.substr(eq + 1), c))
        return Status::invalidArgument("malformed header line '" + std::string(t) + "'");
      if (n != counts.size() + 1)
        return Status::invalidArgument("header orders must be 1, 2, ... in sequence; got ngram " + std::to_string(n) +
                                       " after " + std::to_string(counts.size()));
      if (n > static_cast<std::uint64_t>(kMaxOrder))
        return Status::invalidArgument("order " + std::to_string(n) + " exceeds the maximum " +
                                       std::to_string(kMaxOrder));
      if (c == 0) return Status::invalidArgument("ngram " + std::to_string(n) + " has a count of 0");
      counts.push_back(c);
    }
    LMFRONT_RETURN_IF_ERROR(m_ioError);
    if (counts.empty()) return Status::invalidArgument("the \\data\\ header lists no n-gram counts");
    if (!haveSection) return Status::invalidArgument("truncated: end of file after the \\data\\ header");
    LMFRONT_RETURN_IF_ERROR(m_visitor.onHeader(counts));

    const int order = static_cast<int>(counts.size());
    std::string_view fields[kMaxOrder + 3];
    std::string_view words[kMaxOrder];
    for (int n = 1; n <= order; ++n) {
      std::string expected = "\\" + std::to_string(n) + "-grams:";
      if (trim(line) != expected)
        return Status::invalidArgument("expected section '" + expected + "', found '" + std::string(trim(line)) + "'");
      std::uint64_t seen = 0;
      const std::uint64_t want = counts[static_cast<std::size_t>(n - 1)];
      bool sectionEnded = false;
      while (nextLine(line)) {
        std::size_t nf = splitFields(line, fields, static_cast<std::size_t>(n) + 2);
        if (nf == 0) continue;
        if (fields[0].front() == '\\') {
          sectionEnded = true;
          break;
        }
        if (seen == want)
          return Status::invalidArgument("more " + std::to_string(n) + "-grams than the header's " +
                                         std::to_string(want));
        const bool hasBackoff = nf == static_cast<std::size_t>(n) + 2;
        if (nf < static_cast<std::size_t>(n) + 1 || nf > static_cast<std::size_t>(n) + 2)
          return Status::invalidArgument("a " + std::to_string(n) + "-gram line needs " + std::to_string(n) +
                                         " words, a log10 probability and an optional backoff");
        if (hasBackoff && n == order)
          return Status::invalidArgument("a " + std::to_string(n) + "-gram line needs " + std::to_string(n) +
                                         " words and a log10 probability (no backoff on the highest order)");
        float prob = 0;
        if (const char *err = parseNumber(fields[0], prob))
          return Status::invalidArgument(std::string("log10 probability '") + std::string(fields[0]) + "': " + err);
        // Rounding in other toolkits' writers leaves tiny positives (IRSTLM writes 8e-08): allowed.
        if (prob > kPositiveTolerance)
          return Status::invalidArgument("log10 probability " + std::string(fields[0]) + " is above 0");
        std::optional<float> backoff;
        if (hasBackoff) {
          float b = 0;
          if (const char *err = parseNumber(fields[n + 1], b))
            return Status::invalidArgument(std::string("backoff '") + std::string(fields[n + 1]) + "': " + err);
          backoff = b;
        }
        for (int i = 0; i < n; ++i) words[i] = fields[i + 1];
        if (n == 1 && !m_unigrams.insert(std::string(words[0])).second)
          return Status::invalidArgument("duplicate unigram '" + std::string(words[0]) + "'");
        Status st =
            m_visitor.onEntry(prob, std::span<const std::string_view>(words, static_cast<std::size_t>(n)), backoff);
        if (!st.isOk()) return st;
        ++seen;
      }
      LMFRONT_RETURN_IF_ERROR(m_ioError);
      if (!sectionEnded)
        return Status::invalidArgument("truncated: end of file in section \\" + std::to_string(n) + "-grams: after " +
                                       std::to_string(seen) + " of " + std::to_string(want) + " entries" +
                                       (seen == want ? ", no \\end\\" : ""));
      if (seen != want)
        return Status::invalidArgument("section \\" + std::to_string(n) + "-grams: has " + std::to_string(seen) +
                                       " entries, the header says " + std::to_string(want));
      if (n == 1) {
        for (const char *required : {"<s>", "</s>"})
          if (!m_unigrams.count(required))
            return Status::invalidArgument(std::string("required word ") + required + " is not among the unigrams");
        m_unigrams = {};
      }
    }
    if (trim(line) != "\\end\\")
      return Status::invalidArgument("expected '\\end\\', found '" + std::string(trim(line)) + "'");
    return Status::ok();
  }

  LineSource &m_source;
  const std::string &m_name;
  ArpaVisitor &m_visitor;
  std::uint64_t m_line = 0;
  Status m_ioError;
  std::unordered_set<std::string> m_unigrams;
};

}  // namespace

Status ArpaReader::read(const std::string &path, ArpaVisitor &visitor) {
  std::FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return Status::fromErrno(errno, "cannot open " + path);
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> guard(f, path == "-" ? [](std::FILE *) { return 0; } : &std::fclose);
  LineSource source(f);
  Parser parser(source, path, visitor);
  return parser.run();
}

Status ArpaReader::readBuffer(std::string_view text, const std::string &name, ArpaVisitor &visitor) {
  LineSource source(text);
  Parser parser(source, name, visitor);
  return parser.run();
}

}  // namespace lmfront::engine
