// AlertsPerDayChart: alerts that began firing per day, one bar per day stacked by severity
// (critical, warning, info), painted directly — a dozen rectangles need no chart library. Days
// with nothing show an empty slot, so gaps read as quiet days. Hovering a bar shows its counts.
//
// Contract: a view of the days it is given (setDays(); AlertSummary::days() fills the quiet ones).
// No state besides them; re-translates its legend on QEvent::LanguageChange.
#pragma once

#include "models/alerthistorymodel.h"

#include <QWidget>

namespace lmfront::widgets {

class AlertsPerDayChart : public QWidget {
  Q_OBJECT
public:
  explicit AlertsPerDayChart(QWidget *parent = nullptr);

  void setDays(const QList<models::AlertSummary::Day> &days);
  const QList<models::AlertSummary::Day> &days() const { return m_days; }
  int maxTotal() const;  // the tallest bar's count

  QSize sizeHint() const override { return {600, 200}; }
  QSize minimumSizeHint() const override { return {240, 140}; }

  static QColor colorFor(int severityRank);  // 0 critical, 1 warning, 2 info

protected:
  void paintEvent(QPaintEvent *event) override;
  bool event(QEvent *event) override;

private:
  QRectF plotArea() const;
  int dayAt(const QPointF &pos) const;  // -1 outside the bars

  QList<models::AlertSummary::Day> m_days;
};

}  // namespace lmfront::widgets
