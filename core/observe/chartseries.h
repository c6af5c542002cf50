// The node's chart series: what the console's Traffic view, the ops `metrics` topic and
// GET /admin/series show, derived from the standard metric families (metricnames.h) over one
// interval of any length (observe::Interval), so a 1 s sample and a 1 min bucket are computed
// the same way (rates divide by the interval; quantiles come from the interval's merged buckets).
//
// Each series is named below and labelled by `model` and `backend` where it applies; a series
// without the label is the total over it (no labels: the node total):
//   requests_per_s, errors_per_s, in_flight      node, {model}, {model, backend}
//   latency_p50_ms, latency_p95_ms, latency_p99_ms
//                                                 node, {model}, {model, backend}
//   ttft_p50_ms, ttft_p95_ms, ttft_p99_ms, tokens_in_per_s, tokens_out_per_s, cache_hit_ratio,
//   queue_depth                                   node, {model}
// A backend's latency comes from lmfront_backend_request_duration_seconds{backend} (the model's and
// the node's from lmfront_request_duration_seconds{model}); time to first token is recorded per
// model only. A quantile, or the cache hit ratio, of an interval with no request is NaN (a gap).
// An error is an answered status >= 400; errorClass() names its class for the `metrics` topic.
//
// Plain functions, no state.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmfront::observe {

struct Interval;
using Labels = std::vector<std::pair<std::string, std::string>>;

namespace charts {
inline constexpr std::string_view kRequestsPerS = "requests_per_s";
inline constexpr std::string_view kErrorsPerS = "errors_per_s";
inline constexpr std::string_view kInFlight = "in_flight";
inline constexpr std::string_view kLatencyP50Ms = "latency_p50_ms";
inline constexpr std::string_view kLatencyP95Ms = "latency_p95_ms";
inline constexpr std::string_view kLatencyP99Ms = "latency_p99_ms";
inline constexpr std::string_view kTtftP50Ms = "ttft_p50_ms";
inline constexpr std::string_view kTtftP95Ms = "ttft_p95_ms";
inline constexpr std::string_view kTtftP99Ms = "ttft_p99_ms";
inline constexpr std::string_view kTokensInPerS = "tokens_in_per_s";
inline constexpr std::string_view kTokensOutPerS = "tokens_out_per_s";
inline constexpr std::string_view kCacheHitRatio = "cache_hit_ratio";
inline constexpr std::string_view kQueueDepth = "queue_depth";
}  // namespace charts

struct ChartPoint {
  std::string name;
  Labels labels;  // sorted by label name
  double value = 0;
};

// Every chart series name above, in a stable order.
const std::vector<std::string_view> &chartSeriesNames();
// The metric families the chart series are computed from.
const std::vector<std::string_view> &chartFamilies();

// The chart series' values over `interval`. `backendModel` maps a backend id to the model whose
// pool it serves (in-flight is counted per backend); backends it does not name count only in the
// node total.
std::vector<ChartPoint> deriveCharts(const Interval &interval, const std::map<std::string, std::string> &backendModel);

// "client" (4xx), "throttled" (429), "unavailable" (503), "timeout" (504), "server" (other 5xx);
// null for a status that is not an error.
const char *errorClass(int code);

}  // namespace lmfront::observe
