#include "node/node.h"

#include "gateway/http/httpserver.h"
#include "node/noderoutes.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QSaveFile>

namespace lmfront::node {

struct Node::Impl {
  gateway::HttpServer server;
  std::shared_ptr<NodeState> state;
  bool running = false;
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

  auto catalog = scanModels(m_config, dataDir);
  if (!catalog) return catalog.status();

  auto state = std::make_shared<NodeState>();
  state->info.version = QStringLiteral(LMFRONT_VERSION);
  state->info.dataDir = QDir(dataDir).absolutePath();
  state->models = std::move(*catalog);
  state->info.modelCount = static_cast<int>(state->models.size());
  state->enableTestRoutes = m_config.enableTestRoutes;

  gateway::HttpServerOptions options;
  options.host = m_config.listenHost.toStdString();
  options.workers = m_config.workers;
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
  state->ready.store(true);
  d->state = state;
  d->running = true;
  return Status::ok();
}

bool Node::shutdown() {
  if (!d->running) return true;
  d->state->ready.store(false);
  d->server.beginDrain();
  const bool drained = d->server.waitDrained(std::chrono::milliseconds(m_config.drainTimeoutMs));
  d->server.stop();
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
