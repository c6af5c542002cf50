#include "sampler.h"

#include <algorithm>
#include <cmath>

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
  if (!(o.temperature > 0) || !std::isfinite(o.temperature))
    return Status::invalidArgument("temperature must be a number > 0");
  if (o.topK < 0) return Status::invalidArgument("top-k must be >= 0");
  if (!(o.topP > 0 && o.topP <= 1)) return Status::invalidArgument("top-p must be in (0, 1]");
  for (const std::string &s : o.stop)
    if (s.empty()) return Status::invalidArgument("a stop string must not be empty");
  return Status::ok();
}

Sampler::Sampler(std::shared_ptr<const Model> model, std::shared_ptr<const ContinuationIndex> index)
    : m_model(std::move(model)), m_index(std::move(index)) {}

WordId Sampler::sample(const State &state, const SamplingOptions &options, Rng &rng) {
  const bool exact = options.temperature == 1.0 && options.topK == 0 && options.topP >= 1.0;
  for (int attempt = 0;; ++attempt) {
    WordId w = exact ? sampleExact(state, rng) : sampleEnumerated(state, options, rng);
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

WordId Sampler::sampleEnumerated(const State &state, const SamplingOptions &options, Rng &rng) {
  distribution(state, m_dist);
  if (!options.allowUnk) m_dist[kUnk] = 0;  // so top-k / top-p rank real words only
  const double invT = 1.0 / options.temperature;
  m_order.clear();
  for (WordId w = 0; w < m_dist.size(); ++w) {
    if (m_dist[w] <= 0) continue;
    if (invT != 1.0) m_dist[w] = std::exp(std::log(m_dist[w]) * invT);
    m_order.push_back(w);
  }
  if (m_order.empty()) return m_model->eos();
  auto higher = [&](WordId a, WordId b) { return m_dist[a] > m_dist[b] || (m_dist[a] == m_dist[b] && a < b); };
  std::size_t keep = m_order.size();
  if (options.topK > 0) keep = std::min(keep, static_cast<std::size_t>(options.topK));
  if (options.topP < 1.0) {
    double total = 0;
    for (WordId w : m_order) total += m_dist[w];
    // Grow a sorted head until it holds topP of the mass (the nucleus is usually small).
    std::size_t head = std::min<std::size_t>(keep, 64);
    for (;;) {
      std::partial_sort(m_order.begin(), m_order.begin() + static_cast<std::ptrdiff_t>(head), m_order.end(), higher);
      double run = 0;
      std::size_t cut = head;
      for (std::size_t i = 0; i < head; ++i) {
        run += m_dist[m_order[i]];
        if (run >= options.topP * total) {
          cut = i + 1;
          break;
        }
      }
      if (cut < head || head == keep) {
        keep = std::min(keep, cut);
        break;
      }
      head = std::min(keep, head * 4);
    }
  } else if (keep < m_order.size()) {
    std::partial_sort(m_order.begin(), m_order.begin() + static_cast<std::ptrdiff_t>(keep), m_order.end(), higher);
  }
  double total = 0;
  for (std::size_t i = 0; i < keep; ++i) total += m_dist[m_order[i]];
  double r = rng.uniform() * total;
  for (std::size_t i = 0; i < keep; ++i) {
    r -= m_dist[m_order[i]];
    if (r < 0) return m_order[i];
  }
  return m_order[keep - 1];
}

Result<GenerationResult> Sampler::generate(std::string_view prompt, const SamplingOptions &options,
                                           const TokenizerOptions &tokenizerOptions,
                                           const std::function<bool(const GeneratedToken &)> &onToken) {
  LMFRONT_RETURN_IF_ERROR(validate(options));
  Tokenizer tokenizer(tokenizerOptions);
  std::vector<std::string_view> words;
  LMFRONT_RETURN_IF_ERROR(tokenizer.tokenize(prompt, words).withContext("prompt"));
  const Model &m = *m_model;
  State state = m.beginSentenceState(), next;
  for (std::string_view w : words) {
    m.score(state, m.vocab().index(w), next);
    state = next;
  }
  GenerationResult result;
  result.promptTokens = words.size();
  std::string previous = words.empty() ? std::string() : std::string(words.back());
  Rng rng(options.seed);
  result.finishReason = "length";
  for (int i = 0; i < options.maxTokens; ++i) {
    const WordId w = sample(state, options, rng);
    if (w == m.eos()) {
      result.finishReason = "stop";
      break;
    }
    GeneratedToken token;
    token.word = w;
    token.log10Prob = m.score(state, w, next);
    state = next;
    const std::string_view text = m.vocab().word(w);
    token.text = detokenizePiece(previous, text);
    previous = std::string(text);
    // Stop strings: search the joined text near its end; cut the piece before the match.
    bool stopped = false;
    const std::size_t before = result.text.size();
    std::string joined = result.text + token.text;
    for (const std::string &stop : options.stop) {
      const std::size_t from = before >= stop.size() ? before - stop.size() + 1 : 0;
      const std::size_t at = joined.find(stop, from);
      if (at != std::string::npos) {
        joined.resize(std::min(joined.size(), at));
        stopped = true;
      }
    }
    token.text = joined.size() > before ? joined.substr(before) : std::string();
    result.text.append(token.text);
    result.words.push_back(w);
    if (onToken && (!token.text.empty() || !stopped) && !onToken(token)) stopped = true;
    if (stopped) {
      result.finishReason = "stop";
      break;
    }
  }
  return result;
}

}  // namespace lmfront::engine
