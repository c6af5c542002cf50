#include "models/clustermodel.h"

#include "models/nodesession.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QJsonArray>
#include <QLocale>
#include <cmath>
#include <limits>

namespace lmfront::models {

using OpsState = client::OpsClient::State;
using Series = LiveNodeState::Series;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString kMembersTopic = QStringLiteral("members");
const QString kDash = QStringLiteral("—");
}  // namespace

struct ClusterModel::Member {
  QString id;
  QJsonObject record;
  // Destroyed client first: its last signals must not reach a dead state.
  std::unique_ptr<LiveNodeState> ownLive;
  std::unique_ptr<client::OpsClient> client;
  QPointer<LiveNodeState> live;          // ownLive, or the seed's own for the member the seed is
  const LiveNodeState *bound = nullptr;  // what `live` was set to: tells a dropped state from none

  QString address() const { return record.value(QLatin1StringView("address")).toString(); }
  bool recordDown() const { return record.value(QLatin1StringView("state")).toString() == QLatin1StringView("down"); }
  void dropClient() {
    client.reset();
    ownLive.reset();
  }
};

ClusterModel::ClusterModel(const Clock &clock, QObject *parent) : QAbstractTableModel(parent), m_clock(clock) {}

ClusterModel::~ClusterModel() {
  for (auto &m : m_members) m->dropClient();
}

void ClusterModel::attach(client::OpsClient *seed, LiveNodeState *seedLive, client::OpsClient::Options memberOptions) {
  if (m_seed) disconnect(m_seed, nullptr, this, nullptr);
  beginResetModel();
  for (auto &m : m_members) m->dropClient();
  m_members.clear();
  m_received = false;
  m_cluster.clear();
  m_self.clear();
  m_leader.clear();
  m_synced = true;
  endResetModel();
  m_seed = seed;
  m_seedLive = seedLive;
  m_memberOptions = std::move(memberOptions);
  if (m_seed) {
    connect(m_seed, &client::OpsClient::snapshotReceived, this, &ClusterModel::applySnapshot);
    connect(m_seed, &client::OpsClient::deltaReceived, this, &ClusterModel::applyDelta);
    m_seed->subscribe(kMembersTopic);
  }
  Q_EMIT clusterChanged();
  Q_EMIT totalsChanged();
}

void ClusterModel::acquire(QObject *viewer) {
  if (!viewer || m_viewers.contains(viewer)) return;
  m_viewers.insert(viewer, connect(viewer, &QObject::destroyed, this, [this, viewer] { release(viewer); }));
  setActive(true);
}

void ClusterModel::release(QObject *viewer) {
  const auto it = m_viewers.constFind(viewer);
  if (it == m_viewers.cend()) return;
  disconnect(it.value());
  m_viewers.erase(it);
  setActive(!m_viewers.isEmpty());
}

void ClusterModel::setActive(bool active) {
  if (active == m_active) return;
  m_active = active;
  for (auto &m : m_members) {
    connectMember(*m);
    rowChanged(m.get(), Column::State, Column::Memory);
  }
}

int ClusterModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_members.size());
}

int ClusterModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

int ClusterModel::rowOf(const QString &id) const {
  for (size_t i = 0; i < m_members.size(); ++i)
    if (m_members[i]->id == id) return static_cast<int>(i);
  return -1;
}

int ClusterModel::indexOf(const Member *member) const {
  for (size_t i = 0; i < m_members.size(); ++i)
    if (m_members[i].get() == member) return static_cast<int>(i);
  return -1;
}

ClusterModel::State ClusterModel::stateAt(int row) const { return stateOf(*m_members.at(static_cast<size_t>(row))); }

LiveNodeState *ClusterModel::liveStateAt(int row) const { return m_members.at(static_cast<size_t>(row))->live; }

ClusterModel::State ClusterModel::stateOf(const Member &m) const {
  if (m.recordDown()) return State::Down;
  const LiveNodeState *live = m.live.data();
  if (live && live->connectionState() == OpsState::Live && live->hasNode())
    return live->draining() ? State::Draining : State::Up;
  return m.record.value(QLatin1StringView("state")).toString() == QLatin1StringView("draining") ? State::Draining
                                                                                                : State::Up;
}

