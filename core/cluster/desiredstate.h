// DesiredState: what the cluster should serve, kept in etcd and mirrored on every node
// (docs/cluster.md, "Desired state").
//
//   /lmfront/CLUSTER/deployments/MODEL        the model's desired deployment (JSON, no lease)
//   /lmfront/CLUSTER/catalog/MODEL/VERSION    a version's catalog metadata (JSON, no lease)
//
// Both are mirrored through a PrefixWatch (one read, then a watch; read again whenever the watch
// breaks: etcd restarted or unreachable, a compaction), and while etcd is away the last state is
// kept (synced() false). After each read every key whose value differs from what was known —
// added, changed or gone — is reported once, so a node that missed events while etcd was away
// catches up.
// Threads: lives on its thread (the node thread); not thread-safe.
#pragma once

#include "common/status.h"

#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <functional>

namespace lmfront::cluster {

class EtcdClient;
class PrefixWatch;
struct EtcdKeyValue;

class DesiredState : public QObject {
  Q_OBJECT
public:
  // `prefix` is the cluster's, "/lmfront/CLUSTER/".
  DesiredState(EtcdClient &client, QByteArray prefix, QObject *parent = nullptr);

  void start();
  void stop();

  // model → its desired deployment; an empty map until the first range answered.
  const QMap<QString, QJsonObject> &deployments() const { return m_deployments; }
  // "MODEL/VERSION" → the version's metadata.
  const QMap<QString, QJsonObject> &catalog() const { return m_catalog; }
  bool synced() const;

  // Writes the model's desired deployment (record["model"]); `done` gets etcd's answer. The
  // watch reports it like any other change.
  void putDeployment(const QJsonObject &record, std::function<void(Status)> done);
  void putCatalog(const QString &model, qint64 version, const QJsonObject &metadata, std::function<void(Status)> done);

Q_SIGNALS:
  // The model's record was put, changed or deleted (deployments() no longer has it).
  void deploymentChanged(const QString &model);
  void catalogChanged(const QString &model, qint64 version);
  void syncedChanged(bool synced);

private:
  void applySnapshot(const QList<EtcdKeyValue> &kvs);
  void apply(const QByteArray &key, const QByteArray &value, bool deleted);

  EtcdClient &m_client;
  const QByteArray m_prefix;
  const QByteArray m_deploymentsPrefix;
  const QByteArray m_catalogPrefix;
  PrefixWatch *m_view;
  QMap<QString, QJsonObject> m_deployments;
  QMap<QString, QJsonObject> m_catalog;
};

}  // namespace lmfront::cluster
