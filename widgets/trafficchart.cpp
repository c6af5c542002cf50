#include "widgets/trafficchart.h"

#include "models/trafficmodel.h"

#include <QAreaSeries>
#include <QChart>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace lmfront::widgets {

namespace {

using Chart = models::TrafficModel::Chart;

// The smallest 1, 2 or 5 × 10^k at or above v: the value axis moves rarely and reads well.
double niceCeiling(double v) {
  if (!(v > 0)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(v)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= v) return m * power;
  return 10 * power;
}

}  // namespace

TrafficChart::TrafficChart(const models::TrafficModel *model, Style style, QWidget *parent)
    : QChartView(new QChart, parent), m_model(model), m_style(style) {
  QChart *c = chart();
  c->legend()->setAlignment(Qt::AlignBottom);
  c->setMargins(QMargins(4, 4, 4, 4));
  c->setAnimationOptions(QChart::NoAnimation);
  m_x = new QDateTimeAxis(c);
  m_y = new QValueAxis(c);
  m_y->setLabelFormat(QStringLiteral("%.4g"));
  c->addAxis(m_x, Qt::AlignBottom);
  c->addAxis(m_y, Qt::AlignLeft);
  setRenderHint(QPainter::Antialiasing);
  setMinimumSize(320, 200);

  using M = models::TrafficModel;
  connect(model, &M::modelReset, this, &TrafficChart::rebuild);
  connect(model, &M::columnsInserted, this, [this](const QModelIndex &, int first, int last) {
    addLines(first, last);
    fitAxes();
  });
  connect(model, &M::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
    appendRows(first, last);
    fitAxes();
  });
  connect(model, &M::dataChanged, this, [this] {
    updateLastRow();
    fitAxes();
  });
  connect(model, &M::rowsRemoved, this, [this] {
    dropFront();
    fitAxes();
  });
  rebuild();
}

void TrafficChart::setTitle(const QString &title) { chart()->setTitle(title); }

QString TrafficChart::title() const { return chart()->title(); }

int TrafficChart::lineCount() const { return static_cast<int>(m_series.size()); }

QString TrafficChart::lineName(int line) const {
  return line >= 1 && line <= m_series.size() ? m_series[line - 1]->name() : QString();
}

QXYSeries *TrafficChart::edge(int line) const {
  QAbstractSeries *s = m_series[line - 1];
  if (auto *area = qobject_cast<QAreaSeries *>(s)) return area->upperSeries();
  return qobject_cast<QXYSeries *>(s);
}

QXYSeries *TrafficChart::lower(int line) const {
  auto *area = qobject_cast<QAreaSeries *>(m_series[line - 1]);
  return area ? area->lowerSeries() : nullptr;
}

QList<QPointF> TrafficChart::points(int line) const {
  return line >= 1 && line <= m_series.size() ? edge(line)->points() : QList<QPointF>();
}

const QObject *TrafficChart::seriesObject(int line) const {
  return line >= 1 && line <= m_series.size() ? m_series[line - 1] : nullptr;
}

bool TrafficChart::pointAt(int line, int row, QPointF *top, QPointF *base) const {
  const double t = m_model->value(row, models::TrafficModel::kTimeColumn);
  const double v = m_model->value(row, line);
  if (m_style == Style::Lines) {
    if (std::isnan(v)) return false;
    *top = QPointF(t, v);
    return true;
  }
  double below = 0;
  for (int l = 1; l < line; ++l)
    if (const double b = m_model->value(row, l); !std::isnan(b)) below += b;
  *base = QPointF(t, below);
  *top = QPointF(t, below + (std::isnan(v) ? 0 : v));
  return true;
}

void TrafficChart::rebuild() {
  chart()->removeAllSeries();
  m_series.clear();
  addLines(1, m_model->columnCount() - 1);
  fitAxes();
}

