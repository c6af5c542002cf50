#include "registry/arpavalidator.h"

#include "engine/arpareader.h"
#include "engine/continuationindex.h"
#include "engine/model.h"
#include "engine/modelbuilder.h"
#include "engine/scorer.h"

#include <QStringList>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace lmfront::registry {

namespace {

using engine::Model;
using engine::WordId;

QString num(double x) { return QString::number(x, 'g', 6); }

QString countsText(const std::vector<std::uint64_t> &counts) {
  QStringList parts;
  for (std::size_t n = 0; n < counts.size(); ++n) parts << QStringLiteral("%1-grams %2").arg(n + 1).arg(counts[n]);
  return parts.join(u", ");
}

// Reads only the \data\ header: the size limit is checked before the model is built in memory.
class HeaderReader : public engine::ArpaVisitor {
public:
  Status onHeader(const std::vector<std::uint64_t> &counts) override {
    m_counts = counts;
    return Status::cancelled("header read");
  }
  Status onEntry(float, std::span<const std::string_view>, std::optional<float>) override { return Status::ok(); }
  const std::vector<std::uint64_t> &counts() const { return m_counts; }

private:
  std::vector<std::uint64_t> m_counts;
};

// A context of order k: a word id (k = 1) or a slot of the order-k table.
struct Context {
  int k = 0;  // 0: the unigram distribution itself
  std::uint32_t id = 0;
};

std::vector<WordId> contextWords(const Model &m, Context c) {
  std::vector<WordId> ids(static_cast<std::size_t>(c.k));
  std::uint32_t slot = c.id;
  for (int n = c.k; n >= 2; --n) {
    ids[static_cast<std::size_t>(n - 1)] = m.middle(n)[slot].word;
    slot = m.middle(n)[slot].parent;
  }
  if (c.k >= 1) ids[0] = slot;
  return ids;
}

QString contextText(const Model &m, Context c) {
  QStringList words;
  for (WordId id : contextWords(m, c)) {
    const std::string_view w = m.vocab().word(id);
    words << QString::fromUtf8(w.data(), static_cast<qsizetype>(w.size()));
  }
  return words.join(QLatin1Char(' '));
}

bool isContext(const Model &m, Context c) { return c.k == 1 || m.middle(c.k)[c.id].word != engine::format::kEmptyWord; }
std::uint64_t contextSlots(const Model &m, int k) { return k == 1 ? m.vocab().size() : m.capacity(k); }
double backoffOf(const Model &m, Context c) {
  return std::pow(10.0, static_cast<double>(c.k == 1 ? m.unigrams()[c.id].backoff : m.middle(c.k)[c.id].backoff));
}
// The words a distribution ranges over: <s> only ever starts a sentence, a synthesized <unk> is
// not part of the model (docs/model-format.md).
bool inDistribution(const Model &m, WordId w) { return w != m.bos() && !(w == engine::kUnk && m.unkSynthesized()); }

class Tally {
public:
  explicit Tally(double tolerance) : m_tolerance(tolerance) {}
  void add(Context c, double sum) {
    ++m_checked;
    const double deviation = std::abs(sum - 1.0);
    if (!(deviation <= m_tolerance)) ++m_failed;  // NaN fails too
    if (!(deviation <= m_worst)) {
      m_worst = deviation;
      m_worstSum = sum;
      m_worstContext = c;
    }
  }
  std::uint64_t checked() const { return m_checked; }
  std::uint64_t failed() const { return m_failed; }
  double worst() const { return m_worst; }
  double worstSum() const { return m_worstSum; }
  Context worstContext() const { return m_worstContext; }

private:
  double m_tolerance;
  std::uint64_t m_checked = 0, m_failed = 0;
  double m_worst = 0, m_worstSum = 1;
  Context m_worstContext;
};

double unigramSum(const Model &m) {
  double sum = 0;
  for (WordId w = 0; w < m.vocab().size(); ++w)
    if (inDistribution(m, w)) sum += std::pow(10.0, static_cast<double>(m.unigrams()[w].prob));
  return sum;
}

// Every context, from the continuation index's sums: mass(h) + bow(h) (1 - lower(h)).
Status checkEveryContext(const Model &m, Tally &tally) {
  auto index = engine::ContinuationIndex::build(m);
  if (!index) return index.status();
  for (int k = 1; k < m.order(); ++k) {
    for (std::uint32_t id = 0; id < contextSlots(m, k); ++id) {
      const Context c{k, id};
      if (!isContext(m, c)) continue;
      tally.add(c, (*index)->mass(k, id) + backoffOf(m, c) * (1.0 - (*index)->lower(k, id)));
    }
  }
  return Status::ok();
}

// Evenly spaced contexts of each order, each summed over the whole vocabulary by querying the
// model: independent of the continuation index, and bounded by `queries`.
void checkSampledContexts(const Model &m, std::uint64_t queries, Tally &tally) {
  if (m.order() < 2) return;
  const std::uint64_t vocab = std::max<std::uint64_t>(1, m.vocab().size());
  const std::uint64_t perOrder =
      std::max<std::uint64_t>(1, queries / vocab / static_cast<std::uint64_t>(m.order() - 1));
  for (int k = 1; k < m.order(); ++k) {
    const std::uint64_t stride = std::max<std::uint64_t>(1, m.count(k) / perOrder);
    std::uint64_t seen = 0, picked = 0;
    for (std::uint32_t id = 0; id < contextSlots(m, k) && picked < perOrder; ++id) {
      const Context c{k, id};
      if (!isContext(m, c) || seen++ % stride != 0) continue;
      ++picked;
      engine::State state = m.nullContextState(), scratch;
      for (WordId w : contextWords(m, c)) m.score(state, w, state);
      double sum = 0;
      for (WordId w = 0; w < m.vocab().size(); ++w)
        if (inDistribution(m, w)) sum += std::pow(10.0, static_cast<double>(m.score(state, w, scratch)));
      tally.add(c, sum);
    }
  }
}

Status checkNormalization(const Model &m, const ValidationOptions &options, ValidationReport &r) {
  NormalizationFigures f;
  f.tolerance = options.tolerance;
  std::uint64_t ngrams = 0;
  for (int k = 1; k <= m.order(); ++k) ngrams += m.count(k);
  for (int k = 1; k < m.order(); ++k) f.contexts += m.count(k);
  Tally tally(options.tolerance);
  tally.add(Context{}, unigramSum(m));
  f.sampled = ngrams > options.fullCheckNgrams;
  if (f.sampled)
    checkSampledContexts(m, options.sampleQueries, tally);
  else
    LMFRONT_RETURN_IF_ERROR(checkEveryContext(m, tally));
  f.checked = tally.checked() - 1;
  f.failed = tally.failed();
  f.worstDeviation = tally.worst();
  f.worstContext = contextText(m, tally.worstContext());
  const QString worstName =
      tally.worstContext().k == 0 ? QStringLiteral("the unigram distribution") : u'"' + f.worstContext + u'"';
  const QString scope = f.sampled
                            ? QStringLiteral(
                                  "a deterministic sample of %1 of the %2 contexts (the model has %3 n-grams; up to %4 "
                                  "every context is checked)")
                                  .arg(f.checked)
                                  .arg(f.contexts)
                                  .arg(ngrams)
                                  .arg(options.fullCheckNgrams)
                            : QStringLiteral("all %1 contexts").arg(f.contexts);
  const QString detail =
      f.failed == 0 ? QStringLiteral("the unigrams and %1 sum to 1 within %2 (the worst, %3, by %4)")
                          .arg(scope, num(f.tolerance), worstName, num(f.worstDeviation))
                    : QStringLiteral(
                          "%1 of the distributions checked (the unigrams and %2) do not sum to 1 within %3; the "
                          "worst: %4 sums to %5")
                          .arg(f.failed)
                          .arg(scope, num(f.tolerance), worstName, QString::number(tally.worstSum(), 'g', 8));
  r.normalization = f;
  r.add(QStringLiteral("normalization"), f.failed == 0, detail);
  return Status::ok();
}

Status checkDevSet(const Bundle &b, const Model &m, const ValidationOptions &options, ValidationReport &r) {
  const QString name = QStringLiteral("dev_perplexity");
  if (b.devPath.isEmpty()) {
    r.add(name, true, QStringLiteral("skipped: the bundle has no dev.txt"));
    return Status::ok();
  }
  engine::TokenizerOptions tokenizer = b.manifest.tokenizer;
  tokenizer.lowercase = tokenizer.mode == engine::TokenizerMode::Default && tokenizer.lowercase;
  auto totals = engine::scoreFile(m, b.devPath.toStdString(), tokenizer);
  if (!totals) {
    if (totals.status().code() == StatusCode::IoError) return totals.status();
    r.add(name, false, b.shown(QString::fromStdString(totals.status().message())));
    return Status::ok();
  }
  DevFigures d;
  d.sentences = totals->sentences;
  d.tokens = totals->tokens;
  d.oov = totals->oov;
  const std::uint64_t words = totals->tokens - totals->sentences;
  d.oovRate = words ? static_cast<double>(d.oov) / static_cast<double>(words) : 0.0;
  d.perplexity = totals->perplexity();
  d.perplexityExclOov = totals->perplexityExclOov();
  d.threshold = options.maxDevPerplexity;
  r.dev = d;
  if (d.sentences == 0) {
    r.add(name, false, QStringLiteral("dev.txt has no text"));
    return Status::ok();
  }
  const bool ok = d.perplexity <= d.threshold;  // NaN fails
  r.add(name, ok,
        QStringLiteral("perplexity %1 on %2 sentences (%3 tokens, %4 % OOV; %5 without OOVs), %6 the threshold %7")
            .arg(num(d.perplexity))
            .arg(d.sentences)
            .arg(d.tokens)
            .arg(num(100.0 * d.oovRate), num(d.perplexityExclOov), ok ? u"within"_qs : u"over"_qs, num(d.threshold)));
  return Status::ok();
}

QString manifestSummary(const BundleManifest &m) {
  QStringList dependencies;
  for (const BundleDependency &d : m.dependsOn) dependencies << QStringLiteral("%1 v%2").arg(d.model).arg(d.version);
  return QStringLiteral("model.json: %1 by %2 (%3), order %4, tokenizer %5%6%7")
      .arg(m.name, m.owner, m.license)
      .arg(m.order)
      .arg(
          m.tokenizer.mode == engine::TokenizerMode::Whitespace ? u"whitespace"_qs : u"default"_qs,
          m.tokenizer.mode == engine::TokenizerMode::Default && m.tokenizer.lowercase ? u" (lowercased)"_qs : QString(),
          dependencies.isEmpty() ? QString() : u", depends on "_qs + dependencies.join(u", "_qs));
}

}  // namespace

