#include "node/nodeconfig.h"

#include "config/jsonsection.h"
#include "gateway/pool/poolspec.h"
#include "node/config/alertssection.h"
#include "node/config/authsection.h"
#include "node/config/cachesection.h"
#include "node/config/clustersection.h"
#include "node/config/enginesection.h"
#include "node/config/limitssection.h"
#include "node/config/nodesection.h"
#include "node/config/tlssection.h"

#include <QFile>
#include <QJsonDocument>
#include <QStandardPaths>

namespace lmfront::node {

namespace {

using config::FlagSpec;

Status invalid(const QString &message) { return Status::invalidArgument(message.toStdString()); }

Status intFlag(const char *flag, const QString &text, int min, int max, int &out) {
  bool ok = false;
  const int v = text.toInt(&ok);
  if (!ok || v < min || v > max)
    return invalid(QStringLiteral("%1: expected an integer from %2 to %3, got '%4'")
                       .arg(QLatin1String(flag))
                       .arg(min)
                       .arg(max)
                       .arg(text));
  out = v;
  return Status::ok();
}

Status nonEmptyFlag(const char *flag, const QString &text, QString &out) {
  if (text.isEmpty()) return invalid(QStringLiteral("%1 must not be empty").arg(QLatin1String(flag)));
  out = text;
  return Status::ok();
}

// A flag and what it does to the config. The config file is applied before any of these.
struct NodeFlag {
  FlagSpec spec;
  Status (*apply)(const QString &value, NodeConfig &config);
};

const NodeFlag kNodeFlags[] = {
    {config::flag("listen", "ADDR:PORT", "data-plane address; port 0 picks a free one")
         .lastWins()
         .overrides("listen")
         .byDefault("127.0.0.1:8080"),
     [](const QString &v, NodeConfig &c) {
       return parseListenAddress(v, c.listenHost, c.listenPort).withContext("--listen");
     }},
    {config::flag("data-dir", "DIR", "catalog, artifacts and history")
         .lastWins()
         .overrides("data_dir")
         .byDefault("~/.local/share/lmfront"),
     [](const QString &v, NodeConfig &c) { return nonEmptyFlag("--data-dir", v, c.dataDir); }},
    {config::flag("config", "FILE", "JSON config file (docs/configuration.md); flags override it").repeatable(),
     [](const QString &, NodeConfig &) { return Status::ok(); }},  // read first, by applyNodeFlags()
    {config::flag("workers", "N", "data-plane threads; 0 = one per core")
         .lastWins()
         .overrides("workers")
         .byDefault("0"),
     [](const QString &v, NodeConfig &c) { return intFlag("--workers", v, 0, kMaxWorkers, c.workers); }},
    {config::flag("model", "NAME=PATH", "serve a model file (.arpa or compiled .lmb)").repeatable().overrides("models"),
     [](const QString &v, NodeConfig &c) {
       auto spec = parseModelSpec(v);
       if (!spec) return spec.status().withContext("--model");
       c.models.push_back(*spec);
       return Status::ok();
     }},
    {config::flag("node-id", "ID", "name shown in consoles and metrics")
         .lastWins()
         .overrides("node_id")
         .byDefault("HOST-PORT"),
     [](const QString &v, NodeConfig &c) { return nonEmptyFlag("--node-id", v, c.nodeId); }},
    {config::flag("drain-timeout-ms", "N", "how long shutdown waits for in-flight requests")
         .lastWins()
         .overrides("drain_timeout_ms")
         .byDefault("10000"),
     [](const QString &v, NodeConfig &c) {
       return intFlag("--drain-timeout-ms", v, 0, kMaxDrainTimeoutMs, c.drainTimeoutMs);
     }},
    {config::flag("tls-cert", "FILE", "PEM certificate chain: serve HTTPS and WSS on the same port")
         .lastWins()
         .overrides("tls.cert"),
     [](const QString &v, NodeConfig &c) { return nonEmptyFlag("--tls-cert", v, c.gateway.tlsCertFile); }},
    {config::flag("tls-key", "FILE", "PEM private key of --tls-cert").lastWins().overrides("tls.key"),
     [](const QString &v, NodeConfig &c) { return nonEmptyFlag("--tls-key", v, c.gateway.tlsKeyFile); }},
    {config::switchFlag("require-keys", "every request needs an API key, even on loopback")
         .overrides("auth.require_keys"),
     [](const QString &, NodeConfig &c) {
       c.gateway.requireKeys = true;
       return Status::ok();
     }},
    {config::flag("allowed-host", "NAME", "another Host name the node answers to")
         .repeatable()
         .overrides("auth.allowed_hosts"),
     [](const QString &v, NodeConfig &c) {
       c.gateway.allowedHosts << v;
       return Status::ok();
     }},
    {config::flag("trusted-origin", "URL", "a browser Origin allowed to call the node")
         .repeatable()
         .overrides("auth.trusted_origins"),
     [](const QString &v, NodeConfig &c) {
       c.gateway.trustedOrigins << v;
       return Status::ok();
     }},
    {config::flag("redis", "HOST:PORT", "shared Redis for the response cache and rate limits")
         .lastWins()
         .overrides("cache.redis, limits.redis"),
     [](const QString &v, NodeConfig &c) { return parseRedisAddress(v, c.gateway).withContext("--redis"); }},
    {config::switchFlag("no-cache", "turn the response cache off").overrides("cache.enabled"),
     [](const QString &, NodeConfig &c) {
       c.gateway.cacheEnabled = false;
       return Status::ok();
     }},
    {config::switchFlag("forbid-self-approval", "nobody may approve a model version they submitted")
         .overrides("forbid_self_approval"),
     [](const QString &, NodeConfig &c) {
       c.forbidSelfApproval = true;
       return Status::ok();
     }},
    {config::flag("max-submission-bytes", "N", "the largest bundle archive a node takes in")
         .lastWins()
         .overrides("max_submission_bytes")
         .byDefault("3221225472"),
     [](const QString &v, NodeConfig &c) {
       bool ok = false;
       const qint64 n = v.toLongLong(&ok);
       if (!ok || n < 1 || n > kMaxSubmissionBytes)
         return Status::invalidArgument("--max-submission-bytes: expected an integer from 1 to " +
                                        std::to_string(kMaxSubmissionBytes) + ", got \"" + v.toStdString() + "\"");
       c.maxSubmissionBytes = n;
       return Status::ok();
     }},
    {config::flag("etcd", "URL[,URL…]", "join a cluster through these etcd endpoints (docs/cluster.md)")
         .lastWins()
         .overrides("cluster.etcd"),
     [](const QString &v, NodeConfig &c) { return parseEtcdFlag(v, c.cluster).withContext("--etcd"); }},
    {config::flag("cluster", "NAME", "the cluster's name: its keys in etcd are under /lmfront/NAME/")
         .lastWins()
         .overrides("cluster.name")
         .byDefault("default"),
     [](const QString &v, NodeConfig &c) { return parseClusterName(v, c.cluster).withContext("--cluster"); }},
    {config::flag("lease-ttl", "SECONDS", "how soon a dead node leaves the member list")
         .lastWins()
         .overrides("cluster.lease_ttl_s")
         .byDefault("10"),
     [](const QString &v, NodeConfig &c) {
       return intFlag("--lease-ttl", v, kMinLeaseTtlSeconds, kMaxLeaseTtlSeconds, c.cluster.leaseTtlSeconds);
     }},
    {config::switchFlag("enable-test-routes", "add /debug/sleep?ms=N (tests of graceful shutdown only)"),
     [](const QString &, NodeConfig &c) {
       c.enableTestRoutes = true;
       return Status::ok();
     }},
};

// The whole file, section by section; each reader rejects the keys it does not know.
Status readConfig(config::JsonSection &root, NodeConfig &config) {
  LMFRONT_RETURN_IF_ERROR(readNodeSection(root, config));
  struct Section {
    const char16_t *key;
    Status (*read)(config::JsonSection, GatewaySettings &);
  };
  for (const Section &s : {Section{u"auth", readAuthSection}, Section{u"cache", readCacheSection},
                           Section{u"limits", readLimitsSection}, Section{u"tls", readTlsSection}}) {
    auto section = root.section(s.key);
    if (!section) return section.status();
    LMFRONT_RETURN_IF_ERROR(s.read(*section, config.gateway));
  }
  auto cluster = root.section(u"cluster");
  if (!cluster) return cluster.status();
  LMFRONT_RETURN_IF_ERROR(readClusterSection(*cluster, config.cluster));
  auto alerts = root.section(u"alerts");
  if (!alerts) return alerts.status();
  LMFRONT_RETURN_IF_ERROR(readAlertsSection(*alerts, config.alerts));
  auto engine = root.section(u"engine");
  if (!engine) return engine.status();
  LMFRONT_RETURN_IF_ERROR(readEngineSection(*engine, config.engine));
  // Pools are validated here and built at start (and again on PUT /admin/pools): gateway/pool/.
  const QJsonValue pools = root.value(u"pools");
  if (!pools.isUndefined()) {
    if (!pools.isObject()) return root.invalid(u"pools", QStringLiteral("an object of name: pool"));
    auto parsed = gateway::pool::parsePools(pools.toObject());
    if (!parsed) return parsed.status();
    config.pools = pools.toObject();
  }
  return root.finish();
}

}  // namespace

std::span<const config::FlagSpec> nodeFlags() {
  static const std::vector<FlagSpec> specs = [] {
    std::vector<FlagSpec> out;
    for (const NodeFlag &f : kNodeFlags) out.push_back(f.spec);
    return out;
  }();
  return specs;
}

QString defaultDataDir() {
  // GenericDataLocation is $XDG_DATA_HOME (~/.local/share): the app name is ours to add.
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/lmfront");
}

Status loadConfigFile(const QString &path, NodeConfig &config) {
  const std::string where = QStringLiteral("config %1").arg(path).toStdString();
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return Status::ioError(where + ": " + file.errorString().toStdString());
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (error.error != QJsonParseError::NoError)
    return invalid(QStringLiteral("offset %1: %2").arg(error.offset).arg(error.errorString())).withContext(where);
  if (!doc.isObject()) return invalid(QStringLiteral("top level must be a JSON object")).withContext(where);
  config::JsonSection root(doc.object());
  return readConfig(root, config).withContext(where);
}

QStringList nodeConfigKeys() {
  config::KeyCatalog catalog;
  config::JsonSection root(QJsonObject(), {}, &catalog);
  NodeConfig ignored;
  (void)readConfig(root, ignored);  // an empty file is valid: every reader runs, asking for each key
  return catalog.paths();
}

Status applyNodeFlags(const config::ParsedFlags &flags, NodeConfig &config) {
  for (const std::string &path : flags.values("config"))
    LMFRONT_RETURN_IF_ERROR(loadConfigFile(QString::fromStdString(path), config));
  for (const auto &occurrence : flags.inOrder())
    for (const NodeFlag &f : kNodeFlags)
      if (f.spec.name == occurrence.spec->name)
        LMFRONT_RETURN_IF_ERROR(f.apply(QString::fromStdString(occurrence.value), config));
  LMFRONT_RETURN_IF_ERROR(checkClusterSettings(config.cluster));
  return checkTlsPair(config.gateway);
}

Result<NodeConfig> parseNodeArgs(const QStringList &args, NodeConfig base) {
  std::vector<std::string> list;
  for (const QString &a : args) list.push_back(a.toStdString());
  auto flags = config::parseFlags(nodeFlags(), list, config::ParseOptions{false});
  if (!flags) return invalid(QString::fromStdString(flags.status().message()) + QStringLiteral(" (see --help)"));
  NodeConfig config = std::move(base);
  LMFRONT_RETURN_IF_ERROR(applyNodeFlags(*flags, config));
  return config;
}

QString nodeUsage() {
  return QStringLiteral("flags:\n") + QString::fromStdString(config::flagUsage(nodeFlags())) +
         QStringLiteral("API keys: lmfront keys create --name NAME --role user (see docs/auth.md)\n");
}

}  // namespace lmfront::node
