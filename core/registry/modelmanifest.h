// ModelManifest: NAME.json beside a model file NAME.lmb — what the catalog knows about a model
// besides its bytes, and how prompts for it are tokenised. The format is documented in
// docs/model-format.md ("Manifest"); scripts/build-default-models.sh writes one per model.
//
// Parsed once, when the catalog is scanned, into this typed struct; nothing reads the JSON
// again. Strict like the node's config: a field of the wrong type or value, an unknown field, or
// a file that is not a JSON object is InvalidArgument naming the file and the field
// (`models/english.json: "tokenizer": expected "default" or "whitespace"`).
// A model without a manifest gets the defaults below (the default tokenizer, lowercased: how the
// default models are trained).
#pragma once

#include "common/status.h"
#include "engine/tokenizer.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

namespace lmfront::registry {

struct ModelManifest {
  QString description;
  QString source;  // where the training text came from (packages and versions)
  std::optional<int> order;
  std::vector<std::int64_t> counts;  // n-grams per order
  QString file;                      // the model file's name, when given: must be NAME.lmb
  std::optional<std::int64_t> bytes;
  QString sha256;   // of the model file, 64 lower-case hex digits
  QString created;  // ISO 8601 UTC, as written by the builder
  // How prompts are tokenised: "tokenizer" ("default" | "whitespace") and "lowercase" (bool).
  engine::TokenizerOptions tokenizer{engine::TokenizerMode::Default, true};
};

// `shownPath` names the file in errors; `modelName` is NAME (a "name" field must equal it).
Result<ModelManifest> parseManifest(const QByteArray &json, const QString &shownPath, const QString &modelName);

}  // namespace lmfront::registry
