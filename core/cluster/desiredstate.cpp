#include "cluster/desiredstate.h"

#include "cluster/etcdclient.h"
#include "cluster/prefixwatch.h"

#include <QJsonDocument>
#include <QSet>

namespace lmfront::cluster {

namespace {

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

}  // namespace

DesiredState::DesiredState(EtcdClient &client, QByteArray prefix, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_prefix(std::move(prefix)),
      m_deploymentsPrefix(m_prefix + "deployments/"),
      m_catalogPrefix(m_prefix + "catalog/"),
      m_view(new PrefixWatch(client, m_prefix, this)) {
  connect(m_view, &PrefixWatch::snapshot, this, &DesiredState::applySnapshot);
  connect(m_view, &PrefixWatch::changed, this,
          [this](const EtcdKeyValue &kv, bool deleted) { apply(kv.key, kv.value, deleted); });
  connect(m_view, &PrefixWatch::syncedChanged, this, &DesiredState::syncedChanged);
}

void DesiredState::start() { m_view->start(); }

void DesiredState::stop() { m_view->stop(); }

bool DesiredState::synced() const { return m_view->synced(); }

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

void DesiredState::applySnapshot(const QList<EtcdKeyValue> &kvs) {
  // What the read no longer holds was deleted while the watch was away.
  QSet<QByteArray> present;
  for (const EtcdKeyValue &kv : kvs) {
    present.insert(kv.key);
    apply(kv.key, kv.value, false);
  }
  for (const QString &model : m_deployments.keys())
    if (!present.contains(m_deploymentsPrefix + model.toUtf8())) apply(m_deploymentsPrefix + model.toUtf8(), {}, true);
  for (const QString &name : m_catalog.keys())
    if (!present.contains(m_catalogPrefix + name.toUtf8())) apply(m_catalogPrefix + name.toUtf8(), {}, true);
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
