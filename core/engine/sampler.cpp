#include "sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace lmfront::engine {
namespace {

constexpr int kMaxRejections = 100000;  // then the draw falls back to enumeration (still exact)

double linear(float log10p) { return std::pow(10.0, static_cast<double>(log10p)); }

// Index of the first cumulative value above r (a draw from running sums), clamped to the range.
std::size_t pick(std::span<const double> cumulative, double r) {
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), r);
  if (it == cumulative.end()) --it;
  return static_cast<std::size_t>(it - cumulative.begin());
}

}  // namespace

Status validate(const SamplingOptions &o) {
  if (o.maxTokens < 0) return Status::invalidArgument("max tokens must be >= 0");
  for (const SamplingParamSpec &spec : samplingParams()) {
    SamplingKnobs scratch;
    LMFRONT_RETURN_IF_ERROR(setSamplingParam(spec, samplingParam(spec, o), scratch));
  }
  if (o.logprobs < -1 || o.logprobs > kMaxTopLogprobs)
    return Status::invalidArgument("logprobs must be from 0 to " + std::to_string(kMaxTopLogprobs));
  for (const auto &[w, bias] : o.logitBias)
    if (!std::isfinite(bias) || bias < -100 || bias > 100)
      return Status::invalidArgument("a logit bias must be in [-100, 100]");
  for (const std::string &s : o.stop)
    if (s.empty()) return Status::invalidArgument("a stop string must not be empty");
  return Status::ok();
}

Sampler::Sampler(std::shared_ptr<const Model> model, std::shared_ptr<const ContinuationIndex> index)
    : m_model(std::move(model)), m_index(std::move(index)) {}

WordId Sampler::sample(const State &state, const SamplingOptions &given, Rng &rng) {
  m_keptFresh = false;
  m_exactFresh = false;
  m_enumeratedFresh = false;
  SamplingOptions greedy;
  const SamplingOptions *o = &given;
  if (given.temperature == 0.0) {  // greedy: the most likely word, by the top-1 head
    greedy.topK = 1;
    greedy.allowUnk = given.allowUnk;
    o = &greedy;
  }
  const SamplingOptions &options = *o;
  const bool exact = options.temperature == 1.0 && options.topK == 0 && options.topP >= 1.0;
  const bool head =
      !exact && (options.topK > 0 || options.topP < 1.0) && (options.topP >= 1.0 || options.temperature == 1.0);
  for (int attempt = 0;; ++attempt) {
    WordId w = exact  ? sampleExact(state, rng)
               : head ? sampleHead(state, options, rng)
                      : sampleEnumerated(state, options, rng);
    if (w != kUnk || options.allowUnk || attempt > 1000) return w;
  }
}

// Z_k, the unnormalised total of level k: Z_0 = sum of unigrams, and
// Z_k = mass(h_k) + bo(h_k) * (Z_{k-1} - lower(h_k)): explicit continuations plus what backoff
// gives every other word. A draw at level k takes an explicit continuation with probability
// mass/Z_k, else draws at level k-1 and rejects explicit continuations of h_k: accepted words
// then have probability bo(h_k) P_{k-1}(w) / Z_k, exactly the back-off definition.
WordId Sampler::sampleExact(const State &state, Rng &rng) {
  const int L = state.length;
  double z[kMaxOrder];
  std::uint32_t ctx[kMaxOrder];
  z[0] = m_index->unigramTotal();
  for (int k = 1; k <= L; ++k) {
    ctx[k] = state.idx[static_cast<std::size_t>(k - 1)];
    const double rest = std::max(0.0, z[k - 1] - m_index->lower(k, ctx[k]));
    z[k] = m_index->mass(k, ctx[k]) + linear(state.backoff[static_cast<std::size_t>(k - 1)]) * rest;
  }
  m_exactZ = z[L];
  m_exactFresh = true;
  int rejections = 0;
  WordId w = drawLevel(L, ctx, z, rng, rejections);
  if (rejections >= kMaxRejections) {
    SamplingOptions plain;
    return sampleEnumerated(state, plain, rng);
  }
  return w;
}

