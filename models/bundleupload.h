// BundleUpload: submits a bundle — a directory or a .tar.gz (docs/model-format.md, "Submission
// bundle") — to the session's node, as `lmfront submit` does: a directory is packed into a
// temporary .tar.gz first (registry::packBundle, on a thread of its own so that the GUI stays
// responsive with a large corpus), then the archive is uploaded through client::SubmissionClient
// (chunked, resumable; docs/http-api.md, "Submissions") with the session's URL, API key and CA
// certificates.
//
// Contract: GUI thread. start() begins (an upload running is abandoned first); progress() after
// every chunk the node acknowledged (bytes of the archive); exactly one of finished() (the node's
// {"model","version","state","job"}) or failed() (the reason, the node's own words when it
// refused the bundle) ends a start() or resume() unless cancel() comes first. After a failure
// canResume() says whether the node holds part of the upload; resume() continues from the offset
// the node has. The packed archive is kept until the next start() or the object's end (its
// destructor waits for a packing still running).
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>

class QTemporaryDir;
class QThread;

namespace lmfront::client {
class SubmissionClient;
}

namespace lmfront::models {

class NodeSession;

class BundleUpload : public QObject {
  Q_OBJECT
public:
  enum class State { Idle, Packing, Uploading, Done, Failed };
  Q_ENUM(State)

  explicit BundleUpload(QObject *parent = nullptr);
  ~BundleUpload() override;

  void setSession(NodeSession *session);  // not owned; cancels an upload running
  // The size of each PUT; the client's default (4 MiB) unless set.
  void setChunkBytes(qint64 bytes) { m_chunkBytes = bytes; }

  void start(const QString &path);
  void resume();
  void cancel();

  State state() const { return m_state; }
  QString path() const { return m_path; }  // what start() was given
  qint64 sent() const { return m_sent; }
  qint64 total() const { return m_total; }
  QString error() const { return m_error; }
  bool canResume() const;
  bool isBusy() const { return m_state == State::Packing || m_state == State::Uploading; }

Q_SIGNALS:
  void stateChanged(lmfront::models::BundleUpload::State state);
  void progress(qint64 sent, qint64 total);
  void finished(const QJsonObject &result);
  void failed(const QString &message);

private:
  void setState(State state);
  void upload(bool resuming);
  void fail(const QString &message);
  void stopPacking();

  QPointer<NodeSession> m_session;
  qint64 m_chunkBytes = 0;
  State m_state = State::Idle;
  QString m_path;
  QString m_archive;  // what is uploaded: m_path itself, or the packed copy of a directory
  std::unique_ptr<QTemporaryDir> m_packed;
  QThread *m_packer = nullptr;
  std::unique_ptr<client::SubmissionClient> m_client;
  QString m_uploadId;
  qint64 m_sent = 0;
  qint64 m_total = 0;
  QString m_error;
  quint64 m_generation = 0;  // a start() or cancel() makes what an earlier one still reports stale
};

}  // namespace lmfront::models
