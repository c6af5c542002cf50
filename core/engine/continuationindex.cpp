#include "continuationindex.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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

}  // namespace

ContinuationIndex::Children ContinuationIndex::children(int k, std::uint32_t ctx) const {
  const auto i = static_cast<std::size_t>(k - 1);
  const std::uint32_t b = m_begin[i][ctx], e = m_begin[i][ctx + 1];
  return {std::span<const WordId>(m_words[i]).subspan(b, e - b), std::span<const float>(m_prob[i]).subspan(b, e - b),
          std::span<const double>(m_cum[i]).subspan(b, e - b)};
}

Result<std::shared_ptr<const ContinuationIndex>> ContinuationIndex::build(const Model &model) {
  auto idx = std::make_shared<ContinuationIndex>();
  const int N = model.order();
  const std::uint32_t V = model.vocab().size();
  const WordId bos = model.bos();
  idx->m_uni.resize(V);
  for (WordId w = 0; w < V; ++w) idx->m_uni[w] = linear(model.unigrams()[w].prob);
  idx->m_uni[bos] = 0;
  if (model.unkSynthesized()) idx->m_uni[kUnk] = 0;
  idx->m_uniCum.resize(V);
  std::partial_sum(idx->m_uni.begin(), idx->m_uni.end(), idx->m_uniCum.begin());
  idx->m_byUnigram.resize(V);
  std::iota(idx->m_byUnigram.begin(), idx->m_byUnigram.end(), 0u);
  std::stable_sort(idx->m_byUnigram.begin(), idx->m_byUnigram.end(),
                   [&](WordId a, WordId b) { return idx->m_uni[a] > idx->m_uni[b]; });

  const auto levels = static_cast<std::size_t>(std::max(0, N - 1));
  idx->m_begin.resize(levels);
  idx->m_words.resize(levels);
  idx->m_prob.resize(levels);
  idx->m_cum.resize(levels);
  idx->m_mass.resize(levels);
  idx->m_lower.resize(levels);
  std::vector<std::uint32_t> suffixOfCtx;  // suffix slot (order k-1) of each context at order k
  for (int k = 1; k < N; ++k) {
    const auto i = static_cast<std::size_t>(k - 1);
    const SlotView kids(model, k + 1);
    const std::uint64_t ctxCount = k == 1 ? V : model.capacity(k);
    std::vector<std::uint32_t> &begin = idx->m_begin[i];
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
    std::vector<WordId> &words = idx->m_words[i];
    std::vector<float> &prob = idx->m_prob[i];
    std::vector<double> &cum = idx->m_cum[i];
    words.resize(slotOf.size());
    prob.resize(slotOf.size());
    cum.resize(slotOf.size());
    idx->m_mass[i].assign(ctxCount, 0.0);
    idx->m_lower[i].assign(ctxCount, 0.0);
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
      idx->m_mass[i][c] = run;
      idx->m_lower[i][c] = lower;
    }
    suffixOfCtx = std::move(suffixOfKid);
  }
  return std::shared_ptr<const ContinuationIndex>(std::move(idx));
}

}  // namespace lmfront::engine
