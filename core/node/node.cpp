#include "node/node.h"

#include "common/eventsink.h"
#include "gateway/http/httpserver.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/healthprober.h"
#include "node/gatewayruntime.h"
#include "node/modelloader.h"
#include "node/noderoutes.h"
#include "node/servingstate.h"
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

namespace lmfront::node {

using gateway::openai::OpenAiService;

struct Node::Impl {
  gateway::HttpServer server;
  observe::MetricsRegistry registry;
  observe::StandardMetrics metrics;         // families owned by registry
  StderrEventSink events;                   // what an operator should hear about
  QThreadPool engineThreads;                // inference runs here, never on data-plane workers
  std::unique_ptr<GatewayRuntime> runtime;  // declared before service: admit hooks point into it
  std::unique_ptr<OpenAiService> service;
  QTimer maintenance;
  std::shared_ptr<NodeState> state;
  bool running = false;
  std::unique_ptr<gateway::pool::HealthProber> prober;
  // The one door to the served table; used on this (the node's) thread only, or through post().
  std::unique_ptr<ServingState> serving;
  // Loads the catalog's models off the request path. Declared last: destroyed (and waited for)
  // first, so no loader job outlives what it reports to.
  QThreadPool loader;
};

Node::Node(NodeConfig config, QObject *parent) : QObject(parent), m_config(std::move(config)), d(new Impl) {}

Node::~Node() {
  if (d->running) shutdown();
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
  // Parsed here, on the request's worker (pure, cheap); applied on the node's thread, which
  // answers through `done` once the new table is in service.
  state->replacePools = [impl](std::string body, std::function<void(Status)> done) {
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(body), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
      return done(Status::invalidArgument("body must be a JSON object of name: pool (as the config's \"pools\")"));
    auto specs = gateway::pool::parsePools(doc.object());
    if (!specs) return done(specs.status());
    impl->serving->post([impl, specs = std::move(*specs), done = std::move(done)]() mutable {
      done(impl->serving->setPools(std::move(specs)));
    });
  };
  d->service = std::make_unique<OpenAiService>(std::move(serviceOptions), d->registry);
  d->prober = std::make_unique<gateway::pool::HealthProber>();
  auto specs = gateway::pool::parsePools(m_config.pools);
  if (!specs) return specs.status();
  auto catalogMetrics = registry::registerCatalogMetrics(d->registry);
  if (!catalogMetrics) return catalogMetrics.status();
  d->serving = std::make_unique<ServingState>(
      ServingState::Parts{*d->service, *d->prober, &d->metrics, *catalogMetrics, d->events}, std::move(*specs),
      state->models.size());
  state->service = d->service.get();
  state->registry = &d->registry;
  state->serving = d->serving.get();

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
    d->serving->modelLoaded(entry, *pool);
  }
  if (background.empty())
    LMFRONT_RETURN_IF_ERROR(d->serving->loadingFinished());
  else
    LMFRONT_RETURN_IF_ERROR(d->serving->publish(false));

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

  // Nothing to load in the background: ready now, not whenever the loader gets scheduled (a
  // client that reads the "listening" line and asks /healthz at once must see "ok").
  if (background.empty()) {
    state->ready.store(true);
    return Status::ok();
  }
  // One loader thread, models one after the other; each outcome goes through the door on the
  // node's thread, in order, and the last job marks the node ready.
  d->loader.setMaxThreadCount(1);
  QThreadPool *threads = &d->engineThreads;
  const observe::StandardMetrics *gauges = &d->metrics;
  ServingState *serving = d->serving.get();
  d->loader.start([state, serving, threads, gauges, background = std::move(background)] {
    for (const auto &entry : background) {
      if (state->draining.load()) return;
      auto pool = loadEnginePool(entry, threads, gauges);
      serving->post([serving, entry, pool = std::move(pool)] {
        if (pool)
          serving->modelLoaded(entry, *pool);
        else
          serving->modelFailed(entry, pool.status());
      });
    }
    serving->post([state, serving] {
      (void)serving->loadingFinished();  // a pool left out is reported there
      if (!state->draining.load()) state->ready.store(true);
    });
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
  d->loader.waitForDone();  // stops after the model it is loading
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
