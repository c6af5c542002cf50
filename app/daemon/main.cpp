// lmfrontd: the lmfront node, headless. Flags: the nodeFlags() table (--help prints it); flags and
// config file: docs/configuration.md.
// Exit codes: 0 stopped cleanly, 1 could not start (port in use, data dir unusable, ...),
// 2 bad flags or config file. Every failure is one line on stderr saying what and where.
#include "buildinfo.h"
#include "common/clock.h"
#include "common/eventsink.h"
#include "node/node.h"
#include "sdnotify.h"
#include "signalwatcher.h"

#include <QCoreApplication>
#include <QTextStream>
#include <cstdio>

using lmfront::node::Node;

int main(int argc, char **argv) {
  // Qt's own UNIX event dispatcher: +8-12 % for the data plane in QT64-NOTES; inconclusive in
  // docs/benchmarks.md (loaded machine). Kept as the default; an empty QT_NO_GLIB= restores glib's.
  if (!qEnvironmentVariableIsSet("QT_NO_GLIB")) qputenv("QT_NO_GLIB", "1");
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("lmfrontd"));
  QCoreApplication::setApplicationVersion(QString::fromUtf8(lmfront::buildinfo::version()));

  QStringList args = QCoreApplication::arguments().mid(1);
  if (args.contains(u"--help"_qs) || args.contains(u"-h"_qs)) {
    std::printf("usage: lmfrontd [flags]\n\n%s", qPrintable(lmfront::node::nodeUsage()));
    return 0;
  }
  if (args.contains(u"--version"_qs)) {
    std::fputs(lmfront::buildinfo::versionText("lmfrontd").c_str(), stdout);
    return 0;
  }
  auto config = lmfront::node::parseNodeArgs(args);
  if (!config) {
    std::fprintf(stderr, "lmfrontd: %s\n", config.status().message().c_str());
    return 2;
  }

  SignalWatcher signals;
  lmfront::StderrEventSink events;
  Node node(*config, lmfront::Clock::steady(), events);
  if (auto started = node.start(); !started) {
    std::fprintf(stderr, "lmfrontd: cannot start: %s\n", started.message().c_str());
    return 1;
  }
  const auto info = node.info();
  std::printf("lmfrontd: listening on %s (node %s, data %s, %d models)\n", qPrintable(node.baseUrl()),
              qPrintable(info.nodeId), qPrintable(info.dataDir), info.modelCount);
  std::fflush(stdout);
  // Under systemd (Type=notify): the listener is bound and the models are loaded.
  lmfront::daemon::notifySystemd("READY=1\nSTATUS=listening on " + node.baseUrl().toStdString());

  // SIGHUP: reload what can change under a running node (the TLS certificate); the outcome goes
  // to the event sink (stderr).
  QObject::connect(&signals, &SignalWatcher::reloadRequested, &app, [&] {
    if (config->gateway.tlsCertFile.isEmpty()) {
      std::fprintf(stderr, "lmfrontd: SIGHUP: nothing to reload (no --tls-cert)\n");
      return;
    }
    (void)node.reloadTls();
  });
  QObject::connect(&signals, &SignalWatcher::terminationRequested, &app, [&](int signalNumber) {
    // The node's event sink says "draining" once the data plane refuses new requests.
    lmfront::daemon::notifySystemd("STOPPING=1");
    std::fprintf(stderr, "lmfrontd: signal %d: shutting down (in-flight requests get up to %d ms)\n", signalNumber,
                 config->drainTimeoutMs);
    const bool drained = node.shutdown();
    if (!drained) std::fprintf(stderr, "lmfrontd: drain timeout: requests still in flight were cut off\n");
    std::fprintf(stderr, "lmfrontd: stopped\n");
    app.exit(0);
  });
  return app.exec();
}
