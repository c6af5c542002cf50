#include "cluster/prefixwatch.h"

#include "cluster/etcdclient.h"

#include <QTimer>

namespace lmfront::cluster {

PrefixWatch::PrefixWatch(EtcdClient &client, QByteArray prefix, QObject *parent)
    : QObject(parent), m_client(client), m_prefix(std::move(prefix)) {}

void PrefixWatch::start() {
  if (m_running) return;
  m_running = true;
  read();
}

void PrefixWatch::stop() {
  m_running = false;
  ++m_generation;
  if (m_watch) m_watch->deleteLater();
  m_watch = nullptr;
}

void PrefixWatch::resync() {
  setSynced(false);
  m_reading = false;
  read();
}

void PrefixWatch::setSynced(bool synced) {
  if (synced == m_synced) return;
  m_synced = synced;
  Q_EMIT syncedChanged(synced);
}

void PrefixWatch::retryLater() {
  if (m_retryPending || !m_running) return;
  m_retryPending = true;
  QTimer::singleShot(kRetryMs, this, [this] {
    m_retryPending = false;
    read();
  });
}

void PrefixWatch::read() {
  if (!m_running || m_reading) return;
  m_reading = true;
  const quint64 generation = ++m_generation;
  if (m_watch) m_watch->deleteLater();
  m_watch = nullptr;
  m_client.range(m_prefix, etcdPrefixEnd(m_prefix), [this, generation](Result<EtcdRange> r) {
    if (generation != m_generation) return;
    m_reading = false;
    if (!r) {
      setSynced(false);
      return retryLater();
    }
    Q_EMIT snapshot(r->kvs);
    m_watch = m_client.watch(m_prefix, etcdPrefixEnd(m_prefix), r->revision + 1, this);
    connect(m_watch, &EtcdWatch::started, this, [this] { setSynced(true); });
    connect(m_watch, &EtcdWatch::events, this, [this](const QList<EtcdEvent> &events, qint64) {
      for (const EtcdEvent &e : events) Q_EMIT changed(e.kv, e.deleted);
    });
    connect(m_watch, &EtcdWatch::ended, this, [this, generation](const QString &) {
      if (generation != m_generation) return;
      setSynced(false);
      retryLater();
    });
  });
}

}  // namespace lmfront::cluster