bool ClusterModel::reachable(const Member &m) const {
  if (m.recordDown()) return false;
  const LiveNodeState *live = m.live.data();
  if (!live) return true;  // not looked at (inactive): nothing says otherwise
  const OpsState s = live->connectionState();
  return s != OpsState::Stale && s != OpsState::Failed;
}

QString ClusterModel::healthText(const Member &m) const {
  if (m.recordDown()) return tr("gone: its lease in etcd expired");
  const LiveNodeState *live = m.live.data();
  if (!live) return kDash;
  switch (live->connectionState()) {
  case OpsState::Live:
    if (live->hasNode()) return LiveNodeState::summary(live->node());
    break;
  case OpsState::Stale:
  case OpsState::Failed:
    // The client's reason is English by contract; it names what the connection met.
    return tr("unreachable: %1").arg(live->connectionReason());
  case OpsState::Connecting:
  case OpsState::Closed: break;
  }
  return tr("connecting…");
}

QVariant ClusterModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Member &m = *m_members[static_cast<size_t>(index.row())];
  const auto column = static_cast<Column>(index.column());
  const State state = stateOf(m);
  const bool ok = reachable(m);
  if (role == IdRole) return m.id;
  if (role == StateRole) return static_cast<int>(state);
  if (role == ReachableRole) return ok;
  if (role == Qt::BackgroundRole)
    return state == State::Down || !ok ? QVariant(QBrush(QColor(0xfd, 0xec, 0xec))) : QVariant();
  if (role == Qt::ForegroundRole) {
    if (state == State::Down || !ok) return QBrush(QColor(0xb4, 0x23, 0x18));
    if (column == Column::State && state == State::Draining) return QBrush(QColor(0xa1, 0x5c, 0x07));
    return {};
  }
  if (role == Qt::FontRole && column == Column::Node && m.id == m_leader && !m_leader.isEmpty()) {
    QFont bold;
    bold.setBold(true);
    return bold;
  }
  if (role == Qt::ToolTipRole) {
    if (column == Column::Node) {
      QStringList notes;
      if (m.id == m_leader) notes << tr("leads the cluster");
      if (m.id == m_self) notes << tr("the node this connection reached");
      const QString started = m.record.value(QLatin1StringView("started_at")).toString();
      if (!started.isEmpty()) notes << tr("started %1").arg(started);
      return notes.join(QStringLiteral("\n"));
    }
    if (column == Column::Health || column == Column::State) return healthText(m);
    return {};
  }

  // Figures from the member's own metrics: none for a node that is gone or not looked at.
  const LiveNodeState *live = state == State::Down ? nullptr : m.live.data();
  auto metric = [live](Series s) { return live && live->sampleCount() > 0 ? live->latest(s) : kNaN; };
  auto metricColumn = [&](Column c) -> std::optional<Series> {
    switch (c) {
    case Column::Qps: return Series::Qps;
    case Column::P99: return Series::P99Ms;
    case Column::ErrorRate: return Series::ErrorRatio;
    case Column::Cpu: return Series::CpuPercent;
    case Column::Memory: return Series::RssBytes;
    default: return std::nullopt;
    }
  };
  const QStringList models = [&] {
    QStringList names;
    for (const QJsonValue &v : m.record.value(QLatin1StringView("models")).toArray()) names << v.toString();
    return names;
  }();

  if (role == RawRole) {
    if (const auto s = metricColumn(column)) {
      const double v = metric(*s);
      return std::isfinite(v) ? v : -1.0;
    }
    if (column == Column::State) return static_cast<int>(state);
    if (column == Column::Models) return static_cast<int>(models.size());
    return data(index, Qt::DisplayRole);
  }
  if (role == Qt::TextAlignmentRole && metricColumn(column))
    return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
  if (role != Qt::DisplayRole) return {};

  switch (column) {
  case Column::Node: return m.id;
  case Column::Address: return m.address();
  case Column::State:
    switch (state) {
    case State::Up: return tr("up");
    case State::Draining: return tr("draining");
    case State::Down: return tr("down");
    }
    break;
  case Column::Health: return healthText(m);
  case Column::Models: return models.isEmpty() ? tr("none") : models.join(QStringLiteral(", "));
  case Column::Version: return m.record.value(QLatin1StringView("version")).toString();
  case Column::Count: break;
  default: {
    const Series s = *metricColumn(column);
    const double v = metric(s);
    if (!std::isfinite(v)) return kDash;
    switch (s) {
    case Series::Qps: return QString::number(v, 'f', v < 10 ? 1 : 0);
    case Series::P99Ms: return tr("%1 ms").arg(QString::number(v, 'f', 1));
    case Series::ErrorRatio: return tr("%1 %").arg(QString::number(v * 100, 'f', 2));
    case Series::CpuPercent: return tr("%1 %").arg(QString::number(v, 'f', 1));
    case Series::RssBytes: return QLocale().formattedDataSize(static_cast<qint64>(v));
    default: break;
    }
  }
  }
  return {};
}

