#include "mixture.h"

#include "arpawriter.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

// GCC 12 warns falsely on "literal" + std::string (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace lmfront::engine {
namespace {

double linear(float log10p) { return std::pow(10.0, static_cast<double>(log10p)); }

double perplexityOf(double log10Sum, std::uint64_t tokens) {
  return tokens ? std::pow(10.0, -log10Sum / static_cast<double>(tokens)) : 0.0;
}

}  // namespace

Result<Mixture> Mixture::create(std::vector<std::shared_ptr<const Model>> models, std::vector<double> weights) {
  if (models.size() < 2) return Status::invalidArgument("a mixture needs at least 2 models");
  if (weights.empty()) weights.assign(models.size(), 1.0 / static_cast<double>(models.size()));
  if (weights.size() != models.size()) return Status::invalidArgument("one weight per model is needed");
  double sum = 0;
  for (double w : weights) {
    if (!(w >= 0) || !std::isfinite(w)) return Status::invalidArgument("weights must be finite and >= 0");
    sum += w;
  }
  if (!(sum > 0)) return Status::invalidArgument("weights must not all be 0");
  for (double &w : weights) w /= sum;
  Mixture m;
  m.m_models = std::move(models);
  m.m_weights = std::move(weights);
  return m;
}

std::size_t Mixture::modelProbabilities(std::span<const std::string_view> words, std::vector<double> &out,
                                        std::vector<bool> *oov) const {
  const std::size_t M = m_models.size();
  const std::size_t base = out.size();
  out.resize(base + (words.size() + 1) * M);
  if (oov) oov->assign(words.size() + 1, true);
  for (std::size_t i = 0; i < M; ++i) {
    const Model &m = *m_models[i];
    State state = m.beginSentenceState(), next;
    for (std::size_t t = 0; t <= words.size(); ++t) {
      const WordId w = t < words.size() ? m.vocab().index(words[t]) : m.eos();
      if (oov && w != kUnk) (*oov)[t] = false;
      out[base + t * M + i] = linear(m.score(state, w, next));
      state = next;
    }
  }
  return words.size() + 1;
}

double Mixture::scoreSentence(std::span<const std::string_view> words, ScoreTotals &totals) const {
  std::vector<double> p;
  std::vector<bool> oov;
  const std::size_t n = modelProbabilities(words, p, &oov);
  const std::size_t M = m_models.size();
  double sum = 0;
  for (std::size_t t = 0; t < n; ++t) {
    double mix = 0;
    for (std::size_t i = 0; i < M; ++i) mix += m_weights[i] * p[t * M + i];
    const double l = std::log10(mix);
    sum += l;
    if (oov[t]) {
      ++totals.oov;
      totals.log10ProbOov += l;
    }
  }
  totals.tokens += n;
  totals.sentences += 1;
  totals.log10Prob += sum;
  return sum;
}

Result<TuneReport> tuneWeights(const std::vector<std::shared_ptr<const Model>> &models, const std::string &devPath,
                               const TokenizerOptions &tokenizerOptions, int maxIterations) {
  auto mixture = Mixture::create(models, {});
  if (!mixture.isOk()) return mixture.status();
  const std::size_t M = models.size();
  std::vector<double> p;  // tokens x models, linear
  std::vector<bool> oov;
  TuneReport report;
  Tokenizer tokenizer(tokenizerOptions);
  std::vector<std::string_view> words;
  Status st = forEachLine(devPath, [&](std::string_view line) -> Status {
    words.clear();
    LMFRONT_RETURN_IF_ERROR(tokenizer.tokenize(line, words));
    const std::size_t n = mixture->modelProbabilities(words, p, &oov);
    report.tokens += n;
    report.sentences += 1;
    for (std::size_t t = 0; t < n; ++t) report.oov += oov[t] ? 1 : 0;
    return Status::ok();
  });
  if (!st.isOk()) return st;
  if (report.tokens == 0) return Status::invalidArgument(devPath + ": no text to tune on");
  const std::size_t T = report.tokens;
  auto logLikelihood = [&](const std::vector<double> &w) {
    double ll = 0;
    for (std::size_t t = 0; t < T; ++t) {
      double mix = 0;
      for (std::size_t i = 0; i < M; ++i) mix += w[i] * p[t * M + i];
      ll += std::log10(mix);
    }
    return ll;
  };
  for (std::size_t i = 0; i < M; ++i) {
    std::vector<double> one(M, 0.0);
    one[i] = 1.0;
    report.modelPerplexity.push_back(perplexityOf(logLikelihood(one), T));
  }
  std::vector<double> w(M, 1.0 / static_cast<double>(M));
  double ll = logLikelihood(w);
  report.uniformPerplexity = perplexityOf(ll, T);
  // EM: the posterior share of each model in each token, averaged, is the next weight.
  std::vector<double> share(M);
  for (report.iterations = 0; report.iterations < maxIterations; ++report.iterations) {
    std::fill(share.begin(), share.end(), 0.0);
    for (std::size_t t = 0; t < T; ++t) {
      double mix = 0;
      for (std::size_t i = 0; i < M; ++i) mix += w[i] * p[t * M + i];
      if (!(mix > 0)) continue;
      for (std::size_t i = 0; i < M; ++i) share[i] += w[i] * p[t * M + i] / mix;
    }
    for (std::size_t i = 0; i < M; ++i) w[i] = share[i] / static_cast<double>(T);
    const double next = logLikelihood(w);
    const bool done = (next - ll) < 1e-9 * static_cast<double>(T);
    ll = next;
    if (done) {
      ++report.iterations;
      break;
    }
  }
  report.weights = w;
  report.tunedPerplexity = perplexityOf(ll, T);
  return report;
}

