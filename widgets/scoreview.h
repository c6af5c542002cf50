// ScoreView: a scored text (POST /v1/score) drawn as token chips, each filled by how likely the
// model found it: green for likely through yellow to red for unlikely, on a log10 scale; words
// the model has never seen (OOV) are violet with a dashed border, whatever their probability.
// Hovering a chip shows the token, its log10 probability (and the probability itself), the
// length of the n-gram that matched when known, and the alternatives a generated token had. ScoreLegend draws the same
// scale as a key.
//
// Contract: a view; setTokens() replaces what is shown. Chips wrap to the widget's width
// (heightForWidth), so put the view in a QScrollArea with widgetResizable. colorFor() is the one
// mapping from probability to colour, shared by the chips and the legend.
#pragma once

#include "client/openaitypes.h"

#include <QColor>
#include <QList>
#include <QRect>
#include <QWidget>

namespace lmfront::widgets {

class ScoreView : public QWidget {
  Q_OBJECT
public:
  // The scale: at or above kLikely is full green, at or below kUnlikely full red.
  static constexpr double kLikely = -0.5;
  static constexpr double kUnlikely = -5.0;

  explicit ScoreView(QWidget *parent = nullptr);

  void setTokens(const QList<client::ScoredToken> &tokens);
  void clear() { setTokens({}); }
  int tokenCount() const { return static_cast<int>(m_tokens.size()); }
  const client::ScoredToken &token(int i) const { return m_tokens[i]; }
  QRect tokenRect(int i) const { return m_rects.value(i); }
  QString toolTipFor(int i) const;
  int tokenAt(const QPoint &pos) const;  // -1 when no chip is there

  static QColor colorFor(double log10Prob, bool oov);
  static QColor oovColor();

  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

protected:
  bool event(QEvent *event) override;
  void paintEvent(QPaintEvent *event) override;
  void resizeEvent(QResizeEvent *event) override;
  void mouseMoveEvent(QMouseEvent *event) override;
  void leaveEvent(QEvent *event) override;

private:
  QString label(int i) const;
  // Lays the chips out for `width`; returns the total height.
  int layoutChips(int width, QList<QRect> *rects) const;

  QList<client::ScoredToken> m_tokens;
  QList<QRect> m_rects;
  int m_hover = -1;
};

// The colour key: a gradient from likely to unlikely with log10 ticks, and the OOV swatch.
class ScoreLegend : public QWidget {
  Q_OBJECT
public:
  explicit ScoreLegend(QWidget *parent = nullptr);
  QSize sizeHint() const override;

protected:
  void paintEvent(QPaintEvent *event) override;
};

}  // namespace lmfront::widgets
