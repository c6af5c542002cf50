#include "engine/sphinxreader.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string_view>
#include <unordered_map>

namespace lmfront::engine {

namespace {

// Layout constants of sphinxbase's trie format (ngram_model_trie.c, lm_trie.c, lm_trie_quant.c).
constexpr std::string_view kMagic = "Trie Language Model";
constexpr int kMaxOrder = 5;    // sphinxbase's NGRAM_MAX_ORDER
constexpr int kQuantBits = 16;  // bits of a quantised probability or backoff
constexpr std::uint64_t kBins = 1u << kQuantBits;
constexpr std::int32_t kQuant16 = 1;       // lm_trie_quant's QUANT_16; 0 is the unquantised form
constexpr std::size_t kUnigramBytes = 12;  // float prob, float backoff, uint32 next
constexpr std::uint64_t kTableSlack = 8;   // lm_trie.c pads each table so 64-bit reads stay inside
// Out-of-order ranges tolerated per order before the file is called corrupt (the Debian en-us
// model has 2, from a sphinxbase bug; random damage produces thousands).
constexpr std::uint64_t kMaxUnsortedRanges = 64;

std::string str(std::uint64_t v) { return std::to_string(v); }

std::uint32_t loadU32(const std::uint8_t *p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
float loadF32(const std::uint8_t *p) { return std::bit_cast<float>(loadU32(p)); }

// bitarr_required_bits(): bits needed to store values 0..maxValue.
unsigned requiredBits(std::uint64_t maxValue) { return static_cast<unsigned>(std::bit_width(maxValue)); }

// lm_trie.c base_size(): `entries + 1` records (the extra one holds the end pointer) plus slack.
std::uint64_t tableBytes(std::uint64_t entries, unsigned totalBits) {
  return ((1 + entries) * totalBits + 7) / 8 + kTableSlack;
}

// One bit-packed level of the trie. Records are little-endian bit fields, as bitarr.c reads them:
// word id, then (middle levels) the 16-bit backoff code, the 16-bit probability code and the
// pointer to the first child in the next level; (the highest level) the 16-bit probability code.
struct Level {
  std::span<const std::uint8_t> bytes;
  unsigned wordBits = 0;
  unsigned quantBits = 0;
  unsigned nextBits = 0;
  unsigned totalBits = 0;

  std::uint64_t bits(std::uint64_t offset, unsigned length) const {
    const std::uint64_t byte = offset >> 3;
    std::uint64_t v = 0;
    if (byte + 8 <= bytes.size()) {
      for (int i = 7; i >= 0; --i) v = v << 8 | bytes[byte + i];
    } else {  // never reached for a table sized by tableBytes(); reads past the end as zero bits
      for (std::uint64_t i = 8; i-- > 0;) v = v << 8 | (byte + i < bytes.size() ? bytes[byte + i] : 0);
    }
    const std::uint64_t mask = length >= 64 ? ~0ull : (1ull << length) - 1;
    return (v >> (offset & 7)) & mask;
  }
  std::uint32_t word(std::uint64_t i) const { return static_cast<std::uint32_t>(bits(i * totalBits, wordBits)); }
  std::uint32_t backoffCode(std::uint64_t i) const {
    return static_cast<std::uint32_t>(bits(i * totalBits + wordBits, kQuantBits));
  }
  // Middle levels store the probability above the backoff; the highest level stores it alone.
  std::uint32_t probCode(std::uint64_t i, bool middle) const {
    return static_cast<std::uint32_t>(bits(i * totalBits + wordBits + (middle ? kQuantBits : 0), kQuantBits));
  }
  std::uint64_t next(std::uint64_t i) const { return bits(i * totalBits + wordBits + quantBits, nextBits); }
  bool recordIsZero(std::uint64_t i) const { return bits(i * totalBits, totalBits) == 0; }
};

class Parser {
public:
  Parser(std::span<const std::uint8_t> bytes, std::string name, const SphinxReadOptions &options)
      : m_bytes(bytes), m_name(std::move(name)), m_log10Base(std::log10(options.logBase)) {}

  Result<SphinxModel> run();

private:
  Status corrupt(const std::string &what) const { return Status::dataLoss(m_name + ": " + what); }
  Status need(std::uint64_t n, const std::string &what) const {
    if (m_bytes.size() - m_pos >= n) return Status::ok();
    return corrupt("truncated: " + what + " needs " + str(n) + " bytes at offset " + str(m_pos) + ", the file has " +
                   str(m_bytes.size() - m_pos) + " left");
  }
  Status readHeader();
  Status readVocabulary(std::uint64_t wordsOffset);
  Status decodeLevels();
  // `field` of the n-gram `index` of order n, for the error message (built only on error).
  Result<float> toLog10(float sphinxLog, int n, std::uint64_t index, const char *field) const;

  std::span<const std::uint8_t> m_bytes;
  std::string m_name;
  double m_log10Base;
  std::uint64_t m_pos = 0;
  SphinxModel m_model;
  std::span<const std::uint8_t> m_quant;     // float tables, 65536 each
  std::span<const std::uint8_t> m_unigrams;  // (V + 1) records
  std::vector<Level> m_levels;               // index n-2 for order n
};

Result<float> Parser::toLog10(float sphinxLog, int n, std::uint64_t index, const char *field) const {
  if (!std::isfinite(sphinxLog))
    return corrupt("the " + std::string(field) + " of " + (n == 1 ? std::string("unigram ") : str(n) + "-gram ") +
                   str(index) + " is not a finite number");
  // logmath_log_float_to_log10(): the float widened to double times log10(base), then a float.
  return static_cast<float>(static_cast<double>(sphinxLog) * m_log10Base);
}

Status Parser::readHeader() {
  if (m_bytes.size() < kMagic.size() || std::memcmp(m_bytes.data(), kMagic.data(), kMagic.size()) != 0)
    return corrupt("not a Sphinx binary trie language model (it does not start with \"Trie Language Model\")");
  m_pos = kMagic.size();
  LMFRONT_RETURN_IF_ERROR(need(1, "the order"));
  const int order = m_bytes[m_pos++];
  if (order < 1 || order > kMaxOrder)
    return corrupt("order " + str(order) + " is outside 1.." + str(kMaxOrder) + " (sphinxbase's limit)");
  m_model.order = order;
  LMFRONT_RETURN_IF_ERROR(need(4ull * order, "the n-gram counts"));
  for (int i = 0; i < order; ++i, m_pos += 4) m_model.headerCounts.push_back(loadU32(&m_bytes[m_pos]));
  const std::uint64_t vocab = m_model.headerCounts[0];
  if (vocab == 0) return corrupt("the header counts no unigrams");
  if (order > 1) {
    LMFRONT_RETURN_IF_ERROR(need(4, "the quantisation type"));
    const auto quantType = static_cast<std::int32_t>(loadU32(&m_bytes[m_pos]));
    m_pos += 4;
    if (quantType == 0)
      return Status::unimplemented(m_name +
                                   ": unquantised Sphinx tries (quantisation type 0) are not supported; "
                                   "sphinxbase writes 16-bit quantised tries (type 1)");
    if (quantType != kQuant16) return corrupt("unknown quantisation type " + std::to_string(quantType));
    const std::uint64_t quantBytes = ((order - 2) * 2 + 1) * kBins * 4;
    LMFRONT_RETURN_IF_ERROR(need(quantBytes, "the quantisation tables"));
    m_quant = m_bytes.subspan(m_pos, quantBytes);
    m_pos += quantBytes;
  }
  // Every size below is checked against the bytes left before anything is allocated from it.
  LMFRONT_RETURN_IF_ERROR(need((vocab + 1) * kUnigramBytes, str(vocab) + " unigrams"));
  m_unigrams = m_bytes.subspan(m_pos, (vocab + 1) * kUnigramBytes);
  m_pos += (vocab + 1) * kUnigramBytes;
  // The levels are laid out with the header's counts, whatever the trie really holds.
  for (int n = 2; n <= order; ++n) {
    Level level;
    level.wordBits = requiredBits(vocab);
    const bool middle = n < order;
    level.quantBits = middle ? 2 * kQuantBits : kQuantBits;
    level.nextBits = middle ? requiredBits(m_model.headerCounts[n]) : 0;
    level.totalBits = level.wordBits + level.quantBits + level.nextBits;
    const std::uint64_t size = tableBytes(m_model.headerCounts[n - 1], level.totalBits);
    LMFRONT_RETURN_IF_ERROR(need(size, str(m_model.headerCounts[n - 1]) + " " + str(n) + "-grams"));
    level.bytes = m_bytes.subspan(m_pos, size);
    m_pos += size;
    m_levels.push_back(level);
  }
  return Status::ok();
}

Status Parser::readVocabulary(std::uint64_t wordsOffset) {
  m_pos = wordsOffset;
  LMFRONT_RETURN_IF_ERROR(need(4, "the vocabulary size"));
  const auto size = static_cast<std::int32_t>(loadU32(&m_bytes[m_pos]));
  m_pos += 4;
  if (size < 0) return corrupt("negative vocabulary size " + std::to_string(size));
  LMFRONT_RETURN_IF_ERROR(need(static_cast<std::uint64_t>(size), "the vocabulary"));
  const std::uint64_t vocab = m_model.headerCounts[0];
  const auto text = m_bytes.subspan(m_pos, static_cast<std::size_t>(size));
  m_pos += static_cast<std::uint64_t>(size);
  const auto nuls = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), std::uint8_t{0}));
  if (nuls != vocab || (size > 0 && text.back() != 0))
    return corrupt("the vocabulary holds " + str(nuls) + " NUL-terminated words, the header counts " + str(vocab) +
                   " unigrams");
  m_model.words.reserve(vocab);
  std::unordered_map<std::string_view, std::size_t> seen;
  seen.reserve(vocab);
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != 0) {
      // ARPA separates fields by whitespace, so a word holding one could not be exported intact.
      if (text[i] <= ' ' || text[i] == 0x7f)
        return corrupt("word " + str(m_model.words.size()) + " contains a space or control character");
      continue;
    }
    if (i == start) return corrupt("word " + str(m_model.words.size()) + " is empty");
    std::string_view word(reinterpret_cast<const char *>(text.data()) + start, i - start);
    auto [it, inserted] = seen.emplace(word, m_model.words.size());
    if (!inserted)
      return corrupt("the word \"" + std::string(word) + "\" appears twice (ids " + str(it->second) + " and " +
                     str(m_model.words.size()) + ")");
    m_model.words.emplace_back(word);
    start = i + 1;
  }
  if (m_pos != m_bytes.size())
    m_model.corrections.push_back(str(m_bytes.size() - m_pos) + " bytes after the vocabulary were ignored");
  return Status::ok();
}

