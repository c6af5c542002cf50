#include "cluster/desiredstate.h"

#include "cluster/etcdclient.h"

#include <QJsonDocument>
#include <QSet>
#include <QTimer>

namespace lmfront::cluster {

namespace {

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

}  // namespace

DesiredState::DesiredState(EtcdClient &client, QByteArray prefix, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_prefix(std::move(prefix)),
      m_deploymentsPrefix(m_prefix + "deployments/"),
      m_catalogPrefix(m_prefix + "catalog/") {}

void DesiredState::start() {
  if (m_running) return;
  m_running = true;
  sync();
}

void DesiredState::stop() {
  m_running = false;
  ++m_generation;
  if (m_watch) m_watch->deleteLater();
  m_watch = nullptr;
}

void DesiredState::putDeployment(const QJsonObject &record, std::function<void(Status)> done) {
  const QString model = record.value(u"model"_qs).toString();
  if (model.isEmpty() || model.contains(u'/'))
    return done(Status::invalidArgument("a desired deployment needs a model name without '/'"));
  m_client.put(m_deploymentsPrefix + model.toUtf8(), compact(record), 0, std::move(done));
}

void DesiredState::putCatalog(const QString &model, qint64 version, const QJsonObject &metadata,
                              std::function<void(Status)> done) {
  if (model.isEmpty() || model.contains(u'/') || version < 1)
    return done(Status::invalidArgument("catalog metadata needs a model name without '/' and a version"));
  m_client.put(m_catalogPrefix + model.toUtf8() + '/' + QByteArray::number(version), compact(metadata), 0,
               std::move(done));
}

void DesiredState::setSynced(bool synced) {
  if (synced == m_synced) return;
  m_synced = synced;
  Q_EMIT syncedChanged(synced);
}

void DesiredState::retryLater() {
  if (m_retryPending || !m_running) return;
  m_retryPending = true;
  QTimer::singleShot(kRetryMs, this, [this] {
    m_retryPending = false;
    sync();
  });
}

void DesiredState::sync() {
  if (!m_running || m_syncing) return;
  m_syncing = true;
  const quint64 generation = ++m_generation;
  if (m_watch) m_watch->deleteLater();
  m_watch = nullptr;
  m_client.range(m_prefix, etcdPrefixEnd(m_prefix), [this, generation](Result<EtcdRange> r) {
    if (generation != m_generation) return;
    m_syncing = false;
    if (!r) {
      setSynced(false);
      return retryLater();
    }
    // What the range no longer holds was deleted while the watch was away.
    QSet<QByteArray> present;
    for (const EtcdKeyValue &kv : r->kvs) {
      present.insert(kv.key);
      apply(kv.key, kv.value, false);
    }
    for (const QString &model : m_deployments.keys())
      if (!present.contains(m_deploymentsPrefix + model.toUtf8()))
        apply(m_deploymentsPrefix + model.toUtf8(), {}, true);
    for (const QString &name : m_catalog.keys())
      if (!present.contains(m_catalogPrefix + name.toUtf8())) apply(m_catalogPrefix + name.toUtf8(), {}, true);
    m_watch = m_client.watch(m_prefix, etcdPrefixEnd(m_prefix), r->revision + 1, this);
    connect(m_watch, &EtcdWatch::started, this, [this] { setSynced(true); });
    connect(m_watch, &EtcdWatch::events, this, [this](const QList<EtcdEvent> &events, qint64) {
      for (const EtcdEvent &e : events) apply(e.kv.key, e.kv.value, e.deleted);
    });
    connect(m_watch, &EtcdWatch::ended, this, [this, generation](const QString &) {
      if (generation != m_generation) return;
      setSynced(false);
      retryLater();
    });
  });
}

void DesiredState::apply(const QByteArray &key, const QByteArray &value, bool deleted) {
  const bool deployment = key.startsWith(m_deploymentsPrefix);
  if (!deployment && !key.startsWith(m_catalogPrefix)) return;
  const QString name = QString::fromUtf8(key.mid(deployment ? m_deploymentsPrefix.size() : m_catalogPrefix.size()));
  QMap<QString, QJsonObject> &map = deployment ? m_deployments : m_catalog;
  if (deleted) {
    if (!map.remove(name)) return;
  } else {
    const QJsonObject record = QJsonDocument::fromJson(value).object();
    if (record.isEmpty()) return;  // not a record lmfront wrote: ignored rather than half-applied
    auto existing = map.constFind(name);
    if (existing != map.cend() && *existing == record) return;
    map.insert(name, record);
  }
  if (deployment) return Q_EMIT deploymentChanged(name);
  const qsizetype slash = name.lastIndexOf(u'/');
  Q_EMIT catalogChanged(name.left(slash), name.mid(slash + 1).toLongLong());
}

}  // namespace lmfront::cluster
