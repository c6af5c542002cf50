#include "node/gatewayservice.h"

#include "common/eventsink.h"
#include "gateway/http/httpserver.h"
#include "gateway/http/tlscontext.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/healthprober.h"
#include "gateway/pool/poolbuilder.h"
#include "gateway/pool/pooltask.h"
#include "node/gatewayruntime.h"
#include "node/modelloader.h"
#include "node/noderoutes.h"
#include "node/servingstate.h"
#include "node/submissionstore.h"

#include <unistd.h>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonDocument>
#include <QThreadPool>
#include <QTimer>
#include <mutex>

namespace lmfront::node {

using gateway::openai::OpenAiService;

struct GatewayService::Impl {
  Impl(const NodeConfig &c, const NodeContext &x) : config(c), context(x), server(x.clock) {}

  const NodeConfig &config;
  const NodeContext &context;
  gateway::HttpServer server;
  gateway::pool::PoolMetrics poolMetrics;   // families owned by context.metrics
  std::unique_ptr<GatewayRuntime> runtime;  // declared before service: admit hooks point into it
  std::unique_ptr<OpenAiService> service;
  std::unique_ptr<gateway::pool::HealthProber> prober;
  // The one door to the served table; created on the node thread, used there or through post().
  std::unique_ptr<ServingState> serving;
  std::unique_ptr<QTimer> maintenance;  // on the node thread
  std::shared_ptr<NodeState> state;
  std::atomic<bool> running{false};
  std::atomic<bool> draining{false};
  // Loads the catalog's models off the request path, one after the other.
  QThreadPool loader;
  // Where `/ops` upgrades go; read by the workers, set by the ops service.
  struct OpsSlot {
    std::mutex mutex;
    gateway::UpgradeHandler adopt;  // GUARDED_BY(mutex)
  };
  std::shared_ptr<OpsSlot> ops = std::make_shared<OpsSlot>();

  Status buildService(NodeState &s) {
    auto registered = gateway::pool::registerPoolMetrics(context.metrics);
    if (!registered) return registered.status();
    poolMetrics = *registered;
    auto created = GatewayRuntime::create(config, context);
    if (!created) return created.status();
    runtime = std::move(*created);
    gateway::openai::ServiceOptions options;
    runtime->configure(options);
    service = std::make_unique<OpenAiService>(std::move(options), context.metrics, context.clock);
    prober = std::make_unique<gateway::pool::HealthProber>(context.http);
    auto specs = gateway::pool::parsePools(config.pools);
    if (!specs) return specs.status();
    auto catalogMetrics = registry::registerCatalogMetrics(context.metrics);
    if (!catalogMetrics) return catalogMetrics.status();
    auto deploymentMetrics = gateway::pool::registerDeploymentMetrics(context.metrics);
    if (!deploymentMetrics) return deploymentMetrics.status();
    serving = std::make_unique<ServingState>(
        ServingState::Parts{*service, *prober, context.clock, context.http, &poolMetrics, *catalogMetrics,
                            context.events, *deploymentMetrics, &loader, &context.inference,
                            [engine = config.engine](const std::string &model) {
                              return engine.slotsFor(QString::fromStdString(model));
                            }},
        std::move(*specs), s.models.size());
    serving->setModelMemoryBudget(static_cast<std::uint64_t>(config.engine.memoryBudgetBytes));
    ServingState *door = serving.get();
    // Parsed here, on the request's worker (pure, cheap); applied on the node thread, which
    // answers through `done` once the new table is in service.
    s.replacePools = [door](std::string body, std::function<void(Status)> done) {
      QJsonParseError error{};
      const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(body), &error);
      if (error.error != QJsonParseError::NoError || !doc.isObject())
        return done(Status::invalidArgument("body must be a JSON object of name: pool (as the config's \"pools\")"));
      auto parsed = gateway::pool::parsePools(doc.object());
      if (!parsed) return done(parsed.status());
      door->post([door, parsed = std::move(*parsed), done = std::move(done)]() mutable {
        done(door->setPools(std::move(parsed)));
      });
    };
    s.onNodeThread = [door](std::function<void()> job) { door->post(std::move(job)); };
    s.ops = &context.ops;
    s.service = service.get();
    s.registry = &context.metrics;
    s.serving = serving.get();
    return Status::ok();
  }

