#include "engine/kneserney.h"

#include "engine/arpawriter.h"
#include "engine/progress.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string_view>
#include <thread>

namespace lmfront::engine {

namespace {

using Stats = std::array<std::uint64_t, 5>;

// log10 for the ARPA file. A zero only arises from degenerate discounts (e.g. D3+ = 3 when no
// n-gram occurs 4 times); lmplz would print -inf, which no ARPA reader accepts, so write -99.
float safeLog10(double x) { return x > 0 ? static_cast<float>(std::log10(x)) : -99.0f; }

struct Adjusted {
  std::vector<std::vector<NgramRecord>> tables;  // [k-1]: k-grams, adjusted counts, sorted
  std::vector<Stats> stats;
};

void addStat(Stats &s, std::uint64_t count) {
  if (count < 5) ++s[count];
}

// adjust_counts.cc, as a single pass over the sorted order-N windows.
Adjusted adjustCounts(std::vector<NgramRecord> &&grams, int order) {
  Adjusted out;
  out.tables.resize(static_cast<std::size_t>(order));
  out.stats.assign(static_cast<std::size_t>(order), Stats{});
  auto &unigrams = out.tables[0];
  unigrams.push_back(NgramRecord{kUnkId, 0, 0});
  unigrams.push_back(NgramRecord{kBosId, 0, 0});
  if (order == 1) {
    for (const auto &g : grams) unigrams.push_back(g);
    for (const auto &g : unigrams) addStat(out.stats[0], g.count);
    grams = {};
    return out;
  }
  const int b = bitsPerWord(order);
  auto &full = out.tables[static_cast<std::size_t>(order - 1)];
  full.reserve(grams.size());
  std::vector<std::uint64_t> actual(static_cast<std::size_t>(order), 0);  // raw counts of the chain
  int validLen = 0;
  U128 prev = 0;
  bool first = true;
  for (const auto &g : grams) {
    const U128 key = g.key();
    int m = 0;  // trailing words shared with the previous window
    if (!first)
      while (m < order - 1 && wordAt(key, order - 1 - m, b) == wordAt(prev, order - 1 - m, b)) ++m;
    first = false;
    for (int k = 1; k <= m; ++k) actual[static_cast<std::size_t>(k - 1)] += g.count;
    // The m-suffix gains one distinct left extension.
    if (m >= 1) ++out.tables[static_cast<std::size_t>(m - 1)].back().count;
    validLen = order - 1;
    for (int k = m + 1; k <= order - 1; ++k) {
      const int pos = order - k;
      NgramRecord rec;
      rec.setKey(key >> (pos * b));
      auto &table = out.tables[static_cast<std::size_t>(k - 1)];
      actual[static_cast<std::size_t>(k - 1)] = g.count;
      if (wordAt(key, pos, b) == kBosId) {
        rec.count = g.count;  // starts with <s>: no left context exists, keep the raw count
        table.push_back(rec);
        validLen = k;
        break;
      }
      rec.count = 1;
      table.push_back(rec);
    }
    // A window with <s> in position 1 is padding, not an order-N n-gram.
    if (wordAt(key, 1, b) != kBosId) {
      full.push_back(g);
      addStat(out.stats[static_cast<std::size_t>(order - 1)], g.count);
    }
    prev = key;
  }
  grams = {};
  for (int k = 1; k < order; ++k) {
    auto &table = out.tables[static_cast<std::size_t>(k - 1)];
    auto &stats = out.stats[static_cast<std::size_t>(k - 1)];
    for (const auto &r : table) addStat(stats, r.count);
    // lmplz's final flush records the still-open n-grams with their raw count.
    if (k <= validLen && !table.empty()) {
      const std::uint64_t adjusted = table.back().count;
      if (adjusted < 5) --stats[adjusted];
      addStat(stats, actual[static_cast<std::size_t>(k - 1)]);
    }
  }
  return out;
}

Result<Discount> computeDiscount(const Stats &n, int order, const KneserNeyOptions &options, bool &usedFallback) {
  usedFallback = false;
  const std::string what = std::to_string(order) + "-grams";
  std::string problem;
  for (int j = 1; j <= 3 && problem.empty(); ++j)
    if (n[static_cast<std::size_t>(j)] == 0) problem = "no " + what + " have adjusted count " + std::to_string(j);
  Discount d;
  if (problem.empty()) {
    const double y = static_cast<double>(n[1]) / (static_cast<double>(n[1]) + 2.0 * static_cast<double>(n[2]));
    for (int j = 1; j <= 3; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      d.amount[uj] = j - (j + 1) * y * static_cast<double>(n[uj + 1]) / static_cast<double>(n[uj]);
      if (d.amount[uj] < 0.0 || d.amount[uj] > j) {
        problem = "discount D" + std::to_string(j) + " = " + std::to_string(d.amount[uj]) + " is out of range";
        break;
      }
    }
  }
  if (problem.empty()) return d;
  if (options.fallback) {
    usedFallback = true;
    return *options.fallback;
  }
  return Status::invalidArgument("cannot estimate Kneser-Ney discounts for " + what + ": " + problem +
                                 " (the corpus is too small or artificial; --discount-fallback substitutes "
                                 "D1=0.5 D2=1 D3+=1.5 as lmplz does)");
}

struct OrderWork {
  std::vector<double> prob;   // uninterpolated, then interpolated in place
  std::vector<double> gamma;  // gamma of each entry's context
};

// initial_probabilities.cc for order k >= 2: groups the k-grams by context (a sort on the
// context key), and records each context's gamma as the backoff of the matching (k-1)-gram.
Status initialProbabilities(const std::vector<NgramRecord> &table, const std::vector<NgramRecord> &lower,
                            const Discount &d, int k, int bits, OrderWork &work, std::vector<float> &lowerBackoff) {
  struct Pair {
    std::uint64_t lo, hi;
    std::uint32_t idx;
  };
  std::vector<Pair> pairs(table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    const U128 ctx = lowWords(table[i].key(), k - 1, bits);
    pairs[i] =
        Pair{static_cast<std::uint64_t>(ctx), static_cast<std::uint64_t>(ctx >> 64), static_cast<std::uint32_t>(i)};
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair &a, const Pair &b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    return a.idx < b.idx;
  });
  work.prob.resize(table.size());
  work.gamma.resize(table.size());
  std::size_t j = 0;
  for (std::size_t begin = 0; begin < pairs.size();) {
    std::size_t end = begin;
    std::uint64_t denom = 0, n[4] = {0, 0, 0, 0};
    while (end < pairs.size() && pairs[end].hi == pairs[begin].hi && pairs[end].lo == pairs[begin].lo) {
      const std::uint64_t a = table[pairs[end].idx].count;
      denom += a;
      if (a > 0) ++n[std::min<std::uint64_t>(a, 3)];
      ++end;
    }
    const double fdenom = static_cast<double>(denom);
    const double gamma = (d.amount[1] * static_cast<double>(n[1]) + d.amount[2] * static_cast<double>(n[2]) +
                          d.amount[3] * static_cast<double>(n[3])) /
                         fdenom;
    for (std::size_t p = begin; p < end; ++p) {
      const std::uint64_t a = table[pairs[p].idx].count;
      work.prob[pairs[p].idx] = (static_cast<double>(a) - d.apply(a)) / fdenom;
      work.gamma[pairs[p].idx] = gamma;
    }
    const NgramRecord ctx{pairs[begin].lo, pairs[begin].hi, 0};
    while (j < lower.size() && lower[j] < ctx) ++j;
    if (j == lower.size() || !lower[j].sameKey(ctx))
      return Status::internal("context of a " + std::to_string(k) + "-gram missing from the " + std::to_string(k - 1) +
                              "-grams");
    lowerBackoff[j] = safeLog10(gamma);
    begin = end;
  }
  return Status::ok();
}

}  // namespace

