// StoreSeriesSource: evaluates a rule's selector over the node's in-memory per-second series
// (observe::TimeSeriesStore), so rules read exactly what the charts show.
//
// For each series of the rule's metric whose labels match, over the points of the last `window`:
//   rate      counter: mean per-second increase;            summed per `by` group
//   avg       any series: mean of the points;               averaged per group
//   max       any series: largest point;                    largest per group
//   quantile  histogram: the series' per-second q-quantiles (the store must track q), weighted
//             by each second's observation count;            largest per group (the worst series)
//   ratio     rate of the selector / rate of the denominator (the sum of its selectors), each
//             summed per group; NaN (no alert) when the denominator is 0 or below min_rate
// Groups are the `by` labels; without `by`, each series is its own group (ratio: one group).
// Points that are NaN (a histogram second without observations) are skipped; a group with no
// point yields no value. The metric's family must be tracked by the store (the node tracks every
// family a rule names when the rules are applied).
#pragma once

#include "alerting/alertevaluator.h"

namespace lmfront::observe {
class TimeSeriesStore;
}

namespace lmfront::alerting {

class StoreSeriesSource final : public SeriesSource {
public:
  explicit StoreSeriesSource(const observe::TimeSeriesStore &store) : m_store(store) {}
  std::vector<std::pair<Labels, double>> evaluate(const AlertRule &rule, Clock::TimePoint now) const override;

private:
  const observe::TimeSeriesStore &m_store;
};

}  // namespace lmfront::alerting