void TrafficChart::addLines(int first, int last) {
  for (int line = std::max(first, 1); line <= last; ++line) {
    QList<QPointF> tops, bases;
    for (int row = 0; row < m_model->rowCount(); ++row) {
      QPointF top, base;
      if (!pointAt(line, row, &top, &base)) continue;
      tops.append(top);
      bases.append(base);
    }
    QAbstractSeries *series = nullptr;
    if (m_style == Style::Stacked) {
      auto *upper = new QLineSeries;
      auto *lowerEdge = new QLineSeries;
      upper->replace(tops);
      lowerEdge->replace(bases);
      auto *area = new QAreaSeries(upper, lowerEdge);
      upper->setParent(area);  // an area series does not own its edges
      lowerEdge->setParent(area);
      connect(area, &QAreaSeries::hovered, this, [this, line](const QPointF &p, bool state) {
        if (state) QToolTip::showText(QCursor::pos(), hover(line, p.x()), this);
      });
      series = area;
    } else {
      auto *l = new QLineSeries;
      l->replace(tops);
      connect(l, &QLineSeries::hovered, this, [this, line](const QPointF &p, bool state) {
        if (state) QToolTip::showText(QCursor::pos(), hover(line, p.x()), this);
      });
      series = l;
    }
    series->setName(m_model->lineName(line));
    chart()->addSeries(series);
    series->attachAxis(m_x);
    series->attachAxis(m_y);
    m_series.append(series);
  }
}

void TrafficChart::appendRows(int first, int last) {
  for (int line = 1; line <= m_series.size(); ++line) {
    QXYSeries *top = edge(line);
    QXYSeries *base = lower(line);
    for (int row = first; row <= last; ++row) {
      QPointF t, b;
      if (!pointAt(line, row, &t, &b)) continue;
      top->append(t);
      if (base) base->append(b);
    }
  }
}

void TrafficChart::updateLastRow() {
  const int row = m_model->rowCount() - 1;
  if (row < 0) return;
  const double t = m_model->value(row, models::TrafficModel::kTimeColumn);
  for (int line = 1; line <= m_series.size(); ++line) {
    QXYSeries *top = edge(line);
    QXYSeries *base = lower(line);
    const int n = static_cast<int>(top->count());
    const bool has = n > 0 && top->at(n - 1).x() == t;
    QPointF p, b;
    const bool value = pointAt(line, row, &p, &b);
    if (has && value) {
      top->replace(n - 1, p);
      if (base) base->replace(n - 1, b);
    } else if (has) {
      top->remove(n - 1);
      if (base) base->remove(n - 1);
    } else if (value) {
      top->append(p);
      if (base) base->append(b);
    }
  }
}

void TrafficChart::dropFront() {
  const double first = m_model->rowCount() > 0 ? m_model->value(0, models::TrafficModel::kTimeColumn)
                                               : std::numeric_limits<double>::infinity();
  for (int line = 1; line <= m_series.size(); ++line) {
    QXYSeries *top = edge(line);
    int n = 0;
    while (n < top->count() && top->at(n).x() < first) ++n;
    if (n == 0) continue;
    top->removePoints(0, n);
    if (QXYSeries *base = lower(line)) base->removePoints(0, n);
  }
}

void TrafficChart::fitAxes() {
  const int rows = m_model->rowCount();
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  const qint64 last = rows > 0 ? static_cast<qint64>(m_model->value(rows - 1, 0)) : now;
  const qint64 end = std::max(now, last);
  m_x->setRange(QDateTime::fromMSecsSinceEpoch(end - m_model->rangeMs()), QDateTime::fromMSecsSinceEpoch(end));
  const qint64 range = m_model->rangeMs();
  m_x->setFormat(range > 24 * 3'600'000LL ? QStringLiteral("MM-dd")
                 : range > 3'600'000LL    ? QStringLiteral("HH:mm")
                                          : QStringLiteral("HH:mm:ss"));
  double top = 0;
  if (m_model->chart() == Chart::CacheHitRatio) {
    top = 1;
  } else {
    for (int line = 1; line <= m_series.size(); ++line) {
      const QXYSeries *s = edge(line);
      for (int i = 0; i < s->count(); ++i) top = std::max(top, s->at(i).y());
    }
    top = niceCeiling(top * 1.05);
  }
  if (top != m_yTop) {
    m_yTop = top;
    m_y->setRange(0, top);
  }
}

QString TrafficChart::hover(int line, double x) {
  if (line < 1 || line > m_series.size()) return {};
  int best = -1;
  for (int row = 0; row < m_model->rowCount(); ++row)
    if (!std::isnan(m_model->value(row, line)) &&
        (best < 0 || std::abs(m_model->value(row, 0) - x) < std::abs(m_model->value(best, 0) - x)))
      best = row;
  if (best < 0) return {};
  const QDateTime at = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(m_model->value(best, 0)));
  const QString when = at.toString(m_model->rangeMs() > 24 * 3'600'000LL ? u"MM-dd HH:mm"_qs : u"HH:mm:ss"_qs);
  m_hoverText =
      tr("%1: %2 at %3").arg(m_model->lineName(line), QString::number(m_model->value(best, line), 'g', 4), when);
  return m_hoverText;
}

}  // namespace lmfront::widgets
