// lmfront-console: starts the local node in-process, then shows the console as a client of the
// node's HTTP API (the same path a remote node takes).
//
// Flags: kConsoleFlags below, then the node's own (nodeFlags(): --listen, --data-dir, ...), parsed
// as one table (docs/console.md):
//   --screenshot FILE   wait until the node is healthy and the Overview filled, save the main
//                       window as PNG, exit 0 (1 when that does not happen within 30 s);
//                       reads and writes no user settings, so it is reproducible
//   --language CODE     en or zh_CN for this run (not saved)
//   --section ID        open this section (overview, playground, settings) instead of the last one
//                       used; with --screenshot and playground, a short seeded generation runs first
// Without --listen the port comes from Settings (default 8080) and a busy port moves on to the
// next free one; an explicit --listen is taken as asked and fails when busy.
#include "client/healthclient.h"
#include "config/flags.h"
#include "models/nodeinfomodel.h"
#include "node/node.h"
#include "widgets/consolesettings.h"
#include "widgets/languagemanager.h"
#include "widgets/mainwindow.h"
#include "widgets/overviewpage.h"
#include "widgets/playgroundpage.h"
#include "widgets/settingspage.h"
#include "widgets/theme.h"

#include <QApplication>
#include <QCoreApplication>
#include <QMessageBox>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <memory>

using namespace lmfront;

// Translation context for the few strings main() shows itself.
class ConsoleMain {
  Q_DECLARE_TR_FUNCTIONS(ConsoleMain)
};

namespace {

constexpr int kPortFallbackAttempts = 20;
constexpr int kScreenshotTimeoutMs = 30'000;
constexpr double kScreenshotMinUptimeS = 2.0;

constexpr config::FlagSpec kConsoleFlags[] = {
    config::flag("screenshot", "FILE", "save the main window as PNG once the node is healthy, then exit"),
    config::flag("language", "CODE", "en or zh_CN for this run"),
    config::flag("section", "ID", "open this section first (overview, playground, settings)"),
};

// The console's flags and the node's, one table.
std::vector<config::FlagSpec> consoleFlags() {
  std::vector<config::FlagSpec> table(std::begin(kConsoleFlags), std::end(kConsoleFlags));
  const auto node = node::nodeFlags();
  table.insert(table.end(), node.begin(), node.end());
  return table;
}

void printUsage(FILE *out) {
  std::fprintf(out, "usage: lmfront-console [flags]\n\nconsole flags:\n%s\nnode %s",
               config::flagUsage(kConsoleFlags).c_str(), qPrintable(node::nodeUsage()));
}

// Saves the window once the node is healthy and the Overview shows it; exits the app.
void armScreenshot(QApplication &app, widgets::MainWindow &window, client::HealthClient &client,
                   models::NodeInfoModel &model, widgets::PlaygroundPage &playground, const QString &file) {
  auto *done = new bool(false);
  auto save = [&app, &window, file] {
    // Let the queued layout and paint of the freshly filled page settle first.
    QTimer::singleShot(400, &window, [&app, &window, file] {
      const bool saved = window.grab().save(file, "PNG");
      if (!saved) std::fprintf(stderr, "lmfront-console: cannot write %s\n", qPrintable(file));
      app.exit(saved ? 0 : 1);
    });
  };
  QObject::connect(&client, &client::HealthClient::healthUpdated, &window, [&, done, save](const auto &health) {
    // A couple of seconds of uptime makes a more telling picture than "0 s".
    if (*done || !health.healthy() || model.health().listen.isEmpty() || health.uptimeS < kScreenshotMinUptimeS) return;
    *done = true;
    if (window.currentSection() != QLatin1String("playground")) return save();
    // The Playground is shown working: a short seeded (so reproducible) generation.
    QObject::connect(&playground, &widgets::PlaygroundPage::generationFinished, &window, save);
    playground.runExample(QStringLiteral("english"), QStringLiteral("You will"), 5, 48);
  });
  QTimer::singleShot(kScreenshotTimeoutMs, &app, [&app, done] {
    if (*done) return;
    std::fprintf(stderr, "lmfront-console: node not healthy within %d s, no screenshot\n", kScreenshotTimeoutMs / 1000);
    app.exit(1);
  });
}

}  // namespace