WordId Sampler::drawLevel(int k, const std::uint32_t *ctx, const double *z, Rng &rng, int &rejections) {
  if (k == 0) {
    std::span<const double> cum = m_index->unigramCumulative();
    return static_cast<WordId>(pick(cum, rng.uniform() * z[0]));
  }
  const double r = rng.uniform() * z[k];
  const double mass = m_index->mass(k, ctx[k]);
  if (r < mass) {
    ContinuationIndex::Children kids = m_index->children(k, ctx[k]);
    return kids.words[pick(kids.cumulative, r)];
  }
  while (rejections < kMaxRejections) {
    WordId w = drawLevel(k - 1, ctx, z, rng, rejections);
    if (rejections >= kMaxRejections) return w;
    if (m_model->find(k + 1, ctx[k], w) < 0) return w;
    ++rejections;
  }
  return kUnk;
}

void Sampler::distribution(const State &state, std::vector<double> &out) const {
  const int L = state.length;
  const std::uint32_t V = m_model->vocab().size();
  double tail[kMaxOrder + 1];  // tail[k] = product of bo(h_i) for i > k
  tail[L] = 1.0;
  for (int k = L; k >= 1; --k) tail[k - 1] = tail[k] * linear(state.backoff[static_cast<std::size_t>(k - 1)]);
  out.resize(V);
  for (WordId w = 0; w < V; ++w) out[w] = m_index->unigram(w) * tail[0];
  for (int k = 1; k <= L; ++k) {
    ContinuationIndex::Children kids = m_index->children(k, state.idx[static_cast<std::size_t>(k - 1)]);
    for (std::size_t j = 0; j < kids.words.size(); ++j)
      out[kids.words[j]] = static_cast<double>(kids.prob[j]) * tail[k];
  }
}

// The distribution splits in two: explicit continuations E (at some context length k, with
// P = p(h_k w) * prod_{i>k} bo(h_i)) and every other word, whose P = B * P_unigram(w) with one
// shared factor B = prod bo(h_i). Tempering keeps that shape (P^(1/T) = B^(1/T) u(w)^(1/T)), and
// the second part is already sorted by the unigram order, so top-k / top-p merge E (sorted) with
// the precomputed unigram order instead of sorting the vocabulary: O(|E| log |E| + kept) a token.
// Top-k (any T) and top-p at T = 1 need only the head of the distribution: merge the sorted
// streams (each context's continuations are stored by descending probability; the rest follows
// the unigram order), skipping a word where a longer context lists it. O(kept x order) a draw.
WordId Sampler::sampleHead(const State &state, const SamplingOptions &options, Rng &rng) {
  double target = HUGE_VAL;
  if (options.topP < 1.0) target = options.topP * totalMass(state, options.allowUnk);  // T == 1 here
  collectHead(state, options, options.topK > 0 ? static_cast<std::size_t>(options.topK) : SIZE_MAX, target);
  return pickKept(rng);
}

// The total of P(w | state) over the words a draw may return (all but <s>, and <unk> unless
// allowed): Z_L of sampleExact.
double Sampler::totalMass(const State &state, bool allowUnk) const {
  const int L = state.length;
  double z = m_index->unigramTotal();
  for (int k = 1; k <= L; ++k) {
    const std::uint32_t c = state.idx[static_cast<std::size_t>(k - 1)];
    z = m_index->mass(k, c) +
        linear(state.backoff[static_cast<std::size_t>(k - 1)]) * std::max(0.0, z - m_index->lower(k, c));
  }
  return totalMass(z, state, allowUnk);
}

double Sampler::totalMass(double z, const State &state, bool allowUnk) const {
  State o;
  if (!allowUnk && !m_model->unkSynthesized()) z -= linear(m_model->score(state, kUnk, o));
  return z;
}

