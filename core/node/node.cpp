#include "node/node.h"

#include "gateway/http/httpserver.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/healthprober.h"
#include "gateway/pool/poolbuilder.h"
#include "node/gatewayruntime.h"
#include "node/modelloader.h"
#include "node/noderoutes.h"
#include "observe/metricsregistry.h"
#include "observe/standardmetrics.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QThreadPool>
#include <QTimer>
#include <cstdio>
#include <mutex>
#include <thread>

namespace lmfront::node {

using gateway::openai::OpenAiService;
using gateway::pool::ModelTable;

struct Node::Impl {
  gateway::HttpServer server;
  observe::MetricsRegistry registry;
  observe::StandardMetrics metrics;         // families owned by registry
  QThreadPool engineThreads;                // inference runs here, never on data-plane workers
  std::unique_ptr<GatewayRuntime> runtime;  // declared before service: admit hooks point into it
  std::unique_ptr<OpenAiService> service;
  QTimer maintenance;
  std::shared_ptr<NodeState> state;
  std::thread loader;
  bool running = false;
  // What the served table is composed of: the catalog's engine pools and the configured pools.
  std::mutex tableMutex;
  ModelTable engines;                              // guarded by tableMutex
  std::vector<gateway::pool::PoolSpec> poolSpecs;  // guarded by tableMutex
  std::unique_ptr<gateway::pool::HealthProber> prober;

  // Builds the table from engines + pools and swaps it in. Not strict (start, models still
  // loading): a pool naming an engine not loaded yet is left out until it is.
  Status publishLocked(bool strict) {
    const auto previous = service->table();
    auto table = gateway::pool::buildModelTable(engines, poolSpecs, &metrics, previous.get());
    if (!table) {
      if (strict) return table.status();
      std::vector<gateway::pool::PoolSpec> ready;
      for (const auto &spec : poolSpecs)
        if (gateway::pool::buildModelTable(engines, {spec}, nullptr)) ready.push_back(spec);
      table = gateway::pool::buildModelTable(engines, ready, &metrics, previous.get());
      if (!table) table = std::make_shared<ModelTable>(engines);
    }
    service->setTable(*table);
    prober->watch(**table);
    return Status::ok();
  }
};

Node::Node(NodeConfig config, QObject *parent) : QObject(parent), m_config(std::move(config)), d(new Impl) {}

Node::~Node() {
  if (d->running) shutdown();
  if (d->loader.joinable()) d->loader.join();
}

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
}  // namespace

