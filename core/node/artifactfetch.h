// ArtifactFetch: an artifact copied from another member of the cluster, by its sha256
// (docs/cluster.md, "Desired state"): GET SOURCE/cluster/artifacts/SHA256 with the cluster's
// artifact token, from each source in turn until one answers. The bytes are hashed before
// anything is written: a body whose sha256 is not the one asked for is refused (DataLoss naming
// the source and both digests) and the next source is tried; a verified body goes into the
// node's artifact store (DATA_DIR/artifacts, registry/artifactstore.h).
// Threads: lives on the node thread; callbacks run there, exactly once, unless it is destroyed.
#pragma once

#include "common/status.h"

#include <QObject>
#include <QStringList>
#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace lmfront::registry {
class ArtifactStore;
}

namespace lmfront::node {

class ArtifactFetch : public QObject {
  Q_OBJECT
public:
  static constexpr int kTimeoutMs = 60'000;

  struct Fetched {
    std::string path;  // in the store
    qint64 bytes = 0;
    QString source;
  };

  ArtifactFetch(std::shared_ptr<const registry::ArtifactStore> store, QObject *parent = nullptr);
  ~ArtifactFetch() override;

  // `sources`: base URLs (http://HOST:PORT), tried in order. The error of the last one when none
  // gave the artifact; every refusal is in it.
  void fetch(const QString &sha256, const QStringList &sources, const QByteArray &token,
             std::function<void(Result<Fetched>)> done);

private:
  void attempt(QString sha256, QStringList sources, QByteArray token, QStringList errors,
               std::function<void(Result<Fetched>)> done);

  std::shared_ptr<const registry::ArtifactStore> m_store;
  QNetworkAccessManager *m_nam;
};

}  // namespace lmfront::node
