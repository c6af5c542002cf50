#include "widgets/scoreview.h"

#include <QEvent>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <cmath>

namespace lmfront::widgets {

namespace {
constexpr int kPadX = 7;
constexpr int kPadY = 4;
constexpr int kGapX = 5;
constexpr int kGapY = 7;
constexpr int kMargin = 4;
constexpr qreal kRadius = 5;
constexpr int kMaxChipChars = 40;  // a pathological "token" must not make one chip wider than the view

QString percent(const QLocale &locale, double log10Prob) {
  const double p = std::pow(10.0, log10Prob);
  return p >= 0.001 ? locale.toString(p * 100, 'f', 2) + QStringLiteral(" %") : locale.toString(p, 'e', 2);
}
}  // namespace

ScoreView::ScoreView(QWidget *parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
  QFont f = font();
  f.setPointSizeF(f.pointSizeF() * 1.15);
  setFont(f);
}

QColor ScoreView::colorFor(double log10Prob, bool oov) {
  if (oov) return oovColor();
  // Linear in log10 P between the two ends: hue 120 (green) for likely down to 0 (red).
  double t = (log10Prob - kUnlikely) / (kLikely - kUnlikely);
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  return QColor::fromHsv(static_cast<int>(std::lround(t * 120)), 125, 248);
}

QColor ScoreView::oovColor() { return {0xe2, 0xd3, 0xf5}; }

void ScoreView::setTokens(const QList<client::ScoredToken> &tokens) {
  m_tokens = tokens;
  m_hover = -1;
  layoutChips(width(), &m_rects);
  updateGeometry();
  update();
}

QString ScoreView::label(int i) const {
  QString text = m_tokens[i].token;
  if (text.size() > kMaxChipChars) text = text.left(kMaxChipChars - 1) + QChar(0x2026);
  return text;
}

int ScoreView::layoutChips(int width, QList<QRect> *rects) const {
  const QFontMetrics fm(font());
  const int chipHeight = fm.height() + 2 * kPadY;
  const int usable = std::max(width - 2 * kMargin, 40);
  int x = kMargin;
  int y = kMargin;
  if (rects) rects->clear();
  for (int i = 0; i < tokenCount(); ++i) {
    const int w = std::min(fm.horizontalAdvance(label(i)) + 2 * kPadX, usable);
    if (x > kMargin && x + w > kMargin + usable) {
      x = kMargin;
      y += chipHeight + kGapY;
    }
    if (rects) rects->append(QRect(x, y, w, chipHeight));
    x += w + kGapX;
  }
  return m_tokens.isEmpty() ? 0 : y + chipHeight + kMargin;
}

int ScoreView::heightForWidth(int width) const { return layoutChips(width, nullptr); }

QSize ScoreView::sizeHint() const { return {400, std::max(heightForWidth(400), 40)}; }

QSize ScoreView::minimumSizeHint() const { return {100, 40}; }

void ScoreView::resizeEvent(QResizeEvent *event) {
  layoutChips(width(), &m_rects);
  QWidget::resizeEvent(event);
}

int ScoreView::tokenAt(const QPoint &pos) const {
  for (qsizetype i = 0; i < m_rects.size(); ++i)
    if (m_rects[i].contains(pos)) return static_cast<int>(i);
  return -1;
}

QString ScoreView::toolTipFor(int i) const {
  if (i < 0 || i >= tokenCount()) return {};
  const client::ScoredToken &t = m_tokens[i];
  const QLocale locale;
  QStringList lines;
  lines << tr("token: %1").arg(t.token.toHtmlEscaped());
  lines << tr("log10 P: %1").arg(locale.toString(t.log10Prob, 'f', 3));
  lines << tr("P: %1").arg(percent(locale, t.log10Prob));
  if (t.oov)
    lines << tr("out of vocabulary: the model has never seen this word");
  else if (t.ngram >= 0)
    lines << tr("matched n-gram: %1-gram").arg(t.ngram);
  if (!t.alternatives.isEmpty()) lines << tr("alternatives:");
  for (const client::TokenAlternative &a : t.alternatives)
    lines << QStringLiteral("  %1  %2").arg(a.token.toHtmlEscaped(), percent(locale, a.log10Prob));
  return QStringLiteral("<p style='white-space:pre'>") + lines.join(QStringLiteral("<br>")) + QStringLiteral("</p>");
}

bool ScoreView::event(QEvent *event) {
  if (event->type() == QEvent::ToolTip) {
    auto *help = static_cast<QHelpEvent *>(event);
    const int i = tokenAt(help->pos());
    if (i >= 0) {
      QToolTip::showText(help->globalPos(), toolTipFor(i), this, m_rects[i]);
    } else {
      QToolTip::hideText();
      event->ignore();
    }
    return true;
  }
  return QWidget::event(event);
}

void ScoreView::mouseMoveEvent(QMouseEvent *event) {
  const int i = tokenAt(event->position().toPoint());
  if (i != m_hover) {
    m_hover = i;
    update();
  }
  QWidget::mouseMoveEvent(event);
}

void ScoreView::leaveEvent(QEvent *event) {
  m_hover = -1;
  update();
  QWidget::leaveEvent(event);
}

void ScoreView::paintEvent(QPaintEvent *) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  for (int i = 0; i < tokenCount() && i < m_rects.size(); ++i) {
    const client::ScoredToken &t = m_tokens[i];
    const QRectF r = QRectF(m_rects[i]).adjusted(0.5, 0.5, -0.5, -0.5);
    const QColor fill = colorFor(t.log10Prob, t.oov);
    QPen border(fill.darker(i == m_hover ? 170 : 130), i == m_hover ? 2 : 1);
    if (t.oov) border.setStyle(Qt::DashLine);
    p.setPen(border);
    p.setBrush(fill);
    p.drawRoundedRect(r, kRadius, kRadius);
    QFont f = font();
    f.setItalic(t.oov);
    p.setFont(f);
    p.setPen(t.oov ? QColor(0x4a, 0x23, 0x7a) : QColor(0x1f, 0x29, 0x33));
    p.drawText(r, Qt::AlignCenter, label(i));
  }
}

