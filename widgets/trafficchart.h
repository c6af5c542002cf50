// TrafficChart: one chart of the Traffic view — a Qt Charts view drawing a models::TrafficModel
// (column 0 the time, one line per other column), stacked areas or plain lines, with a sliding
// time axis and a value axis that grows in 1-2-5 steps.
//
// Contract: follows the model's signals incrementally, so a chart updated once a second never
// rebuilds what it already drew: a reset redraws everything; an appended row appends one point
// to each line; a change of the last row replaces (or adds) each line's last point; rows removed
// at the front remove the points they held; a new column adds one series. A line skips the rows
// where its value is NaN (a gap in the data is bridged, never drawn as a false 0); stacked
// charts count such a row as 0 so the areas stay aligned. Hovering a line shows its name, value
// and time as a tooltip (hoverText() is what it showed).
//
// Every use of Qt Charts in the console is in this class: a port to another chart library
// touches trafficchart.{h,cpp} alone. GUI thread only; the model must outlive the chart.
#pragma once

#include <QChartView>
#include <QString>

class QAbstractSeries;
class QDateTimeAxis;
class QValueAxis;
class QXYSeries;

namespace lmfront::models {
class TrafficModel;
}

namespace lmfront::widgets {

class TrafficChart : public QChartView {
  Q_OBJECT
public:
  enum class Style { Lines, Stacked };
  TrafficChart(const models::TrafficModel *model, Style style, QWidget *parent = nullptr);

  void setTitle(const QString &title);
  QString title() const;
  int lineCount() const;
  QString lineName(int line) const;  // line ≥ 1, as the model's columns
  // The points line `line` draws (for a stacked chart: its area's upper edge).
  QList<QPointF> points(int line) const;
  // The series drawing line `line` (the same object for as long as the line exists).
  const QObject *seriesObject(int line) const;
  // Shows the value of line `line` nearest to `x` (unix ms), as hovering it does; returns it.
  QString hover(int line, double x);
  QString hoverText() const { return m_hoverText; }

private:
  QXYSeries *edge(int line) const;   // the line's series, or its area's upper edge
  QXYSeries *lower(int line) const;  // a stacked line's lower edge, else null
  void rebuild();
  void addLines(int first, int last);
  void appendRows(int first, int last);
  void updateLastRow();
  void dropFront();
  // The point line `line` has at `row` and, stacked, the top of the lines below it there.
  bool pointAt(int line, int row, QPointF *top, QPointF *base) const;
  void fitAxes();

  const models::TrafficModel *m_model;
  const Style m_style;
  QDateTimeAxis *m_x = nullptr;
  QValueAxis *m_y = nullptr;
  QList<QAbstractSeries *> m_series;  // one per line, in column order
  double m_yTop = 0;
  QString m_hoverText;
};

}  // namespace lmfront::widgets