  Status bind(const std::shared_ptr<NodeState> &s) {
    gateway::HttpServerOptions options;
    options.host = config.listenHost.toStdString();
    options.workers = config.workers;
    runtime->configure(options);  // CORS on every answer, preflights
    if (!config.gateway.tlsCertFile.isEmpty() || !config.gateway.tlsKeyFile.isEmpty()) {
      auto tls =
          gateway::TlsContext::load(config.gateway.tlsCertFile.toStdString(), config.gateway.tlsKeyFile.toStdString());
      if (!tls) return tls.status();
      options.tls = *tls;
      s->info.tls = true;
    }
    // Held while the socket is posted, so the ops service cannot go away in between.
    options.upgrade = {"/ops", "websocket", [slot = ops](int fd, std::string alreadyRead) {
                         std::lock_guard lock(slot->mutex);
                         if (slot->adopt)
                           slot->adopt(fd, std::move(alreadyRead));
                         else
                           ::close(fd);
                       }};
    auto router = buildRouter(s);
    if (!router) return router.status();
    Status bound = Status::internal("no port tried");
    const int attempts = 1 + std::max(0, config.portFallbackAttempts);
    for (int i = 0; i < attempts; ++i) {
      const int port = config.listenPort + i;
      if (port > 65535 || (config.listenPort == 0 && i > 0)) break;
      options.port = static_cast<std::uint16_t>(port);
      bound = server.start(options, *router);
      if (bound.isOk()) return bound;
    }
    if (attempts > 1)
      return bound.withContext(QStringLiteral("no free port in %1-%2")
                                   .arg(config.listenPort)
                                   .arg(config.listenPort + attempts - 1)
                                   .toStdString());
    return bound;
  }

  // Each outcome goes through the door on the node thread, in order; the last job marks the
  // node ready.
  void loadInBackground(std::vector<registry::CatalogEntry> background) {
    loader.setMaxThreadCount(1);
    gateway::pool::startPooled(loader, [this, s = state, door = serving.get(), background = std::move(background)] {
      for (const auto &entry : background) {
        if (s->draining.load()) return;
        auto pool = loadEnginePool(entry, &context.inference, &poolMetrics, context.clock, {},
                                   config.engine.slotsFor(entry.name));
        door->post([door, entry, pool = std::move(pool)] {
          if (pool)
            door->modelLoaded(entry, *pool);
          else
            door->modelFailed(entry, pool.status());
        });
      }
      door->post([s, door] {
        (void)door->loadingFinished();  // a pool left out is reported there
        if (!s->draining.load()) s->ready.store(true);
      });
    });
  }
};

GatewayService::GatewayService(const NodeConfig &config, const NodeContext &context)
    : d(std::make_unique<Impl>(config, context)) {}

GatewayService::~GatewayService() { stop(); }

Status GatewayService::start() {
  if (d->running) return Status::failedPrecondition("the gateway is already running");
  Status started = startServing();
  if (!started.isOk()) stop();  // undo what began (threads of the prober, of the server)
  return started;
}

Status GatewayService::startServing() {
  const NodeConfig &config = d->config;
  std::vector<registry::ModelSource> flagged;
  for (const auto &spec : config.models) flagged.push_back({spec.name, spec.path});
  auto catalog = registry::scanCatalog(flagged, d->context.dataDir);
  if (!catalog) return catalog.status();

  auto state = std::make_shared<NodeState>();
  state->info.version = QStringLiteral(LMFRONT_VERSION);
  state->info.dataDir = d->context.dataDir;
  state->models = std::move(*catalog);
  state->info.modelCount = static_cast<int>(state->models.size());
  state->enableTestRoutes = config.enableTestRoutes;
  SubmissionOptions uploads;
  uploads.maxBytes = config.maxSubmissionBytes;
  auto submissions =
      SubmissionStore::open(d->context.dataDir + u"/submissions"_qs, d->context.dataDir + u"/artifacts"_qs,
                            std::move(uploads), [] { return QDateTime::currentMSecsSinceEpoch(); });
  if (!submissions) return submissions.status();
  state->submissions = std::move(*submissions);
  LMFRONT_RETURN_IF_ERROR(d->buildService(*state));

  // Models named on the command line load now, so a bad file stops the start with its reason;
  // the data dir's catalog loads in the background while the node already answers (not ready).
  std::vector<registry::CatalogEntry> background;
  for (const auto &entry : state->models) {
    if (!entry.fromFlag) {
      background.push_back(entry);
      continue;
    }
    auto pool = loadEnginePool(entry, &d->context.inference, &d->poolMetrics, d->context.clock, {},
                               config.engine.slotsFor(entry.name));
    if (!pool) return pool.status();
    d->serving->modelLoaded(entry, *pool);
  }
  if (background.empty())
    LMFRONT_RETURN_IF_ERROR(d->serving->loadingFinished());
  else
    LMFRONT_RETURN_IF_ERROR(d->serving->publish(false));
  LMFRONT_RETURN_IF_ERROR(d->bind(state));

  const QString host =
      config.listenHost.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(config.listenHost) : config.listenHost;
  state->info.listenAddress = QStringLiteral("%1:%2").arg(host).arg(d->server.port());
  state->info.nodeId = config.nodeId.isEmpty()
                           ? QStringLiteral("%1-%2").arg(QHostInfo::localHostName()).arg(d->server.port())
                           : config.nodeId;
  state->info.startedAt = QDateTime::currentDateTimeUtc();
  state->uptime.start();
  d->state = state;
  d->draining = false;
  d->running = true;

  // On the node thread (start() runs there), so SQLite work never lands on the Node's creator.
  d->maintenance = std::make_unique<QTimer>();
  QObject::connect(d->maintenance.get(), &QTimer::timeout, [impl = d.get()] {
    impl->runtime->maintenance();
    impl->service->tick();
  });
  d->maintenance->start(std::max(1, config.maintenanceIntervalMs));

  // Nothing to load in the background: ready now, not whenever the loader gets scheduled (a
  // client that reads the "listening" line and asks /healthz at once must see "ok").
  if (background.empty())
    state->ready.store(true);
  else
    d->loadInBackground(std::move(background));
  return Status::ok();
}

