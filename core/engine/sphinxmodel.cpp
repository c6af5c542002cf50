#include "engine/sphinxmodel.h"

#include "engine/arpawriter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lmfront::engine {

UnknownWordReport addUnknownWord(SphinxModel &model) {
  UnknownWordReport report;
  const std::size_t vocab = model.words.size();
  std::vector<float> &unigrams = model.log10Probs[0];
  // Sphinx models spell it <unk> or <UNK>; one with ARPA's -99 ("never") is only a placeholder.
  std::size_t existing = vocab;
  for (std::size_t i = 0; i < vocab; ++i)
    if (model.words[i] == "<unk>" || (model.words[i] == "<UNK>" && existing == vocab)) existing = i;
  if (existing < vocab && unigrams[existing] > -98.0f) {
    if (model.words[existing] != "<unk>") {
      model.words[existing] = "<unk>";
      report.rule = "renamed the model's <UNK> to <unk> (its probability kept)";
    }
    return report;
  }
  // The rule (docs/models.md; the compiler's own for an ARPA without <unk>): <unk> is as likely as
  // the least likely word of the model. <s> is never predicted and -99 means "never": neither counts.
  float lowest = 0;
  bool found = false;
  for (std::size_t i = 0; i < vocab; ++i) {
    if (i == existing || model.words[i] == "<s>" || unigrams[i] <= -98.0f) continue;
    if (!found || unigrams[i] < lowest) lowest = unigrams[i];
    found = true;
  }
  if (!found) lowest = -7.0f;  // a model of nothing but markers: a fixed, documented penalty
  const double z = model.unigramMass;
  const double oldUnk = existing < vocab ? std::pow(10.0, static_cast<double>(unigrams[existing])) : 0.0;
  const double u = std::pow(10.0, static_cast<double>(lowest));
  // Every other unigram is scaled by c so the unigram total stays z: c * (z - oldUnk) + u = z.
  const double c = z - oldUnk > u ? (z - u) / (z - oldUnk) : 1.0;
  report.added = true;
  report.log10Prob = lowest;
  report.scaleLog10 = std::log10(c);

  if (model.order > 1) {
    // Context h backs off to the unigrams for the words it has no 2-gram for. Of that mass, the
    // other words' part ("others") is scaled by c and <unk> brings u unless h -> <unk> is
    // explicit; the new backoff keeps P(.|h)'s total: bo' = bo * before / after. Longer contexts
    // need nothing: every n-gram's suffix is itself in the trie, so their explicit parts are
    // unchanged and what they back off to keeps its total.
    std::vector<double> seen(vocab, 0.0);
    std::vector<char> unkFollows(vocab, 0);
    const std::vector<std::uint32_t> &ids = model.ids[1];
    for (std::size_t i = 0; i + 1 < ids.size(); i += 2) {
      if (ids[i + 1] == existing)
        unkFollows[ids[i]] = 1;
      else
        seen[ids[i]] += std::pow(10.0, static_cast<double>(unigrams[ids[i + 1]]));
    }
    std::vector<float> &backoffs = model.log10Backoffs[0];
    for (std::size_t h = 0; h < vocab; ++h) {
      double others = z - oldUnk - seen[h];
      if (others < z * 1e-12) others = 0;  // rounding noise, not mass
      const double before = others + (unkFollows[h] ? 0.0 : oldUnk);
      const double after = c * others + (unkFollows[h] ? 0.0 : u);
      // Nothing backed off from h before: no total to keep (P(<unk>|h) becomes bo(h) * u).
      if (before <= 0 || after <= 0) continue;
      const double change = std::log10(before / after);
      backoffs[h] = static_cast<float>(static_cast<double>(backoffs[h]) + change);
      report.maxBackoffChange = std::max(report.maxBackoffChange, std::fabs(change));
    }
  }
  for (std::size_t i = 0; i < vocab; ++i)
    if (i != existing) unigrams[i] = static_cast<float>(static_cast<double>(unigrams[i]) + report.scaleLog10);
  std::string what = "added <unk>";
  if (existing < vocab) {
    what = "replaced the model's " + model.words[existing] + " (a -99 placeholder) by <unk>";
    model.words[existing] = "<unk>";
    unigrams[existing] = lowest;
  } else {
    model.words.emplace_back("<unk>");
    model.ids[0].push_back(static_cast<std::uint32_t>(vocab));
    unigrams.push_back(lowest);
    if (model.order > 1) model.log10Backoffs[0].push_back(0.0f);
    model.counts[0] += 1;
  }
  model.unigramMass = c * (z - oldUnk) + u;
  char rule[320];
  std::snprintf(rule, sizeof rule,
                "%s with log10 probability %.4f (the lowest unigram probability); other unigrams scaled by "
                "%.3g in log10, unigram backoffs changed by at most %.3g so every context still sums as before",
                what.c_str(), static_cast<double>(lowest), report.scaleLog10, report.maxBackoffChange);
  report.rule = rule;
  return report;
}

