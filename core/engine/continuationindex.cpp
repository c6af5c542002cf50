#include "continuationindex.h"

#include "sha256.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace lmfront::engine {
namespace {

struct SlotView {
  const Model &m;
  int n;
  bool high;
  std::uint64_t cap;
  SlotView(const Model &model, int order)
      : m(model), n(order), high(order == model.order()), cap(model.capacity(order)) {}
  WordId word(std::uint64_t s) const { return high ? m.high()[s].word : m.middle(n)[s].word; }
  std::uint32_t parent(std::uint64_t s) const { return high ? m.high()[s].parent : m.middle(n)[s].parent; }
  float prob(std::uint64_t s) const { return high ? m.high()[s].prob : m.middle(n)[s].prob; }
};

double linear(float log10p) { return std::pow(10.0, static_cast<double>(log10p)); }

template <typename T>
std::span<const std::byte> bytesOf(std::span<const T> s) {
  return std::as_bytes(s);
}
template <typename T>
std::span<const T> viewOf(std::span<const std::byte> b) {
  return {reinterpret_cast<const T *>(b.data()), b.size() / sizeof(T)};
}

}  // namespace

// The arrays of a built index (the spans point into these).
struct ContinuationIndex::Storage {
  struct Level {
    std::vector<std::uint32_t> begin;
    std::vector<WordId> words;
    std::vector<float> prob;
    std::vector<double> cum, lower;
  };
  Level levels[kMaxOrder - 1];
  std::vector<double> uni, uniCum;
  std::vector<WordId> byUnigram;
};

ContinuationIndex::Children ContinuationIndex::children(int k, std::uint32_t ctx) const {
  const Level &l = m_levels[static_cast<std::size_t>(k - 1)];
  const std::uint32_t b = l.begin[ctx], e = l.begin[ctx + 1];
  return {l.words.subspan(b, e - b), l.prob.subspan(b, e - b), l.cum.subspan(b, e - b)};
}

Result<std::shared_ptr<const ContinuationIndex>> ContinuationIndex::forModel(std::shared_ptr<const Model> model) {
  if (auto stored = mapped(model)) return stored;
  return build(*model);
}

std::shared_ptr<const ContinuationIndex> ContinuationIndex::mapped(std::shared_ptr<const Model> model) {
  using namespace format;
  if (!model || !model->hasContinuationIndex()) return nullptr;
  auto idx = std::make_shared<ContinuationIndex>();
  idx->m_uni = viewOf<double>(model->indexSection(static_cast<std::size_t>(IndexSection::UnigramLinear)));
  idx->m_uniCum = viewOf<double>(model->indexSection(static_cast<std::size_t>(IndexSection::UnigramCumulative)));
  idx->m_byUnigram = viewOf<WordId>(model->indexSection(static_cast<std::size_t>(IndexSection::ByUnigram)));
  for (int k = 1; k < model->order(); ++k) {
    Level &l = idx->m_levels[k - 1];
    l.begin = viewOf<std::uint32_t>(model->indexSection(indexSection(k, IndexArray::Begin)));
    l.words = viewOf<WordId>(model->indexSection(indexSection(k, IndexArray::Words)));
    l.prob = viewOf<float>(model->indexSection(indexSection(k, IndexArray::Prob)));
    l.cum = viewOf<double>(model->indexSection(indexSection(k, IndexArray::Cumulative)));
    l.lower = viewOf<double>(model->indexSection(indexSection(k, IndexArray::Lower)));
  }
  idx->m_mapped = true;
  idx->m_owner = std::move(model);
  return idx;
}

