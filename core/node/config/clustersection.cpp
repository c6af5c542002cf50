#include "node/config/clustersection.h"

#include "cluster/etcdclient.h"
#include "node/clusterrouting.h"

#include <QRegularExpression>

namespace lmfront::node {

Status parseEtcdFlag(const QString &text, ClusterSettings &settings) {
  auto endpoints = cluster::parseEtcdEndpoints(text);
  if (!endpoints) return endpoints.status();
  settings.etcd.clear();
  for (const QUrl &url : *endpoints) settings.etcd << url.toString();
  return Status::ok();
}

Status parseClusterName(const QString &text, ClusterSettings &settings) {
  static const QRegularExpression kName(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
  if (!kName.match(text).hasMatch())
    return Status::invalidArgument(
        QStringLiteral("cluster name '%1': expected 1 to 64 of A-Z a-z 0-9 . _ -").arg(text).toStdString());
  settings.name = text;
  return Status::ok();
}

Status readClusterSection(config::JsonSection section, ClusterSettings &settings) {
  QStringList etcd;
  LMFRONT_RETURN_IF_ERROR(section.stringList(u"etcd", etcd));
  if (!etcd.isEmpty())
    if (Status s = parseEtcdFlag(etcd.join(u','), settings); !s)
      return section.error(u"etcd", QString::fromStdString(s.message()));
  QString name;
  LMFRONT_RETURN_IF_ERROR(section.string(u"name", name));
  if (section.contains(u"name"))
    if (Status s = parseClusterName(name, settings); !s)
      return section.error(u"name", QString::fromStdString(s.message()));
  LMFRONT_RETURN_IF_ERROR(
      section.integer(u"lease_ttl_s", kMinLeaseTtlSeconds, kMaxLeaseTtlSeconds, settings.leaseTtlSeconds));
  if (const QJsonValue routing = section.value(u"routing"); !routing.isUndefined()) {
    if (!routing.isObject()) return section.invalid(u"routing", QStringLiteral("an object of pool settings"));
    LMFRONT_RETURN_IF_ERROR(validateRoutingSettings(routing.toObject()));
    settings.routing = routing.toObject();
  }
  return section.finish();
}

Status checkClusterSettings(const ClusterSettings &settings) {
  if (settings.etcd.isEmpty() && settings.name != ClusterSettings().name)
    return Status::invalidArgument("a cluster name needs etcd: --etcd URL[,URL…] (cluster.etcd)");
  return Status::ok();
}

}  // namespace lmfront::node
