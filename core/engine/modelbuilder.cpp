#include "modelbuilder.h"

#include "arpareader.h"
#include "modelformat.h"
#include "sha256.h"
#include "vocabulary.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <unordered_map>

// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace lmfront::engine {
namespace {

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return format::hashWord(s); }
};

// Streams ARPA entries into an NgramSet. Unigram ids: <unk> is 0, the others 1.. in file order.
class Collector : public ArpaVisitor {
public:
  explicit Collector(NgramSet &set) : m_set(set) {}

  Status onHeader(const std::vector<std::uint64_t> &counts) override {
    m_set.order = static_cast<int>(counts.size());
    m_set.arpaCounts = counts;
    m_set.orders.assign(counts.size(), {});
    for (std::size_t n = 0; n < counts.size(); ++n) {
      // Reserve what the header promises, but never trust a huge count from a corrupt file.
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(counts[n], 1u << 24));
      m_set.orders[n].words.reserve(want * (n + 1));
      m_set.orders[n].prob.reserve(want);
      m_set.orders[n].backoff.reserve(want);
    }
    m_set.vocab.assign(1, std::string());
    m_set.orders[0].words.push_back(kUnk);
    m_set.orders[0].prob.push_back(std::numeric_limits<float>::quiet_NaN());
    m_set.orders[0].backoff.push_back(0.0f);
    return Status::ok();
  }

  Status onEntry(float prob, std::span<const std::string_view> words, std::optional<float> backoff) override {
    NgramSet::Order &o = m_set.orders[words.size() - 1];
    if (words.size() == 1) {
      if (words[0] == "<unk>") {
        m_ids.emplace(std::string(words[0]), kUnk);
        m_set.vocab[0] = "<unk>";
        o.prob[0] = prob;
        o.backoff[0] = backoff.value_or(0.0f);
        return Status::ok();
      }
      if (m_set.vocab.size() >= 0xFFFFFFF0u) return Status::invalidArgument("too many words");
      auto id = static_cast<WordId>(m_set.vocab.size());
      m_ids.emplace(std::string(words[0]), id);
      m_set.vocab.emplace_back(words[0]);
      o.words.push_back(id);
      o.prob.push_back(prob);
      o.backoff.push_back(backoff.value_or(0.0f));
      return Status::ok();
    }
    for (std::string_view w : words) {
      auto it = m_ids.find(w);
      if (it == m_ids.end())
        return Status::invalidArgument("word '" + std::string(w) + "' of a " + std::to_string(words.size()) +
                                       "-gram is not among the unigrams");
      o.words.push_back(it->second);
    }
    o.prob.push_back(prob);
    o.backoff.push_back(backoff.value_or(0.0f));
    return Status::ok();
  }

  // The documented rule for an ARPA without <unk>: an OOV is as likely as the rarest known word.
  void finish() {
    if (!m_set.vocab[0].empty()) return;
    m_set.vocab[0] = "<unk>";
    m_set.unkSynthesized = true;
    float lowest = 0.0f;
    auto bos = m_ids.find(std::string_view("<s>"));
    for (std::size_t id = 1; id < m_set.vocab.size(); ++id)
      if (id != bos->second) lowest = std::min(lowest, m_set.orders[0].prob[id]);
    m_set.orders[0].prob[0] = lowest;
  }

private:
  NgramSet &m_set;
  std::unordered_map<std::string, WordId, SvHash, std::equal_to<>> m_ids;
};

// (parent index, word) -> entry index, growable; used only while closing the set.
class IndexTable {
public:
  explicit IndexTable(std::size_t expected) { rehash(std::bit_ceil(std::max<std::size_t>(16, expected * 2))); }
  static std::uint64_t key(std::uint32_t parent, std::uint32_t word) {
    return (static_cast<std::uint64_t>(parent) << 32) | word;
  }
  std::uint32_t find(std::uint64_t k) const {
    for (std::size_t i = format::mix64(k) & m_mask;; i = (i + 1) & m_mask) {
      if (m_keys[i] == k) return m_values[i];
      if (m_keys[i] == kEmpty) return kMissing;
    }
  }
  bool insert(std::uint64_t k, std::uint32_t v) {
    if ((m_used + 1) * 2 > m_keys.size()) rehash(m_keys.size() * 2);
    for (std::size_t i = format::mix64(k) & m_mask;; i = (i + 1) & m_mask) {
      if (m_keys[i] == k) return false;
      if (m_keys[i] == kEmpty) {
        m_keys[i] = k;
        m_values[i] = v;
        ++m_used;
        return true;
      }
    }
  }
  static constexpr std::uint32_t kMissing = 0xFFFFFFFFu;

private:
  static constexpr std::uint64_t kEmpty = ~0ULL;
  void rehash(std::size_t cap) {
    std::vector<std::uint64_t> keys(cap, kEmpty);
    std::vector<std::uint32_t> values(cap);
    std::swap(keys, m_keys);
    std::swap(values, m_values);
    m_mask = cap - 1;
    m_used = 0;
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] != kEmpty) insert(keys[i], values[i]);
  }
  std::vector<std::uint64_t> m_keys;
  std::vector<std::uint32_t> m_values;
  std::size_t m_mask = 0, m_used = 0;
};