Result<ModelImage> ContinuationIndex::compiledImage(const Model &model) {
  using namespace format;
  auto built = build(model);
  if (!built.isOk()) return built.status();
  const ContinuationIndex &idx = **built;
  std::span<const std::byte> arrays[kIndexSectionCount] = {bytesOf(idx.m_uni), bytesOf(idx.m_uniCum),
                                                           bytesOf(idx.m_byUnigram)};
  for (int k = 1; k < model.order(); ++k) {
    const Level &l = idx.m_levels[k - 1];
    arrays[indexSection(k, IndexArray::Begin)] = bytesOf(l.begin);
    arrays[indexSection(k, IndexArray::Words)] = bytesOf(l.words);
    arrays[indexSection(k, IndexArray::Prob)] = bytesOf(l.prob);
    arrays[indexSection(k, IndexArray::Cumulative)] = bytesOf(l.cum);
    arrays[indexSection(k, IndexArray::Lower)] = bytesOf(l.lower);
  }
  // Same sections as the model's image (relocated: a v4 header is smaller), then the index.
  Header h = model.header();
  h.version = kVersion;
  h.headerSize = static_cast<std::uint32_t>(alignUp(sizeof(Header)));
  h.flags |= kFlagContinuationIndex;
  std::size_t offset = h.headerSize;
  std::span<const std::byte> sources[kSectionCount + kIndexSectionCount];
  SectionEntry *entries[kSectionCount + kIndexSectionCount];
  for (std::size_t s = 0; s < kSectionCount; ++s) {
    const SectionEntry &e = model.header().sections[s];
    sources[s] = {model.imageData() + e.offset, static_cast<std::size_t>(e.size)};
    entries[s] = &h.sections[s];
  }
  for (std::size_t i = 0; i < kIndexSectionCount; ++i) {
    sources[kSectionCount + i] = arrays[i];
    entries[kSectionCount + i] = &h.indexSections[i];
  }
  for (std::size_t s = 0; s < std::size(sources); ++s) {
    entries[s]->offset = offset;
    entries[s]->size = sources[s].size();
    offset = alignUp(offset + sources[s].size());
  }
  h.fileSize = offset;
  ModelImage image;
  image.size = offset;
  image.storage.assign((offset + 7) / 8, 0);
  auto *base = reinterpret_cast<std::byte *>(image.storage.data());
  for (std::size_t s = 0; s < std::size(sources); ++s) {
    if (!sources[s].empty()) std::memcpy(base + entries[s]->offset, sources[s].data(), sources[s].size());
    entries[s]->checksum = fastChecksum(base + entries[s]->offset, alignUp(entries[s]->size));
  }
  Sha256Digest digest = sha256(base + h.headerSize, h.fileSize - h.headerSize);
  std::memcpy(h.payloadSha256, digest.data(), digest.size());
  h.headerChecksum = 0;
  std::memcpy(base, &h, sizeof h);
  h.headerChecksum = headerChecksum(base, h.headerSize);
  std::memcpy(base, &h, sizeof h);
  return image;
}

