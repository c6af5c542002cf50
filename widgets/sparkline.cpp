#include "widgets/sparkline.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace lmfront::widgets {

namespace {
constexpr qreal kPenWidth = 1.5;
constexpr qreal kDotRadius = 1.5;
}  // namespace

Sparkline::Sparkline(QWidget *parent) : QWidget(parent), m_color(0x2f, 0x7d, 0xd1) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void Sparkline::setValues(std::vector<double> values, int span) {
  m_values = std::move(values);
  m_span = span;
  update();
}

void Sparkline::setColor(const QColor &color) {
  m_color = color;
  update();
}

int Sparkline::pointCount() const {
  return static_cast<int>(std::count_if(m_values.begin(), m_values.end(), [](double v) { return std::isfinite(v); }));
}

std::optional<std::pair<double, double>> Sparkline::range() const {
  std::optional<std::pair<double, double>> r;
  for (double v : m_values) {
    if (!std::isfinite(v)) continue;
    if (!r)
      r = std::make_pair(v, v);
    else
      r = std::make_pair(std::min(r->first, v), std::max(r->second, v));
  }
  return r;
}

QList<QPolygonF> Sparkline::segments(const QRectF &area) const {
  QList<QPolygonF> out;
  const auto r = range();
  if (!r) return out;
  const int count = static_cast<int>(m_values.size());
  const int span = std::max(m_span, count);
  // The newest value sits on the right edge; with a span of 1 it is the only x there is.
  const qreal step = span > 1 ? area.width() / (span - 1) : 0;
  const int offset = span - count;
  const double spread = r->second - r->first;
  auto y = [&](double v) {
    if (spread <= 0) return area.center().y();
    return area.bottom() - (v - r->first) / spread * area.height();
  };
  QPolygonF run;
  for (int i = 0; i < count; ++i) {
    const double v = m_values[static_cast<size_t>(i)];
    if (!std::isfinite(v)) {
      if (!run.isEmpty()) out.append(std::exchange(run, {}));
      continue;
    }
    const qreal x = span > 1 ? area.left() + (offset + i) * step : area.right();
    run.append(QPointF(x, y(v)));
  }
  if (!run.isEmpty()) out.append(run);
  return out;
}

QSize Sparkline::sizeHint() const { return {160, 36}; }

QSize Sparkline::minimumSizeHint() const { return {40, 24}; }

void Sparkline::paintEvent(QPaintEvent *) {
  const qreal inset = kPenWidth + kDotRadius;
  const QRectF area = QRectF(rect()).adjusted(inset, inset, -inset, -inset);
  if (area.width() <= 0 || area.height() <= 0) return;
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  QColor color = m_color;
  if (!isEnabled()) color.setAlphaF(0.35f);  // a disabled line is old data: drawn faded
  painter.setPen(QPen(color, kPenWidth, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  painter.setBrush(color);
  for (const QPolygonF &run : segments(area)) {
    if (run.size() == 1)
      painter.drawEllipse(run.first(), kDotRadius, kDotRadius);
    else
      painter.drawPolyline(run);
  }
}

}  // namespace lmfront::widgets