std::string ngramText(const NgramSet &set, std::span<const WordId> ids) {
  std::string s;
  for (WordId id : ids) {
    if (!s.empty()) s += ' ';
    s += set.vocab[id];
  }
  return s;
}

// Adds blanks so every n-gram's prefix and suffix exist; fills parent indices per order.
class Closer {
public:
  explicit Closer(NgramSet &set) : m_set(set), m_parent(static_cast<std::size_t>(set.order)) {
    for (int n = 2; n <= set.order; ++n) m_tables.emplace_back(set.orders[static_cast<std::size_t>(n - 1)].prob.size());
    m_blank.resize(static_cast<std::size_t>(set.order));
  }

  Status run() {
    for (int n = 2; n <= m_set.order; ++n) {
      const auto nn = static_cast<std::size_t>(n);
      const std::size_t count = m_set.orders[nn - 1].prob.size();
      m_blank[nn - 1].assign(count, 0);
      m_parent[nn - 1].reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        // Copy: ensure() may append to lower orders, never to this one, but keep it simple.
        WordId ids[kMaxOrder];
        std::copy_n(m_set.orders[nn - 1].words.begin() + static_cast<std::ptrdiff_t>(i * nn), nn, ids);
        std::uint32_t p = ensure({ids, nn - 1});
        ensure({ids + 1, nn - 1});
        if (!m_tables[nn - 2].insert(IndexTable::key(p, ids[nn - 1]), static_cast<std::uint32_t>(i)))
          return Status::invalidArgument("duplicate " + std::to_string(n) + "-gram '" + ngramText(m_set, {ids, nn}) +
                                         "'");
        m_parent[nn - 1].push_back(p);
      }
    }
    // Blank probabilities, lowest order first: P(w | h) by backoff = bo(h) + P(w | h') where the
    // prefix h and suffix (h' w) exist by construction.
    for (int n = 2; n <= m_set.order; ++n) {
      const auto nn = static_cast<std::size_t>(n);
      NgramSet::Order &o = m_set.orders[nn - 1];
      for (std::size_t i = 0; i < o.prob.size(); ++i) {
        if (!m_blank[nn - 1][i]) continue;
        const WordId *ids = o.words.data() + i * nn;
        std::uint32_t prefix = m_parent[nn - 1][i];
        std::uint32_t suffix = lookup({ids + 1, nn - 1});
        o.prob[i] = m_set.orders[nn - 2].backoff[prefix] + m_set.orders[nn - 2].prob[suffix];
      }
    }
    return Status::ok();
  }

  std::vector<std::vector<std::uint32_t>> takeParents() { return std::move(m_parent); }

private:
  std::uint32_t lookup(std::span<const WordId> ids) const {
    std::uint32_t idx = ids[0];
    for (std::size_t k = 1; k < ids.size(); ++k) idx = m_tables[k - 1].find(IndexTable::key(idx, ids[k]));
    return idx;
  }

  std::uint32_t ensure(std::span<const WordId> ids) {
    if (ids.size() == 1) return ids[0];
    const std::size_t n = ids.size();
    std::uint32_t p = ensure(ids.first(n - 1));
    std::uint32_t found = m_tables[n - 2].find(IndexTable::key(p, ids[n - 1]));
    if (found != IndexTable::kMissing) return found;
    ensure(ids.subspan(1));
    NgramSet::Order &o = m_set.orders[n - 1];
    auto idx = static_cast<std::uint32_t>(o.prob.size());
    o.words.insert(o.words.end(), ids.begin(), ids.end());
    o.prob.push_back(0.0f);
    o.backoff.push_back(0.0f);
    m_blank[n - 1].push_back(1);
    m_parent[n - 1].push_back(p);
    m_tables[n - 2].insert(IndexTable::key(p, ids[n - 1]), idx);
    return idx;
  }

  NgramSet &m_set;
  std::vector<IndexTable> m_tables;  // [n-2] for order n
  std::vector<std::vector<std::uint32_t>> m_parent;
  std::vector<std::vector<std::uint8_t>> m_blank;
};

}  // namespace