Status Parser::decodeLevels() {
  const int order = m_model.order;
  const std::uint64_t vocab = m_model.headerCounts[0];
  m_model.counts.assign(order, 0);
  m_model.counts[0] = vocab;
  m_model.ids.resize(order);
  m_model.log10Probs.resize(order);
  m_model.log10Backoffs.resize(order);

  // Unigrams are stored unquantised in word-id order; their `next` fields delimit the children.
  std::vector<std::uint64_t> starts(vocab + 1);
  m_model.ids[0].resize(vocab);
  std::iota(m_model.ids[0].begin(), m_model.ids[0].end(), 0u);
  m_model.log10Probs[0].resize(vocab);
  if (order > 1) m_model.log10Backoffs[0].resize(vocab);
  double mass = 0;
  for (std::uint64_t i = 0; i <= vocab; ++i) {
    const std::uint8_t *rec = &m_unigrams[i * kUnigramBytes];
    starts[i] = loadU32(rec + 8);
    if (i == vocab) break;
    auto prob = toLog10(loadF32(rec), 1, i, "probability");
    if (!prob) return prob.status();
    // sphinxbase clamps positive unigram log probabilities to 0 when it reads ARPA; so do we.
    if (*prob > 0) {
      m_model.corrections.push_back("unigram \"" + m_model.words[i] + "\" had a positive log probability; set to 0");
      *prob = 0;
    }
    m_model.log10Probs[0][i] = *prob;
    mass += std::pow(10.0, static_cast<double>(*prob));
    if (order > 1) {
      auto backoff = toLog10(loadF32(rec + 4), 1, i, "backoff");
      if (!backoff) return backoff.status();
      m_model.log10Backoffs[0][i] = *backoff;
    }
  }
  m_model.unigramMass = mass;

  // For each level: every entry's word id and the entry of the level below that owns it (for the
  // 2-grams, a word id). Kept for all levels because an entry's words are its whole path down.
  std::vector<std::vector<std::uint32_t>> levelWords(order + 1), levelParent(order + 1);
  for (int n = 2; n <= order; ++n) {
    const Level &level = m_levels[n - 2];
    const bool middle = n < order;
    const std::uint64_t owners = m_model.counts[n - 2];
    const std::uint64_t claimed = m_model.headerCounts[n - 1];
    const std::uint64_t entries = starts[owners];
    if (starts[0] != 0) return corrupt("the first " + str(n) + "-gram pointer is " + str(starts[0]) + ", not 0");
    if (entries > claimed)
      return corrupt("the trie holds " + str(entries) + " " + str(n) + "-grams, more than the " + str(claimed) +
                     " the header sized the table for");
    if (entries < claimed) {
      std::uint64_t dirty = 0;
      for (std::uint64_t i = entries + 1; i <= claimed; ++i) dirty += !level.recordIsZero(i);
      m_model.corrections.push_back(
          "the header claims " + str(claimed) + " " + str(n) + "-grams but the trie holds " + str(entries) +
          " (the table's last " + str(claimed - entries) + " records are " + (dirty ? "not empty" : "empty") +
          "); using " + str(entries) +
          " (a known sphinxbase bug: lm_trie_fix_counts counts context entries that the trie builder then does "
          "not insert)");
    }
    m_model.counts[n - 1] = entries;
    std::uint64_t unsorted = 0;
    std::vector<std::uint64_t> unsortedExamples;
    std::vector<std::uint32_t> &parent = levelParent[n];
    std::vector<std::uint32_t> &words = levelWords[n];
    parent.assign(entries, 0);
    words.assign(entries, 0);
    for (std::uint64_t owner = 0; owner < owners; ++owner) {
      const std::uint64_t begin = starts[owner], end = starts[owner + 1];
      if (end < begin || end > entries)
        return corrupt(str(n) + "-gram pointer " + str(owner + 1) + " (" + str(end) + ") is out of order");
      for (std::uint64_t i = begin; i < end; ++i) {
        const std::uint32_t w = level.word(i);
        if (w >= vocab) return corrupt(str(n) + "-gram " + str(i) + " has word id " + str(w) + " >= " + str(vocab));
        // Lookups search each range, so its words should increase. sphinxbase's builder breaks
        // that where it skipped a context entry (see the count correction); a few such ranges are
        // kept as the trie states them, many mean a corrupt file.
        if (i > begin && w <= words[i - 1]) {
          if (++unsorted > kMaxUnsortedRanges)
            return corrupt("more than " + str(kMaxUnsortedRanges) + " ranges of " + str(n) +
                           "-grams are not sorted by word id");
          if (unsortedExamples.size() < 4) unsortedExamples.push_back(i);
        }
        words[i] = w;
        parent[i] = static_cast<std::uint32_t>(owner);
      }
    }
    if (middle) {
      // This level's `next` fields delimit the children of each of its entries in the level above.
      starts.assign(entries + 1, 0);
      for (std::uint64_t i = 0; i <= entries; ++i) starts[i] = level.next(i);
    }

    // Text order of an entry: its own word (the oldest), its parent's, ... down to the unigram.
    std::vector<std::uint32_t> &ids = m_model.ids[n - 1];
    ids.resize(entries * n);
    for (std::uint64_t i = 0; i < entries; ++i) {
      std::uint32_t *out = &ids[i * n];
      out[0] = words[i];
      std::uint32_t at = parent[i];
      for (int k = 1; k < n - 1; ++k) {
        out[k] = levelWords[n - k][at];
        at = levelParent[n - k][at];
      }
      out[n - 1] = at;
    }
    if (unsorted > 0) {
      std::string examples;
      for (std::uint64_t i : unsortedExamples) {
        examples += examples.empty() ? " \"" : ", \"";
        for (int k = 0; k < n; ++k) examples += (k ? " " : "") + m_model.words[ids[i * n + k]];
        examples += '"';
      }
      m_model.corrections.push_back(
          str(unsorted) + " range" + (unsorted == 1 ? "" : "s") + " of " + str(n) +
          "-grams are out of word order, where sphinxbase's trie builder appended n-grams whose context entry it had "
          "skipped to the previous context; kept as the trie states them (sphinxbase's own converter does the same), "
          "e.g." +
          examples);
    }

    // Probabilities (and backoffs below the highest order) through the quantisation tables.
    const std::uint8_t *probTable = &m_quant[static_cast<std::size_t>(n - 2) * 2 * kBins * 4];
    const std::uint8_t *backoffTable = probTable + kBins * 4;
    std::vector<float> &probs = m_model.log10Probs[n - 1];
    probs.resize(entries);
    if (middle) m_model.log10Backoffs[n - 1].resize(entries);
    for (std::uint64_t i = 0; i < entries; ++i) {
      auto prob = toLog10(loadF32(probTable + level.probCode(i, middle) * 4), n, i, "probability");
      if (!prob) return prob.status();
      probs[i] = *prob;
      if (!middle) continue;
      auto backoff = toLog10(loadF32(backoffTable + level.backoffCode(i) * 4), n, i, "backoff");
      if (!backoff) return backoff.status();
      m_model.log10Backoffs[n - 1][i] = *backoff;
    }
  }
  return Status::ok();
}

