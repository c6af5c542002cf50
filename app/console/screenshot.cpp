#include "screenshot.h"

#include "consolecomposition.h"
#include "widgets/auditpage.h"
#include "widgets/modelspage.h"
#include "widgets/overviewpage.h"
#include "widgets/playgroundpage.h"

#include <QCoreApplication>
#include <QTimer>
#include <cstdio>
#include <memory>

namespace lmfront::console {

namespace {
constexpr double kMinUptimeS = 2.0;
constexpr int kSettleMs = 400;
// The Overview and Traffic are live: saved once the charts hold this many seconds with traffic in them
// (the screenshot script sends requests meanwhile), so the picture shows what an operator sees.
// LMFRONT_SCREENSHOT_LIVE_S asks for more (the committed picture: a fuller five-minute chart).
int liveSamples() {
  bool ok = false;
  const int asked = qEnvironmentVariableIntValue("LMFRONT_SCREENSHOT_LIVE_S", &ok);
  return ok && asked > 0 ? asked : 20;
}
// The Cluster section is saved once this many nodes are listed (LMFRONT_SCREENSHOT_NODES, default 1),
// this many of them down (LMFRONT_SCREENSHOT_DOWN, default 0), and every other one has sent a sample.
int envCount(const char *name, int fallback) {
  bool ok = false;
  const int asked = qEnvironmentVariableIntValue(name, &ok);
  return ok && asked >= 0 ? asked : fallback;
}
// The Alerts section is saved once this many alerts fire (LMFRONT_SCREENSHOT_ALERTS, default 1).
int firingAlerts() {
  bool ok = false;
  const int asked = qEnvironmentVariableIntValue("LMFRONT_SCREENSHOT_ALERTS", &ok);
  return ok && asked > 0 ? asked : 1;
}
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
  auto saving = std::make_shared<bool>(false);
  models::NodeSession *session = &console.session();
  widgets::PlaygroundPage *playground = console.playground();
  widgets::ModelsPage *modelsPage = console.modelsPage();
  widgets::AuditPage *auditPage = console.auditPage();
  widgets::OverviewPage *overviewPage = console.overview();
  QObject::connect(session, &models::NodeSession::healthUpdated, window, [=](const client::NodeHealth &health) {
    if (*done || !health.healthy() || session->nodeInfo()->health().listen.isEmpty() || health.uptimeS < kMinUptimeS)
      return;
    *done = true;
    if (window->currentSection() == QLatin1String("overview") || window->currentSection() == QLatin1String("traffic")) {
      // LMFRONT_SCREENSHOT_NODE picks the Overview's node ("*": all nodes); then every member that
      // is not down must hold the seconds asked for too, LMFRONT_SCREENSHOT_NODES of them listed.
      const QString node = qEnvironmentVariable("LMFRONT_SCREENSHOT_NODE");
      if (!node.isEmpty()) overviewPage->showNode(node);
      models::ClusterModel *cluster = session->cluster();
      auto waitForTraffic = [=] {
        models::LiveNodeState *live = session->liveState();
        const double qps = live->latest(models::LiveNodeState::Series::Qps);
        if (*saving || live->sampleCount() < liveSamples() || !(qps > 0)) return;
        if (!node.isEmpty()) {
          if (cluster->rowCount() < envCount("LMFRONT_SCREENSHOT_NODES", 1)) return;
          for (int row = 0; row < cluster->rowCount(); ++row) {
            const models::LiveNodeState *member = cluster->liveStateAt(row);
            if (cluster->stateAt(row) != models::ClusterModel::State::Down &&
                (!member || member->sampleCount() < liveSamples()))
              return;
          }
        }
        *saving = true;
        save();
      };
      QObject::connect(session->liveState(), &models::LiveNodeState::metricsChanged, window, waitForTraffic);
      return;
    }
    if (window->currentSection() == QLatin1String("alerts")) {
      // Saved once alerts fire (the screenshot script sends the traffic its rules watch).
      auto waitForFiring = [=] {
        models::AlertListModel *alerts = session->alerts();
        int firing = 0;
        for (int r = 0; r < alerts->rowCount(); ++r)
          if (alerts->alert(r).value(QLatin1StringView("state")).toString() == QLatin1StringView("firing")) ++firing;
        if (firing >= firingAlerts() && !*saving) {
          *saving = true;
          save();
        }
      };
      QObject::connect(session->liveState(), &models::LiveNodeState::metricsChanged, window, waitForFiring);
      return;
    }
    if (window->currentSection() == QLatin1String("models")) {
      // Saved once the catalog, the jobs and the member list (the Served-by column) are in and the
      // version LMFRONT_SCREENSHOT_SELECT names ("english/2") is selected with its card loaded;
      // without one, once all three are in.
      widgets::ModelsPage *page = modelsPage;
      const QStringList wanted = qEnvironmentVariable("LMFRONT_SCREENSHOT_SELECT").split(u'/');
      auto selectAndSave = [=] {
        if (*saving || !page->catalog()->hasSnapshot() || !page->jobs()->hasSnapshot() ||
            !session->cluster()->hasMembers())
          return;
        if (wanted.size() != 2) {
          *saving = true;
          return save();
        }
        if (!page->selectVersion(wanted[0], wanted[1].toLongLong())) return;
        QObject::connect(page->catalog(), &models::CatalogModel::cardLoaded, window, [=] {
          if (!*saving) {
            *saving = true;
            save();
          }
        });
      };
      QObject::connect(page->catalog(), &models::CatalogModel::snapshotApplied, window, selectAndSave);
      QObject::connect(page->jobs(), &models::JobListModel::snapshotApplied, window, selectAndSave);
      QObject::connect(session->cluster(), &models::ClusterModel::placementChanged, window, selectAndSave);
      return selectAndSave();
    }
    if (window->currentSection() == QLatin1String("cluster")) {
      models::ClusterModel *cluster = session->cluster();
      auto waitForNodes = [=] {
        if (*saving || !cluster->hasMembers()) return;
        const models::ClusterModel::Totals t = cluster->totals();
        if (t.members < envCount("LMFRONT_SCREENSHOT_NODES", 1) || t.down < envCount("LMFRONT_SCREENSHOT_DOWN", 0))
          return;
        for (int row = 0; row < cluster->rowCount(); ++row) {
          const models::LiveNodeState *live = cluster->liveStateAt(row);
          if (cluster->stateAt(row) != models::ClusterModel::State::Down && (!live || live->sampleCount() == 0)) return;
        }
        *saving = true;
        save();
      };
      QObject::connect(cluster, &models::ClusterModel::totalsChanged, window, waitForNodes);
      return waitForNodes();
    }
    if (window->currentSection() == QLatin1String("audit")) {
      widgets::AuditPage *page = auditPage;
      auto saveOnce = [=] {
        if (*saving || !page->model()->hasSnapshot()) return;
        *saving = true;
        save();
      };
      QObject::connect(page->model(), &models::AuditModel::snapshotApplied, window, saveOnce);
      return saveOnce();
    }
    if (window->currentSection() != QLatin1String("playground")) return save();
    QObject::connect(playground, &widgets::PlaygroundPage::generationFinished, window, save);
    playground->runExample(QStringLiteral("english"), QStringLiteral("You will"), 5, 48);
  });
  QTimer::singleShot(kScreenshotTimeoutMs, window, [done] {
    if (*done) return;
    std::fprintf(stderr, "lmfront-console: node not healthy within %d s, no screenshot\n", kScreenshotTimeoutMs / 1000);
    QCoreApplication::exit(1);
  });
  QTimer::singleShot(kScreenshotTimeoutMs + liveSamples() * 1000 * 3, window, [] {
    std::fprintf(stderr,
                 "lmfront-console: no traffic (Overview, Traffic) or firing alert (Alerts) in time, no screenshot\n");
    QCoreApplication::exit(1);
  });
}

}  // namespace lmfront::console