Result<NgramSet> staticMerge(const Mixture &mixture) {
  const auto &models = mixture.models();
  const auto &lambda = mixture.weights();
  const std::size_t M = models.size();
  NgramSet out;
  // Union vocabulary; <unk> keeps id 0.
  out.vocab = {"<unk>"};
  std::unordered_map<std::string_view, WordId> uid;
  uid.emplace("<unk>", kUnk);
  std::vector<std::vector<WordId>> toUnion(M);
  for (std::size_t i = 0; i < M; ++i) {
    const Vocabulary &v = models[i]->vocab();
    toUnion[i].resize(v.size());
    for (WordId id = 0; id < v.size(); ++id) {
      auto [it, inserted] = uid.emplace(v.word(id), static_cast<WordId>(out.vocab.size()));
      if (inserted) out.vocab.emplace_back(v.word(id));
      toUnion[i][id] = it->second;
    }
    out.order = std::max(out.order, models[i]->order());
  }
  const auto N = static_cast<std::size_t>(out.order);
  const auto V = static_cast<WordId>(out.vocab.size());
  // Union of n-grams, order by order: an entry is (index of its prefix, last word).
  std::vector<std::vector<std::uint32_t>> parent(N), word(N);
  std::vector<std::unordered_map<std::uint64_t, std::uint32_t>> index(N);
  auto key = [](std::uint32_t p, WordId w) { return (static_cast<std::uint64_t>(p) << 32) | w; };
  for (std::size_t i = 0; i < M; ++i) {
    const Model &m = *models[i];
    std::vector<std::uint32_t> prev = toUnion[i];
    for (int n = 2; n <= m.order(); ++n) {
      const auto nn = static_cast<std::size_t>(n);
      const std::uint64_t cap = m.capacity(n);
      std::vector<std::uint32_t> cur(n < m.order() ? cap : 0);
      for (std::uint64_t s = 0; s < cap; ++s) {
        const bool high = n == m.order();
        const WordId w = high ? m.high()[s].word : m.middle(n)[s].word;
        if (w == format::kEmptyWord) continue;
        const std::uint32_t p = prev[high ? m.high()[s].parent : m.middle(n)[s].parent];
        auto [it, inserted] =
            index[nn - 1].emplace(key(p, toUnion[i][w]), static_cast<std::uint32_t>(parent[nn - 1].size()));
        if (inserted) {
          parent[nn - 1].push_back(p);
          word[nn - 1].push_back(toUnion[i][w]);
        }
        if (!high) cur[s] = it->second;
      }
      prev = std::move(cur);
    }
  }
  out.orders.resize(N);
  // Words of union entry (n, e), text order.
  auto wordsOf = [&](std::size_t n, std::uint32_t e, WordId *ids) {
    for (std::size_t k = n; k >= 2; --k) {
      ids[k - 1] = word[k - 1][e];
      e = parent[k - 1][e];
    }
    ids[0] = e;
  };
  // Per-model id of a union word (kUnk when the model does not know it).
  std::vector<std::vector<WordId>> toModel(M, std::vector<WordId>(V, kUnk));
  for (std::size_t i = 0; i < M; ++i)
    for (WordId id = 0; id < toUnion[i].size(); ++id) toModel[i][toUnion[i][id]] = id;

  // Unigrams: interpolated, renormalised over everything but <s> (a word unknown to a model got
  // that model's <unk> probability, so the raw sum exceeds 1 when vocabularies differ).
  NgramSet::Order &uni = out.orders[0];
  std::vector<double> p1(V, 0.0);
  double total = 0;
  WordId bos = kUnk;
  for (WordId w = 0; w < V; ++w) {
    for (std::size_t i = 0; i < M; ++i) p1[w] += lambda[i] * linear(models[i]->unigrams()[toModel[i][w]].prob);
    if (out.vocab[w] == "<s>")
      bos = w;
    else
      total += p1[w];
  }
  for (WordId w = 0; w < V; ++w) {
    if (w != bos) p1[w] /= total;
    uni.words.push_back(w);
    uni.prob.push_back(static_cast<float>(std::log10(p1[w])));
  }
  uni.backoff.assign(V, 0.0f);
  // Higher orders: P_mix(w | h) = sum_i lambda_i P_i(w | h), context by context so each
  // model's state for h is computed once.
  std::vector<std::vector<double>> pmix(N);
  pmix[0] = p1;
  for (std::size_t n = 2; n <= N; ++n) {
    const std::size_t count = parent[n - 1].size();
    const std::size_t ctxCount = n == 2 ? V : parent[n - 2].size();
    std::vector<std::uint32_t> begin(ctxCount + 1, 0), byCtx(count);
    for (std::size_t e = 0; e < count; ++e) ++begin[parent[n - 1][e] + 1];
    std::partial_sum(begin.begin(), begin.end(), begin.begin());
    std::vector<std::uint32_t> fill(begin.begin(), begin.end() - 1);
    for (std::size_t e = 0; e < count; ++e) byCtx[fill[parent[n - 1][e]]++] = static_cast<std::uint32_t>(e);
    pmix[n - 1].assign(count, 0.0);
    WordId ctxWords[kMaxOrder];
    std::vector<State> states(M);
    for (std::size_t c = 0; c < ctxCount; ++c) {
      if (begin[c] == begin[c + 1]) continue;
      wordsOf(n - 1, static_cast<std::uint32_t>(c), ctxWords);
      for (std::size_t i = 0; i < M; ++i) {
        State s = models[i]->nullContextState(), o;
        for (std::size_t k = 0; k + 1 < n; ++k) {
          models[i]->score(s, toModel[i][ctxWords[k]], o);
          s = o;
        }
        states[i] = s;
      }
      for (std::uint32_t j = begin[c]; j < begin[c + 1]; ++j) {
        const std::uint32_t e = byCtx[j];
        double mix = 0;
        State o;
        for (std::size_t i = 0; i < M; ++i)
          mix += lambda[i] * linear(models[i]->score(states[i], toModel[i][word[n - 1][e]], o));
        pmix[n - 1][e] = mix;
      }
    }
  }
  // Backoffs: bo(h) = (1 - sum_S P_mix(w|h)) / (1 - sum_S P_merged(w|h')), S = h's continuations;
  // (h' w) is in the union too (every model is closed under suffixes).
  std::vector<std::vector<double>> num(N), den(N);
  for (std::size_t n = 2; n <= N; ++n) {
    const std::size_t ctxCount = n == 2 ? V : parent[n - 2].size();
    num[n - 2].assign(ctxCount, 0.0);
    den[n - 2].assign(ctxCount, 0.0);
    WordId ids[kMaxOrder];
    for (std::size_t e = 0; e < parent[n - 1].size(); ++e) {
      const std::uint32_t c = parent[n - 1][e];
      num[n - 2][c] += pmix[n - 1][e];
      wordsOf(n, static_cast<std::uint32_t>(e), ids);
      std::uint32_t suffix = ids[1];
      for (std::size_t k = 2; k < n; ++k) {
        auto it = index[k - 1].find(key(suffix, ids[k]));
        if (it == index[k - 1].end()) return Status::internal("merge: a model is not closed under suffixes");
        suffix = it->second;
      }
      den[n - 2][c] += pmix[n - 2][suffix];
    }
  }
  for (std::size_t n = 1; n <= N; ++n) {
    NgramSet::Order &o = out.orders[n - 1];
    if (n >= 2) {
      const std::size_t count = parent[n - 1].size();
      WordId ids[kMaxOrder];
      for (std::size_t e = 0; e < count; ++e) {
        wordsOf(n, static_cast<std::uint32_t>(e), ids);
        o.words.insert(o.words.end(), ids, ids + n);
        o.prob.push_back(static_cast<float>(std::log10(pmix[n - 1][e])));
      }
      o.backoff.assign(count, 0.0f);
    }
    if (n < N) {
      for (std::size_t c = 0; c < num[n - 1].size(); ++c) {
        if (num[n - 1][c] == 0) continue;
        const double a = std::max(1e-12, 1 - num[n - 1][c]), b = std::max(1e-12, 1 - den[n - 1][c]);
        o.backoff[c] = static_cast<float>(std::log10(a / b));
      }
    }
    out.arpaCounts.push_back(o.prob.size());
  }
  return out;
}

Status writeArpa(const NgramSet &set, const std::string &path) {
  auto writer = ArpaWriter::open(path);
  if (!writer.isOk()) return writer.status();
  ArpaWriter &w = **writer;
  LMFRONT_RETURN_IF_ERROR(w.writeHeader(set.arpaCounts));
  std::vector<std::string_view> words;
  for (int n = 1; n <= set.order; ++n) {
    const auto nn = static_cast<std::size_t>(n);
    const NgramSet::Order &o = set.orders[nn - 1];
    LMFRONT_RETURN_IF_ERROR(w.beginOrder(n));
    for (std::size_t e = 0; e < o.prob.size(); ++e) {
      words.clear();
      for (std::size_t k = 0; k < nn; ++k) words.push_back(set.vocab[o.words[e * nn + k]]);
      std::optional<float> bo;
      if (n < set.order && o.backoff[e] != 0.0f) bo = o.backoff[e];
      LMFRONT_RETURN_IF_ERROR(w.writeEntry(o.prob[e], words, bo));
    }
  }
  return w.finish();
}

}  // namespace lmfront::engine