// Sorts one order's n-grams by their word ids in text order, as sphinxbase's ARPA writer does.
void sortOrder(SphinxModel &model, int n) {
  std::vector<std::uint32_t> &ids = model.ids[n - 1];
  const std::size_t entries = model.log10Probs[n - 1].size();
  const std::uint32_t *base = ids.data();
  auto less = [base, n](std::uint32_t a, std::uint32_t b) {
    return std::lexicographical_compare(base + std::size_t(a) * n, base + std::size_t(a) * n + n,
                                        base + std::size_t(b) * n, base + std::size_t(b) * n + n);
  };
  std::vector<std::uint32_t> perm(entries);
  const unsigned bits = requiredBits(model.words.empty() ? 0 : model.words.size() - 1);
  if (static_cast<unsigned>(n) * bits <= 64) {
    // The ids of an n-gram packed into one integer sort far faster than a comparator over ids;
    // the index breaks ties, so of two identical n-grams the first in trie order comes first.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keys(entries);
    for (std::size_t i = 0; i < entries; ++i) {
      std::uint64_t key = 0;
      for (int k = 0; k < n; ++k) key = (bits == 64 ? 0 : key << bits) | base[i * n + k];
      keys[i] = {key, static_cast<std::uint32_t>(i)};
    }
    std::sort(keys.begin(), keys.end());
    perm.clear();
    for (std::size_t i = 0; i < entries; ++i)
      if (i == 0 || keys[i].first != keys[i - 1].first) perm.push_back(keys[i].second);
  } else {
    std::iota(perm.begin(), perm.end(), 0u);
    std::stable_sort(perm.begin(), perm.end(), less);  // stable for the same reason
    perm.erase(std::unique(perm.begin(), perm.end(),
                           [&less](std::uint32_t a, std::uint32_t b) { return !less(a, b) && !less(b, a); }),
               perm.end());
  }
  const std::size_t before = entries;
  const std::size_t duplicates = before - perm.size();
  if (duplicates > 0) {
    model.corrections.push_back(std::to_string(duplicates) + " duplicate " + std::to_string(n) +
                                "-grams were dropped (the first of each was kept)");
    model.counts[n - 1] = perm.size();
  }
  const std::size_t kept = perm.size();
  std::vector<std::uint32_t> sortedIds(kept * n);
  std::vector<float> sortedProbs(kept);
  for (std::size_t i = 0; i < kept; ++i) {
    std::copy_n(base + std::size_t(perm[i]) * n, n, &sortedIds[i * n]);
    sortedProbs[i] = model.log10Probs[n - 1][perm[i]];
  }
  ids.swap(sortedIds);
  model.log10Probs[n - 1].swap(sortedProbs);
  std::vector<float> &backoffs = model.log10Backoffs[n - 1];
  if (!backoffs.empty()) {
    std::vector<float> sortedBackoffs(kept);
    for (std::size_t i = 0; i < kept; ++i) sortedBackoffs[i] = backoffs[perm[i]];
    backoffs.swap(sortedBackoffs);
  }
}

