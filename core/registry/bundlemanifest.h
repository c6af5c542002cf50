// BundleManifest: a submission bundle's model.json — who submits which model under which
// license, how its text is tokenised, its order, the published versions it depends on, and (for a
// bundle that carries a corpus instead of an ARPA) how to train it. docs/model-format.md
// ("Submission bundle") documents the fields.
//
// Contract: parseBundleManifest() reads the JSON once into this typed struct, strictly, through
// config::JsonSection: a missing required field, a field of the wrong type or value, or an unknown
// field is InvalidArgument naming the field's path (`order: expected an integer from 1 to 6, got
// "three"`, `depends_on[0].version: ...`, `train: unknown key 'epochs' (valid: ...)`). The caller
// prefixes the file ("model.json: "). Pure functions; thread-safe.
#pragma once

#include "common/status.h"
#include "engine/tokenizer.h"

#include <QByteArray>
#include <QString>
#include <QStringView>
#include <optional>
#include <vector>

namespace lmfront::registry {

// A published version of another model this one is built from (a mix's components).
struct BundleDependency {
  QString model;
  int version = 0;  // >= 1
};

// How the platform trains a bundle that carries a corpus (engine::train, docs/engine-training.md).
struct TrainingSpec {
  QString corpus;                 // a file of the bundle, one sentence per line
  bool skipInvalid = false;       // skip lines with invalid UTF-8 instead of failing
  int memoryMb = 1024;            // the counting budget; beyond it counts spill to disk
  bool discountFallback = false;  // D1=0.5 D2=1 D3+=1.5 where an order's discounts cannot be estimated
};

struct BundleManifest {
  QString name;  // a model name: see isModelName()
  QString description;
  QString owner;
  QString license;
  // "tokenizer" ("default" | "whitespace") and "lowercase" (default true, as ModelManifest).
  engine::TokenizerOptions tokenizer{engine::TokenizerMode::Default, true};
  int order = 0;  // 1..6; a trained bundle is trained at this order
  std::vector<BundleDependency> dependsOn;
  std::optional<TrainingSpec> train;  // set: the bundle carries a corpus to train, not model.arpa
};

// A model name: a lower-case ASCII letter, then up to 63 of [a-z0-9_-] ("english", "news-5gram").
bool isModelName(QStringView name);

Result<BundleManifest> parseBundleManifest(const QByteArray &json);

}  // namespace lmfront::registry