Result<KneserNeyModel> estimateKneserNey(CountResult &&counts, const KneserNeyOptions &options) {
  const int order = counts.order;
  if (order < 1 || order > kMaxOrder) return Status::invalidArgument("order out of range");
  const int bits = bitsPerWord(order);
  KneserNeyModel model;
  model.order = order;
  model.vocab = std::move(counts.vocab);
  // Steps: adjusted counts, initial probabilities (all orders), then interpolation per order.
  Progress bar("estimating", static_cast<std::uint64_t>(order) + 2, options.progress);
  bar.update(0);
  Adjusted adj = adjustCounts(std::move(counts.grams), order);
  bar.update(1);
  if (adj.tables[0].size() != model.vocab.size())
    return Status::internal("unigram table does not cover the vocabulary");

  const auto N = static_cast<std::size_t>(order);
  model.discounts.resize(N);
  model.usedFallback.assign(N, false);
  model.countsOfCounts = adj.stats;
  for (std::size_t i = 0; i < N; ++i) {
    bool fb = false;
    auto d = computeDiscount(adj.stats[i], static_cast<int>(i + 1), options, fb);
    if (!d) return d.status();
    model.discounts[i] = *d;
    model.usedFallback[i] = fb;
  }
  model.orders.resize(N);
  for (std::size_t i = 0; i + 1 < N; ++i) model.orders[i].log10Backoff.assign(adj.tables[i].size(), 0.0f);

  // Orders 2..N are independent until interpolation: run them on worker threads.
  std::vector<OrderWork> work(N);
  std::vector<Status> results(N);
  std::atomic<std::size_t> next{1};
  auto worker = [&] {
    for (std::size_t i = next++; i < N; i = next++)
      results[i] = initialProbabilities(adj.tables[i], adj.tables[i - 1], model.discounts[i], static_cast<int>(i + 1),
                                        bits, work[i], model.orders[i - 1].log10Backoff);
  };
  std::vector<std::thread> threads;
  const int extra = std::min(options.threads, order - 1) - 1;
  for (int t = 0; t < extra; ++t) threads.emplace_back(worker);
  worker();
  for (auto &t : threads) t.join();
  for (const auto &s : results) LMFRONT_RETURN_IF_ERROR(s);
  bar.update(2);

  // Unigrams: one context (the empty one); <unk> only gets interpolated mass, <s> probability 1.
  {
    const auto &uni = adj.tables[0];
    const Discount &d = model.discounts[0];
    std::uint64_t denom = 0, n[4] = {0, 0, 0, 0};
    for (const auto &r : uni) {
      denom += r.count;
      if (r.count > 0) ++n[std::min<std::uint64_t>(r.count, 3)];
    }
    const double fdenom = static_cast<double>(denom);
    const double gamma = (d.amount[1] * static_cast<double>(n[1]) + d.amount[2] * static_cast<double>(n[2]) +
                          d.amount[3] * static_cast<double>(n[3])) /
                         fdenom;
    const double uniform = 1.0 / static_cast<double>(uni.size() - 1);  // |V| without <s>
    auto &p = work[0].prob;
    p.resize(uni.size());
    for (std::size_t i = 0; i < uni.size(); ++i)
      p[i] = (static_cast<double>(uni[i].count) - d.apply(uni[i].count)) / fdenom + gamma * uniform;
    p[kUnkId] = gamma * uniform;
    p[kBosId] = 1.0;
  }

  // interpolate.cc: walk each order in suffix order beside the order below; suffixes ascend.
  for (std::size_t i = 0; i < N; ++i) {
    auto &table = adj.tables[i];
    auto &p = work[i].prob;
    if (i > 0) {
      const auto &lower = model.orders[i - 1].grams;  // moved there by the previous iteration
      const auto &lowerProb = work[i - 1].prob;
      std::size_t j = 0;
      for (std::size_t e = 0; e < table.size(); ++e) {
        NgramRecord suffix;
        suffix.setKey(table[e].key() >> bits);
        while (j < lower.size() && lower[j] < suffix) ++j;
        if (j == lower.size() || !lower[j].sameKey(suffix))
          return Status::internal("suffix of a " + std::to_string(i + 1) + "-gram missing from the lower order");
        p[e] += work[i].gamma[e] * lowerProb[j];
      }
      work[i].gamma = {};
      work[i - 1].prob = {};
    }
    auto &logp = model.orders[i].log10Prob;
    logp.resize(p.size());
    for (std::size_t e = 0; e < p.size(); ++e) logp[e] = std::min(0.0f, safeLog10(p[e]));
    model.orders[i].grams = std::move(table);
    bar.update(3 + i);
  }
  bar.finish();
  return model;
}

