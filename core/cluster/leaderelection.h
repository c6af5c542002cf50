// LeaderElection: at most one node of a cluster leads, chosen through etcd — the work that must
// run once per cluster (canary controllers, the scaler, cluster-wide alerts) runs where
// isLeader() is true.
//
// Campaign: one transaction puts KEY = node id under the session's lease if KEY's
// create_revision is 0 (nobody holds it), else reads the holder. The leader is whoever created
// the key; it stays leader while its lease lives. Everyone watches KEY: when it is deleted (the
// leader's lease expired or was revoked, or it stepped down) the followers campaign again after
// kCampaignDelayMs.
//
// Never two leaders: a leader steps down (isLeader() false, leadershipChanged(false)) the moment
// its session stops trusting the lease — which happens before etcd can expire it
// (etcdsession.h) — or its watch shows KEY deleted or held under another lease, or the watch
// breaks (it cannot know any more). A follower only leads after its own transaction created KEY,
// which needs KEY gone first; kCampaignDelayMs leaves a deposed leader that learns of the loss
// through the same delete event time to act on it first.
// Threads: lives on its thread (the node thread); not thread-safe.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>

namespace lmfront::cluster {

class EtcdClient;
class EtcdSession;
class EtcdWatch;
struct EtcdEvent;

class LeaderElection : public QObject {
  Q_OBJECT
public:
  static constexpr int kCampaignDelayMs = 300;
  static constexpr int kRetryMs = 500;

  // `key`: the election's key (/lmfront/CLUSTER/leader); `self`: this node's id, the key's value.
  LeaderElection(EtcdClient &client, EtcdSession &session, QByteArray key, QString self, QObject *parent = nullptr);

  void start();  // campaigns whenever the session has a lease
  void stop();   // steps down (the key goes with the session's lease)

  bool isLeader() const { return m_leader; }
  const QString &leader() const { return m_holder; }  // the current holder as last seen; empty: none

Q_SIGNALS:
  void leadershipChanged(bool leader);
  void leaderChanged(const QString &holder);

private:
  void campaign();
  void watchFrom(qint64 revision, qint64 holderLease);
  void onEvents(const QList<lmfront::cluster::EtcdEvent> &events);
  void setState(bool leader, const QString &holder);
  void retryLater(int ms);

  EtcdClient &m_client;
  EtcdSession &m_session;
  const QByteArray m_key;
  const QString m_self;
  bool m_running = false;
  bool m_leader = false;
  bool m_campaigning = false;
  bool m_retryPending = false;
  QString m_holder;
  qint64 m_holderLease = 0;
  quint64 m_generation = 0;
  QPointer<EtcdWatch> m_watch;
};

}  // namespace lmfront::cluster
