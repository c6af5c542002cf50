// Test helper: trains a small real model in-process (engine::train, Kneser-Ney, order 3) from
// the first lines of Debian's English fortunes (installed by scripts/setup.sh) into an ARPA file,
// which a node serves directly (Model::open detects ARPA). A natural corpus: Kneser-Ney cannot
// estimate discounts from tiny artificial text. Returns the path, or an empty string with `error`
// saying why.
#pragma once

#include <QString>

namespace lmfront::testing {

QString trainFortunesModel(const QString &dir, int lines, QString *error);

}  // namespace lmfront::testing
