#include "node/opsservice.h"

#include "gateway/auth/authgate.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/poolspec.h"
#include "gateway/resilience/circuitbreaker.h"
#include "gateway/resilience/healthstate.h"
#include "gateway/resilience/outlierdetector.h"
#include "node/clusterservice.h"
#include "node/gatewayservice.h"
#include "node/noderoutes.h"
#include "node/seriesservice.h"
#include "node/servingstate.h"

#include <unistd.h>
#include <QDateTime>
#include <QJsonArray>
#include <cmath>
#include <set>

namespace lmfront::node {

using cluster::OpsCommand;
using cluster::OpsDelivery;
using cluster::OpsTopic;
using gateway::auth::Principal;
using gateway::auth::Role;

namespace {

constexpr int kDefaultHistorySeconds = 120;

// Closes the descriptor unless the ops server took it: a posted socket whose server went away
// before the call ran is not leaked.
struct FdGuard {
  explicit FdGuard(int f) : fd(f) {}
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
  FdGuard(const FdGuard &) = delete;
  FdGuard &operator=(const FdGuard &) = delete;
  int release() { return std::exchange(fd, -1); }
  int fd;
};

QString str(const std::string &s) { return QString::fromStdString(s); }

// Constant time in the length of `secret`: how long it takes says nothing about where they differ.
bool sameSecret(const QString &presented, const QString &secret) {
  const QByteArray a = presented.toUtf8();
  const QByteArray b = secret.toUtf8();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (qsizetype i = 0; i < b.size(); ++i) {
    const char presentedByte = i < a.size() ? a.at(i) : '\0';
    diff |= static_cast<unsigned char>(presentedByte ^ b.at(i));
  }
  return diff == 0;
}

QJsonValue nullIfEmpty(const std::string &s) {
  return s.empty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromStdString(s));
}

QJsonArray poolsJson(const gateway::pool::ModelTable &table) {
  QJsonArray pools;
  for (const auto &[name, pool] : table.pools) {
    QJsonArray backends;
    for (std::size_t i = 0; i < pool->backends.size(); ++i) {
      const std::string &id = pool->backends[i]->id();
      const auto weight =
          pool->balancer && i < pool->balancer->size() ? static_cast<qint64>(pool->balancer->backend(i).weight) : 1;
      bool healthy = true, ejected = false;
      std::string_view breaker = "closed";
      if (const auto &r = pool->resilience; r && i < r->size()) {
        if (const auto *health = r->health(i)) healthy = health->healthy();
        ejected = r->outlier().isEjected(i);
        breaker = gateway::resilience::breakerStateName(r->breaker(i).state());
      }
      backends.append(QJsonObject{
          {u"id"_qs, str(id)},
          {u"kind"_qs, id.rfind("engine:", 0) == 0 ? u"engine"_qs : u"url"_qs},
          {u"weight"_qs, weight},
          {u"healthy"_qs, healthy},
          {u"ejected"_qs, ejected},
          {u"breaker"_qs, QString::fromLatin1(breaker.data(), static_cast<qsizetype>(breaker.size()))},
      });
    }
    const std::string_view balancer =
        pool->balancer ? gateway::routing::balancerKindName(pool->balancer->kind()) : std::string_view("round_robin");
    pools.append(QJsonObject{
        {u"name"_qs, str(name)},
        {u"balancer"_qs, QString::fromLatin1(balancer.data(), static_cast<qsizetype>(balancer.size()))},
        {u"backup"_qs, nullIfEmpty(pool->backupPool)},
        {u"backends"_qs, backends},
    });
  }
  return pools;
}

}  // namespace

OpsService::OpsService(const NodeConfig &config, const NodeContext &context, GatewayService &gateway,
                       SeriesService &series, QString consoleCredential, ClusterService *cluster)
    : m_config(config),
      m_context(context),
      m_gateway(gateway),
      m_series(series),
      m_consoleCredential(std::move(consoleCredential)),
      m_cluster(cluster) {}

OpsService::~OpsService() { stop(); }