// Fills m_kept with the most likely words, most likely first, tempered, until `limit` words or
// an untempered running mass of `target`.
void Sampler::collectHead(const State &state, const SamplingOptions &options, std::size_t limit, double target) {
  const int L = state.length;
  const double invT = 1.0 / options.temperature;
  auto temper = [&](double p) { return invT == 1.0 ? p : std::pow(p, invT); };
  double tail[kMaxOrder + 1];
  tail[L] = 1.0;
  for (int k = L; k >= 1; --k) tail[k - 1] = tail[k] * linear(state.backoff[static_cast<std::size_t>(k - 1)]);
  ContinuationIndex::Children kids[kMaxOrder];
  std::size_t pos[kMaxOrder + 1] = {};
  for (int k = 1; k <= L; ++k) kids[k] = m_index->children(k, state.idx[static_cast<std::size_t>(k - 1)]);
  std::span<const WordId> byUni = m_index->byUnigram();
  // True when a context longer than `level` lists w (then that level's entry is w's probability).
  // A short continuation list is scanned where it already sits in cache; a long one is probed in
  // the model's hash table (both answer whether "h_k w" is an n-gram: the lists hold all but <s>).
  auto shadowed = [&](WordId w, int level) {
    constexpr std::size_t kScanAtMost = 32;
    for (int k = level + 1; k <= L; ++k) {
      const std::span<const WordId> listed = kids[k].words;
      if (listed.size() <= kScanAtMost ? std::find(listed.begin(), listed.end(), w) != listed.end()
                                       : m_model->find(k + 1, state.idx[static_cast<std::size_t>(k - 1)], w) >= 0)
        return true;
    }
    return false;
  };
  m_kept.clear();
  double run = 0;
  while (m_kept.size() < limit && run < target) {
    int best = -1;
    double bestQ = -1;
    for (int k = 1; k <= L; ++k) {
      const std::size_t i = pos[k];
      if (i < kids[k].words.size()) {
        const double q = static_cast<double>(kids[k].prob[i]) * tail[k];
        if (q > bestQ) bestQ = q, best = k;
      }
    }
    if (pos[0] < byUni.size()) {
      const double q = m_index->unigram(byUni[pos[0]]) * tail[0];
      if (q > bestQ) bestQ = q, best = 0;
    }
    if (best < 0 || bestQ <= 0) break;
    const WordId w = best == 0 ? byUni[pos[0]] : kids[best].words[pos[best]];
    ++pos[best];
    if ((w == kUnk && !options.allowUnk) || shadowed(w, best)) continue;
    const double q = temper(bestQ);
    m_kept.push_back({w, q});
    run += invT == 1.0 ? q : bestQ;  // top-p counts untempered mass only when T == 1 (enforced)
  }
}

// A draw from m_kept (weights q); remembers its total for describe().
WordId Sampler::pickKept(Rng &rng) {
  m_keptTotal = 0;
  for (const Candidate &c : m_kept) m_keptTotal += c.q;
  m_keptFresh = !m_kept.empty();
  if (m_kept.empty()) return m_model->eos();
  double r = rng.uniform() * m_keptTotal;
  for (const Candidate &c : m_kept)
    if ((r -= c.q) < 0) return c.w;
  return m_kept.back().w;
}

WordId Sampler::sampleEnumerated(const State &state, const SamplingOptions &options, Rng &rng) {
  prepareEnumerated(state, options);
  if (options.topK == 0 && options.topP >= 1.0) {
    double r = rng.uniform() * (m_zE + m_zR);
    if (r < m_zE) {
      for (const Candidate &c : m_explicit)
        if ((r -= c.q) < 0) return c.w;
      return m_explicit.back().w;
    }
    // The rest: unigram^(1/T) restricted to unclaimed words, by rejection.
    for (int tries = 0; tries < kMaxRejections; ++tries) {
      const auto w = static_cast<WordId>(pick(m_powCum, rng.uniform() * m_powCum.back()));
      if (m_stamp[w] != m_stampNow && m_pow[w] > 0) return w;
    }
    return m_model->eos();
  }
  const std::size_t limit = options.topK > 0 ? static_cast<std::size_t>(options.topK) : SIZE_MAX;
  mergeEnumerated(limit, options.topP < 1.0 ? options.topP * (m_zE + m_zR) : HUGE_VAL);
  return pickKept(rng);
}

