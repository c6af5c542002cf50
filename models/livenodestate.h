// LiveNodeState: one node as its ops API's `node` and `metrics` topics tell it
// (docs/ops-protocol.md): the latest `node` object, the latest metrics sample, and the last
// minutes of node-wide series for sparklines — what the live Overview binds to.
//
// Contract: lives on the thread of the OpsClient it follows (the GUI thread). attach() subscribes
// that client to `node` and to `metrics` (history_s = the ring's span) and follows its snapshots,
// deltas and state; the apply*() slots take the same values directly (tests, replays).
//  - `node`: a snapshot replaces the object, a delta replaces the top-level keys it carries.
//  - `metrics`: a snapshot replaces the ring with its samples (the newest capacity() of them); a
//    delta appends one sample unless its `t` is not newer than the newest held (the doc's rule
//    for a delta that repeats what a snapshot already had). The ring keeps capacity() samples,
//    dropping the oldest.
// Series are node-wide, computed from each sample as documented on Series; a value the sample
// does not give (no requests in the interval, a missing field) is NaN, never 0, so a chart shows
// a gap rather than a false zero. Signals fire once per applied message.
#pragma once

#include "client/opsclient.h"
#include "common/clock.h"

#include <QJsonObject>
#include <QObject>
#include <QPointF>
#include <array>
#include <vector>

namespace lmfront::models {

class LiveNodeState : public QObject {
  Q_OBJECT
public:
  enum class Series {
    Qps,         // Σ models' requests_per_s
    ErrorRatio,  // Σ models' errors_per_s (every class) ÷ Σ requests_per_s; NaN without requests
    P99Ms,       // the highest models' latency_ms.p99 (the worst model); NaN when none has one
    InFlight,    // Σ models' in_flight
    CpuPercent,  // node.cpu_percent (100 = one core)
    RssBytes,    // node.rss_bytes
    Count
  };
  static constexpr int kSeriesCount = static_cast<int>(Series::Count);
  static constexpr int kDefaultCapacity = 300;  // 5 minutes of 1 s samples

  explicit LiveNodeState(const Clock &clock, int capacity = kDefaultCapacity, QObject *parent = nullptr);

  // Follows `client` (not owned; it must outlive this or be detached first by destroying it).
  void attach(client::OpsClient *client);

  int capacity() const { return m_capacity; }
  int sampleCount() const { return static_cast<int>(m_samples.size()); }
  // The newest sample's value, NaN when there is none.
  double latest(Series series) const;
  // Unix ms of the newest sample; 0 when there is none.
  qint64 latestTime() const;
  // Sample i (0 = oldest, < sampleCount()): its time in unix ms and one of its values.
  qint64 sampleTime(int i) const { return at(i).t; }
  double sampleValue(int i, Series series) const { return at(i).values[static_cast<size_t>(series)]; }
  // Oldest first, NaN kept: one value per sample held.
  std::vector<double> values(Series series) const;
  // Oldest first, (t in unix ms, value), NaN values left out: for a chart's line.
  QList<QPointF> points(Series series) const;
  // The newest sample as the node sent it (per-model and per-backend detail).
  const QJsonObject &latestSample() const { return m_latestSample; }

  const QJsonObject &node() const { return m_node; }
  bool hasNode() const { return !m_node.isEmpty(); }
  QString nodeId() const;
  QString health() const;  // "ok", …; empty before the first snapshot
  bool ready() const;
  QString notReadyReason() const;  // empty when ready
  bool draining() const;
  QStringList modelNames() const;
  // The node's uptime now: its last uptime_s plus the time since it arrived.
  double uptimeS() const;
  // A `node` object's state in a few translated words: "healthy", "draining", "not ready: why",
  // "unhealthy: <health>".
  static QString summary(const QJsonObject &node);

  client::OpsClient::State connectionState() const { return m_state; }
  QString connectionReason() const { return m_reason; }

public Q_SLOTS:
  void applySnapshot(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyDelta(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyConnectionState(lmfront::client::OpsClient::State state, const QString &reason);

Q_SIGNALS:
  void nodeChanged();
  void metricsChanged();
  void connectionChanged(lmfront::client::OpsClient::State state, const QString &reason);

private:
  struct Sample {
    qint64 t = 0;
    std::array<double, kSeriesCount> values{};
  };
  static Sample toSample(const QJsonObject &sample);
  // Appends unless not newer than the newest; true when it did.
  bool append(const QJsonObject &sample);
  const Sample &at(int i) const;  // 0 = oldest
  void noteUptime();

  const Clock &m_clock;
  int m_capacity;
  std::vector<Sample> m_samples;  // a ring once full: m_head is the oldest
  int m_head = 0;
  QJsonObject m_latestSample;
  QJsonObject m_node;
  double m_uptimeAtNote = 0;
  Clock::TimePoint m_uptimeNotedAt;
  client::OpsClient::State m_state = client::OpsClient::State::Closed;
  QString m_reason;
};

}  // namespace lmfront::models