Result<SphinxModel> Parser::run() {
  LMFRONT_RETURN_IF_ERROR(readHeader());
  LMFRONT_RETURN_IF_ERROR(readVocabulary(m_pos));
  LMFRONT_RETURN_IF_ERROR(decodeLevels());
  for (int n = 2; n <= m_model.order; ++n) sortOrder(m_model, n);
  return std::move(m_model);
}

}  // namespace

Result<SphinxModel> SphinxReader::parse(std::span<const std::uint8_t> bytes, const std::string &name,
                                        const SphinxReadOptions &options) {
  if (!(options.logBase > 1.0) || !std::isfinite(options.logBase))
    return Status::invalidArgument("the Sphinx log base must be a finite number above 1");
  return Parser(bytes, name, options).run();
}

Result<SphinxModel> SphinxReader::read(const std::string &path, const SphinxReadOptions &options) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::fromErrno(errno, "cannot open " + path);
  std::vector<std::uint8_t> bytes;
  // The whole file is read (its size bounds the allocation); every count in it is then checked
  // against this buffer before it sizes anything.
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long size = std::ftell(f);
    if (size > 0) bytes.reserve(static_cast<std::size_t>(size));
    std::rewind(f);
  }
  std::uint8_t chunk[1 << 16];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return Status::fromErrno(err, "cannot read " + path);
  return parse(bytes, path, options);
}

}  // namespace lmfront::engine