Status OpsService::start() {
  if (m_running) return Status::failedPrecondition("the ops service is already running");
  const auto state = m_gateway.state();
  const gateway::auth::AuthGate *gate = m_gateway.authGate();
  if (!state || !gate || !m_gateway.serving())
    return Status::failedPrecondition("the ops service needs the gateway started first");
  if (!m_registered) {
    LMFRONT_RETURN_IF_ERROR(registerTable().withContext("ops topics and commands"));
    m_registered = true;
  }
  m_metrics = std::make_unique<OpsMetrics>(m_series.store());
  m_lastNode = {};
  auto authenticate = [gate, console = m_consoleCredential](const std::optional<QString> &key) -> Result<Principal> {
    // The embedding console's local session; no key id, so never re-checked against the store.
    if (key && !console.isEmpty() && sameSecret(*key, console)) return Principal{{}, "console", Role::Admin};
    // As an Authorization header would carry it, so every key rule is the HTTP one.
    return gate->authenticate(key ? "Bearer " + key->toStdString() : std::string());
  };
  m_server = std::make_unique<cluster::OpsServer>(m_context.ops, std::move(authenticate), state->info.nodeId,
                                                  m_context.clock, cluster::OpsServer::Options{});
  m_server->setOriginPolicy(
      [gate](const QString &origin) { return origin.isEmpty() || gate->policy().originTrusted(origin.toStdString()); });
  m_server->start();
  m_running = true;

  m_lastNode = nodeState();
  // A sample after each of the store's: the topic shows the second the store just recorded.
  m_listener = m_series.addListener([this] { tick(); });

  cluster::OpsServer *server = m_server.get();
  m_gateway.setOpsUpgrade([server](int fd, std::string alreadyRead) {
    auto guard = std::make_shared<FdGuard>(fd);
    QMetaObject::invokeMethod(
        server,
        [server, guard, bytes = QByteArray::fromStdString(alreadyRead)] {
          server->adoptSocket(guard->release(), bytes);
        },
        Qt::QueuedConnection);
  });
  return Status::ok();
}

bool OpsService::drain(std::chrono::milliseconds) {
  if (!m_server) return true;
  m_gateway.setOpsUpgrade({});
  m_server->closeAll(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("node stopping"));
  return true;
}

void OpsService::stop() {
  // Nothing to undo: also what keeps the destructor off a gateway destroyed before it.
  if (!m_server) return;
  // First: no worker may post to the server once it is gone (the slot's lock orders the two).
  m_gateway.setOpsUpgrade({});
  m_running = false;
  if (m_listener) m_series.removeListener(*m_listener);
  m_listener.reset();
  m_server.reset();
  m_metrics.reset();
}

Health OpsService::health() const {
  Health h;
  if (m_running) h.state = Health::State::Serving;
  return h;
}

Status OpsService::registerTable() {
  cluster::OpsRegistry &ops = m_context.ops;
  LMFRONT_RETURN_IF_ERROR(ops.addTopic(
      OpsTopic{u"node"_qs, Role::Viewer, OpsDelivery::Replaceable, [this](const QJsonObject &) -> Result<QJsonObject> {
                 if (!m_running) return Status::unavailable("the node is stopping");
                 return nodeState();
               }}));
  LMFRONT_RETURN_IF_ERROR(ops.addTopic(OpsTopic{
      u"metrics"_qs, Role::Viewer, OpsDelivery::Replaceable, [this](const QJsonObject &options) -> Result<QJsonObject> {
        int history = kDefaultHistorySeconds;
        if (const QJsonValue h = options.value(u"history_s"_qs); !h.isUndefined() && !h.isNull()) {
          const double v = h.toDouble(-1);
          if (!h.isDouble() || v != std::floor(v) || v < 0 || v > OpsMetrics::kMaxHistorySeconds)
            return Status::invalidArgument("option 'history_s' must be an integer from 0 to 600");
          history = static_cast<int>(v);
        }
        if (!m_running || !m_metrics) return Status::unavailable("the node is stopping");
        return m_metrics->snapshot(history);
      }}));
  LMFRONT_RETURN_IF_ERROR(
      ops.addCommand(OpsCommand{u"drain"_qs, Role::Operator, [this](const QJsonObject &args, const Principal &) {
                                  return setDrained(args, true);
                                }}));
  LMFRONT_RETURN_IF_ERROR(
      ops.addCommand(OpsCommand{u"undrain"_qs, Role::Operator, [this](const QJsonObject &args, const Principal &) {
                                  return setDrained(args, false);
                                }}));
  LMFRONT_RETURN_IF_ERROR(ops.addCommand(OpsCommand{
      u"set_pools"_qs, Role::Admin, [this](const QJsonObject &args, const Principal &) { return setPools(args); }}));
  return Status::ok();
}

void OpsService::tick() {
  const auto state = m_gateway.state();
  if (!m_running || !state || !m_metrics) return;
  const Clock::TimePoint now = m_context.clock.now();
  const QJsonObject sample = m_metrics->sample(*state->service->table(), now, m_series.unixMs(now));
  (void)m_context.ops.publish(u"metrics"_qs, sample);
  publishNodeChanges();
}

