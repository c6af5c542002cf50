#include "registry/bundle.h"

#include "engine/tokenizer.h"
#include "engine/trainer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>
#include <cerrno>
#include <memory>

namespace lmfront::registry {

// Owns a bundle's scratch directory: removed, with whatever is left in it, when the last Bundle
// copy sharing it goes (or when a refused submission's intake unwinds).
class ScratchDir {
public:
  explicit ScratchDir(QString path) : m_path(std::move(path)) {}
  ~ScratchDir() { QDir(m_path).removeRecursively(); }
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;
  const QString &path() const { return m_path; }

private:
  QString m_path;
};

namespace {

// The inflated size past which the compression ratio is checked: tiny files (and tar's own
// zero padding) compress far better than any real model, so below it the ratio means nothing.
constexpr qint64 kRatioFloorBytes = qint64{1} << 20;
constexpr std::size_t kChunkBytes = std::size_t{64} << 10;

const QString kManifest = QStringLiteral("model.json");
const QString kArpa = QStringLiteral("model.arpa");
const QString kDev = QStringLiteral("dev.txt");
const QString kCard = QStringLiteral("README.md");

Status refuse(const QString &entry, const QString &rule) {
  return Status::invalidArgument(QString(entry + QStringLiteral(": ") + rule).toStdString());
}

Result<std::shared_ptr<ScratchDir>> makeScratch(const QString &workDir) {
  if (!QDir().mkpath(workDir))
    return Status::ioError(QStringLiteral("cannot create the work directory %1").arg(workDir).toStdString());
  QByteArray pattern = QFile::encodeName(QDir(workDir).absoluteFilePath(QStringLiteral("bundle-XXXXXX")));
  if (!::mkdtemp(pattern.data()))
    return Status::fromErrno(errno, "creating a scratch directory under " + pattern.toStdString());
  return std::make_shared<ScratchDir>(QFile::decodeName(pattern));
}

// Every byte of a submission passes through here, into the scratch directory, under the limits.
class Intake {
public:
  Intake(const BundleLimits &limits, QString dir) : m_limits(limits), m_dir(std::move(dir)) {}
  ~Intake() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Intake(const Intake &) = delete;
  Intake &operator=(const Intake &) = delete;

  Status countEntry(const QString &shownName) {
    if (++m_entries > m_limits.maxEntries)
      return refuse(shownName, QStringLiteral("more than %1 entries in the bundle").arg(m_limits.maxEntries));
    return Status::ok();
  }

  // `declared`: the size the archive announces (-1: unknown), refused before any byte is read.
  Status begin(const QString &name, qint64 declared) {
    for (const BundleFile &f : m_files)
      if (f.name == name) return refuse(name, QStringLiteral("a second entry with this name"));
    m_name = name;
    m_fileLimit = name == kManifest ? m_limits.maxManifestBytes
                  : name == kCard   ? m_limits.maxCardBytes
                  : name == kDev    ? m_limits.maxDevBytes
                                    : m_limits.maxModelBytes;
    if (declared > m_fileLimit) return overFileLimit(declared);
    m_fileBytes = 0;
    const QString path = m_dir + QLatin1Char('/') + name;
    m_fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (m_fd < 0) return Status::fromErrno(errno, "writing " + name.toStdString());
    m_files.push_back({name, path, 0});
    return Status::ok();
  }

