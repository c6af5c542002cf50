// ArpaValidator: whether a submitted model is fit to be reviewed — its ARPA parses (errors name
// the line), the header's counts match the sections, <s> and </s> are present (<unk> noted), it
// is within the size limits, its order is model.json's, every distribution sums to one within a
// tolerance, and its perplexity on the bundle's dev.txt is under a threshold.
//
// Contract: validateBundle() never refuses a bad model with an error: every finding is a check in
// the ValidationReport (passed = all of them); an ARPA that does not parse gives a report whose
// "arpa" check fails with the reader's "model.arpa:LINE: what" and no later checks. An error
// Status means validation could not run: FailedPrecondition for a bundle that must be trained
// first and was given no trained ARPA, IoError for a file that vanished.
//
// Normalisation (docs/model-format.md, "Validation report"): with backoff, the probability a
// context h gives the whole vocabulary (<s> excluded) is
//   mass(h) + bow(h) * (1 - lower(h))
// (ContinuationIndex: the explicit continuations' mass, and what the shorter context gives them);
// the unigrams sum to one directly. Up to `fullCheckNgrams` n-grams, every context is checked that
// way. A larger model is checked on a deterministic sample of contexts, each summed over the
// whole vocabulary through the query path (at most `sampleQueries` queries); the report says
// how many of how many contexts were checked.
//
// Reads the files; writes nothing to disk. Synchronous, CPU- and memory-bound (the model is
// built in memory): run it as a job, off the GUI thread and the data plane. Thread-compatible.
#pragma once

#include "common/status.h"
#include "registry/bundle.h"
#include "registry/validationreport.h"

#include <cstdint>

namespace lmfront::registry {

struct ValidationOptions {
  // |sum - 1| allowed for each context's distribution. ARPA stores ~6 significant digits, and a
  // toolkit's own rounding leaves sums within ~1e-5 of one; 1e-3 leaves room for that and still
  // catches a single altered probability of any weight.
  double tolerance = 1e-3;
  // Up to this many n-grams (all orders), every context is checked (about 60 bytes of memory per
  // n-gram); above, a sample.
  std::uint64_t fullCheckNgrams = 10'000'000;
  // Queries the sampled check may spend (each sampled context costs one per vocabulary word).
  std::uint64_t sampleQueries = 20'000'000;
  // Size limit: n-grams over all orders (the bundle's byte limits bound the file itself).
  std::uint64_t maxNgrams = 500'000'000;
  // The dev set's perplexity (OOVs included, scored as <unk>) must not exceed this. 1000 passes
  // any model of the dev text's language and domain, and fails one of another language, a
  // scrambled one, or a dev set the model was not meant for.
  double maxDevPerplexity = 1000;
};

// Validates the bundle's model: its model.arpa, or `trainedArpa` (what a training job made of
// its corpus) for a bundle that needs training.
Result<ValidationReport> validateBundle(const Bundle &bundle, const ValidationOptions &options,
                                        const QString &trainedArpa = {});

}  // namespace lmfront::registry
