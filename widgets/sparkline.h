// Sparkline: a small line of a series' recent values, newest at the right, custom-painted (no
// chart library) so a page can show many of them cheaply.
//
// Contract: setValues() takes the values oldest first; NaN (or infinity) is a gap — the line
// breaks there, and a value with gaps on both sides is drawn as a dot. The vertical scale runs
// from the finite values' minimum (bottom) to their maximum (top); a flat series is drawn at mid
// height. `span` is how many samples the width stands for (the source's capacity), so a short
// history grows in from the right instead of stretching; fewer than 2 means the values' count.
// Empty or all-gap series paint nothing. segments() is what paintEvent() draws, for tests.
#pragma once

#include <QColor>
#include <QList>
#include <QPolygonF>
#include <QWidget>
#include <optional>
#include <utility>
#include <vector>

namespace lmfront::widgets {

class Sparkline : public QWidget {
  Q_OBJECT
public:
  explicit Sparkline(QWidget *parent = nullptr);

  void setValues(std::vector<double> values, int span = 0);
  const std::vector<double> &values() const { return m_values; }
  int span() const { return m_span; }
  // How many values are drawn (not gaps).
  int pointCount() const;
  // The finite values' minimum and maximum; none when there is no finite value.
  std::optional<std::pair<double, double>> range() const;
  // The runs of consecutive finite values mapped into `area`, one polygon per run.
  QList<QPolygonF> segments(const QRectF &area) const;

  void setColor(const QColor &color);
  QColor color() const { return m_color; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

protected:
  void paintEvent(QPaintEvent *event) override;

private:
  std::vector<double> m_values;
  int m_span = 0;
  QColor m_color;
};

}  // namespace lmfront::widgets
