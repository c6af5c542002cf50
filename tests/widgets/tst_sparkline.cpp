// Sparkline: what it draws — runs broken at NaN gaps, scaled from the minimum (bottom) to the
// maximum (top), a short history anchored right — and that an empty series draws nothing.
#include "widgets/sparkline.h"

#include <QImage>
#include <QTest>
#include <cmath>
#include <limits>

using lmfront::widgets::Sparkline;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QRectF kArea(0, 0, 100, 50);
}  // namespace

class TestSparkline : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void emptySeriesDrawsNothing() {
    Sparkline line;
    QCOMPARE(line.pointCount(), 0);
    QVERIFY(!line.range());
    QVERIFY(line.segments(kArea).isEmpty());
    line.setValues({kNaN, kNaN}, 10);
    QCOMPARE(line.pointCount(), 0);
    QVERIFY(!line.range());
    QVERIFY(line.segments(kArea).isEmpty());

    line.resize(120, 40);
    QImage image(line.size(), QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    line.render(&image, {}, {}, QWidget::DrawChildren);
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) QCOMPARE(qAlpha(image.pixel(x, y)), 0);
  }

  void scalesFromMinimumToMaximum() {
    Sparkline line;
    line.setValues({10, 30, 20});
    QVERIFY(line.range());
    QCOMPARE(*line.range(), std::make_pair(10.0, 30.0));
    const QList<QPolygonF> runs = line.segments(kArea);
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs[0], QPolygonF({QPointF(0, 50), QPointF(50, 0), QPointF(100, 25)}));

    line.setValues({7, 7});  // flat: mid height, not pinned to an edge
    QCOMPARE(line.segments(kArea).at(0), QPolygonF({QPointF(0, 25), QPointF(100, 25)}));
  }

  void gapsBreakTheLine() {
    Sparkline line;
    line.setValues({1, kNaN, 2, 3, std::numeric_limits<double>::infinity(), kNaN, 5, kNaN});
    QCOMPARE(line.pointCount(), 4);
    QVERIFY(line.range());
    QCOMPARE(*line.range(), std::make_pair(1.0, 5.0));
    const QList<QPolygonF> runs = line.segments(QRectF(0, 0, 70, 40));
    QCOMPARE(runs.size(), 3);
    QCOMPARE(runs[0], QPolygonF({QPointF(0, 40)}));  // a lone value: drawn as a dot
    QCOMPARE(runs[1], QPolygonF({QPointF(20, 30), QPointF(30, 20)}));
    QCOMPARE(runs[2], QPolygonF({QPointF(60, 0)}));
  }

  void shortHistoryGrowsInFromTheRight() {
    Sparkline line;
    line.setValues({0, 4}, 5);  // 2 of 5 samples: the right quarter of the width
    QCOMPARE(line.segments(kArea).at(0), QPolygonF({QPointF(75, 50), QPointF(100, 0)}));
    line.setValues({3}, 5);
    QCOMPARE(line.segments(kArea).at(0), QPolygonF({QPointF(100, 25)}));
  }

  void paintsTheLine() {
    Sparkline line;
    line.resize(120, 40);
    line.setColor(Qt::red);
    line.setValues({0, 1, 0, 1});
    QImage image(line.size(), QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    line.render(&image, {}, {}, QWidget::DrawChildren);
    int inked = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x)
        if (qAlpha(image.pixel(x, y)) > 0) ++inked;
    QVERIFY2(inked > 100, qPrintable(QString::number(inked)));
  }
};

QTEST_MAIN(TestSparkline)
#include "tst_sparkline.moc"