Result<std::shared_ptr<const ContinuationIndex>> ContinuationIndex::build(const Model &model) {
  auto store = std::make_shared<Storage>();
  Storage &st = *store;
  const int N = model.order();
  const std::uint32_t V = model.vocab().size();
  const WordId bos = model.bos();
  st.uni.resize(V);
  for (WordId w = 0; w < V; ++w) st.uni[w] = linear(model.unigrams()[w].prob);
  st.uni[bos] = 0;
  if (model.unkSynthesized()) st.uni[kUnk] = 0;
  st.uniCum.resize(V);
  std::partial_sum(st.uni.begin(), st.uni.end(), st.uniCum.begin());
  st.byUnigram.resize(V);
  std::iota(st.byUnigram.begin(), st.byUnigram.end(), 0u);
  std::stable_sort(st.byUnigram.begin(), st.byUnigram.end(), [&](WordId a, WordId b) { return st.uni[a] > st.uni[b]; });

  std::vector<std::uint32_t> suffixOfCtx;  // suffix slot (order k-1) of each context at order k
  for (int k = 1; k < N; ++k) {
    const auto i = static_cast<std::size_t>(k - 1);
    const SlotView kids(model, k + 1);
    const std::uint64_t ctxCount = k == 1 ? V : model.capacity(k);
    Storage::Level &level = st.levels[i];
    std::vector<std::uint32_t> &begin = level.begin;
    begin.assign(ctxCount + 1, 0);
    for (std::uint64_t s = 0; s < kids.cap; ++s) {
      const WordId w = kids.word(s);
      if (w == format::kEmptyWord) continue;
      if (w >= V || kids.parent(s) >= ctxCount)
        return Status::dataLoss(model.path() + ": n-gram table of order " + std::to_string(k + 1) + " is inconsistent");
      if (w != bos) ++begin[kids.parent(s) + 1];
    }
    std::partial_sum(begin.begin(), begin.end(), begin.begin());
    std::vector<std::uint32_t> fill(begin.begin(), begin.end() - 1);
    std::vector<std::uint32_t> slotOf(begin.back());
    for (std::uint64_t s = 0; s < kids.cap; ++s) {
      const WordId w = kids.word(s);
      if (w == format::kEmptyWord || w == bos) continue;
      slotOf[fill[kids.parent(s)]++] = static_cast<std::uint32_t>(s);
    }
    std::vector<WordId> &words = level.words;
    std::vector<float> &prob = level.prob;
    std::vector<double> &cum = level.cum;
    words.resize(slotOf.size());
    prob.resize(slotOf.size());
    cum.resize(slotOf.size());
    level.lower.assign(ctxCount, 0.0);
    // Suffix slot (order k) of every continuation "c w": (suffix(c), w), present because the
    // model is closed under suffixes. Needed for lower() and as the next level's suffixOfCtx.
    std::vector<std::uint32_t> suffixOfKid(kids.cap, 0);
    for (std::uint64_t s = 0; s < kids.cap; ++s) {
      const WordId w = kids.word(s);
      if (w == format::kEmptyWord) continue;
      if (k == 1) {
        suffixOfKid[s] = w;
        continue;
      }
      const std::int64_t suffix = model.find(k, suffixOfCtx[kids.parent(s)], w);
      if (suffix < 0) return Status::dataLoss(model.path() + ": the n-gram set is not closed under suffixes");
      suffixOfKid[s] = static_cast<std::uint32_t>(suffix);
    }
    const SlotView shorter(model, std::max(k, 2));
    for (std::uint64_t c = 0; c < ctxCount; ++c) {
      const std::uint32_t b = begin[c], e = begin[c + 1];
      std::sort(slotOf.begin() + b, slotOf.begin() + e,
                [&](std::uint32_t x, std::uint32_t y) { return kids.prob(x) > kids.prob(y); });
      double run = 0, lower = 0;
      for (std::uint32_t j = b; j < e; ++j) {
        const std::uint32_t s = slotOf[j];
        const WordId w = kids.word(s);
        words[j] = w;
        prob[j] = static_cast<float>(linear(kids.prob(s)));
        run += static_cast<double>(prob[j]);
        cum[j] = run;
        lower += linear(k == 1 ? model.unigrams()[w].prob : shorter.prob(suffixOfKid[s]));
      }
      level.lower[c] = lower;
    }
    suffixOfCtx = std::move(suffixOfKid);
  }
  auto idx = std::make_shared<ContinuationIndex>();
  idx->m_uni = st.uni;
  idx->m_uniCum = st.uniCum;
  idx->m_byUnigram = st.byUnigram;
  for (std::size_t i = 0; i + 1 < static_cast<std::size_t>(N); ++i) {
    const Storage::Level &from = st.levels[i];
    idx->m_levels[i] = {from.begin, from.words, from.prob, from.cum, from.lower};
  }
  idx->m_owner = std::move(store);
  return std::shared_ptr<const ContinuationIndex>(std::move(idx));
}

}  // namespace lmfront::engine
