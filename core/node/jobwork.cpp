#include "node/jobwork.h"

#include "engine/continuationindex.h"
#include "engine/mixture.h"
#include "engine/model.h"
#include "engine/trainer.h"
#include "registry/artifactstore.h"
#include "registry/bundlepacker.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <set>

namespace lmfront::node {

namespace {

// Removes a job's working directory whatever way its work ends.
struct WorkDir {
  QString path;
  explicit WorkDir(QString p) : path(std::move(p)) { QDir().mkpath(path); }
  ~WorkDir() { QDir(path).removeRecursively(); }
};

Status cancelledStatus() { return Status::cancelled("the job was cancelled"); }

// The ARPA to work from: the bundle's own, or one trained from its corpus into the work dir.
Result<QString> modelArpa(const registry::Bundle &bundle, const QString &workDir, JobRun &run) {
  if (!bundle.needsTraining()) return bundle.arpaPath;
  const QString arpa = workDir + u"/trained.arpa"_qs;
  auto options = registry::trainingOptions(bundle, arpa, workDir);
  if (!options) return options.status();
  run.report(0.1, "training an order-" + std::to_string(bundle.manifest.order) + " model on " +
                      std::to_string(QFileInfo(bundle.corpusPath).size()) + " bytes of corpus");
  auto summary = engine::train(*options);
  if (!summary) return summary.status().withContext("training");
  std::string counts;
  for (std::size_t i = 0; i < summary->ngramCounts.size(); ++i)
    counts += (i ? ", " : "") + std::to_string(summary->ngramCounts[i]) + " " + std::to_string(i + 1) + "-grams";
  run.report(0.5, "trained: " + std::to_string(summary->sentences) + " sentences, " + counts);
  return arpa;
}

Result<registry::Bundle> openStored(const JobParts &parts, const QString &bundlePath, JobRun &run) {
  run.report(0.02, "opening the bundle");
  auto bundle = registry::openBundle(bundlePath, parts.limits, parts.workDir);
  if (!bundle) return bundle.status();
  return bundle;
}

}  // namespace

JobWork validationWork(JobParts parts, QString bundlePath, std::string model,
                       std::function<Status(const ValidationOutcome &)> apply) {
  return [parts = std::move(parts), bundlePath = std::move(bundlePath), model = std::move(model),
          apply = std::move(apply)](JobRun &run) -> Result<JobApply> {
    WorkDir work(parts.workDir);
    auto bundle = openStored(parts, bundlePath, run);
    if (!bundle) return bundle.status();
    if (run.cancelled) return cancelledStatus();
    auto arpa = modelArpa(*bundle, parts.workDir, run);
    if (!arpa)
      return Status(arpa.status().code(), bundle->shown(QString::fromStdString(arpa.status().message())).toStdString());
    if (run.cancelled) return cancelledStatus();
    run.report(0.6, "validating the model");
    auto report = registry::validateBundle(*bundle, parts.validation, bundle->needsTraining() ? *arpa : QString());
    if (!report) return report.status();
    if (bundle->manifest.name.toStdString() != model)
      report->add(u"manifest"_qs, false,
                  QStringLiteral("model.json names the model %1, but the version is of %2")
                      .arg(bundle->manifest.name, QString::fromStdString(model)));
    ValidationOutcome outcome;
    outcome.record.passed = report->passed;
    outcome.record.reportJson = QJsonDocument(report->toJson()).toJson(QJsonDocument::Compact).toStdString();
    outcome.record.order = report->order;
    outcome.record.vocabularySize = static_cast<std::int64_t>(report->vocabulary);
    if (report->dev) outcome.record.devPerplexity = report->dev->perplexity;
    if (report->passed && bundle->needsTraining()) {
      run.report(0.95, "storing the trained model");
      auto stored = parts.artifacts.put(arpa->toStdString());
      if (!stored) return stored.status();
      outcome.trained = registry::ArtifactRecord{stored->sha256, parts.artifacts.path(stored->sha256),
                                                 static_cast<std::int64_t>(stored->bytes), "arpa",
                                                 QDateTime::currentMSecsSinceEpoch()};
    }
    std::string failed;
    for (const auto &check : report->checks) {
      run.report(0.9,
                 (check.passed ? "passed " : "FAILED ") + check.name.toStdString() + ": " + check.detail.toStdString());
      if (!check.passed)
        failed += (failed.empty() ? "" : "; ") + check.name.toStdString() + ": " + check.detail.toStdString();
    }
    outcome.summary = report->passed ? "validation passed" : "validation failed: " + failed;
    return JobApply([apply, outcome] { return apply(outcome); });
  };
}

JobWork compileWork(JobParts parts, QString bundlePath, QString trainedArpa,
                    std::function<Status(const CompileOutcome &)> apply) {
  return [parts = std::move(parts), bundlePath = std::move(bundlePath), trainedArpa = std::move(trainedArpa),
          apply = std::move(apply)](JobRun &run) -> Result<JobApply> {
    WorkDir work(parts.workDir);
    QString arpa = trainedArpa;
    std::optional<registry::Bundle> bundle;  // the bundle's own model: its messages name its files
    if (arpa.isEmpty()) {
      auto opened = openStored(parts, bundlePath, run);
      if (!opened) return opened.status();
      if (run.cancelled) return cancelledStatus();
      auto own = modelArpa(*opened, parts.workDir, run);
      if (!own) return own.status();
      arpa = *own;
      bundle = std::move(*opened);
    } else {
      run.report(0.1, "compiling the model its training job stored");
    }
    if (run.cancelled) return cancelledStatus();
    run.report(0.6, "building the model and its continuation index");
    auto model = engine::Model::open(arpa.toStdString());
    if (!model) {
      const QString why = QString::fromStdString(model.status().message());
      return Status(model.status().code(), (bundle ? bundle->shown(why) : why).toStdString());
    }
    auto image = engine::ContinuationIndex::compiledImage(**model);
    if (!image) return image.status();
    if (run.cancelled) return cancelledStatus();
    const QString out = parts.workDir + u"/model.lmb"_qs;
    QFile file(out);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(reinterpret_cast<const char *>(image->bytes()), static_cast<qint64>(image->size)) !=
            static_cast<qint64>(image->size))
      return Status::ioError("cannot write " + out.toStdString() + ": " + file.errorString().toStdString());
    file.close();
    run.report(0.9, "storing the compiled model (" + std::to_string(image->size) + " bytes)");
    auto stored = parts.artifacts.put(out.toStdString());
    if (!stored) return stored.status();
    CompileOutcome outcome;
    outcome.artifact = {stored->sha256, parts.artifacts.path(stored->sha256), static_cast<std::int64_t>(stored->bytes),
                        "lmb", QDateTime::currentMSecsSinceEpoch()};
    run.report(0.95, "compiled: sha256 " + stored->sha256);
    return JobApply([apply, outcome] { return apply(outcome); });
  };
}

