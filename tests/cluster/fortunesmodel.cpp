#include "fortunesmodel.h"

#include "engine/trainer.h"

#include <QFile>

namespace lmfront::testing {

QString trainFortunesModel(const QString &dir, int lines, QString *error) {
  QFile fortunes(QStringLiteral("/usr/share/games/fortunes/fortunes"));
  if (!fortunes.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("cannot read /usr/share/games/fortunes/fortunes (scripts/setup.sh installs fortunes)");
    return {};
  }
  QByteArray text;
  for (int kept = 0; !fortunes.atEnd() && kept < lines;) {
    const QByteArray line = fortunes.readLine().trimmed();
    if (line.isEmpty() || line == "%") continue;
    text += line + '\n';
    ++kept;
  }
  const QString corpus = dir + QStringLiteral("/corpus.txt");
  QFile out(corpus);
  if (!out.open(QIODevice::WriteOnly) || out.write(text) != text.size()) {
    *error = QStringLiteral("cannot write ") + corpus;
    return {};
  }
  out.close();
  engine::TrainOptions options;
  options.count.order = 3;
  options.count.tokenizer.lowercase = true;
  options.count.progress = false;
  options.count.tempDir = dir.toStdString();
  options.textPath = corpus.toStdString();
  const QString arpa = dir + QStringLiteral("/fortunes.arpa");
  options.arpaPath = arpa.toStdString();
  auto summary = engine::train(options);
  if (!summary) {
    *error = QString::fromStdString(summary.status().message());
    return {};
  }
  return arpa;
}

}  // namespace lmfront::testing
