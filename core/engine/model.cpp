#include "model.h"

#include "sha256.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace lmfront::engine {
namespace {

// The key of a slot: its (parent, word) prefix as one integer (word in the high half).
inline std::uint64_t loadKey(const unsigned char *slot) {
  std::uint64_t k;
  std::memcpy(&k, slot, 8);
  return k;
}
// Any key at or above this has word == kEmptyWord: a free slot.
constexpr std::uint64_t kEmptyKey = std::uint64_t{format::kEmptyWord} << 32;
constexpr std::size_t kSlotBytes = sizeof(format::MiddleSlot);
static_assert(sizeof(format::HighSlot) == kSlotBytes && format::kBucketSlots * kSlotBytes == format::kAlign);

float loadFloat(const unsigned char *p) {
  float f;
  std::memcpy(&f, p, 4);
  return f;
}

// The slot of `key` in a table of `cap` slots whose lookup starts at bucket-aligned `s`, or -1.
// A bucket is one cache line; its four keys are compared without a branch per slot. The
// builder fills slots in probe order, so a bucket whose last slot is free ends the search.
inline std::int64_t probeBuckets(const unsigned char *table, std::uint64_t cap, std::uint64_t s, std::uint64_t key) {
  for (;;) {
    const unsigned char *b = table + s * kSlotBytes;
    const std::uint64_t e0 = loadKey(b), e1 = loadKey(b + kSlotBytes), e2 = loadKey(b + 2 * kSlotBytes),
                        e3 = loadKey(b + 3 * kSlotBytes);
    const unsigned m = static_cast<unsigned>(e0 == key) | static_cast<unsigned>(e1 == key) << 1 |
                       static_cast<unsigned>(e2 == key) << 2 | static_cast<unsigned>(e3 == key) << 3;
    if (m) return static_cast<std::int64_t>(s) + __builtin_ctz(m);
    if (e3 >= kEmptyKey) return -1;
    s += format::kBucketSlots;
    if (s == cap) s = 0;
  }
}

// The size the header implies for index section i (the continuation counts per level are the
// size of its Words section, checked against its siblings).
std::uint64_t indexSectionSize(const format::Header &h, std::size_t i) {
  using namespace format;
  const std::uint64_t V = h.vocabSize;
  if (i < kIndexLevelBase)
    return V * (i == static_cast<std::size_t>(IndexSection::ByUnigram) ? sizeof(std::uint32_t) : sizeof(double));
  const std::size_t level = (i - kIndexLevelBase) / kIndexLevelArrays;  // context order k - 1
  if (level + 1 >= h.order) return 0;
  const std::uint64_t contexts = h.capacity[level];
  const std::uint64_t kids = h.indexSections[indexSection(static_cast<int>(level) + 1, IndexArray::Words)].size / 4;
  switch (static_cast<IndexArray>((i - kIndexLevelBase) % kIndexLevelArrays)) {
  case IndexArray::Begin: return (contexts + 1) * 4;
  case IndexArray::Words: return kids * 4;
  case IndexArray::Prob: return kids * 4;
  case IndexArray::Cumulative: return kids * 8;
  case IndexArray::Lower: return contexts * 8;
  }
  return 0;
}

// What the sampler indexes with: CSR offsets in order and within bounds, word ids below V.
Status checkIndexContent(const format::Header &h, const std::byte *base, const std::string &name) {
  using namespace format;
  const auto array = [&](std::size_t i) {
    return reinterpret_cast<const std::uint32_t *>(base + h.indexSections[i].offset);
  };
  const auto words = [&](const std::uint32_t *w, std::uint64_t n) {
    return std::all_of(w, w + n, [&](std::uint32_t id) { return id < h.vocabSize; });
  };
  bool ok = words(array(static_cast<std::size_t>(IndexSection::ByUnigram)), h.vocabSize);
  for (std::uint32_t k = 1; ok && k < h.order; ++k) {
    const std::uint32_t *begin = array(indexSection(static_cast<int>(k), IndexArray::Begin));
    const std::uint64_t contexts = h.capacity[k - 1];
    const std::uint64_t kids = h.indexSections[indexSection(static_cast<int>(k), IndexArray::Words)].size / 4;
    ok = begin[0] == 0 && begin[contexts] == kids && std::is_sorted(begin, begin + contexts + 1) &&
         words(array(indexSection(static_cast<int>(k), IndexArray::Words)), kids);
  }
  return ok ? Status::ok() : Status::dataLoss(name + ": inconsistent continuation index");
}

const char *sectionName(std::size_t s) {
  static const char *kNames[] = {"vocabulary strings", "vocabulary offsets", "vocabulary index", "unigrams"};
  return s < 4 ? kNames[s] : "n-gram table";
}

}  // namespace

