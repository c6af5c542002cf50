// SubmissionStore: the node's resumable uploads of submission bundles (docs/http-api.md,
// "Submissions") and their intake into the artifact store.
//
// An upload is DIR/ID.upload (DIR is normally DATA_DIR/submissions): bytes are appended in order,
// each chunk written and fsynced before it is acknowledged, so the offset a client is told is on
// disk whatever happens next; after a crash the file's size is the offset to resume from. An
// append at any other offset than the current one is refused (FailedPrecondition; the client asks
// offset() and resumes there), as is one that would pass `maxBytes` (ResourceExhausted). Uploads
// untouched for `expiryMs` are removed by expire(), which every create() runs first; one that
// completes is removed whatever the outcome.
//
// complete() opens the upload as a bundle (registry/bundle.h: every safety and size rule), and
// only when it is a good bundle stores the uploaded archive in the artifact store (the version's
// payload, addressed by its sha256) and returns what the catalog needs to record it. A refused
// bundle leaves nothing behind: the scratch copy and the upload are removed, nothing is stored.
//
// Threads: every method may be called from any thread (one mutex guards the uploads' table);
// post() runs work on the store's own I/O thread, so that writes, fsyncs and bundle checks never
// run on a data-plane worker or the node thread.
#pragma once

#include "common/status.h"
#include "registry/bundle.h"

#include <QString>
#include <QThreadPool>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace lmfront::registry {
class ArtifactStore;
}

namespace lmfront::node {

struct SubmissionOptions {
  qint64 maxBytes = qint64{3} << 30;           // one upload (the archive as sent)
  qint64 expiryMs = qint64{24} * 3600 * 1000;  // an upload untouched this long is removed
  registry::BundleLimits limits;               // what the bundle may hold
};

// What a completed upload became: the payload stored, and what the catalog records.
struct SubmissionIntake {
  std::string sha256;  // the stored archive's
  qint64 bytes = 0;
  bool stored = false;    // false: the same archive was already stored
  QByteArray manifest;    // model.json as submitted
  QString card;           // README.md, or empty
  bool training = false;  // carries a corpus (trained by a job), not model.arpa
};

class SubmissionStore {
public:
  // Creates `dir` and `artifactsRoot` when missing; `nowMs` is the wall clock (expiry).
  static Result<std::shared_ptr<SubmissionStore>> open(const QString &dir, const QString &artifactsRoot,
                                                       SubmissionOptions options, std::function<qint64()> nowMs);
  ~SubmissionStore();

  struct Upload {
    std::string id;  // 32 hex digits
    qint64 offset = 0;
    qint64 maxBytes = 0;
  };
  Result<Upload> create();
  // Appends `bytes` at `offset`; the new offset. `total` (when known) is the whole upload's size:
  // over maxBytes is refused before anything is written.
  Result<qint64> append(const std::string &id, qint64 offset, std::optional<qint64> total, std::string_view bytes);
  Result<qint64> offset(const std::string &id) const;
  // Opens, checks and stores the upload (see the top comment); the upload is gone afterwards.
  Result<SubmissionIntake> complete(const std::string &id);
  // Removes uploads untouched for expiryMs; how many.
  int expire();
  std::vector<std::string> uploads() const;  // ids on disk

  void post(std::function<void()> work);  // on the store's I/O thread
  const SubmissionOptions &options() const { return m_options; }

private:
  SubmissionStore(QString dir, std::unique_ptr<registry::ArtifactStore> artifacts, SubmissionOptions options,
                  std::function<qint64()> nowMs);
  QString pathOf(const std::string &id) const;
  Result<QString> claim(const std::string &id) const;  // the upload's file, NotFound or InvalidArgument

  QString m_dir;
  std::unique_ptr<registry::ArtifactStore> m_artifacts;
  SubmissionOptions m_options;
  std::function<qint64()> m_nowMs;
  mutable std::mutex m_mutex;  // serialises appends, completion and expiry
  QThreadPool m_io;
};

}  // namespace lmfront::node
