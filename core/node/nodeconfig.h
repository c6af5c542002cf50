// NodeConfig: everything a node needs to start, from flags and an optional JSON config file.
//
// The flags are one table (nodeFlags(): lmfrontd's whole set; the console adds its own) that
// gives the parser, the usage text and what docs/configuration.md is checked against. Each flag
// names the config key it overrides. The config file is read by one reader per section
// (node/config/: the node's own keys, auth, cache, limits; pools in gateway/pool/poolspec.h), composed here.
// Precedence: defaults < --config FILE (wherever it stands; repeatable, in order) < other flags
// in command-line order.
// Parsing never exits the process: a bad flag is InvalidArgument naming the flag; a bad config
// file is InvalidArgument (IoError when unreadable) naming the file and the key path.
#pragma once

#include "common/status.h"
#include "config/flags.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QtGlobal>
#include <span>
#include <vector>

namespace lmfront::node {

struct ModelSpec {
  QString name;
  QString path;
};

// Requests and tokens per minute; 0 = no limit.
struct RateLimits {
  qint64 requestsPerMinute = 0;
  qint64 tokensPerMinute = 0;
  bool any() const { return requestsPerMinute > 0 || tokensPerMinute > 0; }
};

struct GatewaySettings {
  bool requireKeys = false;
  QStringList allowedHosts;
  QStringList trustedOrigins;
  QString redisHost;  // empty: no Redis tier / node-local limits
  quint16 redisPort = 6379;
  bool cacheEnabled = true;
  bool cachePush = true;  // with a Redis tier: fills pushed to the other nodes' local tiers
  qint64 cacheBytes = 256ll << 20;
  int cacheTtlSeconds = 600;
  RateLimits perKey;    // per API key (the anonymous local caller is one key, "local")
  RateLimits perModel;  // per model, across all callers
  QString tlsCertFile;  // both empty: plain HTTP; both set: HTTPS and WSS on the same port
  QString tlsKeyFile;
};

// The "alerts" section (docs/alerting.md, docs/configuration.md).
struct AlertSettings {
  int historyRetentionDays = 0;  // 0: history is never pruned
  QStringList webhooks;          // receivers of Alertmanager-format webhook POSTs
  QStringList alertmanagers;     // Alertmanager base URLs (POST /api/v2/alerts)
};

// The "cluster" section and --etcd/--cluster (docs/cluster.md). No etcd: a cluster of one.
struct ClusterSettings {
  QStringList etcd;  // endpoint base URLs
  QString name = QStringLiteral("default");
  int leaseTtlSeconds = 10;
  QJsonObject routing;  // pool settings of routed pools over clusterrouting.h's defaults
  bool enabled() const { return !etcd.isEmpty(); }
};

// The "engine" section (docs/pools.md, "Per-model slots"): how many requests one model may run
// at once on the node's shared engine threads, so a flooded model leaves room for the others.
struct EngineSettings {
  int modelSlots = 0;                        // every engine-served model; 0: no per-model limit
  QMap<QString, int> slots;                  // per-model overrides, model name → slots
  int slotsFor(const QString &model) const;  // 0: no per-model limit
  qint64 memoryBudgetBytes = 0;              // images of loaded model versions; 0: no budget
};

struct NodeConfig {
  QString listenHost = QStringLiteral("127.0.0.1");
  quint16 listenPort = 8080;
  // When the port is busy, try the next ones (the console does; lmfrontd fails instead).
  int portFallbackAttempts = 0;
  QString dataDir;  // empty: defaultDataDir()
  QString nodeId;   // empty: derived at start
  int workers = 0;
  int drainTimeoutMs = 10'000;
  int maintenanceIntervalMs = 2'000;  // API key reload, usage stamps (no flag: tests shorten it)
  bool enableTestRoutes = false;
  bool forbidSelfApproval = false;              // approve refused for the version's own submitter
  qint64 maxSubmissionBytes = qint64{3} << 30;  // one uploaded bundle archive
  std::vector<ModelSpec> models;
  GatewaySettings gateway;
  AlertSettings alerts;
  ClusterSettings cluster;
  EngineSettings engine;
  QJsonObject pools;  // the config file's "pools" section, validated (see gateway/pool/poolspec.h)
};

// lmfrontd's flags, in usage order.
std::span<const config::FlagSpec> nodeFlags();
// Applies the node's flags in `flags` (parsed over a table that includes nodeFlags()) to
// `config`: the --config files first, then the others in command-line order.
Status applyNodeFlags(const config::ParsedFlags &flags, NodeConfig &config);
// Parses argv-style flags (without the program name) over `base`: nodeFlags(), no positionals.
Result<NodeConfig> parseNodeArgs(const QStringList &args, NodeConfig base = {});
// Reads a JSON config file into `config`; errors name the file and the key path.
Status loadConfigFile(const QString &path, NodeConfig &config);
// Every key path of the config file the readers know ("listen", "cache.ttl_s", "models", "pools").
QStringList nodeConfigKeys();
QString defaultDataDir();
// "flags:" and one line per flag, from nodeFlags().
QString nodeUsage();

}  // namespace lmfront::node
