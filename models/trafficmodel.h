// TrafficModel: the data of one chart of the console's Traffic view, as a table a chart maps:
// column 0 is the time (unix ms, the start of the row's step), every other column one line — a
// model (per-model charts: requests/s, errors/s, cache hit ratio, tokens/s) or a quantile
// (latency and time to first token: p50, p95, p99 of the model filtered on, else of the slowest
// model in each step). One row per step of the range.
//
// Data: reload() asks the node for the range through the ops `series` command (one command per
// series name the chart needs; docs/http-api.md, "Time series"), from the finest tier that holds
// the range, then applySample() folds each `metrics` topic sample in (docs/ops-protocol.md): a
// sample in the newest row's step is averaged into it, a later one appends a row, and rows older
// than the range drop off the front. Samples that arrive while a reload is under way are kept
// and folded in after it. While paused, samples are ignored (the table holds still); resuming
// reloads. A value the node did not give is NaN: data() answers an invalid QVariant there, so a
// chart shows a gap, never a false 0.
//
// Contract: GUI thread only; the OpsClient (setClient) must outlive the model or be replaced
// first. Answers to an older reload() are dropped. Signals: the standard model signals (a reload
// resets; a sample appends or changes the last row, may remove rows at the front, and appends a
// column for a model first seen), loaded() after a reload's answers, loadFailed(reason) when one
// failed.
#pragma once

#include "client/opsclient.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QStringList>
#include <vector>

namespace lmfront::models {

class TrafficModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Chart { Requests, Errors, Latency, Ttft, CacheHitRatio, Tokens };
  enum class Range { FiveMinutes, OneHour, OneDay, ThirtyDays };
  static constexpr int kTimeColumn = 0;

  explicit TrafficModel(Chart chart, QObject *parent = nullptr);

  Chart chart() const { return m_chart; }
  void setClient(client::OpsClient *client);  // not owned; null: reload() loads nothing
  // Empty: every model (per-model charts) or the slowest one (quantile charts); every backend.
  // The backend narrows requests and errors only (the other series have no backend breakdown).
  void setFilter(const QString &model, const QString &backend);
  void setRange(Range range);
  Range range() const { return m_range; }
  qint64 rangeMs() const;
  // Seconds per row: 1 (5 minutes), 10 (1 hour), 120 (24 hours), 3600 (30 days).
  int stepSeconds() const;
  // The tier the last loaded range came from (`tier_s` of the node's answer); 0 before one.
  int tierSeconds() const { return m_tierSeconds; }
  bool isLoading() const { return m_loading; }
  void setPaused(bool paused);
  bool paused() const { return m_paused; }

  void reload();
  void applySample(const QJsonObject &sample);

  // The line of column `column` (≥ 1): a model's name or "p50"/"p95"/"p99".
  QString lineName(int column) const;
  int lineCount() const { return static_cast<int>(m_lines.size()); }
  // The value at (row, column ≥ 1), NaN for a gap; the row's time for column 0.
  double value(int row, int column) const;

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
  void loaded();
  void loadFailed(const QString &reason);

private:
  struct Row {
    qint64 t = 0;
    std::vector<double> sum;  // per line
    std::vector<int> count;   // values averaged into sum (NaN ones not counted)
  };
  bool perModel() const { return m_chart != Chart::Latency && m_chart != Chart::Ttft; }
  bool byBackend() const { return m_chart == Chart::Requests || m_chart == Chart::Errors; }
  QStringList seriesNames() const;
  // The line's value in a `metrics` sample's models (NaN when it has none).
  double sampleValue(const QJsonObject &models, int line) const;
  int lineIndex(const QString &name, bool insert);
  void addToRow(Row &row, int line, double v) const;
  void fold(const QJsonObject &sample);

  const Chart m_chart;
  client::OpsClient *m_client = nullptr;
  QString m_model, m_backend;
  Range m_range = Range::FiveMinutes;
  bool m_paused = false;
  bool m_loading = false;
  int m_generation = 0;
  int m_tierSeconds = 0;
  QStringList m_lines;
  std::vector<Row> m_rows;
  std::vector<QJsonObject> m_held;  // samples that arrived during a reload
};

}  // namespace lmfront::models
