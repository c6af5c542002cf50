// The console's side of the ops API at scale: one process following N nodes (default 20) the way
// the console does — an OpsClient per node feeding a LiveNodeState (node + metrics topics at 1 Hz)
// on one event loop — measuring this process's CPU and how late a 10 ms timer on that loop fires
// (what a user would feel as stutter), first with no connection, then with every node live.
// The nodes are real lmfrontd processes on 127.0.0.1 serving a small model.
//
// Usage: lmfront-bench-ops-client BIN_DIR MODEL [NODES=20] [SECONDS=30]   (bench/ops/run.sh)
#include "client/opsclient.h"
#include "common/clock.h"
#include "models/livenodestate.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace lmfront;

namespace {

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Window {
  double cpuPercent = 0;
  double p50Ms = 0, p99Ms = 0, maxMs = 0;
};

// Runs the loop for `seconds` with a 10 ms precise timer, recording how late each tick is.
Window measure(int seconds) {
  std::vector<double> lateMs;
  QElapsedTimer since;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(10);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    lateMs.push_back(std::max(0.0, static_cast<double>(since.nsecsElapsed()) / 1e6 - 10.0));
    since.restart();
  });
  QEventLoop loop;
  QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
  const double cpu0 = cpuSeconds();
  since.start();
  tick.start();
  loop.exec();
  tick.stop();
  Window w;
  w.cpuPercent = (cpuSeconds() - cpu0) / seconds * 100.0;
  std::sort(lateMs.begin(), lateMs.end());
  if (!lateMs.empty()) {
    w.p50Ms = lateMs[lateMs.size() / 2];
    w.p99Ms = lateMs[std::min(lateMs.size() - 1, lateMs.size() * 99 / 100)];
    w.maxMs = lateMs.back();
  }
  return w;
}

}  // namespace

int main(int argc, char **argv) {
  QCoreApplication app(argc, argv);
  const QStringList args = app.arguments();
  if (args.size() < 3) {
    std::fprintf(stderr, "usage: %s BIN_DIR MODEL [NODES] [SECONDS]\n", argv[0]);
    return 2;
  }
  const QString daemon = args[1] + QStringLiteral("/lmfrontd");
  const QString model = args[2];
  const int nodes = args.size() > 3 ? args[3].toInt() : 20;
  const int seconds = args.size() > 4 ? args[4].toInt() : 30;
  QTemporaryDir dir;

  std::vector<std::unique_ptr<QProcess>> processes;
  QStringList urls;
  const QRegularExpression listening(QStringLiteral("listening on http://(127\\.0\\.0\\.1:\\d+)"));
  for (int i = 0; i < nodes; ++i) {
    auto p = std::make_unique<QProcess>();
    p->setProgram(daemon);
    p->setArguments({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                     dir.filePath(QString::number(i)), QStringLiteral("--model"), QStringLiteral("tiny=") + model,
                     QStringLiteral("--workers"), QStringLiteral("1")});
    p->start();
    QString out;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 30000) {
      p->waitForReadyRead(1000);
      out += QString::fromUtf8(p->readAllStandardOutput());
      if (const auto m = listening.match(out); m.hasMatch()) {
        urls << QStringLiteral("ws://") + m.captured(1) + QStringLiteral("/ops");
        break;
      }
      if (p->state() == QProcess::NotRunning) break;
    }
    if (urls.size() != i + 1) {
      std::fprintf(stderr, "node %d did not start: %s\n", i,
                   qPrintable(out + QString::fromUtf8(p->readAllStandardError())));
      return 1;
    }
    // Later output is not read by this process: it would count as the client's CPU.
    p->closeReadChannel(QProcess::StandardOutput);
    p->closeReadChannel(QProcess::StandardError);
    processes.push_back(std::move(p));
  }

  const Window idle = measure(seconds);

  std::vector<std::unique_ptr<client::OpsClient>> clients;
  std::vector<std::unique_ptr<models::LiveNodeState>> states;
  long deltas = 0;
  for (const QString &url : urls) {
    client::OpsClient::Options o;
    o.url = QUrl(url);
    auto c = std::make_unique<client::OpsClient>(o, Clock::steady());
    auto s = std::make_unique<models::LiveNodeState>(Clock::steady());
    s->attach(c.get());
    QObject::connect(c.get(), &client::OpsClient::deltaReceived,
                     [&deltas](const QString &topic, qint64, const QJsonObject &) {
                       if (topic == QStringLiteral("metrics")) ++deltas;
                     });
    c->open();
    clients.push_back(std::move(c));
    states.push_back(std::move(s));
  }
  QElapsedTimer waited;
  waited.start();
  auto allLive = [&] {
    return std::all_of(states.begin(), states.end(),
                       [](const auto &s) { return s->hasNode() && s->sampleCount() > 0; });
  };
  while (!allLive() && waited.elapsed() < 30000) QCoreApplication::processEvents(QEventLoop::AllEvents, 100);
  if (!allLive()) {
    std::fprintf(stderr, "not every node went live within 30 s\n");
    return 1;
  }
  deltas = 0;
  const Window live = measure(seconds);
  const double perNodeSecond = static_cast<double>(deltas) / nodes / seconds;

  std::printf("# %d nodes, %d s windows; metrics deltas received per node per second: %.2f\n", nodes, seconds,
              perNodeSecond);
  std::printf("| window | client CPU (%% of a core) | 10 ms timer late p50 ms | p99 ms | max ms |\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  std::printf("| no connection | %.2f | %.3f | %.3f | %.3f |\n", idle.cpuPercent, idle.p50Ms, idle.p99Ms, idle.maxMs);
  std::printf("| %d nodes live | %.2f | %.3f | %.3f | %.3f |\n", nodes, live.cpuPercent, live.p50Ms, live.p99Ms,
              live.maxMs);
  for (auto &c : clients) c->close();
  for (auto &p : processes) {
    p->terminate();
    p->waitForFinished(10000);
  }
  return perNodeSecond < 0.9 ? 1 : 0;  // a client that stopped receiving would look cheap
}