// The tempered distribution in two parts: m_explicit (explicit continuations, stamped) with total
// m_zE, and every other word w at m_bT * m_pow[w], total m_zR.
void Sampler::prepareEnumerated(const State &state, const SamplingOptions &options) {
  const int L = state.length;
  const std::uint32_t V = m_model->vocab().size();
  const double invT = 1.0 / options.temperature;
  auto temper = [&](double p) { return invT == 1.0 ? p : std::pow(p, invT); };
  if (m_powInvT != invT || m_pow.size() != V) {
    m_powInvT = invT;
    m_pow.resize(V);
    m_powCum.resize(V);
    double run = 0;
    for (WordId w = 0; w < V; ++w) {
      m_pow[w] = m_index->unigram(w) > 0 ? temper(m_index->unigram(w)) : 0.0;
      m_powCum[w] = (run += m_pow[w]);
    }
  }
  if (m_stamp.size() != V || ++m_stampNow == 0) {
    m_stamp.assign(V, 0);
    m_stampNow = 1;
  }
  double tail[kMaxOrder + 1];
  tail[L] = 1.0;
  for (int k = L; k >= 1; --k) tail[k - 1] = tail[k] * linear(state.backoff[static_cast<std::size_t>(k - 1)]);
  m_explicit.clear();
  double uE = 0;
  auto claim = [&](WordId w) {
    m_stamp[w] = m_stampNow;
    uE += m_pow[w];
  };
  if (!options.allowUnk) claim(kUnk);
  for (int k = L; k >= 1; --k) {
    ContinuationIndex::Children kids = m_index->children(k, state.idx[static_cast<std::size_t>(k - 1)]);
    for (std::size_t j = 0; j < kids.words.size(); ++j) {
      const WordId w = kids.words[j];
      if (m_stamp[w] == m_stampNow) continue;
      claim(w);
      const double q = static_cast<double>(kids.prob[j]) * tail[k];
      m_explicit.push_back({w, q});
    }
  }
  if (invT != 1.0)
    for (Candidate &c : m_explicit) c.q = std::exp(std::log(c.q) * invT);
  m_zE = 0;
  for (const Candidate &c : m_explicit) m_zE += c.q;
  m_bT = temper(tail[0]);
  m_zR = m_bT * std::max(0.0, m_powCum.back() - uE);
  m_enumeratedFresh = true;
  m_enumeratedAllowUnk = options.allowUnk;
}

// m_kept = the most likely words of prepareEnumerated's distribution, most likely first, until
// `limit` words or a running mass of `target`.
void Sampler::mergeEnumerated(std::size_t limit, double target) {
  auto higher = [](const Candidate &a, const Candidate &b) { return a.q > b.q || (a.q == b.q && a.w < b.w); };
  // E is sorted lazily, a chunk at a time (nth_element + sort), because the merge below usually
  // stops after a few dozen candidates while E can hold thousands (the continuations of <s>).
  std::size_t sortedEnd = 0;
  auto ensureSorted = [&](std::size_t i) {
    if (i < sortedEnd) return;
    const std::size_t end = std::min(m_explicit.size(), sortedEnd + std::max<std::size_t>(64, sortedEnd));
    auto first = m_explicit.begin() + static_cast<std::ptrdiff_t>(sortedEnd);
    auto last = m_explicit.begin() + static_cast<std::ptrdiff_t>(end);
    std::nth_element(first, last - 1, m_explicit.end(), higher);
    std::sort(first, last, higher);
    sortedEnd = end;
  };
  std::span<const WordId> byUni = m_index->byUnigram();
  m_kept.clear();
  double run = 0;
  std::size_t i = 0, j = 0;
  while (m_kept.size() < limit && run < target) {
    while (j < byUni.size() && (m_stamp[byUni[j]] == m_stampNow || m_pow[byUni[j]] <= 0)) ++j;
    const bool haveE = i < m_explicit.size(), haveR = j < byUni.size() && m_zR > 0;
    if (haveE) ensureSorted(i);
    if (!haveE && !haveR) break;
    Candidate c;
    if (haveE && (!haveR || m_explicit[i].q >= m_bT * m_pow[byUni[j]])) {
      c = m_explicit[i++];
    } else {
      c = {byUni[j], m_bT * m_pow[byUni[j]]};
      ++j;
    }
    m_kept.push_back(c);
    run += c.q;
  }
}

