#include "gateway/pool/poolbuilder.h"

#include "gateway/pool/upstreambackend.h"

#include <QCryptographicHash>
#include <QString>

namespace lmfront::gateway::pool {

namespace {
Status bad(const QString &where, const QString &what) {
  return Status::invalidArgument(QStringLiteral("%1: %2").arg(where, what).toStdString());
}
}  // namespace

Result<std::shared_ptr<ModelTable>> buildModelTable(const ModelTable &engines, const std::vector<PoolSpec> &pools,
                                                    const Clock &clock, upstream::HttpClient &http,
                                                    const PoolMetrics *metrics, const ModelTable *previous) {
  auto table = std::make_shared<ModelTable>(engines);
  for (const auto &spec : pools) {
    const QString where = QStringLiteral("pools.") + QString::fromStdString(spec.name);
    std::string source = spec.source;
    if (!spec.forwardedBy.empty()) source += "|forwarded by " + spec.forwardedBy;
    for (const auto &b : spec.backends)
      if (const ModelPool *engine = engines.find(b.engine); !b.engine.empty() && engine)
        source += '|' + engine->version;
    if (const ModelPool *old = previous ? previous->find(spec.name) : nullptr;
        old && !source.empty() && old->source == source) {
      table->pools[spec.name] = previous->pools.find(spec.name)->second;
      continue;
    }
    auto pool = std::make_shared<ModelPool>();
    pool->name = spec.name;
    pool->backupPool = spec.backup;
    pool->hashKey = spec.hashKey;
    pool->routed = !spec.forwardedBy.empty();
    std::vector<routing::Backend> members;
    std::vector<std::string> ids;
    std::vector<bool> probed;
    QCryptographicHash version(QCryptographicHash::Sha256);
    for (std::size_t i = 0; i < spec.backends.size(); ++i) {
      const auto &b = spec.backends[i];
      std::shared_ptr<openai::Backend> backend;
      if (!b.engine.empty()) {
        const ModelPool *engine = engines.find(b.engine);
        if (!engine || engine->backends.empty())
          return bad(where + QStringLiteral(".backends[%1].engine").arg(i),
                     QStringLiteral("no loaded model '%1'").arg(QString::fromStdString(b.engine)));
        backend = engine->backends.front();
        if (pool->description.empty()) {
          pool->description = engine->description;
          pool->created = engine->created;
        }
        version.addData(QByteArray::fromStdString(engine->version));
      } else {
        UpstreamOptions options;
        options.url = b.url;
        options.model = b.model.empty() ? spec.name : b.model;
        options.kind = b.kind == "lmfront" ? UpstreamKind::Lmfront : UpstreamKind::OpenAi;
        options.apiKey = b.apiKey;
        options.caFile = b.caFile;
        options.timeouts = spec.timeouts;
        auto upstream = UpstreamBackend::create(std::move(options), http);
        if (!upstream)
          return upstream.status().withContext(QString(where + QStringLiteral(".backends[%1]").arg(i)).toStdString());
        (*upstream)->setForwardedBy(spec.forwardedBy);
        backend = *upstream;
        version.addData(QByteArray::fromStdString(b.url + '|' + (b.model.empty() ? spec.name : b.model)));
      }
      for (const auto &id : ids)
        if (id == backend->id())
          return bad(where + QStringLiteral(".backends[%1]").arg(i),
                     QStringLiteral("duplicates backend '%1'").arg(QString::fromStdString(id)));
      ids.push_back(backend->id());
      probed.push_back(!b.url.empty());
      members.push_back({backend->id(), b.weight, true});
      pool->backends.push_back(std::move(backend));
    }
    // Engines keep their artifact's sha256 (shared with the default pool's cache entries when the
    // pool is that one engine); mixed or remote pools get a digest of their members.
    pool->version = spec.backends.size() == 1 && !spec.backends[0].engine.empty()
                        ? engines.find(spec.backends[0].engine)->version
                        : version.result().toHex().toStdString();
    routing::BalancerConfig bc;
    bc.kind = spec.balancer;
    auto balancer = routing::makeBalancer(bc, std::move(members), clock);
    if (!balancer) return balancer.status().withContext(where.toStdString());
    pool->balancer = std::move(*balancer);
    auto res = PoolResilience::create(spec.resilience, ids, probed, pool->balancer,
                                      metrics ? &metrics->resilience : nullptr, clock);
    if (!res) return res.status().withContext(where.toStdString());
    pool->resilience = std::move(*res);
    auto flow = PoolFlow::create(spec.flow, spec.name, ids, metrics ? &metrics->flow : nullptr, clock);
    if (!flow) return flow.status().withContext(where.toStdString());
    pool->flow = std::move(*flow);
    pool->source = std::move(source);
    table->pools[spec.name] = std::move(pool);
  }
  for (const auto &spec : pools)
    if (!spec.backup.empty() && !table->find(spec.backup))
      return bad(QStringLiteral("pools.%1.backup").arg(QString::fromStdString(spec.name)),
                 QStringLiteral("no pool or model '%1'").arg(QString::fromStdString(spec.backup)));
  return table;
}

}  // namespace lmfront::gateway::pool
