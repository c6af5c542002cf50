#include "gateway/openai/requestmetrics.h"

#include "observe/metricnames.h"

namespace lmfront::gateway::openai {

Result<RequestMetrics> registerRequestMetrics(observe::MetricsRegistry &reg) {
  using namespace observe::names;
  using observe::take;
  RequestMetrics m;
  const std::vector<std::string> model{std::string(kLabelModel)};
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kRequestsTotal, "Requests answered, by model, serving backend and HTTP status code.",
                       {std::string(kLabelModel), std::string(kLabelBackend), std::string(kLabelCode)}),
           m.requests));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.histogram(kRequestDurationSeconds, "Time from request received to last byte sent, in seconds.", model,
                         observe::latencyBuckets()),
           m.requestDuration));
  LMFRONT_RETURN_IF_ERROR(take(reg.histogram(kBackendRequestDurationSeconds,
                                             "Time from request received to last byte sent, by the backend that "
                                             "answered it, in seconds.",
                                             {std::string(kLabelBackend)}, observe::latencyBuckets()),
                               m.backendDuration));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.histogram(kTimeToFirstTokenSeconds,
                         "Time from request received to the first generated token sent, in seconds.", model,
                         observe::latencyBuckets()),
           m.timeToFirstToken));
  LMFRONT_RETURN_IF_ERROR(take(reg.histogram(kGatewayOverheadSeconds,
                                             "Time spent in the gateway itself (request duration minus backend time), "
                                             "in seconds.",
                                             model, observe::overheadBuckets()),
                               m.gatewayOverhead));
  LMFRONT_RETURN_IF_ERROR(take(reg.counter(kTokensInTotal, "Prompt tokens received.", model), m.tokensIn));
  LMFRONT_RETURN_IF_ERROR(take(reg.counter(kTokensOutTotal, "Completion tokens generated.", model), m.tokensOut));
  LMFRONT_RETURN_IF_ERROR(
      take(reg.counter(kCacheCoalescedTotal,
                       "Requests answered by joining an identical in-flight request (single flight).", model),
           m.coalesced));
  return m;
}

}  // namespace lmfront::gateway::openai
