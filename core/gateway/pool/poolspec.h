// PoolSpec: the "pools" section of the node's config (and of PUT /admin/pools) — which backends
// serve a model name, how they are balanced and protected. The format is documented in
// docs/pools.md.
//
//   "pools": {"english": {"balancer": "round_robin", "hash_key": "user"|"header:NAME"|"prompt_prefix:N",
//      "backends": [{"engine": "english"}, {"url": "http://127.0.0.1:9001", "model": "english", "weight": 2},
//                   {"url": "https://10.0.0.7:8443", "ca_file": "/etc/lmfront/upstream-ca.pem"}],
//      "backup": "other-pool", "breaker": {...}, "outlier": {...}, "retry_budget": {...},
//      "retry": {"max_attempts": 3}, "timeouts": {...}, "health_check": {"path": "/healthz", "interval_ms": 1000},
//      "concurrency": {"algorithm": "gradient", "initial_limit": 20, ...}, "queue": {"max_waiters": 64, "max_wait_ms":
//      30000}}}
//
// parsePools() validates strictly through config::JsonSection: an unknown key or a wrong type is
// InvalidArgument naming the key path (pools.english.backends[1].weight), an unknown key listing
// the valid ones. A spec is a value; poolbuilder.h turns specs into
// the served table.
#pragma once

#include "common/status.h"
#include "gateway/pool/modeltable.h"
#include "gateway/pool/poolflow.h"
#include "gateway/pool/poolresilience.h"
#include "gateway/routing/balancer.h"
#include "gateway/upstream/httpclient.h"

#include <QJsonObject>
#include <QString>
#include <optional>
#include <vector>

namespace lmfront::gateway::pool {

struct BackendSpec {
  std::string engine;           // either an engine (catalog model name) …
  std::string url;              // … or an OpenAI-compatible server
  std::string model;            // the upstream's model name (default: the pool's name)
  std::string kind = "openai";  // "openai" | "lmfront" (lmfront upstreams also serve /v1/score)
  std::string apiKey;
  std::string caFile;  // https:// URLs: PEM certificates trusted besides the system's
  std::uint32_t weight = 1;
};

struct PoolSpec {
  std::string name;
  routing::BalancerKind balancer = routing::BalancerKind::RoundRobin;
  HashKeySource hashKey;
  std::vector<BackendSpec> backends;
  std::string backup;
  ResilienceConfig resilience;
  upstream::Timeouts timeouts;
  FlowConfig flow;     // "concurrency" and "queue"
  std::string source;  // the pool's JSON, compact with sorted keys
  // Not from JSON: set for pools routed to other cluster members, to this node's id (ModelPool::routed).
  std::string forwardedBy = {};
};

Result<std::vector<PoolSpec>> parsePools(const QJsonObject &pools);

}  // namespace lmfront::gateway::pool