Result<Swept> collectArtifacts(registry::CatalogDb &catalog, const registry::ArtifactStore &artifacts,
                               const std::string &actor) {
  auto collectable = catalog.collectableArtifacts();
  if (!collectable) return collectable.status();
  auto stored = artifacts.list();
  if (!stored) return stored.status();
  std::set<std::string, std::less<>> doomed;
  for (const auto &a : *collectable) doomed.insert(a.sha256);
  const qint64 youngMs = QDateTime::currentMSecsSinceEpoch() - qint64{3600} * 1000;
  std::set<std::string, std::less<>> kept;
  for (const auto &a : *stored) {
    if (doomed.count(a.sha256)) continue;
    auto known = catalog.artifact(a.sha256);
    if (!known) return known.status();
    // Stored but never recorded: kept while a submission may still be recording it.
    if (!*known &&
        QFileInfo(QString::fromStdString(artifacts.path(a.sha256))).lastModified().toMSecsSinceEpoch() < youngMs)
      continue;
    kept.insert(a.sha256);
  }
  auto collected = artifacts.collect(kept);
  if (!collected) return collected.status();
  for (const auto &a : collected->removed) LMFRONT_RETURN_IF_ERROR(catalog.removeArtifact(a.sha256));
  Swept swept{static_cast<std::int64_t>(collected->removed.size()), static_cast<std::int64_t>(collected->bytesFreed)};
  LMFRONT_RETURN_IF_ERROR(catalog.audit().append(
      {QDateTime::currentMSecsSinceEpoch(), actor, "gc", "", std::nullopt, "", "",
       "removed " + std::to_string(swept.removed) + " artifacts, " + std::to_string(swept.bytes) + " bytes",
       registry::AuditOutcome::Ok}));
  return swept;
}