QJsonObject OpsService::nodeState() const {
  const auto state = m_gateway.state();
  if (!state) return {};
  const NodeState &s = *state;
  const auto table = s.service->table();
  const auto report = m_gateway.serving()->report();
  const bool drained = s.drained.load();
  const bool draining = drained || s.draining.load();
  const bool ready = s.ready.load() && !drained;
  QJsonValue reason = QJsonValue::Null;
  if (!ready)
    reason = draining ? u"draining"_qs
                      : QStringLiteral("loading models (%1 of %2 loaded)")
                            .arg(report->loaded + report->failed.size())
                            .arg(report->catalogSize);

  QJsonArray models;
  std::set<std::string> listed;
  for (const auto &entry : s.models) {
    const std::string name = entry.name.toStdString();
    listed.insert(name);
    QString modelState = u"loading"_qs;
    QJsonValue error = QJsonValue::Null, version = QJsonValue::Null, description = QJsonValue::Null;
    for (const auto &failure : report->failed)
      if (failure.model == name) {
        modelState = u"failed"_qs;
        error = str(failure.reason);
      }
    if (const auto *pool = table->find(name)) {
      modelState = u"loaded"_qs;
      version = nullIfEmpty(pool->version);
      description = nullIfEmpty(pool->description);
    } else if (modelState == u"loading"_qs && !report->loading) {
      modelState = u"failed"_qs;  // loading is over and it is not served
      error = u"not served"_qs;
    }
    models.append(QJsonObject{{u"name"_qs, entry.name},
                              {u"version"_qs, version},
                              {u"description"_qs, description},
                              {u"state"_qs, modelState},
                              {u"error"_qs, error}});
  }
  // Configured pools of other names serve a model of their own.
  for (const auto &[name, pool] : table->pools)
    if (!listed.count(name))
      models.append(QJsonObject{{u"name"_qs, str(name)},
                                {u"version"_qs, nullIfEmpty(pool->version)},
                                {u"description"_qs, nullIfEmpty(pool->description)},
                                {u"state"_qs, u"loaded"_qs},
                                {u"error"_qs, QJsonValue::Null}});

  return QJsonObject{
      {u"node_id"_qs, s.info.nodeId},
      {u"version"_qs, s.info.version},
      {u"listen"_qs, s.info.listenAddress},
      {u"started_at"_qs, s.info.startedAt.toString(Qt::ISODate)},
      {u"uptime_s"_qs, static_cast<double>(s.uptime.elapsed()) / 1000.0},
      {u"health"_qs, u"ok"_qs},
      {u"ready"_qs, ready},
      {u"reason"_qs, reason},
      {u"draining"_qs, draining},
      {u"models"_qs, models},
      {u"pools"_qs, poolsJson(*table)},
  };
}

void OpsService::publishNodeChanges() {
  QJsonObject now = nodeState();
  now.remove(u"uptime_s"_qs);  // the doc: not repeated in deltas
  QJsonObject changed;
  for (auto it = now.begin(); it != now.end(); ++it)
    if (m_lastNode.value(it.key()) != it.value()) changed.insert(it.key(), it.value());
  m_lastNode = now;
  if (!changed.isEmpty()) (void)m_context.ops.publish(u"node"_qs, changed);
}

Result<QJsonValue> OpsService::setDrained(const QJsonObject &args, bool drained) {
  if (!m_running) return Status::unavailable("the node is stopping");
  const QJsonValue node = args.value(u"node"_qs);
  if (!node.isUndefined() && !node.isNull() && (!node.isString() || node.toString().isEmpty()))
    return Status::invalidArgument("field 'node' must be a node id");
  QJsonObject result{{u"draining"_qs, drained}};
  if (m_cluster) {
    auto done = m_cluster->setDrained(node.toString(), drained);
    if (!done) return done.status();
    if (!node.toString().isEmpty()) result = done->toObject();  // names the node only when asked for one
  } else {
    if (!node.toString().isEmpty() && node.toString() != m_gateway.state()->info.nodeId)
      return Status::notFound("no node '" + node.toString().toStdString() + "': this node is not in a cluster");
    m_gateway.setDrained(drained);
  }
  publishNodeChanges();
  return QJsonValue(result);
}

Result<QJsonValue> OpsService::setPools(const QJsonObject &args) {
  if (!m_running) return Status::unavailable("the node is stopping");
  const QJsonValue pools = args.value(u"pools"_qs);
  if (!pools.isObject())
    return Status::invalidArgument("set_pools needs field 'pools': an object of name: pool, as the config's \"pools\"");
  auto parsed = gateway::pool::parsePools(pools.toObject());
  if (!parsed) return parsed.status();  // its message names the key path from "pools."
  QJsonArray configured;
  for (const auto &spec : *parsed) configured.append(str(spec.name));
  // On the node thread already: this is the door's own thread, so the change is applied here
  // and answered once the new table is in service (or refused, the old one kept).
  LMFRONT_RETURN_IF_ERROR(m_gateway.serving()->setPools(std::move(*parsed)));
  QJsonArray served;
  for (const auto &[name, pool] : m_gateway.state()->service->table()->pools) served.append(str(name));
  publishNodeChanges();
  return QJsonValue(QJsonObject{{u"pools"_qs, configured}, {u"models"_qs, served}});
}

}  // namespace lmfront::node
