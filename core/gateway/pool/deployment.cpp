#include "gateway/pool/deployment.h"

#include "gateway/routing/balancer.h"
#include "observe/metricnames.h"

namespace lmfront::gateway::pool {

std::string_view variantName(Variant variant) {
  switch (variant) {
  case Variant::Stable: return "stable";
  case Variant::Canary: return "canary";
  case Variant::Shadow: return "shadow";
  }
  return "stable";
}

Result<DeploymentMetrics> registerDeploymentMetrics(observe::MetricsRegistry &reg) {
  using namespace observe::names;
  using observe::take;
  DeploymentMetrics m;
  const std::vector<std::string> model{std::string(kLabelModel)};
  const std::vector<std::string> variant{std::string(kLabelModel), std::string(kLabelVariant)};
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kDeploymentRequestsTotal,
                       "Requests answered by each variant of a model under a canary or shadow deployment.", variant),
           m.requests));
  LMFRONT_RETURN_IF_ERROR(take(reg.counter(kDeploymentErrorsTotal,
                                           "Requests a variant of a model under a canary or shadow deployment "
                                           "answered with an HTTP status of 500 or more.",
                                           variant),
                               m.errors));
  LMFRONT_RETURN_IF_ERROR(take(reg.histogram(kDeploymentRequestDurationSeconds,
                                             "Time a variant of a model under a canary or shadow deployment took "
                                             "to answer, in seconds.",
                                             variant, observe::latencyBuckets()),
                               m.duration));
  LMFRONT_RETURN_IF_ERROR(take(reg.counter(kShadowRequestsTotal,
                                           "Deterministic requests mirrored to a shadow that both the stable "
                                           "version and the shadow answered with 200 (compared).",
                                           model),
                               m.shadowRequests));
  LMFRONT_RETURN_IF_ERROR(take(
      reg.counter(kShadowAgreementTotal, "Compared shadow requests whose shadow answer equals the stable one.", model),
      m.shadowAgreement));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCanaryRollbacksTotal, "Canaries rolled back by the canary guard because they breached a limit.",
                       model),
           m.rollbacks));
  return m;
}

void VariantSeries::record(int httpStatus, double seconds) const {
  if (requests) requests->inc();
  if (errors && httpStatus >= 500) errors->inc();
  if (duration) duration->observe(seconds);
}

VariantSeries variantSeries(const DeploymentMetrics *metrics, std::string_view model, Variant variant) {
  VariantSeries s;
  if (!metrics || !metrics->requests) return s;
  const std::string_view name = variantName(variant);
  s.requests = &metrics->requests->withLabels({model, name});
  s.errors = &metrics->errors->withLabels({model, name});
  s.duration = &metrics->duration->withLabels({model, name});
  return s;
}

bool Deployment::chooseVariant(std::string_view requestKey) const {
  if (basisPoints == 0) return false;
  std::uint64_t h = 0;
  if (sticky) {
    h = routing::hashKey64(requestKey);
  } else {
    const std::uint64_t n = draws.fetch_add(1, std::memory_order_relaxed);
    h = routing::hashKey64(std::string_view(reinterpret_cast<const char *>(&n), sizeof n));
  }
  return h % 10000 < basisPoints;
}

std::shared_ptr<const ModelPool> withDeployment(const ModelPool &stable, std::shared_ptr<const Deployment> deployment) {
  auto pool = std::make_shared<ModelPool>(stable);
  pool->deployment = std::move(deployment);
  return pool;
}

}  // namespace lmfront::gateway::pool
