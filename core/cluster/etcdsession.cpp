#include "cluster/etcdsession.h"

#include "cluster/etcdclient.h"

#include <QEventLoop>
#include <QTimer>

namespace lmfront::cluster {

EtcdSession::EtcdSession(EtcdClient &client, qint64 ttlSeconds, QObject *parent)
    : QObject(parent), m_client(client), m_ttl(std::max<qint64>(ttlSeconds, 1)), m_timer(new QTimer(this)) {
  m_timer->setInterval(static_cast<int>(std::max<qint64>(m_ttl * 1000 / 3, 100)));
  connect(m_timer, &QTimer::timeout, this, &EtcdSession::tick);
  m_clock.start();
}

void EtcdSession::start() {
  if (!m_stopped) return;
  m_stopped = false;
  m_timer->start();
  tick();
}

void EtcdSession::stop(int waitMs) {
  if (m_stopped) return;
  m_stopped = true;
  ++m_generation;
  m_timer->stop();
  const qint64 lease = std::exchange(m_lease, 0);
  m_granting = m_renewing = false;
  if (!lease) return;
  QEventLoop loop;
  bool answered = false;
  m_client.revokeLease(lease, [&loop, &answered](Status) {
    answered = true;
    loop.quit();
  });
  if (!answered) {
    QTimer::singleShot(waitMs, &loop, &QEventLoop::quit);
    loop.exec();
  }
}

void EtcdSession::tick() {
  if (m_stopped) return;
  const quint64 generation = m_generation;
  if (!m_lease) {
    if (m_granting) return;
    m_granting = true;
    const qint64 sentAt = m_clock.elapsed();
    m_client.grantLease(m_ttl, [this, generation, sentAt](Result<EtcdLease> granted) {
      if (generation != m_generation) return;
      m_granting = false;
      if (!granted) {
        m_lastError = QString::fromStdString(granted.status().message());
        return;
      }
      m_lease = granted->id;
      m_confirmedAt = sentAt;
      m_lastError.clear();
      Q_EMIT established(m_lease);
    });
    return;
  }
  // Two thirds of the TTL without a confirmed renewal: etcd may expire the lease before we hear.
  if (m_clock.elapsed() - m_confirmedAt >= m_ttl * 1000 * 2 / 3)
    return lose(QStringLiteral("lease renewal not confirmed for %1 ms (%2)")
                    .arg(m_clock.elapsed() - m_confirmedAt)
                    .arg(m_lastError.isEmpty() ? QStringLiteral("no answer") : m_lastError));
  if (m_renewing) return;
  m_renewing = true;
  const qint64 sentAt = m_clock.elapsed();
  m_client.keepAlive(m_lease, [this, generation, sentAt](Result<qint64> renewed) {
    if (generation != m_generation) return;
    m_renewing = false;
    if (renewed) {
      m_confirmedAt = std::max(m_confirmedAt, sentAt);
      m_lastError.clear();
      return;
    }
    m_lastError = QString::fromStdString(renewed.status().message());
    if (renewed.status().code() == StatusCode::NotFound) lose(m_lastError);
  });
}

void EtcdSession::lose(const QString &reason) {
  ++m_generation;
  m_lease = 0;
  m_granting = m_renewing = false;
  Q_EMIT lost(reason);
  // Not granted here: the next tick asks, so a dead etcd is not hammered from a signal loop.
}

}  // namespace lmfront::cluster
