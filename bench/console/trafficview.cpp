// lmfront-bench-traffic: the CPU the console's Traffic view costs while it charts a live node. It
// opens a NodeSession on BASE_URL (a node that traffic.sh feeds), shows a 1280×800 TrafficPage on
// it, waits WARMUP seconds (the range loaded, every model's line drawn), then measures the CPU
// time of the GUI thread — where the ops client, the item models and the charts all run — over
// SECONDS of wall time. Prints "case value unit" lines: the CPU as % of one core, the lines drawn
// on the requests chart, and the samples taken.
//
// Usage: lmfront-bench-traffic BASE_URL [SECONDS] [WARMUP]   (default 30 10)
#include "models/nodesession.h"
#include "widgets/trafficchart.h"
#include "widgets/trafficpage.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <QUrl>
#include <cstdio>
#include <ctime>

using namespace lmfront;

namespace {

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char **argv) {
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: lmfront-bench-traffic BASE_URL [SECONDS] [WARMUP]\n");
    return 2;
  }
  const QUrl url(QString::fromLocal8Bit(argv[1]));
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 30;
  const int warmup = argc > 3 ? std::atoi(argv[3]) : 10;

  models::NodeSession session;
  session.setBaseUrl(url);
  session.start();
  widgets::TrafficPage page;
  page.resize(1280, 800);
  page.setSession(&session);
  page.show();

  int samples = 0;
  QObject::connect(session.liveState(), &models::LiveNodeState::metricsChanged, &page, [&] { ++samples; });
  double cpuAtStart = 0;
  int samplesAtStart = 0;
  QElapsedTimer wall;
  QTimer::singleShot(warmup * 1000, &page, [&] {
    cpuAtStart = threadCpuSeconds();
    samplesAtStart = samples;
    wall.start();
    QTimer::singleShot(seconds * 1000, &page, [&] {
      const double cpu = threadCpuSeconds() - cpuAtStart;
      const double elapsed = static_cast<double>(wall.nsecsElapsed()) * 1e-9;
      std::printf("traffic view gui thread cpu %.2f %%\n", 100.0 * cpu / elapsed);
      std::printf("traffic view lines on requests chart %d lines\n",
                  page.chart(widgets::TrafficPage::Chart::Requests)->lineCount());
      std::printf("traffic view samples taken %d samples\n", samples - samplesAtStart);
      std::fflush(stdout);
      app.exit(samples - samplesAtStart > 0 ? 0 : 1);
    });
  });
  return QApplication::exec();
}
