// Test helpers for the model tests: a random but exactly normalised back-off model, built in
// memory, so "probabilities over the vocabulary sum to 1" and sampling frequencies can be
// checked against a model whose distribution is known to be proper.
#pragma once

#include "engine/model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace lmfront::engine::testutil {

// Order-3 model over `words` plain words plus <unk>, <s>, </s>. Each context gets 0..maxChildren
// explicit continuations holding a random share of the mass; backoffs are computed so every
// conditional distribution sums to exactly 1 (up to float rounding of the stored log10 values).
inline NgramSet randomNormalisedModel(std::uint64_t seed, int words = 12, int maxChildren = 6) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.05, 1.0);  // test-only: any distribution is fine
  NgramSet set;
  set.order = 3;
  set.vocab = {"<unk>", "<s>", "</s>"};
  for (int i = 0; i < words; ++i) set.vocab.push_back("w" + std::to_string(i));
  const auto V = static_cast<WordId>(set.vocab.size());
  const WordId bos = 1;
  set.orders.resize(3);
  // Unigrams: proper distribution over everything but <s> (lmplz's -99).
  std::vector<double> uni(V);
  double total = 0;
  for (WordId w = 0; w < V; ++w) total += (uni[w] = w == bos ? 0.0 : unit(rng));
  for (WordId w = 0; w < V; ++w) uni[w] /= total;
  std::vector<double> uniBo(V, 1.0);
  std::map<std::pair<WordId, WordId>, double> bi, biBo;  // P(w | h) explicit, bo(h w)
  auto pickChildren = [&](std::vector<WordId> &out) {
    out.clear();
    const int k = static_cast<int>(rng() % static_cast<std::uint64_t>(maxChildren + 1));
    for (int i = 0; i < k; ++i) {
      WordId w = static_cast<WordId>(rng() % V);
      if (w != bos && std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    }
  };
  auto biProb = [&](WordId h, WordId w) {
    auto it = bi.find({h, w});
    return it != bi.end() ? it->second : uniBo[h] * uni[w];
  };
  std::vector<WordId> kids;
  for (WordId h = 0; h < V; ++h) {
    if (h == 2) continue;  // nothing follows </s>
    pickChildren(kids);
    if (kids.empty()) continue;
    const double mass = 0.3 + 0.6 * unit(rng);
    std::vector<double> share(kids.size());
    double s = 0, lower = 0;
    for (double &x : share) s += (x = unit(rng));
    for (std::size_t i = 0; i < kids.size(); ++i) {
      bi[{h, kids[i]}] = mass * share[i] / s;
      lower += uni[kids[i]];
    }
    uniBo[h] = (1 - mass) / (1 - lower);
  }
  std::map<std::pair<std::pair<WordId, WordId>, WordId>, double> tri;
  for (const auto &[ctx, p] : std::map<std::pair<WordId, WordId>, double>(bi)) {
    (void)p;
    if (ctx.second == 2 || rng() % 2) continue;
    pickChildren(kids);
    if (kids.empty()) continue;
    const double mass = 0.3 + 0.6 * unit(rng);
    std::vector<double> share(kids.size());
    double s = 0, lower = 0;
    for (double &x : share) s += (x = unit(rng));
    for (std::size_t i = 0; i < kids.size(); ++i) {
      tri[{ctx, kids[i]}] = mass * share[i] / s;
      lower += biProb(ctx.second, kids[i]);
    }
    biBo[ctx] = (1 - mass) / (1 - lower);
  }
  auto lg = [](double x) { return static_cast<float>(std::log10(x)); };
  for (WordId w = 0; w < V; ++w) {
    set.orders[0].words.push_back(w);
    set.orders[0].prob.push_back(w == bos ? -99.0f : lg(uni[w]));
    set.orders[0].backoff.push_back(lg(uniBo[w]));
  }
  for (const auto &[k, p] : bi) {
    set.orders[1].words.insert(set.orders[1].words.end(), {k.first, k.second});
    set.orders[1].prob.push_back(lg(p));
    auto b = biBo.find(k);
    set.orders[1].backoff.push_back(b == biBo.end() ? 0.0f : lg(b->second));
  }
  for (const auto &[k, p] : tri) {
    set.orders[2].words.insert(set.orders[2].words.end(), {k.first.first, k.first.second, k.second});
    set.orders[2].prob.push_back(lg(p));
    set.orders[2].backoff.push_back(0.0f);
  }
  for (const auto &o : set.orders) set.arpaCounts.push_back(o.prob.size());
  return set;
}

}  // namespace lmfront::engine::testutil
