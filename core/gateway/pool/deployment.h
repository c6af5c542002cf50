// Deployment: a model served by more than its stable pool — a canary that answers a share of
// the model's requests, or a shadow that receives a mirrored share whose answers are discarded
// and compared with the stable answer (docs/models.md, "Deployments").
//
// A Deployment hangs off the stable ModelPool it belongs to (ModelPool::deployment); a model
// without one is served exactly as before, so the plain request path pays one null check. Like
// the table, a Deployment is immutable once published; its counters are metric series
// (thread-safe atomics) looked up once when it is built, so routing a request allocates nothing.
//
// Each variant keeps its own pool and so its own version: the cache key carries the pool's
// version, so a canary's answers never meet the stable version's cache entries.
#pragma once

#include "common/status.h"
#include "gateway/pool/modeltable.h"
#include "observe/metricsregistry.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lmfront::gateway::pool {

enum class Variant { Stable, Canary, Shadow };
std::string_view variantName(Variant variant);

// lmfront_deployment_requests_total{model,variant}, lmfront_deployment_errors_total{model,variant},
// lmfront_deployment_request_duration_seconds{model,variant}, lmfront_shadow_requests_total{model},
// lmfront_shadow_agreement_total{model}, lmfront_canary_rollbacks_total{model}.
// Registering twice on one registry returns the same families.
struct DeploymentMetrics {
  observe::CounterFamily *requests = nullptr;
  observe::CounterFamily *errors = nullptr;
  observe::HistogramFamily *duration = nullptr;
  observe::CounterFamily *shadowRequests = nullptr;
  observe::CounterFamily *shadowAgreement = nullptr;
  observe::CounterFamily *rollbacks = nullptr;
};
Result<DeploymentMetrics> registerDeploymentMetrics(observe::MetricsRegistry &registry);

// One variant's series; null members record nothing.
struct VariantSeries {
  observe::Counter *requests = nullptr;
  observe::Counter *errors = nullptr;  // answers with an HTTP status >= 500
  observe::Histogram *duration = nullptr;
  void record(int httpStatus, double seconds) const;
};
VariantSeries variantSeries(const DeploymentMetrics *metrics, std::string_view model, Variant variant);

struct Deployment {
  Variant kind = Variant::Canary;               // Canary or Shadow
  std::shared_ptr<const ModelPool> variant;     // the canary's or the shadow's pool
  std::uint32_t basisPoints = 0;                // share of the model's requests, 0..10000
  bool sticky = false;                          // the share is chosen by the request's hash key
  HashKeySource key;                            // when sticky
  VariantSeries stable, other;                  // other: the canary's or the shadow's series
  observe::Counter *shadowCompared = nullptr;   // shadowed deterministic requests both answered 200
  observe::Counter *shadowAgreement = nullptr;  // ... with the same text
  mutable std::atomic<std::uint64_t> draws{0};  // non-sticky choices: a counter hashed

  // Whether this request goes to (Canary) or is mirrored to (Shadow) the variant. `key` is the
  // request's hash key when sticky (ignored otherwise).
  bool chooseVariant(std::string_view key) const;
};

// The stable pool with `deployment` attached (a copy sharing backends, balancer, resilience and
// flow state, so in-flight requests and breakers carry on).
std::shared_ptr<const ModelPool> withDeployment(const ModelPool &stable, std::shared_ptr<const Deployment> deployment);

}  // namespace lmfront::gateway::pool