Status Node::start() {
  if (d->running) return Status::failedPrecondition("node already started");
  const QString dataDir = m_config.dataDir.isEmpty() ? defaultDataDir() : m_config.dataDir;
  LMFRONT_RETURN_IF_ERROR(prepareDataDir(dataDir));

  std::vector<registry::ModelSource> flagged;
  for (const auto &spec : m_config.models) flagged.push_back({spec.name, spec.path});
  auto catalog = registry::scanCatalog(flagged, dataDir);
  if (!catalog) return catalog.status();

  auto state = std::make_shared<NodeState>();
  state->info.version = QStringLiteral(LMFRONT_VERSION);
  state->info.dataDir = QDir(dataDir).absolutePath();
  state->models = std::move(*catalog);
  state->info.modelCount = static_cast<int>(state->models.size());
  state->enableTestRoutes = m_config.enableTestRoutes;

  d->engineThreads.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
  auto metrics = observe::registerStandardMetrics(d->registry);
  if (!metrics) return metrics.status();
  d->metrics = *metrics;
  auto runtime = GatewayRuntime::create(m_config, dataDir, &d->metrics);
  if (!runtime) return runtime.status();
  d->runtime = std::move(*runtime);
  gateway::openai::ServiceOptions serviceOptions;
  d->runtime->configure(serviceOptions);
  Impl *impl = d.get();
  state->replacePools = [impl](std::string_view body) -> Status {
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(QByteArray(body.data(), static_cast<qsizetype>(body.size())), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
      return Status::invalidArgument("body must be a JSON object of name: pool (as the config's \"pools\")");
    auto specs = gateway::pool::parsePools(doc.object());
    if (!specs) return specs.status();
    std::lock_guard lock(impl->tableMutex);
    auto previous = std::move(impl->poolSpecs);
    impl->poolSpecs = std::move(*specs);
    Status published = impl->publishLocked(true);
    if (!published.isOk()) impl->poolSpecs = std::move(previous);
    return published;
  };
  d->service = std::make_unique<OpenAiService>(std::move(serviceOptions), d->registry);
  d->prober = std::make_unique<gateway::pool::HealthProber>();
  {
    auto specs = gateway::pool::parsePools(m_config.pools);
    if (!specs) return specs.status();
    d->poolSpecs = std::move(*specs);
  }
  state->service = d->service.get();
  state->registry = &d->registry;

  // Models named on the command line load now, so a bad file stops the start with its reason;
  // the data dir's catalog loads in the background while the node already answers (not ready).
  std::vector<registry::CatalogEntry> background;
  for (const auto &entry : state->models) {
    if (!entry.fromFlag) {
      background.push_back(entry);
      continue;
    }
    auto pool = loadEnginePool(entry, &d->engineThreads, &d->metrics);
    if (!pool) return pool.status();
    d->engines.pools[entry.name.toStdString()] = *pool;
    state->modelsLoaded.fetch_add(1);
  }
  {
    std::lock_guard lock(d->tableMutex);
    LMFRONT_RETURN_IF_ERROR(d->publishLocked(background.empty()));
  }

  gateway::HttpServerOptions options;
  options.host = m_config.listenHost.toStdString();
  options.workers = m_config.workers;
  d->runtime->configure(options);  // CORS on every answer, preflights
  Status bound = Status::internal("no port tried");
  const int attempts = 1 + std::max(0, m_config.portFallbackAttempts);
  for (int i = 0; i < attempts; ++i) {
    const int port = m_config.listenPort + i;
    if (port > 65535 || (m_config.listenPort == 0 && i > 0)) break;
    options.port = static_cast<std::uint16_t>(port);
    bound = d->server.start(options, buildRouter(state));
    if (bound.isOk()) break;
  }
  if (!bound.isOk()) {
    if (attempts > 1)
      return bound.withContext(QStringLiteral("no free port in %1-%2")
                                   .arg(m_config.listenPort)
                                   .arg(m_config.listenPort + attempts - 1)
                                   .toStdString());
    return bound;
  }

  const QString host = m_config.listenHost.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(m_config.listenHost)
                                                                      : m_config.listenHost;
  state->info.listenAddress = QStringLiteral("%1:%2").arg(host).arg(d->server.port());
  state->info.nodeId = m_config.nodeId.isEmpty()
                           ? QStringLiteral("%1-%2").arg(QHostInfo::localHostName()).arg(d->server.port())
                           : m_config.nodeId;
  state->info.startedAt = QDateTime::currentDateTimeUtc();
  state->uptime.start();
  d->state = state;
  d->running = true;
  connect(&d->maintenance, &QTimer::timeout, this, [this] {
    d->runtime->maintenance();
    d->service->tick();
  });
  d->maintenance.start(2000);

  // Nothing to load in the background: ready now, not whenever the loader thread gets scheduled
  // (a client that reads the "listening" line and asks /healthz at once must see "ok").
  if (background.empty()) state->ready.store(true);
  QThreadPool *threads = &d->engineThreads;
  const observe::StandardMetrics *gauges = &d->metrics;
  d->loader = std::thread([state, impl, threads, gauges, background = std::move(background)]() mutable {
    for (const auto &entry : background) {
      if (state->draining.load()) return;
      auto pool = loadEnginePool(entry, threads, gauges);
      state->modelsLoaded.fetch_add(1);
      if (!pool) {
        std::fprintf(stderr, "lmfront node: skipping model %s: %s\n", qPrintable(entry.name),
                     pool.status().message().c_str());
        continue;
      }
      std::lock_guard lock(impl->tableMutex);
      impl->engines.pools[entry.name.toStdString()] = *pool;
      [[maybe_unused]] Status published = impl->publishLocked(false);
    }
    if (!background.empty()) {
      std::lock_guard lock(impl->tableMutex);
      Status published = impl->publishLocked(true);
      if (!published.isOk())
        std::fprintf(stderr, "lmfront node: a configured pool is not served: %s\n", published.message().c_str());
    }
    state->ready.store(true);
  });
  return Status::ok();
}

bool Node::shutdown() {
  if (!d->running) return true;
  d->state->ready.store(false);
  d->state->draining.store(true);
  d->maintenance.stop();
  d->server.beginDrain();
  const bool drained = d->server.waitDrained(std::chrono::milliseconds(m_config.drainTimeoutMs));
  d->server.stop();
  d->engineThreads.waitForDone(m_config.drainTimeoutMs);
  if (d->loader.joinable()) d->loader.join();
  d->running = false;
  Q_EMIT stopped();
  return drained;
}

NodeInfo Node::info() const {
  if (!d->state) return {};
  NodeInfo info = d->state->info;
  info.ready = d->state->ready.load();
  return info;
}

quint16 Node::port() const { return d->running ? d->server.port() : 0; }

QString Node::baseUrl() const {
  return d->state ? QStringLiteral("http://%1").arg(d->state->info.listenAddress) : QString();
}

}  // namespace lmfront::node
