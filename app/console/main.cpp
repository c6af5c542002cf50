// lmfront-console: starts the local node in-process, then shows the console as a client of the
// node's HTTP API (the same path a remote node takes). The console itself is built by
// ConsoleComposition (shared with the tests); this file parses the flags and runs it.
//
// Flags: kConsoleFlags below, then the node's own (nodeFlags(): --listen, --data-dir, ...), parsed
// as one table (docs/console.md):
//   --screenshot FILE   wait until the node is healthy and the Overview filled, save the main
//                       window as PNG, exit 0 (1 when that does not happen within 30 s);
//                       reads and writes no user settings, so it is reproducible
//   --language CODE     en or zh_CN for this run (not saved)
//   --section ID        open this section (overview, cluster, traffic, alerts, models, audit, playground, connections,
//                       settings) instead of the last one used; with --screenshot and playground, a short seeded
//                       generation runs first
// Without --listen the port comes from Settings (default 8080) and a busy port moves on to the
// next free one; an explicit --listen is taken as asked and fails when busy.
#include "buildinfo.h"
#include "config/flags.h"
#include "consolecomposition.h"
#include "node/node.h"
#include "screenshot.h"
#include "widgets/theme.h"

#include <QApplication>
#include <QMessageBox>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <string_view>

using namespace lmfront;

// Translation context for the few strings main() shows itself.
class ConsoleMain {
  Q_DECLARE_TR_FUNCTIONS(ConsoleMain)
};

namespace {

constexpr config::FlagSpec kConsoleFlags[] = {
    config::flag("screenshot", "FILE", "save the main window as PNG once the node is healthy, then exit"),
    config::flag("language", "CODE", "en or zh_CN for this run"),
    config::flag("section", "ID",
                 "open this section first (overview, cluster, traffic, alerts, models, audit, playground, connections, "
                 "settings)"),
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

// A bad flag is shown in a message box too, except when taking screenshots (nobody to close it).
int badFlags(const QString &message, bool screenshotMode) {
  std::fprintf(stderr, "lmfront-console: %s\n", qPrintable(message));
  if (!screenshotMode) QMessageBox::critical(nullptr, ConsoleMain::tr("lmfront console"), message);
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  // Answered before QApplication exists, so they work without a display (man pages are made
  // from --help at build time).
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage(stdout);
      return 0;
    }
    if (arg == "--version") {
      std::fputs(buildinfo::versionText("lmfront-console").c_str(), stdout);
      return 0;
    }
  }
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("lmfront"));
  QApplication::setApplicationName(QStringLiteral("lmfront-console"));
  QApplication::setApplicationVersion(QString::fromUtf8(lmfront::buildinfo::version()));
  widgets::Theme::apply(app);

  const QStringList args = QApplication::arguments().mid(1);
  std::vector<std::string> argList;
  for (const QString &a : args) argList.push_back(a.toStdString());
  const std::vector<config::FlagSpec> table = consoleFlags();
  auto flags = config::parseFlags(table, argList, config::ParseOptions{false});
  if (!flags)
    return badFlags(QString::fromStdString(flags.status().message()) + QStringLiteral(" (see --help)"),
                    std::any_of(args.begin(), args.end(),
                                [](const QString &a) { return a.startsWith(QStringLiteral("--screenshot")); }));
  const QString screenshot = QString::fromStdString(flags->value("screenshot"));
  const QString languageFlag = QString::fromStdString(flags->value("language"));
  const QString sectionFlag = QString::fromStdString(flags->value("section"));

  // Screenshots must not depend on, or change, the user's settings.
  QTemporaryDir throwaway;
  console::ConsoleComposition::Options options;
  if (!screenshot.isEmpty()) {
    options.settingsFile = throwaway.filePath(QStringLiteral("lmfront-console.conf"));
    options.keys = console::ConsoleComposition::KeyBackend::File;  // nor the user's keyring
  }
  console::ConsoleComposition console(options);

  const QString lang = languageFlag.isEmpty() ? console.settings().language() : languageFlag;
  if (!console.language().apply(lang)) {
    std::fprintf(stderr, "lmfront-console: --language %s: use en or zh_CN\n", qPrintable(lang));
    return 2;
  }
  node::NodeConfig nodeConfig = console.nodeDefaults(flags->has("listen"));
  if (Status applied = node::applyNodeFlags(*flags, nodeConfig); !applied)
    return badFlags(QString::fromStdString(applied.message()), !screenshot.isEmpty());

  const Status started = console.startLocalNode(nodeConfig);
  if (started.isOk()) {
    std::fprintf(stderr, "lmfront-console: local node at %s\n", qPrintable(console.localNode()->baseUrl()));
  } else {
    std::fprintf(stderr, "lmfront-console: local node did not start: %s\n", started.message().c_str());
    if (!screenshot.isEmpty()) return 1;
  }

  if (screenshot.isEmpty()) {
    console.window().restoreSavedState();
  } else {
    console.window().resize(1280, 800);
    console::armScreenshot(console, screenshot);
  }
  if (!sectionFlag.isEmpty() && !console.window().setCurrentSection(sectionFlag)) {
    std::fprintf(stderr, "lmfront-console: --section %s: unknown (sections: %s)\n", qPrintable(sectionFlag),
                 qPrintable(console.window().sectionIds().join(QStringLiteral(", "))));
    return 2;
  }
  console.show();
  return app.exec();
}
