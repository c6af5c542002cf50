// TrafficPage: the console's Traffic view — six charts of one node's traffic: requests/s stacked
// by model, latency p50/p95/p99, time to first token p50/p95/p99, errors/s by model, cache hit
// ratio by model and completion tokens/s by model; over 5 minutes, 1 hour, 24 hours or 30 days;
// filtered by model and backend; paused and resumed; hovering a line shows its value.
//
// Contract: a view of the session it is handed (setSession(); not owned). Each chart
// (TrafficChart) draws one models::TrafficModel, which loads the range through the session's
// OpsClient (`series`) and then follows the session's LiveNodeState (`metrics`, once a second);
// on liveStateReplaced() the models are pointed at the new client and reloaded, and again each
// time the connection becomes live (a range asked before, or lost in a drop, is filled). The page holds
// no traffic data of its own. It re-translates itself on QEvent::LanguageChange.
#pragma once

#include "models/trafficmodel.h"

#include <QWidget>
#include <array>
#include <memory>

class QComboBox;
class QLabel;
class QPushButton;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class TrafficChart;

class TrafficPage : public QWidget {
  Q_OBJECT
public:
  using Chart = models::TrafficModel::Chart;
  using Range = models::TrafficModel::Range;
  static constexpr int kChartCount = 6;

  explicit TrafficPage(QWidget *parent = nullptr);
  ~TrafficPage() override;

  void setSession(models::NodeSession *session);

  void setRange(Range range);
  // Empty: every model / backend.
  void setFilter(const QString &model, const QString &backend);
  void setPaused(bool paused);
  bool paused() const;

  const models::TrafficModel *model(Chart chart) const;
  TrafficChart *chart(Chart chart) const;
  // The filter choices offered (model names, backend ids), without the "all" entry.
  QStringList modelChoices() const;
  QStringList backendChoices() const;
  QString statusText() const;

protected:
  void changeEvent(QEvent *event) override;

private:
  void bindLive();
  void reloadAll();
  void refillFilters();
  void retranslateUi();

  models::NodeSession *m_session = nullptr;
  std::array<std::unique_ptr<models::TrafficModel>, kChartCount> m_models;
  std::array<TrafficChart *, kChartCount> m_charts{};
  QComboBox *m_range = nullptr;
  QComboBox *m_model = nullptr;
  QComboBox *m_backend = nullptr;
  QPushButton *m_pause = nullptr;
  QLabel *m_status = nullptr;
  QMetaObject::Connection m_metricsConnection, m_nodeConnection, m_stateConnection;
};

}  // namespace lmfront::widgets
