#include "widgets/alertsperdaychart.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace lmfront::widgets {

namespace {
constexpr int kLeft = 36, kRight = 12, kTop = 26, kBottom = 24;
}

AlertsPerDayChart::AlertsPerDayChart(QWidget *parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

QColor AlertsPerDayChart::colorFor(int severityRank) {
  switch (severityRank) {
  case 0: return {0xd1, 0x43, 0x43};
  case 1: return {0xe0, 0x9a, 0x1a};
  default: return {0x4a, 0x84, 0xc4};
  }
}

void AlertsPerDayChart::setDays(const QList<models::AlertSummary::Day> &days) {
  m_days = days;
  update();
}

int AlertsPerDayChart::maxTotal() const {
  int most = 0;
  for (const auto &d : m_days) most = std::max(most, d.total());
  return most;
}

QRectF AlertsPerDayChart::plotArea() const {
  return QRectF(kLeft, kTop, std::max(1, width() - kLeft - kRight), std::max(1, height() - kTop - kBottom));
}

int AlertsPerDayChart::dayAt(const QPointF &pos) const {
  const QRectF area = plotArea();
  if (m_days.isEmpty() || !area.contains(pos)) return -1;
  return std::clamp(static_cast<int>((pos.x() - area.left()) / (area.width() / m_days.size())), 0,
                    static_cast<int>(m_days.size()) - 1);
}

void AlertsPerDayChart::paintEvent(QPaintEvent *) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QRectF area = plotArea();
  const QColor axis(0xc4, 0xca, 0xd1), text(0x5b, 0x68, 0x75);

  // Legend, top left.
  const QString names[] = {tr("critical"), tr("warning"), tr("info")};
  qreal x = kLeft;
  p.setPen(text);
  for (int s = 0; s < 3; ++s) {
    p.fillRect(QRectF(x, 8, 10, 10), colorFor(s));
    const QString label = names[s];
    p.drawText(QPointF(x + 14, 17), label);
    x += 14 + p.fontMetrics().horizontalAdvance(label) + 16;
  }

  const int most = std::max(1, maxTotal());
  // A few whole-number gridlines.
  const int step = std::max(1, static_cast<int>(std::ceil(most / 4.0)));
  const int top = step * static_cast<int>(std::ceil(static_cast<double>(most) / step));
  for (int v = 0; v <= top; v += step) {
    const qreal y = area.bottom() - area.height() * v / top;
    p.setPen(axis);
    p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y));
    p.setPen(text);
    p.drawText(QRectF(0, y - 8, kLeft - 6, 16), Qt::AlignRight | Qt::AlignVCenter, QString::number(v));
  }
  if (m_days.isEmpty()) {
    p.drawText(area, Qt::AlignCenter, tr("No alerts fired in this period"));
    return;
  }

  const qreal slot = area.width() / m_days.size();
  const qreal bar = std::max<qreal>(2, slot * 0.7);
  const int labelEvery = std::max(1, static_cast<int>(std::ceil(70 / slot)));  // a date fits in ~70 px
  for (qsizetype i = 0; i < m_days.size(); ++i) {
    const auto &d = m_days[i];
    const qreal left = area.left() + slot * i + (slot - bar) / 2;
    qreal bottom = area.bottom();
    const int counts[] = {d.critical, d.warning, d.info};
    for (int s = 0; s < 3; ++s) {
      const qreal h = area.height() * counts[s] / top;
      if (h <= 0) continue;
      p.fillRect(QRectF(left, bottom - h, bar, h), colorFor(s));
      bottom -= h;
    }
    if (i % labelEvery == 0) {
      p.setPen(text);
      p.drawText(QRectF(area.left() + slot * i - 20, area.bottom() + 4, slot + 40, kBottom - 4), Qt::AlignHCenter,
                 d.date.toString(QStringLiteral("MM-dd")));
    }
  }
}

bool AlertsPerDayChart::event(QEvent *event) {
  if (event->type() == QEvent::ToolTip) {
    auto *help = static_cast<QHelpEvent *>(event);
    const int i = dayAt(help->pos());
    if (i < 0) {
      QToolTip::hideText();
    } else {
      const auto &d = m_days[i];
      QToolTip::showText(help->globalPos(),
                         tr("%1: %2 critical, %3 warning, %4 info")
                             .arg(d.date.toString(Qt::ISODate))
                             .arg(d.critical)
                             .arg(d.warning)
                             .arg(d.info),
                         this);
    }
    return true;
  }
  if (event->type() == QEvent::LanguageChange) update();
  return QWidget::event(event);
}

}  // namespace lmfront::widgets