ScoreLegend::ScoreLegend(QWidget *parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

QSize ScoreLegend::sizeHint() const { return {520, fontMetrics().height() * 2 + 16}; }

void ScoreLegend::paintEvent(QPaintEvent *) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QFontMetrics fm = fontMetrics();
  const int barH = 12;
  const QString likely = tr("likely");
  const QString unlikely = tr("unlikely");
  const QString oov = tr("not in vocabulary");
  int x = 0;
  const int barY = 2;
  p.setPen(palette().color(QPalette::WindowText));
  p.drawText(QRect(x, barY - 2, fm.horizontalAdvance(likely), barH + 4), Qt::AlignVCenter, likely);
  x += fm.horizontalAdvance(likely) + 8;
  const int barW = std::max(120, width() - x - fm.horizontalAdvance(unlikely) - fm.horizontalAdvance(oov) - 70);
  QLinearGradient g(x, 0, x + barW, 0);
  for (int s = 0; s <= 10; ++s) {
    const double v = ScoreView::kLikely + (ScoreView::kUnlikely - ScoreView::kLikely) * s / 10.0;
    g.setColorAt(s / 10.0, ScoreView::colorFor(v, false));
  }
  p.setPen(QColor(0xc4, 0xcb, 0xd3));
  p.setBrush(g);
  p.drawRoundedRect(QRectF(x, barY, barW, barH), 4, 4);
  // Ticks at whole log10 values, labelled underneath.
  p.setPen(palette().color(QPalette::PlaceholderText));
  for (int v = -1; v >= -5; --v) {
    const double t = (v - ScoreView::kLikely) / (ScoreView::kUnlikely - ScoreView::kLikely);
    const int tx = x + static_cast<int>(t * barW);
    p.drawLine(tx, barY + barH, tx, barY + barH + 3);
    const QString text = QString::number(v);
    p.drawText(QRect(tx - 20, barY + barH + 3, 40, fm.height()), Qt::AlignHCenter | Qt::AlignTop, text);
  }
  x += barW + 8;
  p.setPen(palette().color(QPalette::WindowText));
  p.drawText(QRect(x, barY - 2, fm.horizontalAdvance(unlikely), barH + 4), Qt::AlignVCenter, unlikely);
  x += fm.horizontalAdvance(unlikely) + 24;
  QPen dashed(ScoreView::oovColor().darker(130));
  dashed.setStyle(Qt::DashLine);
  p.setPen(dashed);
  p.setBrush(ScoreView::oovColor());
  p.drawRoundedRect(QRectF(x, barY, 22, barH), 3, 3);
  x += 28;
  p.setPen(palette().color(QPalette::WindowText));
  p.drawText(QRect(x, barY - 2, fm.horizontalAdvance(oov) + 2, barH + 4), Qt::AlignVCenter, oov);
}

}  // namespace lmfront::widgets
