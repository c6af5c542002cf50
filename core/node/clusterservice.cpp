#include "node/clusterservice.h"

#include "cluster/etcdclient.h"
#include "cluster/etcdsession.h"
#include "cluster/leaderelection.h"
#include "cluster/membership.h"
#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "gateway/openai/openaiservice.h"
#include "gateway/pool/modeltable.h"
#include "node/clusterrouting.h"
#include "node/gatewayservice.h"
#include "node/nodecontext.h"
#include "node/noderoutes.h"
#include "node/seriesservice.h"
#include "node/servingstate.h"
#include "observe/metricnames.h"
#include "observe/metricsregistry.h"

#include <unistd.h>
#include <QFile>
#include <QHostInfo>
#include <QJsonArray>
#include <QThread>

namespace lmfront::node {

using cluster::MemberInfo;
using cluster::OpsCommand;
using cluster::OpsDelivery;
using cluster::OpsTopic;
using gateway::auth::Principal;
using gateway::auth::Role;

namespace {

constexpr int kRevokeWaitMs = 1000;

QJsonObject memberJson(const MemberInfo &m) {
  QJsonObject o = m.toJson();
  o.insert(u"capacity"_qs, m.capacity);
  return o;
}

qint64 physicalMemory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<qint64>(pages) * size : 0;
}

// The resident set, in steps of 16 MiB so the record (put again on every change) stays still.
qint64 residentMemory() {
  QFile statm(u"/proc/self/statm"_qs);
  if (!statm.open(QIODevice::ReadOnly)) return 0;
  const QList<QByteArray> fields = statm.readAll().split(' ');
  const long size = ::sysconf(_SC_PAGE_SIZE);
  const qint64 bytes = fields.size() > 1 ? fields[1].toLongLong() * size : 0;
  constexpr qint64 kStep = 16 << 20;
  return (bytes + kStep - 1) / kStep * kStep;
}

}  // namespace

ClusterService::ClusterService(const NodeConfig &config, const NodeContext &context, GatewayService &gateway,
                               SeriesService &series)
    : m_config(config), m_context(context), m_gateway(gateway), m_series(series) {
  namespace names = observe::names;
  m_metricsRegistered =
      observe::take(context.metrics.gauge(
                        names::kClusterMemberUp,
                        "1 when the cluster member is up or draining, 0 when it is down; exported by the leader only.",
                        {std::string(names::kLabelNode)}),
                    m_memberUp);
}

ClusterService::~ClusterService() { stop(); }

bool ClusterService::clustered() const { return m_membership != nullptr; }

bool ClusterService::isLeader() const { return !m_election || m_election->isLeader(); }

cluster::LeaderElection *ClusterService::election() const { return m_election; }

