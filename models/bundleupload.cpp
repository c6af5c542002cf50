#include "models/bundleupload.h"

#include "client/submissionclient.h"
#include "models/nodesession.h"
#include "registry/bundlepacker.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>

namespace lmfront::models {

BundleUpload::BundleUpload(QObject *parent) : QObject(parent) {}

BundleUpload::~BundleUpload() {
  m_client.reset();
  stopPacking();
}

void BundleUpload::setSession(NodeSession *session) {
  if (session != m_session.data()) cancel();
  m_session = session;
}

bool BundleUpload::canResume() const { return m_state == State::Failed && !m_uploadId.isEmpty() && m_client; }

void BundleUpload::setState(State state) {
  if (state == m_state) return;
  m_state = state;
  Q_EMIT stateChanged(state);
}

// The packing thread cannot be interrupted: waited for, so that it never writes into a
// temporary directory that is gone.
void BundleUpload::stopPacking() {
  if (!m_packer) return;
  m_packer->disconnect(this);
  m_packer->wait();
  delete m_packer;
  m_packer = nullptr;
}

void BundleUpload::cancel() {
  ++m_generation;
  if (m_client) m_client->abort();
  m_client.reset();
  stopPacking();
  m_uploadId.clear();
  if (isBusy()) setState(State::Idle);
}

void BundleUpload::start(const QString &path) {
  cancel();
  m_path = path;
  m_error.clear();
  m_sent = 0;
  m_total = 0;
  m_packed.reset();
  const QFileInfo info(path);
  if (!info.exists()) return fail(tr("%1 does not exist.").arg(path));
  if (!m_session) return fail(tr("Not connected to a node."));
  if (!info.isDir()) {
    m_archive = info.absoluteFilePath();
    return upload(false);
  }
  m_packed = std::make_unique<QTemporaryDir>();
  if (!m_packed->isValid()) return fail(tr("Cannot create a temporary directory: %1").arg(m_packed->errorString()));
  m_archive = m_packed->filePath(QStringLiteral("bundle.tar.gz"));
  setState(State::Packing);
  // The result is written by the thread and read once it finished (QThread::finished is queued
  // to this thread after run() returned), so it needs no lock.
  auto status = std::make_shared<Status>(Status::ok());
  m_packer = QThread::create(
      [status, dir = info.absoluteFilePath(), out = m_archive] { *status = registry::packBundle(dir, out); });
  m_packer->setObjectName(QStringLiteral("lmfront-pack"));
  const quint64 generation = m_generation;
  connect(m_packer, &QThread::finished, this, [this, status, generation] {
    if (generation != m_generation) return;
    m_packer->deleteLater();
    m_packer = nullptr;
    if (!status->isOk()) return fail(QString::fromStdString(status->message()));
    upload(false);
  });
  m_packer->start();
}

void BundleUpload::resume() {
  if (!canResume()) return;
  m_error.clear();
  upload(true);
}

void BundleUpload::upload(bool resuming) {
  NodeSession *session = m_session.data();
  if (!session) return fail(tr("Not connected to a node."));
  const QString id = m_uploadId;
  {  // a fresh client on resume too: the last one's connections went with the node
    client::SubmissionClient::Options options;
    options.node = session->baseUrl();
    options.apiKey = session->apiKey();
    options.caCertificates = session->caCertificates();
    if (m_chunkBytes > 0) options.chunkBytes = m_chunkBytes;
    m_client = std::make_unique<client::SubmissionClient>(options);
    connect(m_client.get(), &client::SubmissionClient::progress, this, [this](qint64 sent, qint64 total) {
      m_sent = sent;
      m_total = total;
      m_uploadId = m_client->uploadId();
      Q_EMIT progress(sent, total);
    });
    connect(m_client.get(), &client::SubmissionClient::finished, this, [this](const QJsonObject &result) {
      m_uploadId.clear();
      setState(State::Done);
      Q_EMIT finished(result);
    });
    connect(m_client.get(), &client::SubmissionClient::failed, this, [this](const QString &message) {
      m_uploadId = m_client->uploadId();
      fail(message);
    });
  }
  m_total = QFileInfo(m_archive).size();
  setState(State::Uploading);
  Q_EMIT progress(m_sent, m_total);
  if (resuming)
    m_client->resume(m_archive, id);
  else
    m_client->submit(m_archive);
}

void BundleUpload::fail(const QString &message) {
  m_error = message;
  setState(State::Failed);
  Q_EMIT failed(message);
}

}  // namespace lmfront::models
