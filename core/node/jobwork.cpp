#include "node/jobwork.h"

#include "engine/continuationindex.h"
#include "engine/model.h"
#include "engine/trainer.h"
#include "registry/artifactstore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

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

JobWork validationWork(JobParts parts, QString bundlePath, std::function<Status(const ValidationOutcome &)> apply) {
  return [parts = std::move(parts), bundlePath = std::move(bundlePath),
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
    ValidationOutcome outcome;
    outcome.record.passed = report->passed;
    outcome.record.reportJson = QJsonDocument(report->toJson()).toJson(QJsonDocument::Compact).toStdString();
    outcome.record.order = report->order;
    outcome.record.vocabularySize = static_cast<std::int64_t>(report->vocabulary);
    if (report->dev) outcome.record.devPerplexity = report->dev->perplexity;
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

JobWork compileWork(JobParts parts, QString bundlePath, std::function<Status(const CompileOutcome &)> apply) {
  return [parts = std::move(parts), bundlePath = std::move(bundlePath),
          apply = std::move(apply)](JobRun &run) -> Result<JobApply> {
    WorkDir work(parts.workDir);
    auto bundle = openStored(parts, bundlePath, run);
    if (!bundle) return bundle.status();
    if (run.cancelled) return cancelledStatus();
    auto arpa = modelArpa(*bundle, parts.workDir, run);
    if (!arpa) return arpa.status();
    if (run.cancelled) return cancelledStatus();
    run.report(0.6, "building the model and its continuation index");
    auto model = engine::Model::open(arpa->toStdString());
    if (!model)
      return Status(model.status().code(),
                    bundle->shown(QString::fromStdString(model.status().message())).toStdString());
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

}  // namespace lmfront::node
