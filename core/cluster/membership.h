// Membership: this node's record in the cluster's member list, and everyone else's as seen
// through etcd (docs/cluster.md, "Keys").
//
//   /lmfront/CLUSTER/members/ID   this node's MemberInfo as JSON, under the session's lease: it
//                                 vanishes within the TTL when the node dies
//   /lmfront/CLUSTER/drain/ID     present: the operator asked node ID to drain (no lease: the
//                                 wish outlives restarts of the node and of etcd)
//
// The member record is put whenever the session gets a lease and whenever setSelf() changes it.
// The list mirrors /lmfront/CLUSTER/ through a PrefixWatch (one read, then a watch; read again
// whenever the watch breaks): while etcd is away the last list is kept (synced() false), and a
// node resyncs on its own; a lost lease resyncs too (the stream may be from an etcd that no
// longer answers). A member whose key goes away is kept as state "down" for kForgetDownMs.
// kRetryMs paces the retries of putting this node's record.
// Threads: lives on its thread (the node thread); not thread-safe.
#pragma once

#include "common/status.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <functional>
#include <optional>

namespace lmfront::cluster {

class EtcdClient;
class EtcdSession;
class PrefixWatch;
struct EtcdKeyValue;

struct MemberInfo {
  QString id;
  QString address;  // the node's base URL: http://HOST:PORT
  QString version;
  QString state;  // "up", "draining" or (seen from elsewhere) "down"
  QStringList models;
  QJsonObject capacity;  // {"cpus","memory_bytes"}
  QString startedAt;     // ISO 8601

  QJsonObject toJson() const;
  static Result<MemberInfo> fromJson(const QByteArray &json);
  bool operator==(const MemberInfo &) const = default;
};

class Membership : public QObject {
  Q_OBJECT
public:
  static constexpr int kRetryMs = 500;
  static constexpr qint64 kForgetDownMs = 10 * 60 * 1000;

  Membership(EtcdClient &client, EtcdSession &session, QString cluster, QObject *parent = nullptr);

  void start(const MemberInfo &self);
  void stop();
  void setSelf(const MemberInfo &self);  // puts the record again when it changed

  // Writes (drained) or deletes the drain wish of node `id`; `done` gets etcd's answer.
  void requestDrain(const QString &id, bool drained, std::function<void(Status)> done);

  QList<MemberInfo> members() const;  // by id; this node always included, as it reports itself
  bool synced() const;
  bool knows(const QString &id) const { return m_members.contains(id); }
  const MemberInfo &self() const { return m_self; }
  QByteArray prefix() const { return m_prefix; }

Q_SIGNALS:
  void memberChanged(const lmfront::cluster::MemberInfo &member);  // added, changed or down
  void drainRequested(bool drained);                               // this node's drain wish changed in etcd
  void syncedChanged(bool synced);

private:
  void registerSelf();
  void applySnapshot(const QList<EtcdKeyValue> &kvs);
  void applyKv(const EtcdKeyValue &kv, bool deleted);
  void setMember(const MemberInfo &member);
  void setSelfDrain(bool drained);

  EtcdClient &m_client;
  EtcdSession &m_session;
  const QByteArray m_prefix;
  const QByteArray m_membersPrefix;
  const QByteArray m_drainPrefix;
  MemberInfo m_self;
  PrefixWatch *m_view;  // the cluster's keys: members and drain wishes
  bool m_running = false;
  bool m_putPending = false;
  qint64 m_registeredLease = 0;
  std::optional<bool> m_selfDrain;
  QMap<QString, MemberInfo> m_members;
  QMap<QString, qint64> m_downSince;  // id → m_clock ms
  QElapsedTimer m_clock;
};

}  // namespace lmfront::cluster
