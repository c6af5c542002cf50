#include "fortunesmodel.h"

#include "common/clock.h"
#include "common/eventsink.h"
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

std::unique_ptr<node::Node> startFortunesNode(const QString &dir, int lines, QString *error) {
  const QString model = trainFortunesModel(dir, lines, error);
  if (model.isEmpty()) return nullptr;
  node::NodeConfig config;
  config.listenPort = 0;
  config.dataDir = dir + QStringLiteral("/data");
  config.workers = 1;
  config.models.push_back({QStringLiteral("fortunes"), model});
  // Node reports go to the test's log; the sink outlives every node this helper starts.
  static StderrEventSink events;
  auto node = std::make_unique<node::Node>(config, Clock::steady(), events);
  if (const Status started = node->start(); !started) {
    *error = QString::fromStdString(started.message());
    return nullptr;
  }
  return node;
}

}  // namespace lmfront::testing