Status ClusterService::start() {
  if (m_running) return Status::failedPrecondition("the cluster service is already running");
  LMFRONT_RETURN_IF_ERROR(m_metricsRegistered);
  if (!m_gateway.state()) return Status::failedPrecondition("the cluster service needs the gateway started first");
  if (!m_registered) {
    cluster::OpsRegistry &ops = m_context.ops;
    LMFRONT_RETURN_IF_ERROR(ops.addTopic(OpsTopic{u"members"_qs, Role::Viewer, OpsDelivery::Replaceable,
                                                  [this](const QJsonObject &) -> Result<QJsonObject> {
                                                    if (!m_running) return Status::unavailable("the node is stopping");
                                                    return membersSnapshot();
                                                  }}));
    LMFRONT_RETURN_IF_ERROR(ops.addCommand(
        OpsCommand{u"members"_qs, Role::Viewer, [this](const QJsonObject &, const Principal &) -> Result<QJsonValue> {
                     if (!m_running) return Status::unavailable("the node is stopping");
                     return QJsonValue(membersSnapshot());
                   }}));
    m_registered = true;
  }
  m_running = true;
  if (m_config.cluster.enabled()) {
    auto endpoints = cluster::parseEtcdEndpoints(m_config.cluster.etcd.join(u','));
    if (!endpoints) return endpoints.status().withContext("cluster");
    const QString self = m_gateway.state()->info.nodeId;
    m_root = std::make_unique<QObject>();
    m_client = new cluster::EtcdClient(*endpoints, {}, m_root.get());
    m_session = new cluster::EtcdSession(*m_client, m_config.cluster.leaseTtlSeconds, m_root.get());
    m_membership = new cluster::Membership(*m_client, *m_session, m_config.cluster.name, m_root.get());
    m_election = new cluster::LeaderElection(*m_client, *m_session,
                                             m_membership->prefix() + QByteArrayLiteral("leader"), self, m_root.get());
    if (m_gateway.serving())
      m_routing =
          std::make_unique<ClusterRouting>(*m_gateway.serving(), m_context.events, self, m_config.cluster.routing);
    QObject::connect(m_membership, &cluster::Membership::memberChanged, m_root.get(), [this](const MemberInfo &m) {
      publishMember(m);
      updateRouting();
    });
    QObject::connect(m_membership, &cluster::Membership::drainRequested, m_root.get(), [this](bool drained) {
      m_gateway.setDrained(drained);
      m_context.events.report(EventLevel::Info, "cluster", drained ? "drained through etcd" : "undrained through etcd",
                              {});
      onTick();
    });
    QObject::connect(m_membership, &cluster::Membership::syncedChanged, m_root.get(), [this](bool synced) {
      m_synced = synced;
      (void)m_context.ops.publish(u"members"_qs, QJsonObject{{u"synced"_qs, synced}});
    });
    QObject::connect(m_election, &cluster::LeaderElection::leaderChanged, m_root.get(), [this](const QString &leader) {
      (void)m_context.ops.publish(u"members"_qs,
                                  QJsonObject{{u"leader"_qs, leader.isEmpty() ? QJsonValue() : QJsonValue(leader)}});
    });
    QObject::connect(m_session, &cluster::EtcdSession::lost, m_root.get(), [this](const QString &reason) {
      m_context.events.report(EventLevel::Warning, "cluster", "etcd lease lost; registering again",
                              {{"reason", reason.toStdString()}});
    });
    QObject::connect(m_election, &cluster::LeaderElection::leadershipChanged, m_root.get(), [this](bool leader) {
      // Withdrawn at once, so this node's alerts end before a successor (which exports from its
      // next tick, a second after its election at the soonest) can raise the same ones.
      if (!leader) exportMembers();
      m_context.events.report(EventLevel::Info, "cluster", leader ? "leading the cluster" : "no longer leading",
                              {{"cluster", m_config.cluster.name.toStdString()}});
    });
    m_session->start();
    m_membership->start(selfInfo());
    m_election->start();
    m_synced = false;
  }
  m_listener = m_series.addListener([this] { onTick(); });
  return Status::ok();
}

bool ClusterService::drain(std::chrono::milliseconds) {
  if (m_session) {
    m_membership->stop();
    m_election->stop();
    m_session->stop(kRevokeWaitMs);
  }
  return true;
}

void ClusterService::stop() {
  if (!m_running) return;
  m_running = false;
  if (m_listener) m_series.removeListener(*m_listener);
  m_listener.reset();
  if (m_session) m_session->stop(0);
  if (m_routing) m_routing->clear();
  m_routing.reset();
  m_election = nullptr;
  exportMembers();
  m_membership = nullptr;
  m_session = nullptr;
  m_client = nullptr;
  m_root.reset();
  m_synced = true;
}

Health ClusterService::health() const {
  Health h;
  if (!m_running) return h;
  h.state = m_synced ? Health::State::Serving : Health::State::Degraded;
  if (!m_synced) h.detail = "not in sync with etcd (retrying)";
  return h;
}

