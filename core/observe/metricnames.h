// The names of lmfront's metrics, in one place, so the request path, the exposition, the console's
// charts and the alert rules can never disagree on a spelling. Each is documented (meaning, type,
// labels, buckets) in docs/metrics.md; each component registers its own families where it is built
// (openai/requestmetrics.h, cache/cachemetrics.h, pool/poolmetrics.h, the node's gateway runtime).
//
// Plain constants; no state. Adding a metric: a constant here, a line in the owning component's
// registration, a row in docs/metrics.md and tests/node/metricfamilies.golden.
#pragma once

#include <string_view>

namespace lmfront::observe::names {

// Request path (labels: model, backend, code — code is the HTTP status as decimal text).
inline constexpr std::string_view kRequestsTotal = "lmfront_requests_total";
inline constexpr std::string_view kRequestDurationSeconds = "lmfront_request_duration_seconds";      // {model}
inline constexpr std::string_view kTimeToFirstTokenSeconds = "lmfront_time_to_first_token_seconds";  // {model}
inline constexpr std::string_view kGatewayOverheadSeconds = "lmfront_gateway_overhead_seconds";      // {model}
inline constexpr std::string_view kTokensInTotal = "lmfront_tokens_in_total";                        // {model}
inline constexpr std::string_view kTokensOutTotal = "lmfront_tokens_out_total";                      // {model}

// Cache (label tier: local | redis).
inline constexpr std::string_view kCacheHitsTotal = "lmfront_cache_hits_total";
inline constexpr std::string_view kCacheMissesTotal = "lmfront_cache_misses_total";
inline constexpr std::string_view kCacheEvictionsTotal = "lmfront_cache_evictions_total";  // {tier="local"}
inline constexpr std::string_view kCacheBytes = "lmfront_cache_bytes";                     // {tier="local"}
inline constexpr std::string_view kCacheCoalescedTotal = "lmfront_cache_coalesced_total";  // {model}
// Redis tier health (label op: get | put).
inline constexpr std::string_view kCacheRedisErrorsTotal = "lmfront_cache_redis_errors_total";
inline constexpr std::string_view kCacheRedisDroppedTotal = "lmfront_cache_redis_dropped_total";
inline constexpr std::string_view kCacheRedisUp = "lmfront_cache_redis_up";
// Push of Redis fills to the other nodes' local tiers (cachepush.h).
inline constexpr std::string_view kCachePushPublishedTotal = "lmfront_cache_push_published_total";
inline constexpr std::string_view kCachePushReceivedTotal = "lmfront_cache_push_received_total";
inline constexpr std::string_view kCachePushDroppedTotal = "lmfront_cache_push_dropped_total";  // {reason}
inline constexpr std::string_view kCachePushUp = "lmfront_cache_push_up";

// Backends and flow control.
inline constexpr std::string_view kBackendUp = "lmfront_backend_up";                               // {backend} 0|1
inline constexpr std::string_view kBackendBreakerState = "lmfront_backend_breaker_state";          // {backend} 0|1|2
inline constexpr std::string_view kQueueDepth = "lmfront_queue_depth";                             // {model}
inline constexpr std::string_view kBackendConcurrencyLimit = "lmfront_backend_concurrency_limit";  // {backend}
inline constexpr std::string_view kBackendInflight = "lmfront_backend_inflight";                   // {backend}
inline constexpr std::string_view kBackendRequestDurationSeconds =
    "lmfront_backend_request_duration_seconds";                                      // {backend}
inline constexpr std::string_view kRateLimitedTotal = "lmfront_rate_limited_total";  // {scope}

// Deployments (label variant: stable | canary | shadow).
inline constexpr std::string_view kDeploymentRequestsTotal = "lmfront_deployment_requests_total";  // {model,variant}
inline constexpr std::string_view kDeploymentErrorsTotal = "lmfront_deployment_errors_total";      // {model,variant}
inline constexpr std::string_view kDeploymentRequestDurationSeconds =
    "lmfront_deployment_request_duration_seconds";                                           // {model,variant}
inline constexpr std::string_view kShadowRequestsTotal = "lmfront_shadow_requests_total";    // {model}
inline constexpr std::string_view kShadowAgreementTotal = "lmfront_shadow_agreement_total";  // {model}
inline constexpr std::string_view kCanaryRollbacksTotal = "lmfront_canary_rollbacks_total";  // {model}

// Cluster: exported by the cluster's leader only, one series per member it knows (docs/cluster.md).
inline constexpr std::string_view kClusterMemberUp = "lmfront_cluster_member_up";  // {node} 0|1

// Label names.
inline constexpr std::string_view kLabelModel = "model";
inline constexpr std::string_view kLabelBackend = "backend";
inline constexpr std::string_view kLabelCode = "code";
inline constexpr std::string_view kLabelTier = "tier";
inline constexpr std::string_view kLabelScope = "scope";
inline constexpr std::string_view kLabelOp = "op";
inline constexpr std::string_view kLabelReason = "reason";
inline constexpr std::string_view kLabelVariant = "variant";
inline constexpr std::string_view kLabelNode = "node";

// lmfront_backend_breaker_state values.
inline constexpr double kBreakerClosed = 0;
inline constexpr double kBreakerHalfOpen = 1;
inline constexpr double kBreakerOpen = 2;

}  // namespace lmfront::observe::names
