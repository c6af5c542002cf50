// Sampler's reshaping path: penalties, logit bias, min_p, min_tokens and ignore_eos change the
// probability of single words, which the fast paths' shape (explicit continuations plus one
// shared backoff factor) cannot express, so the distribution is enumerated word by word.
#include "sampler.h"

#include <algorithm>
#include <cmath>

namespace lmfront::engine {

void Sampler::resetHistory() {
  const std::uint32_t V = m_model->vocab().size();
  if (m_counts.size() != V) {
    m_counts.assign(V, 0);
    m_seen.assign(V, 0);
    m_seenList.clear();
  }
  for (WordId w : m_seenList) {
    m_counts[w] = 0;
    m_seen[w] = 0;
  }
  m_seenList.clear();
}

void Sampler::noteWord(WordId w, bool inCompletion) {
  if (w >= m_seen.size()) return;
  if (!m_seen[w]) {
    m_seen[w] = 1;
    m_seenList.push_back(w);
  }
  if (inCompletion) ++m_counts[w];
}

WordId Sampler::sampleReshaped(const State &state, const SamplingOptions &options, int generated, Rng &rng) {
  m_keptFresh = false;
  distribution(state, m_dist);
  m_dist[m_model->bos()] = 0;
  if (!options.allowUnk) m_dist[kUnk] = 0;
  if (options.ignoreEos || generated < options.minTokens) m_dist[m_model->eos()] = 0;
  // On log-probabilities, as OpenAI's and vLLM's on logits: repetition first (log p * r, p > 0 so
  // log p < 0 and r > 1 lowers it), then the frequency and presence penalties, then the bias.
  for (WordId w : m_seenList) {
    double &p = m_dist[w];
    if (p <= 0) continue;
    if (options.repetitionPenalty != 1.0) p = std::pow(p, options.repetitionPenalty);
    if (m_counts[w] > 0) p *= std::exp(-(m_counts[w] * options.frequencyPenalty + options.presencePenalty));
  }
  for (const auto &[w, bias] : options.logitBias)
    if (w < m_dist.size()) m_dist[w] *= std::exp(bias);
  const bool greedy = options.temperature == 0.0;
  const double invT = greedy ? 1.0 : 1.0 / options.temperature;
  m_kept.clear();
  double best = 0;
  for (WordId w = 0; w < m_dist.size(); ++w) {
    if (!(m_dist[w] > 0)) continue;
    const double q = invT == 1.0 ? m_dist[w] : std::pow(m_dist[w], invT);
    if (q > 0) m_kept.push_back({w, q});
    best = std::max(best, q);
  }
  if (m_kept.empty()) return m_model->eos();  // everything was banned
  auto higher = [](const Candidate &a, const Candidate &b) { return a.q > b.q || (a.q == b.q && a.w < b.w); };
  if (options.minP > 0) {
    const double floor = options.minP * best;
    std::erase_if(m_kept, [floor](const Candidate &c) { return c.q < floor; });
  }
  if (options.topK > 0 && static_cast<std::size_t>(options.topK) < m_kept.size()) {
    auto kth = m_kept.begin() + options.topK;
    std::nth_element(m_kept.begin(), kth - 1, m_kept.end(), higher);
    m_kept.erase(kth, m_kept.end());
  }
  std::sort(m_kept.begin(), m_kept.end(), higher);
  if (options.topP < 1.0) {
    double total = 0, run = 0;
    for (const Candidate &c : m_kept) total += c.q;
    std::size_t keep = 0;
    while (keep < m_kept.size() && run < options.topP * total) run += m_kept[keep++].q;
    m_kept.resize(std::max<std::size_t>(1, keep));
  }
  if (greedy) {
    // The kept list (temperature 1) describes the draw; the draw is its most likely word.
    m_keptTotal = 0;
    for (const Candidate &c : m_kept) m_keptTotal += c.q;
    m_keptFresh = true;
    return m_kept.front().w;
  }
  return pickKept(rng);
}

}  // namespace lmfront::engine
