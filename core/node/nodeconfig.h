// NodeConfig: everything a node needs to start, from flags and an optional JSON config file.
//
// Flags (lmfrontd and the console share them):
//   --listen ADDR:PORT     data-plane address (default 127.0.0.1:8080; port 0 = any free port)
//   --data-dir DIR         where catalog, artifacts and history live (default: XDG data dir,
//                          ~/.local/share/lmfront)
//   --config FILE          JSON file with the same keys (see docs/configuration.md); flags win
//   --workers N            data-plane threads (default: one per core)
//   --model NAME=PATH      serve a model file straight away (repeatable)
//   --node-id ID           name shown in consoles and metrics (default: hostname-port)
//   --drain-timeout-ms N   how long SIGTERM waits for in-flight requests (default 10000)
//   --enable-test-routes   adds /debug/sleep?ms=N: only for tests of graceful shutdown
//   --require-keys         every request needs an API key, even on loopback
//   --allowed-host NAME    a further Host the node answers to (repeatable; DNS-rebinding defence)
//   --trusted-origin URL   a browser Origin allowed to call the node (repeatable; no wildcard)
//   --redis HOST:PORT      shared Redis for the response cache and rate limits of a cluster
//   --no-cache             turn the response cache off
// The config file's "auth", "cache" and "limits" sections hold the same and more (see
// docs/configuration.md).
// Parsing never exits the process: errors come back as InvalidArgument naming the flag.
#pragma once

#include "common/status.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QtGlobal>
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
  qint64 cacheBytes = 256ll << 20;
  int cacheTtlSeconds = 600;
  RateLimits perKey;    // per API key (the anonymous local caller is one key, "local")
  RateLimits perModel;  // per model, across all callers
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
  bool enableTestRoutes = false;
  std::vector<ModelSpec> models;
  GatewaySettings gateway;
  QJsonObject pools;  // the config file's "pools" section, validated (see poolconfig.h)
};

// Parses argv-style flags (without the program name) over `base`. A --config file is read first
// and flags override it.
Result<NodeConfig> parseNodeArgs(const QStringList &args, NodeConfig base = {});
// Reads a JSON config file into `config` (keys: listen, data_dir, workers, node_id, models{name:path}).
Status loadConfigFile(const QString &path, NodeConfig &config);
// "127.0.0.1:8080", "[::1]:0", ":8080" (host defaults to 127.0.0.1).
Status parseListenAddress(const QString &text, QString &host, quint16 &port);
QString defaultDataDir();
QString nodeUsage();

}  // namespace lmfront::node