Result<NgramSet> readArpa(const std::string &path) {
  NgramSet set;
  Collector c(set);
  LMFRONT_RETURN_IF_ERROR(ArpaReader::read(path, c));
  c.finish();
  return set;
}

Result<NgramSet> readArpaBuffer(std::string_view text, const std::string &name) {
  NgramSet set;
  Collector c(set);
  LMFRONT_RETURN_IF_ERROR(ArpaReader::readBuffer(text, name, c));
  c.finish();
  return set;
}

Result<ModelImage> buildImage(NgramSet set, const BuildOptions &options) {
  using namespace format;
  if (set.order < 1 || set.order > kMaxOrder || set.vocab.empty()) return Status::invalidArgument("empty model");
  if (!(options.probingMultiplier >= 1.05 && options.probingMultiplier <= 4.0))
    return Status::invalidArgument("probing multiplier must be in [1.05, 4]");
  Closer closer(set);
  LMFRONT_RETURN_IF_ERROR(closer.run());
  std::vector<std::vector<std::uint32_t>> parents = closer.takeParents();

  const auto N = static_cast<std::size_t>(set.order);
  const auto V = static_cast<std::uint32_t>(set.vocab.size());
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.headerSize = static_cast<std::uint32_t>(alignUp(sizeof(Header)));
  h.order = static_cast<std::uint32_t>(set.order);
  h.flags = set.unkSynthesized ? kFlagUnkSynthesized : 0;
  h.vocabSize = V;
  h.vocabSlotCount = static_cast<std::uint32_t>(std::bit_ceil(std::max<std::size_t>(16, std::size_t{V} * 2)));
  std::size_t stringBytes = 0;
  for (const std::string &w : set.vocab) stringBytes += w.size();
  if (stringBytes >= 0xFFFFFFFFu) return Status::invalidArgument("vocabulary too large");
  for (std::size_t n = 0; n < N; ++n) {
    h.counts[n] = set.orders[n].prob.size();
    h.arpaCounts[n] = set.arpaCounts.size() > n ? set.arpaCounts[n] : h.counts[n];
    h.capacity[n] =
        n == 0
            ? V
            : (static_cast<std::uint64_t>(std::ceil(double(h.counts[n]) * options.probingMultiplier)) / kBucketSlots +
               1) *
                  kBucketSlots;
    if (h.capacity[n] >= 0xFFFFFFFFu) return Status::invalidArgument("too many n-grams for format v1");
  }
  std::size_t sizes[kSectionCount] = {stringBytes, (std::size_t{V} + 1) * 4,
                                      std::size_t{h.vocabSlotCount} * sizeof(VocabSlot),
                                      std::size_t{V} * sizeof(UnigramEntry)};
  for (std::size_t n = 2; n <= N; ++n)
    sizes[4 + n - 2] = h.capacity[n - 1] * (n == N ? sizeof(HighSlot) : sizeof(MiddleSlot));
  std::size_t offset = h.headerSize;
  for (std::size_t s = 0; s < kSectionCount; ++s) {
    h.sections[s].offset = offset;
    h.sections[s].size = sizes[s];
    offset = alignUp(offset + sizes[s]);
  }
  h.fileSize = offset;
  ModelImage image;
  image.size = offset;
  image.storage.assign((offset + 7) / 8, 0);
  auto *base = reinterpret_cast<std::byte *>(image.storage.data());
  auto at = [&](SectionId id) { return base + h.sections[static_cast<std::size_t>(id)].offset; };

  // Vocabulary.
  auto *strings = reinterpret_cast<char *>(at(SectionId::VocabStrings));
  auto *offsets = reinterpret_cast<std::uint32_t *>(at(SectionId::VocabOffsets));
  auto *vslots = reinterpret_cast<VocabSlot *>(at(SectionId::VocabSlots));
  std::uint32_t pos = 0;
  const std::uint64_t vmask = h.vocabSlotCount - 1;
  for (std::uint32_t id = 0; id < V; ++id) {
    const std::string &w = set.vocab[id];
    offsets[id] = pos;
    std::memcpy(strings + pos, w.data(), w.size());
    pos += static_cast<std::uint32_t>(w.size());
    const std::uint64_t hw = hashWord(w);
    std::uint64_t i = hw & vmask;
    while (vslots[i].idPlus1 != 0) i = (i + 1) & vmask;
    VocabSlot slot{id + 1, kLongWord, {}};
    if (w.size() <= kInlineBytes) {
      slot.length = static_cast<std::uint8_t>(w.size());
      std::memcpy(slot.bytes, w.data(), w.size());
    } else {
      const auto tag = static_cast<std::uint32_t>(hw >> 32);
      std::memcpy(slot.bytes, &tag, sizeof tag);
    }
    vslots[i] = slot;
    if (w == "<s>") h.bosId = id;
    if (w == "</s>") h.eosId = id;
  }
  offsets[V] = pos;
  auto *uni = reinterpret_cast<UnigramEntry *>(at(SectionId::Unigrams));
  // A context with no continuation and backoff 0 can never change a later score: mark it (see
  // kDeadEndBackoff) so queries keep it out of the State, as KenLM's state minimisation does.
  std::vector<std::vector<std::uint8_t>> hasChild(N);
  for (std::size_t n = 1; n < N; ++n) {
    hasChild[n - 1].assign(set.orders[n - 1].prob.size(), 0);
    for (std::uint32_t p : parents[n]) hasChild[n - 1][p] = 1;
  }
  auto storedBackoff = [&](std::size_t n, std::size_t i) {
    const float bo = set.orders[n - 1].backoff[i];
    return n < N && !hasChild[n - 1][i] && bo == 0.0f ? kDeadEndBackoff : bo;
  };
  for (std::uint32_t id = 0; id < V; ++id) uni[id] = {set.orders[0].prob[id], storedBackoff(1, id)};

  // Higher orders: parent = the slot of the prefix in the previous table.
  std::vector<std::uint32_t> prevSlot;  // entry index -> slot, previous order (identity for 1)
  for (std::size_t n = 2; n <= N; ++n) {
    const NgramSet::Order &o = set.orders[n - 1];
    const std::uint64_t cap = h.capacity[n - 1];
    std::byte *table = at(static_cast<SectionId>(4 + n - 2));
    const bool high = n == N;
    const std::size_t stride = high ? sizeof(HighSlot) : sizeof(MiddleSlot);
    for (std::uint64_t i = 0; i < cap; ++i) {
      std::uint32_t empty = kEmptyWord;
      std::memcpy(table + i * stride + 4, &empty, 4);
    }
    std::vector<std::uint32_t> slotOf(high ? 0 : o.prob.size());
    for (std::size_t i = 0; i < o.prob.size(); ++i) {
      const std::uint32_t pIdx = parents[n - 1][i];
      const std::uint32_t parent = n == 2 ? pIdx : prevSlot[pIdx];
      const WordId word = o.words[i * n + n - 1];
      std::uint64_t s = homeSlot(parent, word, cap);
      for (;;) {
        std::uint32_t w;
        std::memcpy(&w, table + s * stride + 4, 4);
        if (w == kEmptyWord) break;
        if (++s == cap) s = 0;
      }
      if (high) {
        HighSlot slot{parent, word, o.prob[i], 0};
        std::memcpy(table + s * stride, &slot, sizeof slot);
      } else {
        MiddleSlot slot{parent, word, o.prob[i], storedBackoff(n, i)};
        std::memcpy(table + s * stride, &slot, sizeof slot);
        slotOf[i] = static_cast<std::uint32_t>(s);
      }
    }
    prevSlot = std::move(slotOf);
  }

  for (std::size_t s = 0; s < kSectionCount; ++s)
    h.sections[s].checksum = fastChecksum(base + h.sections[s].offset, alignUp(h.sections[s].size));
  Sha256Digest digest = sha256(base + h.headerSize, h.fileSize - h.headerSize);
  std::memcpy(h.payloadSha256, digest.data(), digest.size());
  std::memcpy(base, &h, sizeof h);
  h.headerChecksum = headerChecksum(base, h.headerSize);
  std::memcpy(base, &h, sizeof h);
  return image;
}

}  // namespace lmfront::engine
