// Bundle: reading a model submission safely. A submission is a directory or a .tar.gz (a plain
// .tar works too) holding model.json, the model (model.arpa, or a corpus named by model.json's
// "train"), and optionally dev.txt (held-out text for validation) and README.md (the model card).
// docs/model-format.md ("Submission bundle") is the user-facing description.
//
// Contract: openBundle() copies the submission into a fresh scratch directory under `workDir`
// and checks it on the way in; a Bundle names the copies, never the submitted files, so what is
// validated is what is later stored even if the submission changes meanwhile.
//  - Accepted: regular files only, all at the top level or all under one top-level directory.
//    Refused: an absolute path, a ".." component, deeper directories, a symbolic or hard link,
//    a device, fifo or socket, a name seen twice, more than `maxEntries` entries, a file over its
//    size limit, more than `maxTotalBytes` in all, a compression ratio over the limit (a gzip
//    bomb), a file the layout does not name. Archives are streamed entry by entry: the limits are
//    checked while bytes are written, so reading stops as soon as one is crossed.
//  - Content: model.json parsed strictly (bundlemanifest.h); exactly one model source: model.arpa,
//    or a "train" object whose corpus file is present; README.md must be UTF-8.
//  - Any refusal is InvalidArgument "SOURCE: ENTRY: RULE" (`b.tar.gz: ../x: path leaves the bundle
//    (a ".." component)`), an I/O failure IoError; either way the scratch directory is removed
//    first, so nothing remains on disk.
//  - A Bundle owns its scratch directory: it is removed when the last copy of the Bundle goes. A
//    caller that keeps a file (the artifact store) moves it out before then.
// Synchronous and blocking (disk I/O); call it off the GUI thread and off data-plane workers.
// Thread-compatible: distinct calls are independent.
#pragma once

#include "common/status.h"
#include "registry/bundlemanifest.h"

#include <QString>
#include <QtGlobal>
#include <memory>
#include <vector>

namespace lmfront::engine {
struct TrainOptions;
}

namespace lmfront::registry {

struct BundleLimits {
  qint64 maxEntries = 16;                      // archive entries (directories included) or files
  qint64 maxManifestBytes = qint64{64} << 10;  // model.json
  qint64 maxCardBytes = qint64{1} << 20;       // README.md
  qint64 maxDevBytes = qint64{64} << 20;       // dev.txt
  qint64 maxModelBytes = qint64{2} << 30;      // model.arpa or the corpus
  qint64 maxTotalBytes = qint64{3} << 30;      // all files together, uncompressed
  double maxCompressionRatio = 100;            // uncompressed / compressed, checked past 1 MiB
};

struct BundleFile {
  QString name;  // as in the bundle: "model.arpa"
  QString path;  // the copy in the scratch directory
  qint64 bytes = 0;
};

class ScratchDir;

struct Bundle {
  QString source;  // the submission's file name, for messages
  BundleManifest manifest;
  QString root;          // the scratch directory holding the copies
  QString manifestPath;  // model.json
  QString arpaPath;      // model.arpa; empty when the bundle needs training
  QString corpusPath;    // the training corpus; empty unless it needs training
  QString devPath;       // dev.txt, or empty
  QString card;          // README.md's text, or empty
  std::vector<BundleFile> files;

  bool needsTraining() const { return manifest.train.has_value(); }
  // `text` (a message) with the scratch directory's path removed, so that it names files as the
  // bundle does: "model.arpa:12: ..." rather than "/var/lib/.../bundle-x1Yz/model.arpa:12: ...".
  QString shown(const QString &text) const;

  std::shared_ptr<const ScratchDir> scratch;  // removes `root` when the last copy goes
};

// Reads the directory or archive at `path` into a new scratch directory under `workDir`.
Result<Bundle> openBundle(const QString &path, const BundleLimits &limits, const QString &workDir);

// What engine::train needs to train a bundle that carries a corpus: its corpus, order, tokenizer
// and training fields; the ARPA goes to `arpaOut`, counting runs to `tempDir`. FailedPrecondition
// for a bundle with its own model.arpa.
Result<engine::TrainOptions> trainingOptions(const Bundle &bundle, const QString &arpaOut, const QString &tempDir);

}  // namespace lmfront::registry
