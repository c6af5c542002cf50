// ClusterModel: the nodes of the cluster a connection belongs to, one row each, for the console's
// cluster Overview (docs/console.md). The member list comes from the connected node's `members`
// topic (docs/cluster.md); each member's health and metrics come from that member itself, over an
// ops connection of its own to the member's address (its `node` and `metrics` topics through a
// LiveNodeState), so no node relays the whole cluster's telemetry. The connected node ("self" in
// the topic) is not connected to twice: its row reads the session's own LiveNodeState. A node
// without etcd lists itself alone: a cluster of one.
//
// Contract: GUI thread. attach() follows a seed client (not owned; null detaches) and clears the
// rows; the topic's snapshot reconciles them (members no longer listed leave, others update in
// place, new ones are appended) and each `member` delta updates or appends one row. Member
// connections exist only while active: while at least one view holds them (acquire() until
// release() or its destruction: the Cluster page while shown, the Overview's charts of another
// node or of the whole cluster), so the views share one connection per member. They use
// `memberOptions` with the member's ops URL, keep the Overview's minutes of history, are closed
// when a member goes `down` and made again when it returns; memberLiveChanged() names a member
// whose live state was made or dropped.
// A row's state is `down` when the membership says so; otherwise the member's own `node` topic
// decides between `draining` and `up` while its connection is live (it knows at once, also for
// a cluster of one, whose member list has no deltas), and the membership's record otherwise.
// Health is the member's own summary (LiveNodeState::summary()), or why it cannot be reached.
// RawRole gives sortable values (numbers for metrics, NaN-free: -1 when unknown); IdRole the id;
// ForegroundRole marks a row that is down or unreachable. setDrained() sends `drain`/`undrain`
// naming the member through the seed; its handler gets the one reply, and the member list is read
// again afterwards (a cluster of one publishes no member deltas). placement() says which members
// that are not down list each model in their record (placementChanged() after any record change).
#pragma once

#include "client/opsclient.h"
#include "common/clock.h"
#include "models/livenodestate.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lmfront::models {

class ClusterModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column { Node, Address, State, Health, Models, Qps, P99, ErrorRate, Cpu, Memory, Version, Count };
  enum Role { RawRole = Qt::UserRole + 1, IdRole, StateRole, ReachableRole };
  enum class State { Up, Draining, Down };

  // Cluster-wide figures for the KPI tiles, over the members that are not down.
  struct Totals {
    int members = 0;
    int up = 0;
    int draining = 0;
    int down = 0;
    double qps = 0;         // Σ members' requests/s (NaN when no member reported one)
    double worstP99Ms = 0;  // the highest member p99 (NaN when none has one)
    double errorRatio = 0;  // Σ errors/s ÷ Σ requests/s (NaN without requests)
    QString worstP99Node;   // whose p99 that is
  };

  explicit ClusterModel(const Clock &clock, QObject *parent = nullptr);
  ~ClusterModel() override;

  // Follows `seed`'s `members` topic; `seedLive` (may be null) is the seed's own live state, used
  // for the member the seed is. Member connections are made with `memberOptions` (its url is
  // replaced per member).
  void attach(client::OpsClient *seed, LiveNodeState *seedLive, client::OpsClient::Options memberOptions);
  // `viewer` needs the member connections (idempotent); release() when it no longer does. A viewer
  // destroyed without releasing is released then.
  void acquire(QObject *viewer);
  void release(QObject *viewer);
  bool isActive() const { return !m_viewers.isEmpty(); }

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  QString clusterName() const { return m_cluster; }  // empty for a cluster of one
  QString selfId() const { return m_self; }
  QString leaderId() const { return m_leader; }
  bool synced() const { return m_synced; }
  bool hasMembers() const { return m_received; }
  int rowOf(const QString &id) const;  // -1 when unknown
  State stateAt(int row) const;
  // The member's own live state (null while it has no connection, e.g. down or inactive).
  LiveNodeState *liveStateAt(int row) const;
  Totals totals() const;
  // Model name → ids of the members (not down) whose record lists it, sorted.
  QHash<QString, QStringList> placement() const;

  using ReplyHandler = std::function<void(const client::OpsReply &)>;
  void setDrained(const QString &id, bool drained, QObject *context, ReplyHandler handler);

  void retranslate();

public Q_SLOTS:
  void applySnapshot(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyDelta(const QString &topic, qint64 seq, const QJsonObject &payload);

Q_SIGNALS:
  // Cluster name, self, leader or sync changed.
  void clusterChanged();
  // A row's figures changed: the KPI tiles re-read totals().
  void totalsChanged();
  // The models some member serves may have changed: placement() is worth reading again.
  void placementChanged();
  // liveStateAt() of member `id` is another object (made, dropped, or the seed's).
  void memberLiveChanged(const QString &id);

private:
  struct Member;
  void applyMembers(const QJsonObject &snapshot);
  void upsert(const QJsonObject &record);
  void setActive(bool active);
  void connectMember(Member &member);
  void bindLive(Member &member, LiveNodeState *live);
  void rowChanged(const Member *member, Column first, Column last);
  int indexOf(const Member *member) const;
  State stateOf(const Member &member) const;
  bool reachable(const Member &member) const;
  QString healthText(const Member &member) const;

  const Clock &m_clock;
  QPointer<client::OpsClient> m_seed;
  QPointer<LiveNodeState> m_seedLive;
  client::OpsClient::Options m_memberOptions;
  bool m_active = false;
  QHash<QObject *, QMetaObject::Connection> m_viewers;  // → its destroyed() connection
  bool m_received = false;
  QString m_cluster;
  QString m_self;
  QString m_leader;
  bool m_synced = true;
  std::vector<std::unique_ptr<Member>> m_members;
};

}  // namespace lmfront::models
