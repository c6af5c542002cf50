#include "node/node.h"

#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "gateway/upstream/httpclient.h"
#include "node/alertingservice.h"
#include "node/clusterdeployments.h"
#include "node/clusterservice.h"
#include "node/deploymentservice.h"
#include "node/gatewayservice.h"
#include "node/jobservice.h"
#include "node/nodecontext.h"
#include "node/noderoutes.h"
#include "node/opsservice.h"
#include "node/registryservice.h"
#include "node/seriesservice.h"
#include "node/service.h"
#include "observe/metricsregistry.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QThread>
#include <QThreadPool>
#include <functional>
#include <future>
#include <optional>

namespace lmfront::node {

namespace {

Status prepareDataDir(const QString &dir) {
  QFileInfo info(dir);
  if (info.exists() && !info.isDir())
    return Status::invalidArgument(QStringLiteral("data dir %1: exists and is not a directory").arg(dir).toStdString());
  if (!QDir().mkpath(dir))
    return Status::ioError(QStringLiteral("data dir %1: cannot create it").arg(dir).toStdString());
  info.refresh();
  if (!info.isReadable() || !info.isExecutable())
    return Status::permissionDenied(QStringLiteral("data dir %1: not readable").arg(dir).toStdString());
  // A real write proves more than permission bits (read-only mounts, full disks, root-squash).
  QSaveFile probe(dir + QStringLiteral("/.write-probe"));
  if (!probe.open(QIODevice::WriteOnly) || probe.write("ok") != 2 || !probe.commit())
    return Status::permissionDenied(
        QStringLiteral("data dir %1: not writable: %2").arg(dir, probe.errorString()).toStdString());
  QFile::remove(dir + QStringLiteral("/.write-probe"));
  return Status::ok();
}

QString mintCredential() {
  QByteArray bytes(32, Qt::Uninitialized);
  QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
  return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

}  // namespace

struct Node::Impl {
  Impl(const Clock &c, EventSink &e) : clock(c), events(e) {}

  const Clock &clock;
  EventSink &events;
  const QString consoleCredential = mintCredential();
  // Before the services: what they hold references to outlives them.
  gateway::upstream::HttpClient http{1};  // off-worker requests: probes, webhooks, delayed retries
  observe::MetricsRegistry registry;
  cluster::OpsRegistry ops;  // filled by the services at start, before the ops server takes connections
  QThreadPool inference;     // engine inference, never on data-plane workers
  QThread thread;            // the node thread
  QObject anchor;            // lives on the node thread: the target of runOnNodeThread()
  std::optional<NodeContext> context;
  ServiceStack services;
  GatewayService *gateway = nullptr;  // owned by services
  std::shared_ptr<NodeState> state;   // the gateway's, kept readable after shutdown
  bool running = false;

  // Runs f on the node thread and returns when it has run (the caller's event loop is not used).
  // The future, not Qt's blocking connection, carries the hand-off back: ThreadSanitizer sees it.
  void runOnNodeThread(const std::function<void()> &f) {
    if (QThread::currentThread() == &thread) {
      f();
      return;
    }
    std::promise<void> done;
    std::future<void> finished = done.get_future();
    QMetaObject::invokeMethod(
        &anchor,
        [&f, &done] {
          f();
          done.set_value();
        },
        Qt::QueuedConnection);
    finished.wait();
  }

  // On the node thread.
  Status startServices(const NodeConfig &config) {
    const QString dataDir = config.dataDir.isEmpty() ? defaultDataDir() : config.dataDir;
    LMFRONT_RETURN_IF_ERROR(prepareDataDir(dataDir));
    if (!context) {
      inference.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
      context.emplace(NodeContext{clock, http, registry, events, QDir(dataDir).absolutePath(), inference, thread, ops});
      // Start order; drain and stop go in reverse.
      auto gatewayService = std::make_unique<GatewayService>(config, *context);
      gateway = gatewayService.get();
      services.add(std::move(gatewayService));
      auto series = std::make_unique<SeriesService>(*context, gateway);
      SeriesService &store = *series;
      services.add(std::move(series));
      GatewayService *bound = gateway;
      auto alerting = std::make_unique<AlertingService>(
          *context, store.store(), AlertingOptions{config.alerts, [bound] { return bound->state()->info.nodeId; }});
      // Both live as long as the stack; a tick before alerting starts or after it stops does nothing.
      store.addListener([evaluator = alerting.get()] { evaluator->tick(); });
      services.add(std::move(alerting));
      auto catalog = std::make_unique<RegistryService>(*context, *gateway, RegistryOptions{config.forbidSelfApproval});
      RegistryService &catalogService = *catalog;
      auto deployments = std::make_unique<DeploymentService>(*context, *gateway, catalogService);
      DeploymentService &deployer = *deployments;
      // Canary limits are judged once a second, right after the store's sample.
      store.addListener([deployer = deployments.get()] { deployer->tick(); });
      services.add(std::move(catalog));
      services.add(std::move(deployments));
      services.add(std::make_unique<JobService>(*context, catalogService, JobOptions{}));
      auto cluster = std::make_unique<ClusterService>(config, *context, *gateway, store);
      ClusterService *clusterService = cluster.get();
      services.add(std::move(cluster));
      services.add(std::make_unique<ClusterDeployments>(*context, *clusterService, deployer, catalogService, *gateway));
      services.add(std::make_unique<OpsService>(config, *context, *gateway, store, consoleCredential, clusterService));
    }
    LMFRONT_RETURN_IF_ERROR(services.startAll());
    state = gateway->state();
    return Status::ok();
  }
};

Node::Node(NodeConfig config, const Clock &clock, EventSink &events, QObject *parent)
    : QObject(parent), m_config(std::move(config)), d(new Impl(clock, events)) {
  d->thread.setObjectName(QStringLiteral("lmfront-node"));
  d->anchor.moveToThread(&d->thread);
}

Node::~Node() {
  if (d->running) shutdown();
  d->thread.quit();
  d->thread.wait();
}

Status Node::start() {
  if (d->running) return Status::failedPrecondition("node already started");
  if (!d->thread.isRunning()) d->thread.start();
  Status started = Status::ok();
  d->runOnNodeThread([&] { started = d->startServices(m_config); });
  if (!started.isOk()) {
    d->thread.quit();
    d->thread.wait();
    return started;
  }
  d->running = true;
  return Status::ok();
}

bool Node::shutdown() {
  if (!d->running) return true;
  bool drained = true;
  d->runOnNodeThread([&] {
    drained = d->services.drainAll(std::chrono::milliseconds(m_config.drainTimeoutMs));
    d->services.stopAll();
  });
  d->thread.quit();
  d->thread.wait();
  d->running = false;
  Q_EMIT stopped();
  return drained;
}

Status Node::reloadTls() {
  if (!d->running || !d->gateway) return Status::failedPrecondition("the node is not running");
  Status reloaded = Status::ok();
  d->runOnNodeThread([&] { reloaded = d->gateway->reloadTls(); });
  return reloaded;
}

NodeInfo Node::info() const {
  if (!d->state) return {};
  NodeInfo info = d->state->info;
  info.ready = d->state->ready.load();
  return info;
}

const QString &Node::consoleCredential() const { return d->consoleCredential; }

quint16 Node::port() const { return d->running && d->gateway ? d->gateway->port() : 0; }

QString Node::baseUrl() const {
  if (!d->state) return {};
  return (d->state->info.tls ? QStringLiteral("https://%1") : QStringLiteral("http://%1"))
      .arg(d->state->info.listenAddress);
}

}  // namespace lmfront::node