  Status write(const char *data, qint64 size) {
    if (m_fileBytes + size > m_fileLimit) return overFileLimit(m_fileBytes + size);
    if (m_totalBytes + size > m_limits.maxTotalBytes)
      return refuse(
          m_name, QStringLiteral("the bundle's files exceed the limit of %1 bytes in all").arg(m_limits.maxTotalBytes));
    for (qint64 done = 0; done < size;) {
      const ssize_t n = ::write(m_fd, data + done, static_cast<std::size_t>(size - done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::fromErrno(errno, "writing " + m_name.toStdString());
      done += n;
    }
    m_fileBytes += size;
    m_totalBytes += size;
    m_files.back().bytes = m_fileBytes;
    return Status::ok();
  }

  Status end() {
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) return Status::fromErrno(errno, "writing " + m_name.toStdString());
    return Status::ok();
  }

  std::vector<BundleFile> takeFiles() { return std::move(m_files); }

private:
  Status overFileLimit(qint64 bytes) const {
    return refuse(
        m_name,
        QStringLiteral("%1 bytes or more, over the limit of %2 bytes for this file").arg(bytes).arg(m_fileLimit));
  }

  const BundleLimits &m_limits;
  QString m_dir;
  std::vector<BundleFile> m_files;
  qint64 m_entries = 0;
  qint64 m_totalBytes = 0;
  QString m_name;
  qint64 m_fileLimit = 0;
  qint64 m_fileBytes = 0;
  int m_fd = -1;
};

// Where an archive entry lands: the bundle's files are all at the top level or all under one
// top-level directory ("mybundle/model.json", as `tar czf b.tar.gz mybundle` makes).
class Layout {
public:
  // The file name a file entry stands for, or an empty name for a directory entry that fits.
  Result<QString> place(const QString &raw, bool isDir) {
    if (raw.isEmpty()) return refuse(QStringLiteral("(an entry without a name)"), QStringLiteral("no name"));
    if (raw.startsWith(QLatin1Char('/'))) return refuse(raw, QStringLiteral("an absolute path"));
    QStringList parts;
    for (const QString &part : raw.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
      if (part == u"..") return refuse(raw, QStringLiteral("path leaves the bundle (a \"..\" component)"));
      if (part.toUtf8().size() > 255) return refuse(raw, QStringLiteral("a name longer than 255 bytes"));
      if (part != u".") parts << part;
    }
    if (parts.size() > 2 || (parts.size() == 2 && isDir))
      return refuse(raw, QStringLiteral("a nested directory (files go at the top level or under one directory)"));
    if (parts.isEmpty()) {
      if (isDir) return QString();
      return refuse(raw, QStringLiteral("a file without a name"));
    }
    const bool underTop = parts.size() == 2 || isDir;
    if (underTop) {
      if (m_flat) return refuse(raw, QStringLiteral("files both at the top level and in a directory"));
      if (!m_top.isEmpty() && m_top != parts[0])
        return refuse(raw, QStringLiteral("a second top-level directory (the files are under \"%1/\")").arg(m_top));
      m_top = parts[0];
      return isDir ? QString() : parts[1];
    }
    if (!m_top.isEmpty()) return refuse(raw, QStringLiteral("files both at the top level and in a directory"));
    m_flat = true;
    return parts[0];
  }

private:
  QString m_top;
  bool m_flat = false;
};

QString describeType(mode_t type) {
  switch (type) {
  case AE_IFLNK: return QStringLiteral("a symbolic link");
  case AE_IFCHR: return QStringLiteral("a character device");
  case AE_IFBLK: return QStringLiteral("a block device");
  case AE_IFIFO: return QStringLiteral("a fifo");
  case AE_IFSOCK: return QStringLiteral("a socket");
  default: return QStringLiteral("an entry of an unknown type");
  }
}

QString archiveError(archive *a) {
  const char *e = archive_error_string(a);
  return e ? QString::fromUtf8(e) : QStringLiteral("unknown error");
}

Status readArchive(const QString &path, const BundleLimits &limits, Intake &intake) {
  std::unique_ptr<archive, int (*)(archive *)> a(archive_read_new(), archive_read_free);
  if (!a) return Status::internal("libarchive: out of memory");
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), QFile::encodeName(path).constData(), kChunkBytes) != ARCHIVE_OK)
    return Status::invalidArgument("not a .tar.gz archive: " + archiveError(a.get()).toStdString());
  Layout layout;
  std::vector<char> buffer(kChunkBytes);
  for (;;) {
    archive_entry *entry = nullptr;
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return Status::invalidArgument("unreadable archive: " + archiveError(a.get()).toStdString());
    const char *rawName = archive_entry_pathname(entry);
    const QString raw = rawName ? QString::fromUtf8(rawName) : QString();
    LMFRONT_RETURN_IF_ERROR(intake.countEntry(raw));
    const mode_t type = archive_entry_filetype(entry);
    auto name = layout.place(raw, type == AE_IFDIR);
    if (!name) return name.status();
    if (const char *target = archive_entry_hardlink(entry))
      return refuse(raw, QStringLiteral("a hard link (to %1)").arg(QString::fromUtf8(target)));
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) return refuse(raw, describeType(type));
    LMFRONT_RETURN_IF_ERROR(intake.begin(*name, archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1));
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) return refuse(raw, QStringLiteral("unreadable: ") + archiveError(a.get()));
      LMFRONT_RETURN_IF_ERROR(intake.write(buffer.data(), n));
      // Checked per chunk, so a bomb is stopped a few chunks past the floor, never inflated.
      const la_int64_t inflated = archive_filter_bytes(a.get(), 0), packed = archive_filter_bytes(a.get(), -1);
      if (inflated > kRatioFloorBytes && packed > 0 &&
          static_cast<double>(inflated) > limits.maxCompressionRatio * static_cast<double>(packed))
        return refuse(raw, QStringLiteral("a compression ratio over %1:1 (a gzip bomb?): stopped after %2 bytes "
                                          "inflated from %3")
                               .arg(limits.maxCompressionRatio)
                               .arg(inflated)
                               .arg(packed));
    }
    LMFRONT_RETURN_IF_ERROR(intake.end());
  }
  return Status::ok();
}

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// A directory bundle: its files at its top level; checked like an archive's entries, and read
// through O_NOFOLLOW descriptors so a file swapped for a link meanwhile is refused too.
Status readDirectory(const QString &path, Intake &intake) {
  const QStringList names =
      QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
  std::vector<char> buffer(kChunkBytes);
  for (const QString &name : names) {
    LMFRONT_RETURN_IF_ERROR(intake.countEntry(name));
    const QByteArray file = QFile::encodeName(path + QLatin1Char('/') + name);
    struct stat st {};
    if (::lstat(file.constData(), &st) != 0) return Status::fromErrno(errno, "reading " + name.toStdString());
    if (S_ISDIR(st.st_mode))
      return refuse(name, QStringLiteral("a subdirectory (a directory bundle's files are at its top level)"));
    if (!S_ISREG(st.st_mode)) return refuse(name, describeType(st.st_mode & S_IFMT));
    if (st.st_nlink > 1) return refuse(name, QStringLiteral("a hard link (the file has %1 names)").arg(st.st_nlink));
    const FileDescriptor fd{::open(file.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
    if (fd.fd < 0) return Status::fromErrno(errno, "reading " + name.toStdString());
    struct stat opened {};
    if (::fstat(fd.fd, &opened) != 0 || !S_ISREG(opened.st_mode) || opened.st_ino != st.st_ino)
      return refuse(name, QStringLiteral("changed while it was being read"));
    LMFRONT_RETURN_IF_ERROR(intake.begin(name, opened.st_size));
    for (;;) {
      const ssize_t n = ::read(fd.fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::fromErrno(errno, "reading " + name.toStdString());
      if (n == 0) break;
      LMFRONT_RETURN_IF_ERROR(intake.write(buffer.data(), n));
    }
    LMFRONT_RETURN_IF_ERROR(intake.end());
  }
  return Status::ok();
}

const BundleFile *findFile(const std::vector<BundleFile> &files, const QString &name) {
  for (const BundleFile &f : files)
    if (f.name == name) return &f;
  return nullptr;
}

Result<QByteArray> readSmallFile(const BundleFile &f) {
  QFile file(f.path);
  if (!file.open(QIODevice::ReadOnly)) return Status::ioError("reading " + f.name.toStdString());
  return file.readAll();
}

// The extracted files as a Bundle: model.json parsed, the model source and the file set checked.
Status assemble(Bundle &b) {
  const BundleFile *manifest = findFile(b.files, kManifest);
  if (!manifest) return refuse(kManifest, QStringLiteral("missing (every bundle has one: see docs/model-format.md)"));
  auto json = readSmallFile(*manifest);
  if (!json) return json.status();
  auto parsed = parseBundleManifest(*json);
  if (!parsed) return parsed.status().withContext(kManifest.toStdString());
  b.manifest = std::move(*parsed);
  b.manifestPath = manifest->path;

  QStringList expected{kManifest, kDev, kCard};
  if (const TrainingSpec *train = b.manifest.train ? &*b.manifest.train : nullptr) {
    if (findFile(b.files, kArpa))
      return refuse(kArpa, QStringLiteral("a bundle carries model.arpa or a corpus to train (\"train\"), not both"));
    const BundleFile *corpus = findFile(b.files, train->corpus);
    if (!corpus) return refuse(train->corpus, QStringLiteral("missing (model.json's train.corpus names it)"));
    b.corpusPath = corpus->path;
    expected << train->corpus;
  } else {
    const BundleFile *arpa = findFile(b.files, kArpa);
    if (!arpa) return refuse(kArpa, QStringLiteral("missing (or a \"train\" object in model.json naming a corpus)"));
    b.arpaPath = arpa->path;
    expected << kArpa;
  }
  for (const BundleFile &f : b.files)
    if (!expected.contains(f.name))
      return refuse(f.name, QStringLiteral("not part of a bundle (expected: %1)").arg(expected.join(u", ")));
  if (const BundleFile *dev = findFile(b.files, kDev)) b.devPath = dev->path;
  if (const BundleFile *card = findFile(b.files, kCard)) {
    auto text = readSmallFile(*card);
    if (!text) return text.status();
    if (const std::size_t bad = engine::findInvalidUtf8(std::string_view(text->constData(), text->size())))
      return refuse(kCard, QStringLiteral("not UTF-8 (byte %1)").arg(bad));
    b.card = QString::fromUtf8(*text);
  }
  return Status::ok();
}

}  // namespace

QString Bundle::shown(const QString &text) const {
  QString out = text;
  return root.isEmpty() ? out : out.replace(root + QLatin1Char('/'), QString());
}

Result<Bundle> openBundle(const QString &path, const BundleLimits &limits, const QString &workDir) {
  const QFileInfo info(path);
  const QString source = info.fileName().isEmpty() ? path : info.fileName();
  if (!info.exists()) return Status::notFound(QStringLiteral("%1: no such file or directory").arg(path).toStdString());
  auto scratch = makeScratch(workDir);
  if (!scratch) return scratch.status();
  Bundle b;
  b.source = source;
  b.root = (*scratch)->path();
  {
    Intake intake(limits, b.root);
    const Status read = info.isDir() ? readDirectory(path, intake) : readArchive(path, limits, intake);
    // On a refusal `scratch` goes out of scope with the partial copies: nothing remains on disk.
    if (!read.isOk()) return read.withContext(source.toStdString());
    b.files = intake.takeFiles();
  }
  LMFRONT_RETURN_IF_ERROR(assemble(b).withContext(source.toStdString()));
  b.scratch = std::move(*scratch);
  return b;
}

Result<engine::TrainOptions> trainingOptions(const Bundle &bundle, const QString &arpaOut, const QString &tempDir) {
  if (!bundle.manifest.train)
    return Status::failedPrecondition(bundle.source.toStdString() + ": carries model.arpa; nothing to train");
  const BundleManifest &m = bundle.manifest;
  engine::TrainOptions o;
  o.count.order = m.order;
  o.count.tokenizer = m.tokenizer;
  o.count.tokenizer.lowercase = m.tokenizer.mode == engine::TokenizerMode::Default && m.tokenizer.lowercase;
  o.count.skipInvalid = m.train->skipInvalid;
  o.count.memoryBytes = static_cast<std::uint64_t>(m.train->memoryMb) << 20;
  o.count.tempDir = tempDir.toStdString();
  o.count.progress = false;
  if (m.train->discountFallback) o.kneserNey.fallback = engine::Discount{{0.0, 0.5, 1.0, 1.5}};
  o.textPath = bundle.corpusPath.toStdString();
  o.arpaPath = arpaOut.toStdString();
  return o;
}

}  // namespace lmfront::registry
