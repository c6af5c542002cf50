// Test helper: submission bundles built at test time — a tiny trained model with its model.json,
// dev.txt and README.md, written as a directory or as a .tar.gz through libarchive (which, unlike
// the tar program, writes whatever an attacker would: absolute names, "..", links, fifos, lying
// sizes, bombs).
#pragma once

#include "tinymodel.h"

#include <archive.h>
#include <archive_entry.h>
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QString>
#include <memory>
#include <vector>

namespace lmfront::testing {

struct TarEntry {
  QByteArray name;
  QByteArray data;
  mode_t type = AE_IFREG;
  QByteArray link;  // a symbolic link's target, or a hard link's when hardLink
  bool hardLink = false;
};

inline TarEntry file(const QByteArray &name, QByteArray data) { return {name, std::move(data), AE_IFREG, {}, false}; }
inline TarEntry directory(const char *name) { return {name, {}, AE_IFDIR, {}, false}; }
inline TarEntry symlink(const char *name, const char *target) { return {name, {}, AE_IFLNK, target, false}; }
inline TarEntry hardLink(const char *name, const char *target) { return {name, {}, AE_IFREG, target, true}; }
inline TarEntry special(const char *name, mode_t type) { return {name, {}, type, {}, false}; }

// Writes `entries` as a gzip-compressed pax tar at `path`; false on any libarchive error.
inline bool writeTarGz(const QString &path, const std::vector<TarEntry> &entries) {
  std::unique_ptr<archive, int (*)(archive *)> a(archive_write_new(), archive_write_free);
  if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_open_filename(a.get(), QFile::encodeName(path).constData()) != ARCHIVE_OK)
    return false;
  for (const TarEntry &e : entries) {
    std::unique_ptr<archive_entry, void (*)(archive_entry *)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), e.name.constData());
    archive_entry_set_filetype(entry.get(), e.type);
    archive_entry_set_perm(entry.get(), e.type == AE_IFDIR ? 0755 : 0644);
    if (e.hardLink) archive_entry_set_hardlink(entry.get(), e.link.constData());
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry.get(), e.link.constData());
    archive_entry_set_size(entry.get(), e.type == AE_IFREG && !e.hardLink ? e.data.size() : 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) return false;
    if (e.type == AE_IFREG && !e.hardLink && !e.data.isEmpty() &&
        archive_write_data(a.get(), e.data.constData(), static_cast<std::size_t>(e.data.size())) != e.data.size())
      return false;
  }
  return archive_write_close(a.get()) == ARCHIVE_OK;
}

inline QByteArray readAll(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline bool writeAll(const QString &path, const QByteArray &bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// A corpus that takes the trainer a second or more: 300 000 sentences over 400 words.
inline QByteArray bigCorpus() {
  QRandomGenerator random(7);
  QByteArray text;
  text.reserve(10 << 20);
  for (int line = 0; line < 300'000; ++line) {
    const int words = 4 + static_cast<int>(random.bounded(6));
    for (int w = 0; w < words; ++w) {
      if (w) text += ' ';
      text += 'w' + QByteArray::number(random.bounded(400));
    }
    text += '\n';
  }
  return text;
}

// The parts of a good bundle: the tiny model (order 3) trained in `dir`, text from its corpus as
// the dev set, a model card.
struct GoodBundle {
  QByteArray manifest = R"({"name":"tiny","description":"five sentences","owner":"alice","license":"CC0-1.0",
                            "tokenizer":"default","lowercase":true,"order":3,
                            "depends_on":[{"model":"english","version":2}]})";
  QByteArray arpa;
  QByteArray dev = "the cat sat on the log\nthe dog saw the mat\n";
  QByteArray card = "# tiny\n\nA toy model for tests. 小模型\n";
  QByteArray corpus;

  bool make(const QString &dir) {
    const QString arpaPath = trainTinyModel(dir);
    arpa = readAll(arpaPath);
    corpus = readAll(dir + QStringLiteral("/corpus.txt"));
    return !arpaPath.isEmpty() && !arpa.isEmpty() && !corpus.isEmpty();
  }
  std::vector<TarEntry> entries(const char *prefix = "") const {
    const QByteArray p(prefix);
    return {file(p + "model.json", manifest), file(p + "model.arpa", arpa), file(p + "dev.txt", dev),
            file(p + "README.md", card)};
  }
  bool writeDirectory(const QString &dir) const {
    if (!QDir().mkpath(dir)) return false;
    for (const TarEntry &e : entries())
      if (!writeAll(dir + QLatin1Char('/') + QString::fromUtf8(e.name), e.data)) return false;
    return true;
  }
};

}  // namespace lmfront::testing