Status writeArpa(const KneserNeyModel &model, const std::string &path, bool progress) {
  auto writer = ArpaWriter::open(path);
  if (!writer) return writer.status();
  return writeArpa(model, **writer, progress && path != "-");
}

Status writeArpa(const KneserNeyModel &model, ArpaWriter &writer, bool progress) {
  std::vector<std::uint64_t> counts;
  for (const auto &o : model.orders) counts.push_back(o.grams.size());
  LMFRONT_RETURN_IF_ERROR(writer.writeHeader(counts));
  const int bits = bitsPerWord(model.order);
  std::uint64_t total = 0, done = 0;
  for (auto c : counts) total += c;
  Progress bar("writing", total, progress);
  std::vector<std::string_view> words;
  for (int k = 1; k <= model.order; ++k) {
    LMFRONT_RETURN_IF_ERROR(writer.beginOrder(k));
    const auto &o = model.orders[static_cast<std::size_t>(k - 1)];
    const bool hasBackoff = k < model.order;
    for (std::size_t e = 0; e < o.grams.size(); ++e) {
      const U128 key = o.grams[e].key();
      words.clear();
      for (int w = 0; w < k; ++w) words.push_back(model.vocab[wordAt(key, w, bits)]);
      LMFRONT_RETURN_IF_ERROR(writer.writeEntry(o.log10Prob[e], words,
                                                hasBackoff ? std::optional<float>(o.log10Backoff[e]) : std::nullopt));
      if ((++done & 0xFFFF) == 0) bar.update(done);
    }
  }
  bar.finish();
  return writer.finish();
}

}  // namespace lmfront::engine
