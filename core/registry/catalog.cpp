#include "registry/catalog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <algorithm>

namespace lmfront::registry {

namespace {

// NAME.json beside `modelFile`. No manifest: the defaults. `shownPath`: how errors name it.
Result<ModelManifest> readManifest(const QFileInfo &modelFile, const QString &name, const QString &shownPath) {
  QFile file(modelFile.absolutePath() + QLatin1Char('/') + modelFile.completeBaseName() + QStringLiteral(".json"));
  if (!file.exists()) return ModelManifest{};
  if (!file.open(QIODevice::ReadOnly))
    return Status::ioError(QStringLiteral("%1: %2").arg(shownPath, file.errorString()).toStdString());
  return parseManifest(file.readAll(), shownPath, name);
}

}  // namespace

Result<std::vector<CatalogEntry>> scanCatalog(const std::vector<ModelSource> &flagged, const QString &dataDir) {
  std::vector<CatalogEntry> models;
  auto known = [&](const QString &name) {
    return std::any_of(models.begin(), models.end(), [&](const CatalogEntry &e) { return e.name == name; });
  };
  for (const auto &spec : flagged) {
    QFileInfo file(spec.path);
    if (!file.isFile() || !file.isReadable())
      return Status::notFound(
          QStringLiteral("model '%1': %2: no readable file there").arg(spec.name, spec.path).toStdString());
    if (known(spec.name))
      return Status::alreadyExists(QStringLiteral("model '%1' given twice").arg(spec.name).toStdString());
    // The manifest beside a --model file is named after the file, which may differ from NAME.
    const QString shown = file.absolutePath() + QLatin1Char('/') + file.completeBaseName() + QStringLiteral(".json");
    auto manifest = readManifest(file, file.completeBaseName(), shown);
    if (!manifest) return manifest.status().withContext(QStringLiteral("model '%1'").arg(spec.name).toStdString());
    models.push_back(
        {spec.name, file.absoluteFilePath(), file.lastModified().toSecsSinceEpoch(), true, *manifest, Status::ok()});
  }
  QDir dir(dataDir + QStringLiteral("/models"));
  const auto files = dir.entryInfoList({QStringLiteral("*.lmb")}, QDir::Files | QDir::Readable, QDir::Name);
  for (const QFileInfo &file : files) {
    const QString name = file.completeBaseName();
    if (known(name)) continue;  // a --model of the same name wins
    CatalogEntry entry{name, file.absoluteFilePath(), file.lastModified().toSecsSinceEpoch(), false, {}, Status::ok()};
    auto manifest = readManifest(file, name, QStringLiteral("models/%1.json").arg(name));
    if (manifest)
      entry.manifest = std::move(*manifest);
    else
      entry.manifestError = manifest.status();
    models.push_back(std::move(entry));
  }
  return models;
}

}  // namespace lmfront::registry