int main(int argc, char **argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("lmfront"));
  QApplication::setApplicationName(QStringLiteral("lmfront-console"));
  QApplication::setApplicationVersion(QStringLiteral(LMFRONT_VERSION));
  widgets::Theme::apply(app);

  const QStringList args = QApplication::arguments().mid(1);
  if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
    printUsage(stdout);
    return 0;
  }
  std::vector<std::string> argList;
  for (const QString &a : args) argList.push_back(a.toStdString());
  const std::vector<config::FlagSpec> table = consoleFlags();
  auto flags = config::parseFlags(table, argList, config::ParseOptions{false});
  // A bad flag is shown in a message box too, except when taking screenshots (nobody to close it).
  auto badFlags = [](const QString &message, bool screenshotMode) {
    std::fprintf(stderr, "lmfront-console: %s\n", qPrintable(message));
    if (!screenshotMode) QMessageBox::critical(nullptr, ConsoleMain::tr("lmfront console"), message);
    return 2;
  };
  if (!flags)
    return badFlags(QString::fromStdString(flags.status().message()) + QStringLiteral(" (see --help)"),
                    std::any_of(args.begin(), args.end(),
                                [](const QString &a) { return a.startsWith(QStringLiteral("--screenshot")); }));
  const QString screenshot = QString::fromStdString(flags->value("screenshot"));
  const QString languageFlag = QString::fromStdString(flags->value("language"));
  const QString sectionFlag = QString::fromStdString(flags->value("section"));
  // Screenshots must not depend on, or change, the user's settings.
  QTemporaryDir screenshotSettings;
  if (!screenshot.isEmpty())
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, screenshotSettings.path());

  QSettings settings;
  widgets::LanguageManager language;
  const QString lang = languageFlag.isEmpty() ? widgets::ConsoleSettings::language(settings) : languageFlag;
  if (!language.apply(lang)) {
    std::fprintf(stderr, "lmfront-console: --language %s: use en or zh_CN\n", qPrintable(lang));
    return 2;
  }

  node::NodeConfig nodeConfig;
  nodeConfig.listenPort = widgets::ConsoleSettings::listenPort(settings);
  nodeConfig.portFallbackAttempts = flags->has("listen") ? 0 : kPortFallbackAttempts;
  if (Status applied = node::applyNodeFlags(*flags, nodeConfig); !applied)
    return badFlags(QString::fromStdString(applied.message()), !screenshot.isEmpty());

  node::Node node(nodeConfig);
  client::HealthClient client;
  models::NodeInfoModel model;
  widgets::MainWindow window;
  auto *overview = new widgets::OverviewPage(&model);
  auto *settingsPage = new widgets::SettingsPage;
  auto *playground = new widgets::PlaygroundPage;
  window.addSection(QStringLiteral("overview"), QIcon(QStringLiteral(":/icons/overview.svg")), overview);
  window.addSection(QStringLiteral("playground"), QIcon(QStringLiteral(":/icons/playground.svg")), playground);
  window.addSection(QStringLiteral("settings"), QIcon(QStringLiteral(":/icons/settings.svg")), settingsPage);
  QObject::connect(&client, &client::HealthClient::healthUpdated, &model, &models::NodeInfoModel::setHealth);
  QObject::connect(&client, &client::HealthClient::healthUpdated, &window, &widgets::MainWindow::setNodeHealth);
  QObject::connect(settingsPage, &widgets::SettingsPage::languageRequested, &language,
                   &widgets::LanguageManager::apply);
  QObject::connect(&language, &widgets::LanguageManager::languageChanged, settingsPage,
                   &widgets::SettingsPage::setCurrentLanguage);
  settingsPage->setCurrentLanguage(language.current());

  const Status started = node.start();
  if (started.isOk()) {
    const QString address = node.info().listenAddress;
    std::fprintf(stderr, "lmfront-console: local node at %s\n", qPrintable(node.baseUrl()));
    window.setNodeAddress(address);
    settingsPage->setCurrentAddress(address);
    client.setBaseUrl(QUrl(node.baseUrl()));
    client.start();
    playground->setBaseUrl(QUrl(node.baseUrl()));
  } else {
    const QString message = QString::fromStdString(started.message());
    std::fprintf(stderr, "lmfront-console: local node did not start: %s\n", qPrintable(message));
    window.setNodeFailure(message);
    client::NodeHealth down;
    down.errorKind = client::HealthError::Network;
    down.error = message;
    model.setHealth(down);
    if (!screenshot.isEmpty()) return 1;
  }

  if (screenshot.isEmpty()) {
    window.restoreSavedState();
  } else {
    window.resize(1280, 800);
    armScreenshot(app, window, client, model, *playground, screenshot);
  }
  if (!sectionFlag.isEmpty() && !window.setCurrentSection(sectionFlag)) {
    std::fprintf(stderr, "lmfront-console: --section %s: unknown (sections: %s)\n", qPrintable(sectionFlag),
                 qPrintable(window.sectionIds().join(QStringLiteral(", "))));
    return 2;
  }
  window.show();
  if (!started.isOk()) {
    // Not modal-blocking: the window stays usable and its status bar keeps the error.
    auto *box =
        new QMessageBox(QMessageBox::Critical, ConsoleMain::tr("Local node did not start"),
                        ConsoleMain::tr("The local node could not start:\n%1\n\nChange the port in Settings or free "
                                        "it, then restart the console.")
                            .arg(QString::fromStdString(started.message())),
                        QMessageBox::Ok, &window);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  }

  QObject::connect(&app, &QApplication::aboutToQuit, &app, [&] {
    client.stop();
    node.shutdown();
  });
  return app.exec();
}