JobWork mixWork(JobParts parts, QString model, std::string owner, std::vector<MixSource> sources, QString devText,
                std::function<Status(const MixOutcome &)> apply) {
  return [parts = std::move(parts), model = std::move(model), owner = std::move(owner), sources = std::move(sources),
          devText = std::move(devText), apply = std::move(apply)](JobRun &run) -> Result<JobApply> {
    WorkDir work(parts.workDir);
    const QString bundleDir = parts.workDir + u"/bundle"_qs;
    if (!QDir().mkpath(bundleDir)) return Status::ioError("cannot create " + bundleDir.toStdString());
    std::vector<std::shared_ptr<const engine::Model>> models;
    int order = 0;
    for (const MixSource &source : sources) {
      run.report(0.05, "opening " + source.version.model + " v" + std::to_string(source.version.version));
      auto opened = engine::Model::open(source.path.toStdString());
      if (!opened) return opened.status();
      order = std::max(order, (*opened)->order());
      models.push_back(*opened);
      if (run.cancelled) return cancelledStatus();
    }
    std::vector<double> weights;
    const QString devPath = bundleDir + u"/dev.txt"_qs;
    if (!devText.isEmpty()) {
      QFile dev(devPath);
      if (!dev.open(QIODevice::WriteOnly) || dev.write(devText.toUtf8()) < 0)
        return Status::ioError("cannot write " + devPath.toStdString());
    }
    if (sources.front().weight) {
      for (const MixSource &source : sources) weights.push_back(*source.weight);
    } else {
      run.report(0.2, "tuning the weights by EM on the dev text");
      auto tuned = engine::tuneWeights(models, devPath.toStdString(), engine::TokenizerOptions{});
      if (!tuned) return tuned.status().withContext("dev_text");
      weights = tuned->weights;
      run.report(0.4, "tuned perplexity " + std::to_string(tuned->tunedPerplexity) + " (uniform " +
                          std::to_string(tuned->uniformPerplexity) + ", " + std::to_string(tuned->iterations) +
                          " EM iterations)");
    }
    if (run.cancelled) return cancelledStatus();
    auto mixture = engine::Mixture::create(models, weights);
    if (!mixture) return mixture.status();
    run.report(0.5, "merging into one back-off model");
    auto merged = engine::staticMerge(*mixture);
    if (!merged) return merged.status();
    LMFRONT_RETURN_IF_ERROR(engine::writeArpa(*merged, QString(bundleDir + u"/model.arpa"_qs).toStdString()));
    if (run.cancelled) return cancelledStatus();

    QJsonArray dependsOn;
    QString card = u"# "_qs + model + u"\n\nA mix of:\n\n"_qs;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const auto &v = sources[i].version;
      dependsOn.append(
          QJsonObject{{u"model"_qs, QString::fromStdString(v.model)}, {u"version"_qs, static_cast<qint64>(v.version)}});
      card += QStringLiteral("- %1 v%2, weight %3\n")
                  .arg(QString::fromStdString(v.model))
                  .arg(v.version)
                  .arg(mixture->weights()[i]);
    }
    MixOutcome outcome;
    outcome.manifest =
        QJsonDocument(
            QJsonObject{{u"name"_qs, model},
                        {u"description"_qs, QString(u"a mix of "_qs + QString::number(sources.size()) + u" models"_qs)},
                        {u"owner"_qs, QString::fromStdString(owner)},
                        {u"license"_qs, u"as its sources"_qs},
                        {u"order"_qs, order},
                        {u"depends_on"_qs, dependsOn}})
            .toJson(QJsonDocument::Compact);
    outcome.card = card;
    QFile manifest(bundleDir + u"/model.json"_qs), readme(bundleDir + u"/README.md"_qs);
    if (!manifest.open(QIODevice::WriteOnly) || manifest.write(outcome.manifest) < 0 ||
        !readme.open(QIODevice::WriteOnly) || readme.write(card.toUtf8()) < 0)
      return Status::ioError("cannot write the mixed bundle");
    manifest.close();
    readme.close();
    const QString archive = parts.workDir + u"/bundle.tar.gz"_qs;
    LMFRONT_RETURN_IF_ERROR(registry::packBundle(bundleDir, archive));
    auto stored = parts.artifacts.put(archive.toStdString());
    if (!stored) return stored.status();
    outcome.sha256 = stored->sha256;
    run.report(0.95, "stored the mixed bundle: sha256 " + stored->sha256);
    return JobApply([apply, outcome] { return apply(outcome); });
  };
}

}  // namespace lmfront::node