bool GatewayService::drain(std::chrono::milliseconds timeout) {
  if (!d->running) return true;
  d->draining = true;
  d->state->ready.store(false);
  d->state->draining.store(true);
  if (d->maintenance) d->maintenance->stop();
  d->server.beginDrain();
  d->context.events.report(EventLevel::Info, "gateway", "draining: new requests get 503, in-flight ones finish",
                           {{"timeout_ms", std::to_string(timeout.count())}});
  return d->server.waitDrained(timeout);
}

void GatewayService::stop() {
  if (d->state) d->state->draining.store(true);  // a loader still running gives up
  d->maintenance.reset();
  d->server.stop();
  d->context.inference.waitForDone(d->config.drainTimeoutMs);
  d->loader.waitForDone();  // stops after the model it is loading
  d->running = false;
}

Health GatewayService::health() const {
  Health h;
  if (!d->running) return h;
  const auto &s = *d->state;
  if (d->draining) {
    h.state = Health::State::Draining;
  } else if (!s.ready.load()) {
    h.state = Health::State::Starting;
    const auto report = d->serving->report();
    h.detail = QStringLiteral("loading models (%1 of %2 loaded)")
                   .arg(report->loaded + report->failed.size())
                   .arg(report->catalogSize)
                   .toStdString();
  } else {
    h.state = Health::State::Serving;
  }
  return h;
}

std::shared_ptr<NodeState> GatewayService::state() const { return d->state; }

void GatewayService::setOpsUpgrade(gateway::UpgradeHandler adopt) {
  std::lock_guard lock(d->ops->mutex);
  d->ops->adopt = std::move(adopt);
}

void GatewayService::setDrained(bool drained) {
  if (d->runtime) d->runtime->setDrained(drained);
  if (d->state) d->state->drained.store(drained);
}

bool GatewayService::drained() const { return d->runtime && d->runtime->drained(); }

const gateway::auth::AuthGate *GatewayService::authGate() const { return d->runtime ? &d->runtime->gate() : nullptr; }

ServingState *GatewayService::serving() const { return d->serving.get(); }

Status GatewayService::reloadTls() {
  if (!d->running) return Status::failedPrecondition("the gateway is not running");
  const GatewaySettings &g = d->config.gateway;
  if (g.tlsCertFile.isEmpty()) return Status::failedPrecondition("the node serves plain HTTP: no TLS to reload");
  auto tls = gateway::TlsContext::load(g.tlsCertFile.toStdString(), g.tlsKeyFile.toStdString());
  if (tls) {
    Status swapped = d->server.setTlsContext(*tls);
    if (swapped.isOk()) {
      d->context.events.report(EventLevel::Info, "gateway", "TLS certificate reloaded",
                               {{"cert", (*tls)->certFile()}, {"serial", (*tls)->serial()}});
      return swapped;
    }
    tls = swapped;
  }
  d->context.events.report(EventLevel::Error, "gateway",
                           "TLS reload failed, the previous certificate stays in use: " + tls.status().message(),
                           {{"cert", g.tlsCertFile.toStdString()}, {"key", g.tlsKeyFile.toStdString()}});
  return tls.status();
}

quint16 GatewayService::port() const { return d->running ? d->server.port() : 0; }

}  // namespace lmfront::node
