// What the alerting service tests share: a node's real parts on a ManualClock (metrics registry,
// ops table, event sink, data dir, HTTP client) and a one-rule rules file that fires while a
// model serves more than 1 request/s over 2 s, so a test drives alerts with a counter and the clock.
#pragma once

#include "../support/nodeparts.h"
#include "node/alertingservice.h"
#include "observe/timeseriesstore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <chrono>

namespace lmfront::testing {

inline constexpr char kBusyRule[] =
    "rules:\n"
    "  - name: busy\n"
    "    metric: lmfront_requests_total\n"
    "    aggregate: rate\n"
    "    by: [model]\n"
    "    window: 2s\n"
    "    op: \">\"\n"
    "    threshold: 1\n"
    "    severity: critical\n"
    "    summary: \"{{ $labels.model }} is busy\"\n";

struct AlertParts : NodeBasics {
  std::unique_ptr<cluster::OpsRegistry> ops = std::make_unique<cluster::OpsRegistry>();
  std::vector<std::pair<QString, QJsonObject>> deltas;
  std::unique_ptr<node::NodeContext> context;
  observe::TimeSeriesStore store{metrics};  // the node's series service samples it; here the test does
  observe::CounterFamily *requests = nullptr;

  explicit AlertParts(const char *rules = kBusyRule) {
    requests = *metrics.counter("lmfront_requests_total", "h", {"model", "backend", "code"});
    QDir().mkpath(dir.filePath(QStringLiteral("alerts")));
    QFile file(dir.filePath(QStringLiteral("alerts/rules.yaml")));
    if (file.open(QIODevice::WriteOnly)) file.write(rules);
    newNode();
  }
  // A fresh ops table and context over the same data dir: what a restarted node has.
  void newNode() {
    ops = std::make_unique<cluster::OpsRegistry>();
    ops->setDeltaSink([this](const QString &topic, const QJsonObject &delta) { deltas.emplace_back(topic, delta); });
    context = std::make_unique<node::NodeContext>(contextWith(*ops));
  }
  // Starts the service and takes the rates' baseline, as the node's series service would.
  Status start(node::AlertingService &alerting) {
    Status started = alerting.start();
    store.sample(clock.now());
    return started;
  }
  // One second of `perSecond` requests to `model`, then a sample and a tick.
  void second(node::AlertingService &alerting, int perSecond, const std::string &model = "english") {
    if (perSecond > 0)
      requests->withLabels({model, "engine:" + model, "200"}).inc(static_cast<std::uint64_t>(perSecond));
    clock.advance(std::chrono::seconds(1));
    store.sample(clock.now());
    alerting.tick();
  }
  client::OpsMessage run(const QString &command, const QJsonObject &args, cluster::Role role) {
    return ops->runCommand(client::OpsMessage::command(QStringLiteral("1"), command, args),
                           cluster::Principal{"k1", "ana", role});
  }
};

}  // namespace lmfront::testing