MemberInfo ClusterService::selfInfo() const {
  const auto state = m_gateway.state();
  MemberInfo m;
  if (!state) return m;
  const NodeState &s = *state;
  m.id = s.info.nodeId;
  QString address = s.info.listenAddress;
  // A wildcard listener is reached through the host's name.
  for (const QString &wildcard : {u"0.0.0.0:"_qs, u"[::]:"_qs, u":::"_qs})
    if (address.startsWith(wildcard)) address = QHostInfo::localHostName() + u':' + address.mid(wildcard.size());
  m.address = (s.info.tls ? u"https://"_qs : u"http://"_qs) + address;
  m.version = s.info.version;
  m.state = s.drained.load() || s.draining.load() ? u"draining"_qs : u"up"_qs;
  // Only what it serves itself: a member routing a model on to others must not draw it back.
  if (s.service) m.models = locallyServedModels(*s.service->table());
  m.capacity = QJsonObject{{u"cpus"_qs, QThread::idealThreadCount()},
                           {u"memory_bytes"_qs, physicalMemory()},
                           {u"memory_used_bytes"_qs, residentMemory()}};
  m.startedAt = s.info.startedAt.toUTC().toString(Qt::ISODate);
  return m;
}

void ClusterService::onTick() {
  if (!m_running) return;
  if (m_membership) m_membership->setSelf(selfInfo());
  updateRouting();
  exportMembers();
}

void ClusterService::updateRouting() {
  if (!m_running || !m_routing || !m_membership) return;
  const auto state = m_gateway.state();
  if (!state || !state->service) return;
  m_routing->update(m_membership->members(), *state->service->table());
}

void ClusterService::exportMembers() {
  if (!m_memberUp) return;
  std::set<std::string> members;
  if (m_running && m_election && m_election->isLeader()) {
    for (const MemberInfo &m : m_membership->members()) {
      const std::string id = m.id.toStdString();
      m_memberUp->withLabels({id}).set(m.state == u"down"_qs ? 0.0 : 1.0);
      members.insert(id);
    }
  }
  for (const std::string &id : m_exported)
    if (!members.contains(id)) m_memberUp->remove({id});
  m_exported = std::move(members);
}

void ClusterService::publishMember(const MemberInfo &member) {
  (void)m_context.ops.publish(u"members"_qs, QJsonObject{{u"member"_qs, memberJson(member)}});
}

QJsonObject ClusterService::membersSnapshot() const {
  QJsonArray members;
  const MemberInfo self = selfInfo();
  if (!m_membership) {
    members.append(memberJson(self));
    return QJsonObject{{u"cluster"_qs, QJsonValue()}, {u"self"_qs, self.id},      {u"leader"_qs, self.id},
                       {u"synced"_qs, true},          {u"etcd"_qs, QJsonArray()}, {u"members"_qs, members}};
  }
  for (const MemberInfo &m : m_membership->members()) members.append(memberJson(m.id == self.id ? self : m));
  const QString leader = m_election->leader();
  return QJsonObject{{u"cluster"_qs, m_config.cluster.name},
                     {u"self"_qs, self.id},
                     {u"leader"_qs, leader.isEmpty() ? QJsonValue() : QJsonValue(leader)},
                     {u"synced"_qs, m_membership->synced()},
                     {u"etcd"_qs, QJsonArray::fromStringList(m_config.cluster.etcd)},
                     {u"members"_qs, members}};
}

Result<QJsonValue> ClusterService::setDrained(const QString &node, bool drained) {
  if (!m_running) return Status::unavailable("the node is stopping");
  const QString self = m_gateway.state()->info.nodeId;
  const QString target = node.isEmpty() ? self : node;
  if (target == self) m_gateway.setDrained(drained);
  if (!m_membership) {
    if (target != self)
      return Status::notFound(
          QStringLiteral("no node '%1': this node (%2) is not in a cluster (--etcd)").arg(target, self).toStdString());
  } else {
    if (!m_membership->knows(target))
      return Status::notFound(
          QStringLiteral("no node '%1' in cluster %2").arg(target, m_config.cluster.name).toStdString());
    // The wish is kept in etcd: another node acts on it through its watch, this one already did.
    m_membership->requestDrain(target, drained, [this, target](Status s) {
      if (!s)
        m_context.events.report(EventLevel::Warning, "cluster", "could not record a drain in etcd",
                                {{"node", target.toStdString()}, {"error", s.message()}});
    });
  }
  onTick();
  return QJsonValue(QJsonObject{{u"node"_qs, target}, {u"draining"_qs, drained}});
}

}  // namespace lmfront::node
