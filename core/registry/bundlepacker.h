// packBundle: a submission bundle directory as a .tar.gz, so that a directory can be uploaded to
// a node (which takes archives). Only the directory's top-level regular files go in, at the top
// level of the archive, in name order; anything else (subdirectories, links, devices) is refused
// with InvalidArgument naming it, as the node would refuse it (bundle.h). The archive is written
// to `outPath` (replaced). Synchronous; thread-compatible.
#pragma once

#include "common/status.h"

#include <QString>

namespace lmfront::registry {

Status packBundle(const QString &dir, const QString &outPath);

}  // namespace lmfront::registry