QVariant ClusterModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
  case Column::Node: return tr("Node");
  case Column::Address: return tr("Address");
  case Column::State: return tr("State");
  case Column::Health: return tr("Health");
  case Column::Models: return tr("Models");
  case Column::Qps: return tr("QPS");
  case Column::P99: return tr("p99");
  case Column::ErrorRate: return tr("Errors");
  case Column::Cpu: return tr("CPU");
  case Column::Memory: return tr("Memory");
  case Column::Version: return tr("Version");
  case Column::Count: break;
  }
  return {};
}

QHash<QString, QStringList> ClusterModel::placement() const {
  QHash<QString, QStringList> out;
  for (const auto &m : m_members) {
    if (m->recordDown()) continue;
    for (const QJsonValue &v : m->record.value(QLatin1StringView("models")).toArray()) out[v.toString()] << m->id;
  }
  for (QStringList &ids : out) ids.sort();
  return out;
}

ClusterModel::Totals ClusterModel::totals() const {
  Totals t;
  t.members = static_cast<int>(m_members.size());
  double qps = 0, errors = 0, p99 = kNaN;
  bool anyQps = false;
  for (const auto &m : m_members) {
    const State s = stateOf(*m);
    t.up += s == State::Up;
    t.draining += s == State::Draining;
    t.down += s == State::Down;
    const LiveNodeState *live = m->live.data();
    if (s == State::Down || !live || live->sampleCount() == 0) continue;
    const double q = live->latest(Series::Qps);
    if (std::isfinite(q)) {
      anyQps = true;
      qps += q;
      const double ratio = live->latest(Series::ErrorRatio);
      if (std::isfinite(ratio)) errors += ratio * q;
    }
    const double p = live->latest(Series::P99Ms);
    if (std::isfinite(p) && (std::isnan(p99) || p > p99)) {
      p99 = p;
      t.worstP99Node = m->id;
    }
  }
  t.qps = anyQps ? qps : kNaN;
  t.errorRatio = qps > 0 ? errors / qps : kNaN;
  t.worstP99Ms = p99;
  return t;
}

void ClusterModel::applySnapshot(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic == kMembersTopic) applyMembers(payload);
}

void ClusterModel::applyDelta(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kMembersTopic) return;
  if (payload.contains(QLatin1StringView("member"))) upsert(payload.value(QLatin1StringView("member")).toObject());
  if (payload.contains(QLatin1StringView("leader"))) {
    m_leader = payload.value(QLatin1StringView("leader")).toString();
    if (!m_members.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, 0), {Qt::FontRole, Qt::ToolTipRole});
    Q_EMIT clusterChanged();
  }
  if (payload.contains(QLatin1StringView("synced"))) {
    m_synced = payload.value(QLatin1StringView("synced")).toBool();
    Q_EMIT clusterChanged();
  }
}

