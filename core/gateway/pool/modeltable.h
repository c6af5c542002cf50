// ModelTable: what the gateway serves — model name → pool of backends with its balancer and its
// resilience state (breakers, outlier ejection, health, retry budget) and flow control
// (per-backend concurrency limits and admission queues).
// Immutable once published: the node builds a new table on every change (model added, pool
// edited, version deployed) and swaps it in atomically, so a request sees one consistent table
// from start to end and no request is dropped by a change.
#pragma once

#include "gateway/openai/backend.h"
#include "gateway/pool/poolflow.h"
#include "gateway/pool/poolresilience.h"
#include "gateway/routing/balancer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::gateway::pool {

// Where a consistent-hash pool takes its key from.
struct HashKeySource {
  enum class Kind { Default, User, Header, PromptPrefix };  // Default: the user field, else the prompt
  Kind kind = Kind::Default;
  std::string header;           // Kind::Header: lower-case header name
  std::size_t prefixBytes = 0;  // Kind::PromptPrefix
};

struct Deployment;  // deployment.h

struct ModelPool {
  std::string name;
  std::string version;  // the served artifact's sha256: part of every cache key
  std::string description;
  std::int64_t created = 0;  // unix seconds
  std::vector<std::shared_ptr<openai::Backend>> backends;
  std::shared_ptr<routing::Balancer> balancer;  // over `backends`, same order
  std::string backupPool;                       // failover target when no backend is healthy
  HashKeySource hashKey;
  std::shared_ptr<PoolResilience> resilience;  // null: no breakers, no retries (engine-only pools)
  // Concurrency limit + admission queue per backend (same order). Null: unlimited (tests).
  std::shared_ptr<PoolFlow> flow;
  // What the pool was built from (config + engine versions); a rebuild with the same source keeps
  // the pool object, and with it breaker, ejection and health state. Empty for catalog pools.
  std::string source;
  // A canary or shadow of this model (deployment.h). Null: every request is served here.
  std::shared_ptr<const Deployment> deployment;
  // Routed to other cluster members (docs/cluster.md, "Routing between nodes"): its URL backends
  // forward the client's Authorization and name this node in kForwardedByHeader; a request that
  // already carries that header is never forwarded through such a pool again.
  bool routed = false;
};

inline constexpr std::string_view kForwardedByHeader = "x-lmfront-forwarded-by";

struct ModelTable {
  std::map<std::string, std::shared_ptr<const ModelPool>, std::less<>> pools;

  const ModelPool *find(std::string_view name) const {
    auto it = pools.find(name);
    return it == pools.end() ? nullptr : it->second.get();
  }
};

}  // namespace lmfront::gateway::pool
