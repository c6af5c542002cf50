// Pools: the "pools" section of the node's config (and of PUT /admin/pools) — which backends
// serve a model name, how they are balanced and protected. The format is
// documented in docs/pools.md.
//
//   "pools": {"english": {"balancer": "round_robin", "hash_key": "user"|"header:NAME"|"prompt_prefix:N",
//      "backends": [{"engine": "english"}, {"url": "http://127.0.0.1:9001", "model": "english", "weight": 2}],
//      "backup": "other-pool", "breaker": {...}, "outlier": {...}, "retry_budget": {...},
//      "retry": {"max_attempts": 3}, "timeouts": {...}, "health_check": {"path": "/healthz", "interval_ms": 1000},
//      "concurrency": {"algorithm": "gradient", "initial_limit": 20, ...}, "queue": {"max_waiters": 64, "max_wait_ms":
//      30000}}}
//
// parsePools() validates strictly: an unknown key or a wrong type is InvalidArgument naming the
// key path (pools.english.backends[1].weight). buildModelTable() composes the served table: the
// catalog's one-engine pools, replaced by a configured pool of the same name, plus the other
// configured pools. A pool naming an engine that is not loaded (yet) is an error.
#pragma once

#include "common/status.h"
#include "gateway/openai/modeltable.h"
#include "gateway/upstream/httpclient.h"
#include "observe/standardmetrics.h"

#include <QJsonObject>
#include <QString>
#include <optional>
#include <vector>

namespace lmfront::node {

struct BackendSpec {
  std::string engine;           // either an engine (catalog model name) …
  std::string url;              // … or an OpenAI-compatible server
  std::string model;            // the upstream's model name (default: the pool's name)
  std::string kind = "openai";  // "openai" | "lmfront" (lmfront upstreams also serve /v1/score)
  std::string apiKey;
  std::uint32_t weight = 1;
};

struct PoolSpec {
  std::string name;
  gateway::routing::BalancerKind balancer = gateway::routing::BalancerKind::RoundRobin;
  gateway::openai::HashKeySource hashKey;
  std::vector<BackendSpec> backends;
  std::string backup;
  gateway::openai::ResilienceConfig resilience;
  gateway::upstream::Timeouts timeouts;
  gateway::openai::FlowConfig flow;  // "concurrency" and "queue"
  std::string source;                // the pool's JSON, compact with sorted keys
};

Result<std::vector<PoolSpec>> parsePools(const QJsonObject &pools);

// engines: the catalog's loaded one-engine pools by model name. previous (optional): the table in
// service; a pool whose spec and engines did not change is carried over as is, keeping its
// breakers, ejections and health history.
Result<std::shared_ptr<gateway::openai::ModelTable>> buildModelTable(
    const gateway::openai::ModelTable &engines, const std::vector<PoolSpec> &pools,
    const observe::StandardMetrics *metrics, const gateway::openai::ModelTable *previous = nullptr);

}  // namespace lmfront::node