Result<ValidationReport> validateBundle(const Bundle &bundle, const ValidationOptions &options,
                                        const QString &trainedArpa) {
  QString arpa = bundle.arpaPath;
  if (bundle.needsTraining()) {
    if (trainedArpa.isEmpty())
      return Status::failedPrecondition(bundle.source.toStdString() +
                                        ": the model must be trained from its corpus first");
    arpa = trainedArpa;
  }
  const BundleManifest &manifest = bundle.manifest;
  ValidationReport r;
  r.add(QStringLiteral("manifest"), true, manifestSummary(manifest));

  HeaderReader header;
  const Status headerRead = engine::ArpaReader::read(arpa.toStdString(), header);
  if (headerRead.code() == StatusCode::IoError) return headerRead;
  if (headerRead.code() != StatusCode::Cancelled) {
    r.add(QStringLiteral("arpa"), false, bundle.shown(QString::fromStdString(headerRead.message())));
    return r;
  }
  const std::uint64_t ngrams = std::accumulate(header.counts().begin(), header.counts().end(), std::uint64_t{0});
  if (ngrams > options.maxNgrams) {
    r.add(QStringLiteral("size"), false,
          QStringLiteral("%1 n-grams, over the limit of %2 (%3)")
              .arg(ngrams)
              .arg(options.maxNgrams)
              .arg(countsText(header.counts())));
    return r;
  }

  auto set = engine::readArpa(arpa.toStdString());
  if (!set && set.status().code() == StatusCode::IoError) return set.status();
  if (!set) {
    r.add(QStringLiteral("arpa"), false, bundle.shown(QString::fromStdString(set.status().message())));
    return r;
  }
  r.order = set->order;
  r.counts = set->arpaCounts;
  r.unkPresent = !set->unkSynthesized;
  r.vocabulary = set->vocab.size() - (set->unkSynthesized ? 1 : 0);
  auto model = Model::fromNgrams(std::move(*set));
  if (!model) {
    r.add(QStringLiteral("arpa"), false, bundle.shown(QString::fromStdString(model.status().message())));
    return r;
  }
  r.add(QStringLiteral("arpa"), true,
        QStringLiteral("parses; the header's counts match the sections: %1").arg(countsText(r.counts)));
  r.add(QStringLiteral("special_tokens"), true,
        r.unkPresent ? QStringLiteral("<s>, </s> and <unk> present")
                     : QStringLiteral("<s> and </s> present; no <unk>: an unknown word scores as the rarest word"));
  r.add(QStringLiteral("order"), r.order == manifest.order,
        QStringLiteral("the ARPA's order is %1, model.json says %2").arg(r.order).arg(manifest.order));
  r.add(QStringLiteral("size"), true,
        QStringLiteral("%1 words, %2 n-grams (the limit is %3)").arg(r.vocabulary).arg(ngrams).arg(options.maxNgrams));
  LMFRONT_RETURN_IF_ERROR(checkNormalization(**model, options, r));
  LMFRONT_RETURN_IF_ERROR(checkDevSet(bundle, **model, options, r));
  return r;
}

}  // namespace lmfront::registry
