// EtcdSession: one etcd lease kept alive for as long as the node runs — what its membership key
// and its leader key live under, so both vanish within the TTL when the node dies.
//
// The session grants a lease of `ttlSeconds`, renews it every third of the TTL, and stops
// trusting it before etcd could have expired it: when no renewal sent within the last two thirds
// of the TTL was confirmed, or etcd says the lease is gone (revoked from outside, expired while
// etcd was unreachable), lost() is emitted and a new lease is asked for on every tick until one
// is granted (established() again). So whoever holds something under the lease learns of the
// loss no later than etcd does.
//
// Time is real time (QTimer, QElapsedTimer): the TTL is a liveness contract with a real etcd.
// Threads: lives on its thread (the node thread); not thread-safe.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class QTimer;

namespace lmfront::cluster {

class EtcdClient;

class EtcdSession : public QObject {
  Q_OBJECT
public:
  EtcdSession(EtcdClient &client, qint64 ttlSeconds, QObject *parent = nullptr);

  void start();
  // Stops renewing and revokes the lease, waiting for etcd's answer up to `waitMs` (a clean
  // shutdown makes its keys vanish at once rather than after the TTL). No signal afterwards.
  void stop(int waitMs);

  qint64 lease() const { return m_lease; }  // 0: none right now
  qint64 ttlSeconds() const { return m_ttl; }
  const QString &lastError() const { return m_lastError; }

Q_SIGNALS:
  void established(qint64 lease);
  void lost(const QString &reason);

private:
  void tick();
  void lose(const QString &reason);

  EtcdClient &m_client;
  qint64 m_ttl;
  QTimer *m_timer;
  qint64 m_lease = 0;
  quint64 m_generation = 0;  // answers for an older lease or a stopped session are ignored
  bool m_granting = false;
  bool m_renewing = false;
  bool m_stopped = true;
  QElapsedTimer m_clock;
  qint64 m_confirmedAt = 0;  // m_clock time the last confirmed renewal (or the grant) was sent
  QString m_lastError;
};

}  // namespace lmfront::cluster
