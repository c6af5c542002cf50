#include "models/clustermetrics.h"

#include "models/clustermodel.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lmfront::models {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Slot {
  double qps = 0, errors = 0, inFlight = 0, cpu = 0, rss = 0, p99 = kNaN;
  bool anyQps = false, anyInFlight = false, anyCpu = false, anyRss = false, any = false;
};

void addTo(double &sum, bool &any, double v) {
  if (std::isnan(v)) return;
  sum += v;
  any = true;
}
}  // namespace

ClusterMetrics::Values ClusterMetrics::compute(const std::vector<const LiveNodeState *> &members, int slots) {
  Values out;
  qint64 end = 0;
  for (const LiveNodeState *m : members)
    if (m && m->sampleCount() > 0) end = std::max(end, m->latestTime());
  if (end == 0 || slots <= 0) return out;
  std::vector<Slot> grid(static_cast<size_t>(slots));  // 0 = newest
  int filled = 0;
  for (const LiveNodeState *m : members) {
    if (!m) continue;
    int i = m->sampleCount() - 1;
    for (int k = 0; k < slots && i >= 0; ++k) {
      const qint64 slotEnd = end - k * kSlotMs;
      while (i >= 0 && m->sampleTime(i) > slotEnd) --i;
      if (i < 0 || m->sampleTime(i) <= slotEnd - kHoldMs) continue;
      Slot &s = grid[static_cast<size_t>(k)];
      auto v = [&](Series series) { return m->sampleValue(i, series); };
      const double qps = v(Series::Qps);
      addTo(s.qps, s.anyQps, qps);
      if (const double ratio = v(Series::ErrorRatio); std::isfinite(ratio) && std::isfinite(qps))
        s.errors += ratio * qps;
      if (const double p = v(Series::P99Ms); !std::isnan(p) && (std::isnan(s.p99) || p > s.p99)) s.p99 = p;
      addTo(s.inFlight, s.anyInFlight, v(Series::InFlight));
      addTo(s.cpu, s.anyCpu, v(Series::CpuPercent));
      addTo(s.rss, s.anyRss, v(Series::RssBytes));
      s.any = true;
      filled = std::max(filled, k + 1);
    }
  }
  for (auto &series : out) series.reserve(static_cast<size_t>(filled));
  auto put = [&out](Series series, double v) { out[static_cast<size_t>(series)].push_back(v); };
  for (int k = filled - 1; k >= 0; --k) {
    const Slot &s = grid[static_cast<size_t>(k)];
    put(Series::Qps, s.anyQps ? s.qps : kNaN);
    put(Series::ErrorRatio, s.qps > 0 ? s.errors / s.qps : kNaN);
    put(Series::P99Ms, s.p99);
    put(Series::InFlight, s.anyInFlight ? s.inFlight : kNaN);
    put(Series::CpuPercent, s.anyCpu ? s.cpu : kNaN);
    put(Series::RssBytes, s.anyRss ? s.rss : kNaN);
  }
  return out;
}

ClusterMetrics::ClusterMetrics(QObject *parent) : QObject(parent) {
  m_coalesce.setSingleShot(true);
  m_coalesce.setInterval(kCoalesceMs);
  connect(&m_coalesce, &QTimer::timeout, this, &ClusterMetrics::recompute);
}

void ClusterMetrics::setModel(ClusterModel *model) {
  if (model == m_model) return;
  if (m_model) disconnect(m_model, nullptr, this, nullptr);
  m_model = model;
  if (m_model) {
    auto schedule = [this] {
      if (!m_coalesce.isActive()) m_coalesce.start();
    };
    connect(m_model, &ClusterModel::totalsChanged, this, schedule);
    connect(m_model, &ClusterModel::memberLiveChanged, this, schedule);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, schedule);
    connect(m_model, &QAbstractItemModel::modelReset, this, schedule);
  }
  m_coalesce.stop();
  recompute();
}

void ClusterMetrics::recompute() {
  m_coalesce.stop();
  std::vector<const LiveNodeState *> members;
  if (ClusterModel *model = m_model.data()) {
    members.reserve(static_cast<size_t>(model->rowCount()));
    for (int row = 0; row < model->rowCount(); ++row)
      if (model->stateAt(row) != ClusterModel::State::Down) members.push_back(model->liveStateAt(row));
  }
  m_values = compute(members, capacity());
  Q_EMIT changed();
}

double ClusterMetrics::latest(Series series) const {
  const std::vector<double> &v = values(series);
  return v.empty() ? kNaN : v.back();
}

}  // namespace lmfront::models
