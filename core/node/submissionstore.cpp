#include "node/submissionstore.h"

#include "gateway/pool/pooltask.h"
#include "registry/artifactstore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <cerrno>

namespace lmfront::node {

namespace {

constexpr QLatin1StringView kSuffix(".upload");

bool isUploadId(const std::string &id) {
  if (id.size() != 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Status writeAll(int fd, std::string_view bytes, const std::string &path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::fromErrno(errno, "cannot write " + path);
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

Status syncDir(const QString &dir) {
  const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::fromErrno(errno, "cannot open " + dir.toStdString());
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : Status::fromErrno(e, "cannot sync " + dir.toStdString());
}

}  // namespace

Result<std::shared_ptr<SubmissionStore>> SubmissionStore::open(const QString &dir, const QString &artifactsRoot,
                                                               SubmissionOptions options,
                                                               std::function<qint64()> nowMs) {
  if (!QDir().mkpath(dir)) return Status::ioError("cannot create " + dir.toStdString());
  // What a completion interrupted by a crash left: the claimed upload and the bundle's scratch copy.
  QDir root(dir);
  for (const QString &name : root.entryList({u"*.completing"_qs}, QDir::Files)) QFile::remove(root.filePath(name));
  for (const QString &name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
    QDir(root.filePath(name)).removeRecursively();
  auto artifacts = registry::ArtifactStore::open(artifactsRoot.toStdString());
  if (!artifacts) return artifacts.status();
  return std::shared_ptr<SubmissionStore>(
      new SubmissionStore(QDir(dir).absolutePath(), std::move(*artifacts), std::move(options), std::move(nowMs)));
}

SubmissionStore::SubmissionStore(QString dir, std::unique_ptr<registry::ArtifactStore> artifacts,
                                 SubmissionOptions options, std::function<qint64()> nowMs)
    : m_dir(std::move(dir)),
      m_artifacts(std::move(artifacts)),
      m_options(std::move(options)),
      m_nowMs(std::move(nowMs)) {
  m_io.setMaxThreadCount(1);  // one upload's chunks are written in the order they came
  m_io.setObjectName(QStringLiteral("lmfront-submissions"));
}

SubmissionStore::~SubmissionStore() { m_io.waitForDone(); }

void SubmissionStore::post(std::function<void()> work) { gateway::pool::startPooled(m_io, std::move(work)); }

QString SubmissionStore::pathOf(const std::string &id) const {
  return m_dir + u'/' + QString::fromStdString(id) + kSuffix;
}

Result<QString> SubmissionStore::claim(const std::string &id) const {
  if (!isUploadId(id)) return Status::notFound("no upload " + id);
  const QString path = pathOf(id);
  if (!QFileInfo::exists(path)) return Status::notFound("no upload " + id + " (completed, expired or never made)");
  return path;
}

Result<SubmissionStore::Upload> SubmissionStore::create() {
  (void)expire();  // each new upload sweeps the abandoned ones
  std::lock_guard lock(m_mutex);
  QByteArray raw(16, Qt::Uninitialized);
  QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), raw.size() / 4);
  const std::string id = raw.toHex().toStdString();
  const QString path = pathOf(id);
  const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::fromErrno(errno, "cannot create " + path.toStdString());
  ::close(fd);
  LMFRONT_RETURN_IF_ERROR(syncDir(m_dir));
  return Upload{id, 0, m_options.maxBytes};
}

Result<qint64> SubmissionStore::append(const std::string &id, qint64 offset, std::optional<qint64> total,
                                       std::string_view bytes) {
  std::lock_guard lock(m_mutex);
  auto path = claim(id);
  if (!path) return path.status();
  if (total && *total > m_options.maxBytes)
    return Status::resourceExhausted("the upload's " + std::to_string(*total) + " bytes exceed the limit of " +
                                     std::to_string(m_options.maxBytes));
  const qint64 current = QFileInfo(*path).size();
  if (offset != current)
    return Status::failedPrecondition("the upload is at offset " + std::to_string(current) + ", not " +
                                      std::to_string(offset));
  const qint64 end = current + static_cast<qint64>(bytes.size());
  if (end > m_options.maxBytes)
    return Status::resourceExhausted("the upload would pass the limit of " + std::to_string(m_options.maxBytes) +
                                     " bytes");
  const int fd = ::open(QFile::encodeName(*path).constData(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Status::fromErrno(errno, "cannot open " + path->toStdString());
  Status written = writeAll(fd, bytes, path->toStdString());
  // Acknowledged bytes are on disk: a resume after a crash starts from what fsync kept.
  if (written && ::fsync(fd) != 0) written = Status::fromErrno(errno, "cannot sync " + path->toStdString());
  ::close(fd);
  if (!written) {
    // Back to the acknowledged offset, so that the client's retry lines up.
    if (::truncate(QFile::encodeName(*path).constData(), current) != 0) {
      // The upload cannot be trusted any more.
      QFile::remove(*path);
    }
    return written;
  }
  return end;
}

Result<qint64> SubmissionStore::offset(const std::string &id) const {
  std::lock_guard lock(m_mutex);
  auto path = claim(id);
  if (!path) return path.status();
  return QFileInfo(*path).size();
}

Result<SubmissionIntake> SubmissionStore::complete(const std::string &id) {
  std::unique_lock lock(m_mutex);
  auto claimed = claim(id);
  if (!claimed) return claimed.status();
  // Out of the uploads' namespace first: a concurrent append or a second complete finds nothing.
  const QString path = m_dir + u'/' + QString::fromStdString(id) + u".completing"_qs;
  if (::rename(QFile::encodeName(*claimed).constData(), QFile::encodeName(path).constData()) != 0)
    return Status::fromErrno(errno, "cannot claim " + claimed->toStdString());
  lock.unlock();
  struct Remove {
    QString path;
    ~Remove() { QFile::remove(path); }
  } removeUpload{path};

  auto bundle = registry::openBundle(path, m_options.limits, m_dir);
  if (!bundle) {
    // Name the submission as the client knows it, not the node's file.
    std::string message = bundle.status().message();
    const std::string internal = QFileInfo(path).fileName().toStdString();
    if (const auto at = message.find(internal); at != std::string::npos)
      message.replace(at, internal.size(), "the bundle");
    return Status(bundle.status().code(), message);
  }
  QFile manifest(bundle->manifestPath);
  if (!manifest.open(QIODevice::ReadOnly)) return Status::ioError("cannot read the bundle's model.json");
  SubmissionIntake intake;
  intake.manifest = manifest.readAll();
  intake.card = bundle->card;
  intake.training = bundle->needsTraining();
  auto stored = m_artifacts->put(path.toStdString());
  if (!stored) return stored.status();
  intake.sha256 = stored->sha256;
  intake.bytes = static_cast<qint64>(stored->bytes);
  intake.stored = stored->stored;
  return intake;
}

int SubmissionStore::expire() {
  std::lock_guard lock(m_mutex);
  const qint64 now = m_nowMs();
  int removed = 0;
  const auto entries = QDir(m_dir).entryInfoList(QDir::Files);
  for (const QFileInfo &f : entries) {
    if (!f.fileName().endsWith(kSuffix) || now - f.lastModified().toMSecsSinceEpoch() < m_options.expiryMs) continue;
    if (QFile::remove(f.filePath())) ++removed;
  }
  return removed;
}

std::vector<std::string> SubmissionStore::uploads() const {
  std::lock_guard lock(m_mutex);
  std::vector<std::string> ids;
  const auto names = QDir(m_dir).entryList({u"*.upload"_qs}, QDir::Files, QDir::Name);
  for (const QString &n : names) ids.push_back(n.chopped(kSuffix.size()).toStdString());
  return ids;
}

}  // namespace lmfront::node
