#include "cluster/leaderelection.h"

#include "cluster/etcdclient.h"
#include "cluster/etcdsession.h"

#include <QTimer>

namespace lmfront::cluster {

LeaderElection::LeaderElection(EtcdClient &client, EtcdSession &session, QByteArray key, QString self, QObject *parent)
    : QObject(parent), m_client(client), m_session(session), m_key(std::move(key)), m_self(std::move(self)) {
  connect(&m_session, &EtcdSession::established, this, [this] {
    if (m_running) campaign();
  });
  connect(&m_session, &EtcdSession::lost, this, [this] {
    // First of all: a lease we no longer trust leads nothing.
    ++m_generation;
    m_campaigning = false;
    if (m_watch) m_watch->deleteLater();
    m_watch = nullptr;
    setState(false, m_leader ? QString() : m_holder);
  });
}

void LeaderElection::start() {
  if (m_running) return;
  m_running = true;
  if (m_session.lease()) campaign();
}

void LeaderElection::stop() {
  m_running = false;
  ++m_generation;
  if (m_watch) m_watch->deleteLater();
  m_watch = nullptr;
  setState(false, m_leader ? QString() : m_holder);
}

void LeaderElection::setState(bool leader, const QString &holder) {
  const bool leaderChanged = leader != m_leader;
  const bool holderChanged = holder != m_holder;
  m_leader = leader;
  m_holder = holder;
  if (leaderChanged) Q_EMIT leadershipChanged(leader);
  if (holderChanged) Q_EMIT this->leaderChanged(holder);
}

void LeaderElection::retryLater(int ms) {
  if (m_retryPending || !m_running) return;
  m_retryPending = true;
  QTimer::singleShot(ms, this, [this] {
    m_retryPending = false;
    campaign();
  });
}

void LeaderElection::campaign() {
  const qint64 lease = m_session.lease();
  if (!m_running || !lease || m_campaigning) return;
  m_campaigning = true;
  const quint64 generation = ++m_generation;
  if (m_watch) m_watch->deleteLater();
  m_watch = nullptr;
  m_client.createIfAbsent(m_key, m_self.toUtf8(), lease, [this, generation, lease](Result<EtcdCreate> r) {
    if (generation != m_generation) return;
    m_campaigning = false;
    if (!r) return retryLater(kRetryMs);
    if (r->created) {
      m_holderLease = lease;
      // The lease may have been lost while the answer travelled: only the current one leads.
      setState(m_session.lease() == lease, m_self);
    } else {
      // Under our own live lease: ours from an earlier campaign whose watch broke.
      m_holderLease = r->existing.lease;
      const bool ours = r->existing.lease == lease && m_session.lease() == lease;
      setState(ours, QString::fromUtf8(r->existing.value));
    }
    watchFrom(r->revision + 1, m_holderLease);
  });
}

void LeaderElection::watchFrom(qint64 revision, qint64 holderLease) {
  const quint64 generation = m_generation;
  m_holderLease = holderLease;
  m_watch = m_client.watch(m_key, {}, revision, this);
  connect(m_watch, &EtcdWatch::events, this, [this](const QList<EtcdEvent> &events, qint64) { onEvents(events); });
  connect(m_watch, &EtcdWatch::ended, this, [this, generation](const QString &) {
    if (generation != m_generation) return;
    if (m_watch) m_watch->deleteLater();
    m_watch = nullptr;
    // Blind now: a leader cannot tell whether it still holds the key, so it stops leading.
    setState(false, m_leader ? QString() : m_holder);
    retryLater(kRetryMs);
  });
}

void LeaderElection::onEvents(const QList<EtcdEvent> &events) {
  for (const EtcdEvent &event : events) {
    if (event.deleted) {
      setState(false, QString());
      ++m_generation;
      if (m_watch) m_watch->deleteLater();
      m_watch = nullptr;
      retryLater(kCampaignDelayMs);
      return;
    }
    // Held under another lease (or re-put by someone else): not ours, whoever it names.
    const bool ours = event.kv.lease == m_session.lease() && event.kv.lease == m_holderLease && m_leader;
    m_holderLease = event.kv.lease;
    setState(ours, QString::fromUtf8(event.kv.value));
  }
}

}  // namespace lmfront::cluster
