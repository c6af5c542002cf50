// ValidationReport: what validating a submitted model found — each check with its verdict and a
// sentence saying why, and the figures a reviewer reads (counts, normalisation, dev perplexity).
// The catalog stores toJson() beside the version; docs/model-format.md ("Validation report")
// documents the JSON. fromJson() reads it back (the console and the CLI show stored reports).
//
// Check names are stable (the JSON carries them): "manifest", "arpa", "special_tokens", "order",
// "size", "normalization", "dev_perplexity". A value type; thread-compatible.
#pragma once

#include "common/status.h"

#include <QJsonObject>
#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

namespace lmfront::registry {

struct ValidationCheck {
  QString name;
  bool passed = false;
  QString detail;  // a sentence: what was checked and what was found
};

struct NormalizationFigures {
  double tolerance = 0;        // |sum - 1| allowed per context
  std::uint64_t contexts = 0;  // contexts of orders 1..N-1 in the model
  std::uint64_t checked = 0;   // contexts whose distribution was summed (plus the unigrams)
  bool sampled = false;        // a deterministic sample rather than every context
  std::uint64_t failed = 0;    // checked contexts (or the unigrams) off by more than tolerance
  double worstDeviation = 0;   // max |sum - 1| over what was checked
  QString worstContext;        // its words ("" = the unigram distribution)
};

struct DevFigures {
  std::uint64_t sentences = 0;
  std::uint64_t tokens = 0;  // words plus one </s> per sentence, as the scorer counts
  std::uint64_t oov = 0;
  double oovRate = 0;  // oov / words (tokens without the </s>)
  double perplexity = 0;
  double perplexityExclOov = 0;
  double threshold = 0;  // the perplexity the check allowed
};

struct ValidationReport {
  bool passed = false;  // every check passed
  std::vector<ValidationCheck> checks;
  // The model's figures; order 0 (and no figures in the JSON) when the ARPA could not be read.
  int order = 0;
  std::vector<std::uint64_t> counts;  // n-grams per order, as in the ARPA
  std::uint64_t vocabulary = 0;       // words, including <s> and </s> (and <unk> when present)
  bool unkPresent = false;            // false: <unk> is synthesized (docs/model-format.md)
  std::optional<NormalizationFigures> normalization;
  std::optional<DevFigures> dev;  // empty when the bundle has no dev.txt

  // Appends a check and keeps `passed` the conjunction of all of them.
  void add(QString name, bool ok, QString detail);
  const ValidationCheck *check(const QString &name) const;

  QJsonObject toJson() const;
  static Result<ValidationReport> fromJson(const QJsonObject &json);
};

}  // namespace lmfront::registry
