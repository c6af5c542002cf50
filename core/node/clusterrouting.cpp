#include "node/clusterrouting.h"

#include "cluster/membership.h"
#include "common/eventsink.h"
#include "gateway/pool/modeltable.h"
#include "gateway/pool/upstreambackend.h"
#include "node/servingstate.h"

#include <QJsonArray>
#include <map>

namespace lmfront::node {

namespace {

const QString kProbeName = QStringLiteral("routing");

// Settings with `overrides` replacing the defaults key by key.
QJsonObject merged(const QJsonObject &overrides) {
  QJsonObject pool = defaultRoutingSettings();
  for (auto it = overrides.begin(); it != overrides.end(); ++it) pool.insert(it.key(), it.value());
  return pool;
}

}  // namespace

QJsonObject defaultRoutingSettings() {
  // A member is a whole node: one that fails is most likely dead or restarting, and membership
  // removes a dead one within the lease TTL. So: retry another member readily (a larger budget
  // than a configured pool's), eject and break early, come back soon, and check /readyz — which
  // answers 503 as soon as a member drains, before its record says so.
  return QJsonObject{
      {u"balancer"_qs, u"round_robin"_qs},
      {u"retry"_qs, QJsonObject{{u"max_attempts"_qs, 3}}},
      {u"retry_budget"_qs, QJsonObject{{u"ratio"_qs, 0.5}, {u"min_per_second"_qs, 10}}},
      {u"breaker"_qs, QJsonObject{{u"consecutive_failures"_qs, 3}, {u"cool_down_ms"_qs, 5000}}},
      {u"outlier"_qs, QJsonObject{{u"consecutive_gateway_failures"_qs, 2}, {u"base_ejection_ms"_qs, 5000}}},
      {u"health_check"_qs, QJsonObject{{u"path"_qs, u"/readyz"_qs},
                                       {u"interval_ms"_qs, 1000},
                                       {u"timeout_ms"_qs, 1000},
                                       {u"unhealthy_threshold"_qs, 2},
                                       {u"healthy_threshold"_qs, 1}}},
      {u"timeouts"_qs, QJsonObject{{u"connect_ms"_qs, 1000}}},
  };
}

Status validateRoutingSettings(const QJsonObject &settings) {
  for (const char16_t *key : {u"backends", u"backup"})
    if (settings.contains(QStringView(key)))
      return Status::invalidArgument(
          QStringLiteral("cluster.routing: '%1' is not a routing setting (the members are the backends)")
              .arg(QStringView(key))
              .toStdString());
  QJsonObject pool = merged(settings);
  pool.insert(u"backends"_qs, QJsonArray{QJsonObject{{u"url"_qs, u"http://127.0.0.1:1"_qs}}});
  auto parsed = gateway::pool::parsePools(QJsonObject{{kProbeName, pool}});
  if (parsed) return Status::ok();
  QString message = QString::fromStdString(parsed.status().message());
  message.replace(u"pools."_qs + kProbeName, u"cluster.routing"_qs);
  return Status::invalidArgument(message.toStdString());
}

QStringList locallyServedModels(const gateway::pool::ModelTable &table) {
  QStringList models;
  for (const auto &[name, pool] : table.pools) {
    if (pool->routed) continue;
    for (const auto &backend : pool->backends)
      if (!dynamic_cast<const gateway::pool::UpstreamBackend *>(backend.get())) {
        models << QString::fromStdString(name);
        break;
      }
  }
  return models;  // the table is ordered by name
}

RoutedPools routedPoolSpecs(const QList<cluster::MemberInfo> &members, const QString &self, const QSet<QString> &local,
                            const QJsonObject &settings) {
  std::map<QString, QStringList> addresses;  // model → up members' addresses, in member order
  std::map<QString, QStringList> lastSeen;   // model → down members' addresses
  for (const cluster::MemberInfo &m : members) {
    const bool up = m.state == u"up"_qs;
    if (m.id == self || (!up && m.state != u"down"_qs) || m.address.isEmpty()) continue;
    for (const QString &model : m.models) {
      if (local.contains(model)) continue;
      QStringList &list = up ? addresses[model] : lastSeen[model];
      if (!list.contains(m.address)) list << m.address;
    }
  }
  // A model whose every member vanished stays routed to the ones last seen serving it (until the
  // membership forgets them): a dead one refuses (503, Retry-After) rather than the model seeming
  // not to exist (404), and one whose lease merely lapsed (a stalled or overloaded node) goes on
  // serving until it registers again.
  for (auto &[model, urls] : lastSeen)
    if (QStringList &up = addresses[model]; up.isEmpty()) up = urls;
  RoutedPools out;
  const QJsonObject base = merged(settings);
  for (const auto &[model, urls] : addresses) {
    QJsonArray backends;
    for (const QString &url : urls) backends.append(QJsonObject{{u"url"_qs, url}, {u"kind"_qs, u"lmfront"_qs}});
    QJsonObject pool = base;
    pool.insert(u"backends"_qs, backends);
    auto parsed = gateway::pool::parsePools(QJsonObject{{model, pool}});
    if (!parsed) {
      out.errors << QString::fromStdString(parsed.status().message());
      continue;
    }
    for (auto &spec : *parsed) {
      spec.forwardedBy = self.toStdString();
      out.specs.push_back(std::move(spec));
    }
  }
  return out;
}

ClusterRouting::ClusterRouting(ServingState &serving, EventSink &events, QString self, QJsonObject settings)
    : m_serving(serving), m_events(events), m_self(std::move(self)), m_settings(std::move(settings)) {}

void ClusterRouting::update(const QList<cluster::MemberInfo> &members, const gateway::pool::ModelTable &table) {
  const QStringList served = locallyServedModels(table);
  RoutedPools routed = routedPoolSpecs(members, m_self, QSet<QString>(served.begin(), served.end()), m_settings);
  for (const QString &error : routed.errors)
    if (!m_errors.contains(error))
      m_events.report(EventLevel::Warning, "cluster",
                      "a model of another member is not routed: " + error.toStdString());
  m_errors = routed.errors;
  std::string key;
  for (const auto &spec : routed.specs) key += spec.name + '\n' + spec.source + '\n';
  if (key == m_applied) return;
  std::vector<std::string> names;
  for (const auto &spec : routed.specs) names.push_back(spec.name);
  if (Status s = m_serving.setRoutedPools(std::move(routed.specs)); !s.isOk()) {
    m_events.report(EventLevel::Error, "cluster", "the routed pools were not rebuilt: " + s.message());
    return;
  }
  m_applied = std::move(key);
  std::string list;
  for (const auto &name : names) list += (list.empty() ? "" : ",") + name;
  m_events.report(EventLevel::Info, "cluster", "routed models updated", {{"models", list}});
}

void ClusterRouting::clear() {
  if (m_applied.empty()) return;
  (void)m_serving.setRoutedPools({});
  m_applied.clear();
}

}  // namespace lmfront::node
