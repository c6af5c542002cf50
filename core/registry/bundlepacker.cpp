#include "registry/bundlepacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <memory>

namespace lmfront::registry {

Status packBundle(const QString &dir, const QString &outPath) {
  const QDir root(dir);
  if (!root.exists()) return Status::notFound(dir.toStdString() + ": no such directory");
  const auto entries =
      root.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDir::Name);
  for (const QFileInfo &f : entries)
    if (f.isSymLink() || !f.isFile())
      return Status::invalidArgument(dir.toStdString() + ": " + f.fileName().toStdString() +
                                     ": not a regular file (a bundle holds only files)");
  std::unique_ptr<archive, int (*)(archive *)> a(archive_write_new(), archive_write_free);
  const auto failed = [&](const QString &what) {
    const std::string message = outPath.toStdString() + ": " + what.toStdString() + ": " +
                                (archive_error_string(a.get()) ? archive_error_string(a.get()) : "error");
    QFile::remove(outPath);
    return Status::ioError(message);
  };
  if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_open_filename(a.get(), QFile::encodeName(outPath).constData()) != ARCHIVE_OK)
    return failed(u"cannot create"_qs);
  for (const QFileInfo &f : entries) {
    QFile in(f.filePath());
    if (!in.open(QIODevice::ReadOnly)) {
      QFile::remove(outPath);
      return Status::ioError(f.filePath().toStdString() + ": " + in.errorString().toStdString());
    }
    std::unique_ptr<archive_entry, void (*)(archive_entry *)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), QFile::encodeName(f.fileName()).constData());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), in.size());
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) return failed(f.fileName());
    while (!in.atEnd()) {
      const QByteArray block = in.read(1 << 20);
      if (block.isEmpty()) break;
      if (archive_write_data(a.get(), block.constData(), static_cast<std::size_t>(block.size())) != block.size())
        return failed(f.fileName());
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return failed(u"cannot finish"_qs);
  return Status::ok();
}

}  // namespace lmfront::registry
