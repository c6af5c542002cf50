#include "screenshot.h"

#include "consolecomposition.h"
#include "widgets/playgroundpage.h"

#include <QCoreApplication>
#include <QTimer>
#include <cstdio>
#include <memory>

namespace lmfront::console {

namespace {
constexpr double kMinUptimeS = 2.0;
constexpr int kSettleMs = 400;
}  // namespace

void armScreenshot(ConsoleComposition &console, const QString &file) {
  widgets::MainWindow *window = &console.window();
  auto save = [window, file] {
    // Let the queued layout and paint of the freshly filled page settle first.
    QTimer::singleShot(kSettleMs, window, [window, file] {
      const bool saved = window->grab().save(file, "PNG");
      if (!saved) std::fprintf(stderr, "lmfront-console: cannot write %s\n", qPrintable(file));
      QCoreApplication::exit(saved ? 0 : 1);
    });
  };
  auto done = std::make_shared<bool>(false);
  models::NodeSession *session = &console.session();
  widgets::PlaygroundPage *playground = console.playground();
  QObject::connect(session, &models::NodeSession::healthUpdated, window, [=](const client::NodeHealth &health) {
    if (*done || !health.healthy() || session->nodeInfo()->health().listen.isEmpty() || health.uptimeS < kMinUptimeS)
      return;
    *done = true;
    if (window->currentSection() != QLatin1String("playground")) return save();
    QObject::connect(playground, &widgets::PlaygroundPage::generationFinished, window, save);
    playground->runExample(QStringLiteral("english"), QStringLiteral("You will"), 5, 48);
  });
  QTimer::singleShot(kScreenshotTimeoutMs, window, [done] {
    if (*done) return;
    std::fprintf(stderr, "lmfront-console: node not healthy within %d s, no screenshot\n", kScreenshotTimeoutMs / 1000);
    QCoreApplication::exit(1);
  });
}

}  // namespace lmfront::console