void Sampler::fillAlternatives(int top, std::string_view previous, GeneratedToken &out) const {
  out.top.clear();
  const std::size_t n = std::min(m_kept.size(), static_cast<std::size_t>(std::max(0, top)));
  out.top.reserve(n);
  const double logTotal = std::log(m_keptTotal);
  for (std::size_t i = 0; i < n; ++i) {
    const Candidate &c = m_kept[i];
    out.top.push_back({c.w, detokenizePiece(previous, m_model->vocab().word(c.w)), std::log(c.q) - logTotal});
  }
}

void Sampler::describe(const State &state, const SamplingOptions &options, WordId chosen, int top,
                       std::string_view previous, GeneratedToken &out) {
  m_keptFresh = m_exactFresh = m_enumeratedFresh = false;  // built for another state, if any
  State next;
  describeScored(state, options, chosen, m_model->score(state, chosen, next), top, previous, out);
}

void Sampler::describeScored(const State &state, const SamplingOptions &given, WordId chosen, float chosenLog10,
                             int top, std::string_view previous, GeneratedToken &out) {
  SamplingOptions plain;
  const SamplingOptions *o = &given;
  if (given.temperature == 0.0) {  // greedy reports the distribution it took the maximum of
    plain.topK = given.topK;
    plain.topP = given.topP;
    plain.allowUnk = given.allowUnk;
    o = &plain;
    m_keptFresh = false;
  }
  const SamplingOptions &options = *o;
  const bool exact = options.temperature == 1.0 && options.topK == 0 && options.topP >= 1.0;
  if (!m_keptFresh || exact) {
    const bool head =
        !exact && (options.topK > 0 || options.topP < 1.0) && (options.topP >= 1.0 || options.temperature == 1.0);
    const std::size_t limit = options.topK > 0 ? static_cast<std::size_t>(options.topK) : SIZE_MAX;
    if (exact) {
      // The whole distribution's total is known without enumerating it: only the head is listed.
      collectHead(state, options, static_cast<std::size_t>(std::max(0, top)), HUGE_VAL);
      m_keptTotal = m_exactFresh ? totalMass(m_exactZ, state, options.allowUnk) : totalMass(state, options.allowUnk);
      out.logprob = std::log(linear(chosenLog10)) - std::log(m_keptTotal);
      fillAlternatives(top, previous, out);
      return;
    }
    if (head) {
      collectHead(state, options, limit,
                  options.topP < 1.0 ? options.topP * totalMass(state, options.allowUnk) : HUGE_VAL);
    } else {
      // The draw's enumeration holds for describing it (the merge below only reorders it).
      if (!m_enumeratedFresh || m_powInvT != 1.0 / options.temperature || m_enumeratedAllowUnk != options.allowUnk)
        prepareEnumerated(state, options);
      const bool cut = options.topK > 0 || options.topP < 1.0;
      mergeEnumerated(cut ? limit : static_cast<std::size_t>(std::max(0, top)),
                      options.topP < 1.0 ? options.topP * (m_zE + m_zR) : HUGE_VAL);
      if (!cut) {  // the kept list is only the head: the total and the chosen word's weight are known apart
        m_keptTotal = m_zE + m_zR;
        double q = m_bT * m_pow[chosen];
        if (m_stamp[chosen] == m_stampNow)
          for (const Candidate &c : m_explicit)
            if (c.w == chosen) q = c.q;
        out.logprob = std::log(q) - std::log(m_keptTotal);
        fillAlternatives(top, previous, out);
        return;
      }
    }
    m_keptTotal = 0;
    for (const Candidate &c : m_kept) m_keptTotal += c.q;
  }
  describeKept(chosen, top, previous, out);
}

void Sampler::describeKept(WordId chosen, int top, std::string_view previous, GeneratedToken &out) const {
  out.logprob = -HUGE_VAL;
  for (const Candidate &c : m_kept)
    if (c.w == chosen) out.logprob = std::log(c.q) - std::log(m_keptTotal);
  fillAlternatives(top, previous, out);
}