void ClusterModel::applyMembers(const QJsonObject &snapshot) {
  m_received = true;
  m_cluster = snapshot.value(QLatin1StringView("cluster")).toString();
  m_self = snapshot.value(QLatin1StringView("self")).toString();
  m_leader = snapshot.value(QLatin1StringView("leader")).toString();
  m_synced = snapshot.value(QLatin1StringView("synced")).toBool(true);
  const QJsonArray records = snapshot.value(QLatin1StringView("members")).toArray();
  QStringList listed;
  for (const QJsonValue &r : records) listed << r.toObject().value(QLatin1StringView("id")).toString();
  for (int row = rowCount() - 1; row >= 0; --row) {
    if (listed.contains(m_members[static_cast<size_t>(row)]->id)) continue;
    beginRemoveRows({}, row, row);
    m_members[static_cast<size_t>(row)]->dropClient();
    m_members.erase(m_members.begin() + row);
    endRemoveRows();
  }
  for (const QJsonValue &r : records) upsert(r.toObject());
  // Self may have changed (another node behind the same address): bind every row again.
  for (auto &m : m_members) connectMember(*m);
  if (!m_members.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
  Q_EMIT clusterChanged();
  Q_EMIT totalsChanged();
  Q_EMIT placementChanged();
}

void ClusterModel::upsert(const QJsonObject &record) {
  const QString id = record.value(QLatin1StringView("id")).toString();
  if (id.isEmpty()) return;
  const int row = rowOf(id);
  if (row >= 0) {
    Member &m = *m_members[static_cast<size_t>(row)];
    if (m.address() != record.value(QLatin1StringView("address")).toString()) m.dropClient();
    m.record = record;
    connectMember(m);
    rowChanged(&m, Column::Node, Column::Version);
    Q_EMIT placementChanged();
    return;
  }
  const int at = rowCount();
  beginInsertRows({}, at, at);
  auto member = std::make_unique<Member>();
  member->id = id;
  member->record = record;
  m_members.push_back(std::move(member));
  endInsertRows();
  connectMember(*m_members.back());
  Q_EMIT totalsChanged();
  Q_EMIT placementChanged();
}

void ClusterModel::connectMember(Member &m) {
  if (m.id == m_self && m_seedLive) {
    m.dropClient();
    bindLive(m, m_seedLive);
    return;
  }
  if (!m_active || m.recordDown()) {
    m.dropClient();
    bindLive(m, nullptr);
    return;
  }
  if (m.client) return;
  client::OpsClient::Options options = m_memberOptions;
  options.url = NodeSession::opsUrl(QUrl(m.address()));
  // The Overview's span of history, so its charts of this member start full.
  m.ownLive = std::make_unique<LiveNodeState>(m_clock);
  m.client = std::make_unique<client::OpsClient>(options, m_clock);
  m.ownLive->attach(m.client.get());
  bindLive(m, m.ownLive.get());
  m.client->open();
}

void ClusterModel::bindLive(Member &m, LiveNodeState *live) {
  if (m.live == live && m.bound == live) return;
  if (m.live) disconnect(m.live, nullptr, this, nullptr);
  m.live = live;
  m.bound = live;
  Q_EMIT memberLiveChanged(m.id);
  if (!live) return;
  Member *member = &m;
  connect(live, &LiveNodeState::nodeChanged, this,
          [this, member] { rowChanged(member, Column::State, Column::Health); });
  connect(live, &LiveNodeState::metricsChanged, this,
          [this, member] { rowChanged(member, Column::Qps, Column::Memory); });
  connect(live, &LiveNodeState::connectionChanged, this,
          [this, member] { rowChanged(member, Column::Node, Column::Version); });
}

void ClusterModel::rowChanged(const Member *member, Column first, Column last) {
  const int row = indexOf(member);
  if (row < 0) return;
  Q_EMIT dataChanged(index(row, static_cast<int>(first)), index(row, static_cast<int>(last)));
  Q_EMIT totalsChanged();
}

void ClusterModel::setDrained(const QString &id, bool drained, QObject *context, ReplyHandler handler) {
  if (!m_seed) {
    client::OpsReply reply;
    reply.error.code = client::OpsErrorCode::Unavailable;
    reply.error.message = QStringLiteral("no connection");
    handler(reply);
    return;
  }
  const QString name = drained ? QStringLiteral("drain") : QStringLiteral("undrain");
  QPointer<ClusterModel> self(this);
  m_seed->command(name, QJsonObject{{QStringLiteral("node"), id}}, context,
                  [self, handler](const client::OpsReply &reply) {
                    handler(reply);
                    ClusterModel *model = self.data();
                    client::OpsClient *seed = model ? model->m_seed.data() : nullptr;
                    if (!seed || !reply.ok()) return;
                    // Read the list again: a cluster of one publishes no member deltas.
                    seed->command(QStringLiteral("members"), {}, model, [model](const client::OpsReply &r) {
                      if (r.ok()) model->applyMembers(r.result.toObject());
                    });
                  });
}

void ClusterModel::retranslate() {
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  if (!m_members.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

}  // namespace lmfront::models