Status writeSphinxModelAsArpa(const SphinxModel &model, const std::string &path) {
  auto writer = ArpaWriter::open(path);
  if (!writer) return writer.status();
  ArpaWriter &out = **writer;
  LMFRONT_RETURN_IF_ERROR(out.writeHeader(model.counts));
  std::vector<std::string_view> words;
  for (int n = 1; n <= model.order; ++n) {
    LMFRONT_RETURN_IF_ERROR(out.beginOrder(n));
    const std::vector<std::uint32_t> &ids = model.ids[n - 1];
    const std::vector<float> &probs = model.log10Probs[n - 1];
    const std::vector<float> &backoffs = model.log10Backoffs[n - 1];
    for (std::size_t i = 0; i < probs.size(); ++i) {
      words.clear();
      for (int k = 0; k < n; ++k) words.push_back(model.words[ids[i * n + k]]);
      std::optional<float> backoff;
      if (!backoffs.empty()) backoff = backoffs[i];
      LMFRONT_RETURN_IF_ERROR(out.writeEntry(probs[i], words, backoff));
    }
  }
  return out.finish();
}

Result<NgramSet> toNgramSet(SphinxModel &&model) {
  const std::size_t vocab = model.words.size();
  const auto unk = std::find(model.words.begin(), model.words.end(), "<unk>");
  if (unk == model.words.end())
    return Status::invalidArgument("a compiled model needs <unk>: add it (import without --keep-no-unk)");
  const auto unkId = static_cast<std::size_t>(unk - model.words.begin());
  std::vector<WordId> remap(vocab);
  NgramSet set;
  set.order = model.order;
  set.arpaCounts = model.counts;
  set.unkSynthesized = false;  // the import's <unk> is part of the model it exports (docs/models.md)
  set.vocab.reserve(vocab);
  set.vocab.emplace_back("<unk>");
  for (std::size_t i = 0; i < vocab; ++i) {
    if (i == unkId) {
      remap[i] = 0;
      continue;
    }
    remap[i] = static_cast<WordId>(set.vocab.size());
    set.vocab.push_back(std::move(model.words[i]));
  }
  set.orders.resize(model.order);
  NgramSet::Order &uni = set.orders[0];
  uni.words.resize(vocab);
  uni.prob.resize(vocab);
  uni.backoff.assign(vocab, 0.0f);
  for (std::size_t i = 0; i < vocab; ++i) {
    const WordId id = remap[model.ids[0][i]];
    uni.words[id] = id;
    uni.prob[id] = model.log10Probs[0][i];
    if (!model.log10Backoffs[0].empty()) uni.backoff[id] = model.log10Backoffs[0][i];
  }
  for (int n = 2; n <= model.order; ++n) {
    NgramSet::Order &o = set.orders[n - 1];
    o.words.resize(model.ids[n - 1].size());
    for (std::size_t i = 0; i < o.words.size(); ++i) o.words[i] = remap[model.ids[n - 1][i]];
    o.prob = std::move(model.log10Probs[n - 1]);
    if (model.log10Backoffs[n - 1].empty())
      o.backoff.assign(o.prob.size(), 0.0f);
    else
      o.backoff = std::move(model.log10Backoffs[n - 1]);
  }
  return set;
}

}  // namespace lmfront::engine
