// The catalog: which models this node has. Today that is the model files named on the command
// line (`--model NAME=PATH`) plus every DATA_DIR/models/NAME.lmb, each with the manifest NAME.json
// beside it (modelmanifest.h), read once here. The model lifecycle, the artifact repository and
// the deployer grow from this folder; their state goes to SQLite through storage/sqlitedb.h.
//
// scanCatalog() only reads directories and manifests; opening model files is the loader's job,
// off the request path. A missing --model file is an error (the node must not start without
// it); a broken manifest is an error for a --model entry, and for a data-dir entry it is kept
// on the entry (`manifestError`) so that the node serves the others and reports this one.
#pragma once

#include "common/status.h"
#include "registry/modelmanifest.h"

#include <QString>
#include <vector>

namespace lmfront::registry {

struct ModelSource {
  QString name;
  QString path;
};

struct CatalogEntry {
  QString name;
  QString path;            // the model file, absolute
  qint64 created = 0;      // the file's modification time, unix seconds
  bool fromFlag = false;   // given with --model: must load, or the node does not start
  ModelManifest manifest;  // defaults when there is none
  Status manifestError;    // not ok: NAME.json is broken and the model is not served
};

// flagged: the --model entries (they win over a data-dir model of the same name).
Result<std::vector<CatalogEntry>> scanCatalog(const std::vector<ModelSource> &flagged, const QString &dataDir);

}  // namespace lmfront::registry
