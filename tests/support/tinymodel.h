// Test helper: trains a five-sentence toy model (order 3, fixed Kneser-Ney discounts because a
// corpus this small cannot estimate them) into dir/tiny.arpa in well under a second — for tests
// that need a real engine model served by a node and care about the wiring, not the text.
// `corpus` (optional) replaces the five sentences: a second, different model for tests that serve two.
// Returns the ARPA path, or an empty string (with the reason logged) when training failed.
#pragma once

#include <QString>

namespace lmfront::testing {

QString trainTinyModel(const QString &dir, const char *corpus = nullptr);

}  // namespace lmfront::testing