Model::~Model() {
  if (m_map) munmap(m_map, m_mapSize);
}

Result<std::shared_ptr<const Model>> Model::open(const std::string &path, const LoadOptions &options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::fromErrno(errno, "cannot open " + path);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Status::fromErrno(e, "cannot stat " + path);
  }
  char magic[sizeof format::kMagic] = {};
  ssize_t got = pread(fd, magic, sizeof magic, 0);
  const bool compiled =
      got == static_cast<ssize_t>(sizeof magic) && std::memcmp(magic, format::kMagic, sizeof magic) == 0;
  if (!compiled) {
    ::close(fd);
    Result<NgramSet> set = readArpa(path);
    if (!set.isOk()) return set.status();
    Result<ModelImage> image = buildImage(std::move(set).value(), options.build);
    if (!image.isOk()) return image.status().withContext(path);
    std::shared_ptr<Model> m(new Model());
    m->m_image = std::move(image).value();
    m->m_isArpa = true;
    m->m_path = path;
    m->m_fileSize = static_cast<std::uint64_t>(st.st_size);
    LMFRONT_RETURN_IF_ERROR(m->attach(m->m_image.bytes(), m->m_image.size, path, false));
    return std::shared_ptr<const Model>(std::move(m));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void *map = mmap(nullptr, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  int e = errno;
  ::close(fd);
  if (map == MAP_FAILED) return Status::fromErrno(e, "cannot mmap " + path);
  std::shared_ptr<Model> m(new Model());
  m->m_map = map;
  m->m_mapSize = size;
  m->m_path = path;
  m->m_fileSize = size;
  LMFRONT_RETURN_IF_ERROR(m->attach(static_cast<const std::byte *>(map), size, path, options.verifySha256));
  return std::shared_ptr<const Model>(std::move(m));
}

Result<std::shared_ptr<const Model>> Model::fromNgrams(NgramSet set, const BuildOptions &options) {
  Result<ModelImage> image = buildImage(std::move(set), options);
  if (!image.isOk()) return image.status();
  return fromImage(std::move(image).value());
}

Result<std::shared_ptr<const Model>> Model::fromImage(ModelImage image) {
  std::shared_ptr<Model> m(new Model());
  m->m_image = std::move(image);
  m->m_isArpa = true;
  m->m_path = "(memory)";
  m->m_fileSize = m->m_image.size;
  LMFRONT_RETURN_IF_ERROR(m->attach(m->m_image.bytes(), m->m_image.size, m->m_path, false));
  return std::shared_ptr<const Model>(std::move(m));
}

Status Model::attach(const std::byte *base, std::uint64_t size, const std::string &name, bool verifySha256) {
  using namespace format;
  auto corrupt = [&](const std::string &what) { return Status::dataLoss(name + ": " + what); };
  if (size < kHeaderV4Size) return corrupt("truncated: " + std::to_string(size) + " bytes, shorter than the header");
  std::uint32_t version = 0;
  std::memcpy(&version, base + offsetof(Header, version), sizeof version);
  if (version < kOldestReadableVersion || version > kVersion)
    return corrupt("format version " + std::to_string(version) + " is not supported (this build reads versions " +
                   std::to_string(kOldestReadableVersion) + " to " + std::to_string(kVersion) +
                   "): rebuild it from its ARPA with `lmfront compile`");
  // A v4 header is the prefix of a v5 one; its index table reads as zero (no index).
  const std::size_t minHeader = version == 4 ? kHeaderV4Size : sizeof(Header);
  if (size < minHeader) return corrupt("truncated: " + std::to_string(size) + " bytes, shorter than the header");
  m_header = Header{};
  std::memcpy(&m_header, base, minHeader);
  const Header &h = m_header;
  if (h.headerSize < minHeader || h.headerSize > size || h.headerSize > (1u << 16) ||
      h.headerChecksum != headerChecksum(base, h.headerSize))
    return corrupt("header checksum mismatch: the file is corrupt");
  if (h.fileSize != size)
    return corrupt("truncated or extended: " + std::to_string(size) + " bytes, the header says " +
                   std::to_string(h.fileSize));
  const std::uint32_t knownFlags = kFlagUnkSynthesized | (version >= 5 ? kFlagContinuationIndex : 0u);
  if (h.order < 1 || h.order > static_cast<std::uint32_t>(kMaxOrder) || h.vocabSize < 3 ||
      (h.flags & ~knownFlags) != 0 || (h.vocabSlotCount & (h.vocabSlotCount - 1)) != 0 ||
      h.vocabSlotCount < h.vocabSize || h.bosId >= h.vocabSize || h.eosId >= h.vocabSize ||
      h.capacity[0] != h.vocabSize)
    return corrupt("inconsistent header");
  // Section sizes follow from the header; check them so no later access can leave the file.
  const std::uint64_t V = h.vocabSize;
  std::uint64_t expected[kSectionCount] = {
      h.sections[0].size, (V + 1) * 4, std::uint64_t{h.vocabSlotCount} * sizeof(VocabSlot), V * sizeof(UnigramEntry)};
  for (std::uint32_t n = 2; n <= h.order; ++n) {
    if (h.capacity[n - 1] <= h.counts[n - 1] || h.capacity[n - 1] >= 0xFFFFFFFFu ||
        h.capacity[n - 1] % kBucketSlots != 0)
      return corrupt("inconsistent header");
    expected[4 + n - 2] = h.capacity[n - 1] * (n == h.order ? sizeof(HighSlot) : sizeof(MiddleSlot));
  }
  auto checkSection = [&](const SectionEntry &e, std::uint64_t want, const std::string &what) {
    if (e.size != want || e.offset % kAlign != 0 || e.offset < h.headerSize || e.offset > size ||
        alignUp(e.size) > size - e.offset)
      return corrupt("the " + what + " section is out of bounds");
    if (fastChecksum(base + e.offset, alignUp(e.size)) != e.checksum)
      return corrupt("checksum mismatch in the " + what + " section: the file is corrupt");
    return Status::ok();
  };
  for (std::size_t s = 0; s < kSectionCount; ++s)
    LMFRONT_RETURN_IF_ERROR(checkSection(h.sections[s], expected[s], sectionName(s)));
  if (h.flags & kFlagContinuationIndex) {
    for (std::size_t i = 0; i < kIndexSectionCount; ++i)
      LMFRONT_RETURN_IF_ERROR(checkSection(h.indexSections[i], indexSectionSize(h, i), "continuation index"));
    LMFRONT_RETURN_IF_ERROR(checkIndexContent(h, base, name));
  } else {
    for (const SectionEntry &e : h.indexSections)
      if (e.offset != 0 || e.size != 0 || e.checksum != 0) return corrupt("inconsistent header");
  }
  if (verifySha256) {
    Sha256Digest d = sha256(base + h.headerSize, size - h.headerSize);
    if (std::memcmp(d.data(), h.payloadSha256, d.size()) != 0) return corrupt("sha256 mismatch: the file is corrupt");
  }
  auto at = [&](SectionId id) { return base + h.sections[static_cast<std::size_t>(id)].offset; };
  const auto *offsets = reinterpret_cast<const std::uint32_t *>(at(SectionId::VocabOffsets));
  if (offsets[0] != 0 || offsets[V] != h.sections[0].size) return corrupt("inconsistent vocabulary");
  for (std::uint64_t i = 0; i < V; ++i)
    if (offsets[i] > offsets[i + 1]) return corrupt("inconsistent vocabulary");
  const auto *vslots = reinterpret_cast<const VocabSlot *>(at(SectionId::VocabSlots));
  bool hasEmpty = false;
  for (std::uint64_t i = 0; i < h.vocabSlotCount; ++i) {
    if (vslots[i].idPlus1 > V || (vslots[i].length > kInlineBytes && vslots[i].length != kLongWord))
      return corrupt("inconsistent vocabulary index");
    hasEmpty |= vslots[i].idPlus1 == 0;
  }
  if (!hasEmpty) return corrupt("inconsistent vocabulary index");
  m_base = base;
  m_vocab = Vocabulary(reinterpret_cast<const char *>(at(SectionId::VocabStrings)), offsets, vslots, h.vocabSize,
                       h.vocabSlotCount);
  m_unigrams = reinterpret_cast<const UnigramEntry *>(at(SectionId::Unigrams));
  for (std::uint32_t n = 2; n <= h.order; ++n) {
    const std::byte *t = at(static_cast<SectionId>(4 + n - 2));
    m_tables[n - 1] = reinterpret_cast<const unsigned char *>(t);
    m_buckets[n - 1] = h.capacity[n - 1] / kBucketSlots;
    if (n == h.order)
      m_high = reinterpret_cast<const HighSlot *>(t);
    else
      m_middle[n - 1] = reinterpret_cast<const MiddleSlot *>(t);
  }
  return Status::ok();
}

std::span<const std::byte> Model::indexSection(std::size_t i) const {
  if (!hasContinuationIndex() || i >= format::kIndexSectionCount) return {};
  const format::SectionEntry &e = m_header.indexSections[i];
  return {m_base + e.offset, static_cast<std::size_t>(e.size)};
}

std::string Model::payloadSha256() const {
  Sha256Digest d;
  std::memcpy(d.data(), m_header.payloadSha256, d.size());
  return toHex(d);
}

std::int64_t Model::find(int n, std::uint32_t parent, WordId word) const {
  const std::uint64_t cap = m_header.capacity[n - 1];
  const std::uint64_t key = std::uint64_t{word} << 32 | parent;
  return probeBuckets(m_tables[n - 1], cap, format::homeSlot(parent, word, cap), key);
}

State Model::beginSentenceState() const {
  State s;
  State empty;
  score(empty, bos(), s);
  return s;
}

void Model::prefetch(const State &in, WordId w) const {
  Lookahead ahead;
  prepare(in, w, ahead);
}

void Model::prepare(const State &in, WordId w, Lookahead &ahead) const {
  // A fixed trip count (slots past the State's length are computed but not fetched). Each
  // lookup's home bucket and the next one are fetched: a key that is not in its home bucket is
  // nearly always in the next (buckets fill in probe order), and finding that out only after
  // the home line arrived cost a full memory round trip for ~9 % of the lookups that hit and
  // ~36 % of those that miss (measured +13 % end to end on the order-5 bench model).
  const int len = in.length;
  const auto *fallback = reinterpret_cast<const unsigned char *>(m_unigrams + w);
  __builtin_prefetch(fallback);
  const std::uint64_t wordKey = std::uint64_t{w} << 32;
  for (int k = 0; k < order() - 1; ++k) {
    const std::uint64_t buckets = m_buckets[k + 1];
    const std::uint64_t b = format::homeBucket(wordKey | in.idx[static_cast<std::size_t>(k)], buckets);
    const std::uint64_t next = b + 1 == buckets ? 0 : b + 1;
    ahead.home[k] = b * format::kBucketSlots;
    const unsigned char *table = m_tables[k + 1];
    // Into L2 (locality 2, prefetcht1), not L1: a round of lanes requests ~70 lines, more than
    // L1 tracks; measured 2-5 % faster than prefetcht0 (medians of 15 runs, 3 alternations).
    __builtin_prefetch(k < len ? table + b * format::kAlign : fallback, 0, 2);
    __builtin_prefetch(k < len ? table + next * format::kAlign : fallback, 0, 2);
  }
}

float Model::score(const State &in, WordId w, State &out, int *ngramLength) const {
  Lookahead ahead;
  prepare(in, w, ahead);
  if (&in == &out) {
    const State copy = in;
    return scoreAhead(copy, w, ahead, out, ngramLength);
  }
  return scoreAhead(in, w, ahead, out, ngramLength);
}

float Model::score(const State &in, WordId w, const Lookahead &ahead, State &out) const {
  if (&in == &out) {
    const State copy = in;
    return scoreAhead(copy, w, ahead, out, nullptr);
  }
  return scoreAhead(in, w, ahead, out, nullptr);
}

// `out` must not alias `in`. The new State is written field by field as the lookups find it:
// building it in a local array and copying that whole made the compiler reload freshly stored
// scalars as one vector, a store-to-load forwarding stall on every token.
inline float Model::scoreAhead(const State &in, WordId w, const Lookahead &ahead, State &out, int *ngramLength) const {
  const int N = order();
  const int len = in.length;
  const format::UnigramEntry u = m_unigrams[w];
  float prob = u.prob;
  out.idx[0] = w;
  out.backoff[0] = u.backoff;
  // A dead-end n-gram (no extension, backoff 0) ends the State; every longer match is one too.
  int outLen = format::isDeadEnd(u.backoff) ? 0 : 1;
  int matched = 0;
  const std::uint64_t wordKey = static_cast<std::uint64_t>(w) << 32;
  for (int k = 0; k < len; ++k) {
    const int n = k + 2;
    // (parent, word) as the slot's first 8 bytes read as one little-endian integer.
    const std::uint64_t key = wordKey | in.idx[static_cast<std::size_t>(k)];
    const std::int64_t s = probeBuckets(m_tables[n - 1], m_header.capacity[n - 1], ahead.home[k], key);
    if (s < 0) break;
    const unsigned char *e = m_tables[n - 1] + static_cast<std::uint64_t>(s) * kSlotBytes;
    prob = loadFloat(e + offsetof(format::MiddleSlot, prob));
    matched = k + 1;
    if (n == N) break;
    const float bo = loadFloat(e + offsetof(format::MiddleSlot, backoff));
    out.idx[static_cast<std::size_t>(k) + 1] = static_cast<std::uint32_t>(s);
    out.backoff[static_cast<std::size_t>(k) + 1] = bo;
    if (outLen == k + 1 && !format::isDeadEnd(bo)) outLen = k + 2;
  }
  for (int k = matched; k < len; ++k) prob += in.backoff[static_cast<std::size_t>(k)];
  if (outLen > N - 1) outLen = N - 1;
  if (ngramLength) *ngramLength = matched + 1;
  out.length = static_cast<std::uint8_t>(outLen);
  return prob;
}

}  // namespace lmfront::engine
