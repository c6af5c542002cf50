// Test helper: trains a small real model in-process (engine::train, Kneser-Ney, order 3) from
// the first lines of Debian's English fortunes (installed by scripts/setup.sh) into an ARPA file,
// which a node serves directly (Model::open detects ARPA). A natural corpus: Kneser-Ney cannot
// estimate discounts from tiny artificial text. Returns the path, or an empty string with `error`
// saying why.
#pragma once

#include "node/node.h"

#include <QString>
#include <memory>

namespace lmfront::testing {

QString trainFortunesModel(const QString &dir, int lines, QString *error);

// Trains that model and starts a one-worker Node on 127.0.0.1:0 serving it as "fortunes", with
// its data under dir/data. Null with `error` saying why.
std::unique_ptr<node::Node> startFortunesNode(const QString &dir, int lines, QString *error);

}  // namespace lmfront::testing
