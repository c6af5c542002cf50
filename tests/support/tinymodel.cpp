#include "tinymodel.h"

#include "engine/trainer.h"

#include <QFile>
#include <QtGlobal>

namespace lmfront::testing {
namespace {

const char *const kCorpus =
    "the cat sat on the mat\nthe dog sat on the log\na cat and a dog met on the mat\n"
    "the mat was red and the log was brown\nthe cat saw the dog and the dog saw the cat\n";

}  // namespace

QString trainTinyModel(const QString &dir, const char *corpus) {
  QFile text(dir + QStringLiteral("/corpus.txt"));
  if (!text.open(QIODevice::WriteOnly) || text.write(corpus ? corpus : kCorpus) < 0) return {};
  text.close();
  engine::TrainOptions options;
  options.count.order = 3;
  options.count.progress = false;
  options.count.tempDir = dir.toStdString();
  options.kneserNey.fallback = engine::Discount{{0.0, 0.5, 1.0, 1.5}};
  options.textPath = text.fileName().toStdString();
  const QString arpa = dir + QStringLiteral("/tiny.arpa");
  options.arpaPath = arpa.toStdString();
  auto trained = engine::train(options);
  if (!trained) qWarning("training the test model: %s", trained.status().toString().c_str());
  return trained ? arpa : QString();
}

}  // namespace lmfront::testing
