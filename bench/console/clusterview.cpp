// lmfront-bench-cluster: what one console costs while it follows a cluster's nodes at 1 Hz. It
// opens a NodeSession on BASE_URL (one node of the cluster cluster.sh started), and
//   - mode `views`: shows the Cluster page and the Overview with "All nodes" (1280×800 each), the
//     real console code path: the session's ClusterModel learns the members from the `members`
//     topic and holds one ops connection per member for its `node` and `metrics` topics; the
//     table, tiles, sums and sparklines redraw as samples arrive;
//   - mode `cluster` or `overview`: one of the two pages alone, as the console shows one section
//     at a time;
//   - mode `model`: the same ClusterModel holding the same connections, with no view (the
//     reference: what the views add on top).
// It waits until NODES members are listed and each has sent a sample (at most WARMUP seconds
// more than that), then measures over SECONDS of wall time the process's CPU time (every thread)
// and the GUI thread's, the samples received, and the RSS at the start and end of the window.
// Prints "case value unit" lines (bench/lib/medians.py).
//
// Usage: lmfront-bench-cluster BASE_URL NODES [SECONDS] [WARMUP] [views|cluster|overview|model]
//        (default 60 10 views)
#include "models/clustermodel.h"
#include "models/nodesession.h"
#include "widgets/clusterpage.h"
#include "widgets/overviewpage.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSet>
#include <QTimer>
#include <QUrl>
#include <cstdio>
#include <ctime>
#include <memory>

using namespace lmfront;

namespace {

double cpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double rssMiB() {
  QFile status(QStringLiteral("/proc/self/status"));
  if (!status.open(QIODevice::ReadOnly)) return -1;
  for (const QByteArray &line : status.readAll().split('\n'))
    if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
  return -1;
}

}  // namespace

int main(int argc, char **argv) {
  QApplication app(argc, argv);
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: lmfront-bench-cluster BASE_URL NODES [SECONDS] [WARMUP] [views|cluster|overview|model]\n");
    return 2;
  }
  const QUrl url(QString::fromLocal8Bit(argv[1]));
  const int nodes = std::atoi(argv[2]);
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 60;
  const int warmup = argc > 4 ? std::atoi(argv[4]) : 10;
  const QByteArray mode = argc > 5 ? QByteArray(argv[5]) : QByteArray("views");
  const bool showCluster = mode == "views" || mode == "cluster";
  const bool showOverview = mode == "views" || mode == "overview";
  if (!showCluster && !showOverview && mode != "model") {
    std::fprintf(stderr, "unknown mode %s\n", mode.constData());
    return 2;
  }

  // Declared first, so they outlive every object whose teardown still counts on them.
  int samples = 0;
  QSet<QObject *> counted;
  models::NodeSession session;
  session.setBaseUrl(url);
  session.start();
  models::ClusterModel *cluster = session.cluster();
  QObject holder;  // the viewer in `model` mode
  std::unique_ptr<widgets::ClusterPage> page;
  std::unique_ptr<widgets::OverviewPage> overview;
  if (showCluster) {
    page = std::make_unique<widgets::ClusterPage>();
    page->resize(1280, 800);
    page->setSession(&session);
    page->show();
  }
  if (showOverview) {
    overview = std::make_unique<widgets::OverviewPage>();
    overview->resize(1280, 800);
    overview->setSession(&session);
    overview->showNode(QString(widgets::OverviewPage::kAllNodes));
    overview->show();
  }
  if (mode == "model") cluster->acquire(&holder);

  auto countSamples = [&](const QString &) {
    for (int row = 0; row < cluster->rowCount(); ++row) {
      models::LiveNodeState *live = cluster->liveStateAt(row);
      if (!live || counted.contains(live)) continue;
      counted.insert(live);
      QObject::connect(live, &models::LiveNodeState::metricsChanged, &holder, [&samples] { ++samples; });
      QObject::connect(live, &QObject::destroyed, &holder, [&counted, live] { counted.remove(live); });
    }
  };
  QObject::connect(cluster, &models::ClusterModel::memberLiveChanged, &holder, countSamples);
  countSamples({});

  auto allReporting = [&] {
    if (cluster->rowCount() < nodes) return false;
    for (int row = 0; row < cluster->rowCount(); ++row) {
      const models::LiveNodeState *live = cluster->liveStateAt(row);
      if (!live || live->sampleCount() == 0) return false;
    }
    return true;
  };
  QElapsedTimer sinceStart;
  sinceStart.start();
  double cpuAtStart = 0, guiAtStart = 0, rssAtStart = 0;
  int samplesAtStart = 0;
  QElapsedTimer wall;
  QTimer poll;
  poll.setInterval(100);
  QObject::connect(&poll, &QTimer::timeout, &holder, [&] {
    if (!allReporting()) {
      if (sinceStart.elapsed() < 30'000) return;
      std::fprintf(stderr, "%s: %d of %d members listed, not all reporting after 30 s\n", mode.constData(),
                   cluster->rowCount(), nodes);
      app.exit(1);
      return;
    }
    poll.stop();
    // The members' metric snapshots (their history) are in: let the views settle for WARMUP.
    QTimer::singleShot(warmup * 1000, &holder, [&] {
      cpuAtStart = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
      guiAtStart = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
      rssAtStart = rssMiB();
      samplesAtStart = samples;
      wall.start();
      QTimer::singleShot(seconds * 1000, &holder, [&] {
        const double elapsed = static_cast<double>(wall.nsecsElapsed()) * 1e-9;
        const double cpu = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpuAtStart;
        const double gui = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - guiAtStart;
        const double rssEnd = rssMiB();
        const int got = samples - samplesAtStart;
        std::printf("%s process cpu %.2f %%\n", mode.constData(), 100.0 * cpu / elapsed);
        std::printf("%s gui thread cpu %.2f %%\n", mode.constData(), 100.0 * gui / elapsed);
        std::printf("%s rss at start %.1f MiB\n", mode.constData(), rssAtStart);
        std::printf("%s rss at end %.1f MiB\n", mode.constData(), rssEnd);
        std::printf("%s rss delta %.2f MiB\n", mode.constData(), rssEnd - rssAtStart);
        std::printf("%s members %d nodes\n", mode.constData(), cluster->rowCount());
        std::printf("%s samples per second %.1f samples/s\n", mode.constData(), got / elapsed);
        std::fflush(stdout);
        app.exit(got > 0 ? 0 : 1);
      });
    });
  });
  poll.start();
  return QApplication::exec();
}
