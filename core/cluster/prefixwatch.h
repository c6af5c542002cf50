// PrefixWatch: a consistent view of everything under an etcd prefix, kept across etcd outages.
// It reads the prefix whole, then watches it from the revision after that read, so no change
// falls between the two; when the watch ends (etcd restarted or unreachable, the stream cut) or
// the read fails, it reads whole again after kRetryMs, for as long as it runs. Each whole read is
// delivered as a snapshot: a key it lacks was deleted while nobody watched. Membership and the
// desired state mirror their keys through it.
// Threads: the thread it lives on, as its EtcdClient.
#pragma once

#include "cluster/etcdclient.h"  // EtcdKeyValue: moc needs the signals' argument types complete

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>

namespace lmfront::cluster {

class PrefixWatch : public QObject {
  Q_OBJECT
public:
  static constexpr int kRetryMs = 500;

  PrefixWatch(EtcdClient &client, QByteArray prefix, QObject *parent = nullptr);

  void start();
  void stop();
  // Reads the prefix whole again now, whatever the watch is doing (a stream from an etcd that no
  // longer answers may look alive): after a lost lease, for example.
  void resync();
  // True from the watch's confirmation until it ends or a read fails.
  bool synced() const { return m_synced; }

Q_SIGNALS:
  // Every key under the prefix at one revision; what it lacks is gone.
  void snapshot(const QList<lmfront::cluster::EtcdKeyValue> &kvs);
  // One watched change (a delete carries the key alone).
  void changed(const lmfront::cluster::EtcdKeyValue &kv, bool deleted);
  void syncedChanged(bool synced);

private:
  void read();
  void retryLater();
  void setSynced(bool synced);

  EtcdClient &m_client;
  const QByteArray m_prefix;
  bool m_running = false;
  bool m_synced = false;
  bool m_reading = false;
  bool m_retryPending = false;
  quint64 m_generation = 0;  // answers and ends of an older read or watch are ignored
  QPointer<EtcdWatch> m_watch;
};

}  // namespace lmfront::cluster
