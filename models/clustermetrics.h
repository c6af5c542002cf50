// ClusterMetrics: the node-wide series of the whole cluster, from each member's own samples, for
// the Overview's charts of "All nodes" (docs/console.md). Members sample on their own clocks, out
// of phase, so their samples are put on one grid of 1 s slots ending at the newest sample any
// member has: in each slot a member counts with its newest sample at or before the slot's end
// and less than kHoldMs older, so a member that stops sending drops out of the newest slots while
// its earlier seconds stay counted. Per slot: QPS, in flight, CPU (100 % = one core, so a cluster
// can pass 100 %) and memory are sums; the error ratio is Σ errors/s ÷ Σ requests/s; p99 is the
// highest member's. A slot no member has a value for is NaN (a gap, never a false zero).
//
// Contract: GUI thread. setModel() follows a ClusterModel (not owned; null stops): the members
// are its rows' live states (ClusterModel::liveStateAt(); a member that is down or has no
// connection counts for nothing). Recomputing is coalesced: a change in the model schedules one
// within kCoalesceMs, so twenty members reporting out of phase cost a few a second, not twenty;
// changed() follows each. compute() is the arithmetic alone.
#pragma once

#include "models/livenodestate.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <array>
#include <vector>

namespace lmfront::models {

class ClusterModel;

class ClusterMetrics : public QObject {
  Q_OBJECT
public:
  using Series = LiveNodeState::Series;
  static constexpr qint64 kSlotMs = 1000;
  static constexpr qint64 kHoldMs = 1500;
  static constexpr int kCoalesceMs = 250;

  // One vector per series, oldest slot first, as long as the oldest slot any member fills.
  using Values = std::array<std::vector<double>, LiveNodeState::kSeriesCount>;
  static Values compute(const std::vector<const LiveNodeState *> &members, int slots);

  explicit ClusterMetrics(QObject *parent = nullptr);

  void setModel(ClusterModel *model);
  int capacity() const { return LiveNodeState::kDefaultCapacity; }
  const std::vector<double> &values(Series series) const { return m_values[static_cast<size_t>(series)]; }
  double latest(Series series) const;  // the newest slot's; NaN when empty

public Q_SLOTS:
  void recompute();

Q_SIGNALS:
  void changed();

private:
  QPointer<ClusterModel> m_model;
  QTimer m_coalesce;
  Values m_values;
};

}  // namespace lmfront::models
