// SamplingParamsForm without a node: what the fields show becomes the request's sampling fields,
// stop lines are unescaped, an empty seed is none, and the labels re-translate. Offscreen.
#include "../support/widgetchild.h"
#include "widgets/languagemanager.h"
#include "widgets/samplingparamsform.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTest>

using namespace lmfront;
using testing::child;
using widgets::SamplingParamsForm;

class TestSamplingParamsForm : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void defaultsAreTheApiDefaults() {
    SamplingParamsForm form;
    client::GenerationParams p;
    p.maxTokens = 1;
    p.seed = 9;
    p.stop = {QStringLiteral("x")};
    form.fill(p);
    const client::GenerationParams defaults;
    QCOMPARE(p.maxTokens, defaults.maxTokens);
    QCOMPARE(p.temperature, defaults.temperature);
    QCOMPARE(p.topK, defaults.topK);
    QCOMPARE(p.topP, defaults.topP);
    QVERIFY(!p.seed.has_value());  // empty field: the node picks one
    QVERIFY(p.stop.isEmpty());
  }

  void fieldsBecomeTheRequest() {
    SamplingParamsForm form;
    child<QSpinBox>(&form, "maxTokens")->setValue(12);
    child<QDoubleSpinBox>(&form, "temperature")->setValue(0.4);
    child<QSpinBox>(&form, "topK")->setValue(40);
    child<QDoubleSpinBox>(&form, "topP")->setValue(0.9);
    child<QLineEdit>(&form, "seed")->setText(QStringLiteral("123456789012345"));
    child<QPlainTextEdit>(&form, "stopStrings")->setPlainText(QStringLiteral("\\n\n\nEND\n"));
    client::GenerationParams p;
    p.model = QStringLiteral("fortunes");
    p.prompt = QStringLiteral("the");
    form.fill(p);
    QCOMPARE(p.model, QStringLiteral("fortunes"));  // not the form's business
    QCOMPARE(p.prompt, QStringLiteral("the"));
    QCOMPARE(p.maxTokens, 12);
    QCOMPARE(p.temperature, 0.4);
    QCOMPARE(p.topK, 40);
    QCOMPARE(p.topP, 0.9);
    QCOMPARE(p.seed, std::optional<qint64>(123456789012345));
    QCOMPARE(p.stop, QStringList({QStringLiteral("\n"), QStringLiteral("END")}));

    form.setSeed(5);
    form.setMaxTokens(48);
    form.fill(p);
    QCOMPARE(p.seed, std::optional<qint64>(5));
    QCOMPARE(p.maxTokens, 48);
  }

  void seedTakesDigitsOnly() {
    SamplingParamsForm form;
    auto *seed = child<QLineEdit>(&form, "seed");
    QTest::keyClicks(seed, QStringLiteral("4x2-"));
    QCOMPARE(seed->text(), QStringLiteral("42"));
  }

  void stopLinesAreUnescaped() {
    QCOMPARE(SamplingParamsForm::parseStopStrings(QString()), QStringList());
    QCOMPARE(SamplingParamsForm::parseStopStrings(QStringLiteral("a\\tb")), QStringList({QStringLiteral("a\tb")}));
    QCOMPARE(SamplingParamsForm::parseStopStrings(QStringLiteral("\\\\n")), QStringList({QStringLiteral("\\n")}));
    QCOMPARE(SamplingParamsForm::parseStopStrings(QStringLiteral("\\x")), QStringList({QStringLiteral("\\x")}));
    QCOMPARE(SamplingParamsForm::parseStopStrings(QStringLiteral("end\\")), QStringList({QStringLiteral("end\\")}));
    QCOMPARE(SamplingParamsForm::parseStopStrings(QStringLiteral(" \n.")),
             QStringList({QStringLiteral(" "), QStringLiteral(".")}));
  }

  void retranslates() {
    SamplingParamsForm form;
    auto labelTexts = [&form] {
      QStringList texts;
      for (const QLabel *l : form.findChildren<QLabel *>()) texts << l->text();
      return texts;
    };
    QVERIFY(labelTexts().contains(QStringLiteral("Temperature")));
    widgets::LanguageManager language;
    QVERIFY(language.apply(QStringLiteral("zh_CN")));
    QTRY_VERIFY(!labelTexts().contains(QStringLiteral("Temperature")));
    QVERIFY(!labelTexts().contains(QStringLiteral("Parameters")));
    QVERIFY(language.apply(QStringLiteral("en")));
    QTRY_VERIFY(labelTexts().contains(QStringLiteral("Temperature")));
  }
};

QTEST_MAIN(TestSamplingParamsForm)
#include "tst_samplingparamsform.moc"