Result<GenerationResult> Sampler::generate(std::string_view prompt, const SamplingOptions &options,
                                           const TokenizerOptions &tokenizerOptions,
                                           const std::function<bool(const GeneratedToken &)> &onToken) {
  LMFRONT_RETURN_IF_ERROR(validate(options));
  Tokenizer tokenizer(tokenizerOptions);
  std::vector<std::string_view> words;
  LMFRONT_RETURN_IF_ERROR(tokenizer.tokenize(prompt, words).withContext("prompt"));
  const Model &m = *m_model;
  const bool penalised = options.penalises();
  if (penalised) resetHistory();
  GenerationResult result;
  State state = m.beginSentenceState(), next;
  std::string previous;
  for (std::string_view text : words) {
    const WordId w = m.vocab().index(text);
    if (options.promptLogprobs) {
      GeneratedToken t;
      t.word = w;
      t.text = detokenizePiece(previous, text);
      if (options.logprobs > 0) {
        SamplingOptions plain;
        plain.allowUnk = true;
        describe(state, plain, w, options.logprobs, previous, t);
      }
      t.log10Prob = m.score(state, w, next);
      t.logprob = static_cast<double>(t.log10Prob) * std::numbers::ln10;  // exactly the model's, as /v1/score
      result.prompt.push_back(std::move(t));
    } else {
      m.score(state, w, next);
    }
    state = next;
    previous = std::string(text);
    if (penalised) noteWord(w, false);
  }
  result.promptTokens = words.size();
  Rng rng(options.seed);
  result.finishReason = "length";
  // Text that may be the start of a stop string is held back (whole tokens) until the tokens
  // after it decide, so a stop string split across tokens never reaches onToken.
  std::vector<GeneratedToken> held;
  std::string heldText;
  bool stopped = false;
  auto emit = [&](GeneratedToken &t) {
    result.text.append(t.text);
    if (onToken && !stopped && !onToken(t)) stopped = true;
  };
  for (int i = 0; i < options.maxTokens && !stopped; ++i) {
    bool reshaped = options.reshapes(i);
    WordId w = m.eos();
    if (reshaped && options.logprobs < 0 && !options.reshapes(options.minTokens)) {
      // Only min_tokens bans </s> here: rejecting it is the same conditional distribution, and
      // far cheaper than enumerating it unless </s> is nearly certain.
      for (int tries = 0; tries < 16 && w == m.eos(); ++tries) w = sample(state, options, rng);
      reshaped = w == m.eos();
    }
    if (reshaped)
      w = sampleReshaped(state, options, i, rng);
    else if (w == m.eos())
      w = sample(state, options, rng);
    if (w == m.eos()) {
      result.finishReason = "stop";
      break;
    }
    GeneratedToken token;
    token.word = w;
    const std::string_view text = m.vocab().word(w);
    token.text = detokenizePiece(previous, text);
    token.log10Prob = m.score(state, w, next);
    if (options.logprobs >= 0) {
      if (reshaped)
        describeKept(w, options.logprobs, previous, token);
      else
        describeScored(state, options, w, token.log10Prob, options.logprobs, previous, token);
    }
    state = next;
    previous = std::string(text);
    if (penalised) noteWord(w, true);
    result.words.push_back(w);
    if (options.stop.empty()) {
      emit(token);
      continue;
    }
    heldText += token.text;
    held.push_back(std::move(token));
    std::size_t cut = std::string::npos;
    for (const std::string &stop : options.stop) cut = std::min(cut, heldText.find(stop));
    if (cut != std::string::npos) {
      std::size_t pos = 0;
      for (GeneratedToken &t : held) {
        if (pos >= cut) break;
        const std::size_t size = t.text.size();
        if (pos + size > cut) t.text.resize(cut - pos);
        emit(t);
        pos += size;
      }
      held.clear();
      result.finishReason = "stop";
      stopped = true;
      break;
    }
    std::size_t keep = 0;  // the longest end of heldText that begins a stop string
    for (const std::string &stop : options.stop)
      for (std::size_t len = std::min(stop.size() - 1, heldText.size()); len > keep; --len)
        if (heldText.compare(heldText.size() - len, len, stop, 0, len) == 0) {
          keep = len;
          break;
        }
    std::size_t pos = 0, n = 0;
    while (n < held.size() && pos + held[n].text.size() <= heldText.size() - keep) pos += held[n++].text.size();
    for (std::size_t k = 0; k < n; ++k) emit(held[k]);
    held.erase(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(n));
    heldText.erase(0, pos);
  }
  if (stopped) result.finishReason = "stop";
  for (GeneratedToken &t : held) emit(t);
  return result;
}

}  // namespace lmfront::engine
