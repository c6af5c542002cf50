// SamplingParamsForm without a node: what the fields show becomes the request's sampling fields,
// stop lines are unescaped, an empty seed is none, the "More" group holds every other control of
// engine::samplingParams() with the table's range, default and meaning and sends only what
// differs from the default, log-probabilities are off until set, and the labels re-translate.
// Offscreen.
#include "../support/widgetchild.h"
#include "engine/samplingparams.h"
#include "widgets/languagemanager.h"
#include "widgets/samplingparamsform.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTest>
#include <QToolButton>
#include <string>

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

  void moreGroupIsTheTable() {
    SamplingParamsForm form;
    form.show();
    QVERIFY(!form.isMoreShown());
    int controls = 0;
    for (const engine::SamplingParamSpec &spec : engine::samplingParams()) {
      const QString api = QString::fromUtf8(spec.api.data(), static_cast<qsizetype>(spec.api.size()));
      if (api == QLatin1String("temperature") || api == QLatin1String("top_p") || api == QLatin1String("top_k"))
        continue;  // the card's own rows
      ++controls;
      auto *field = form.findChild<QWidget *>(api);
      QVERIFY2(field, qPrintable(api));
      QVERIFY(!field->isVisible());  // collapsed until "More" is opened
      const QString meaning = QString::fromUtf8(spec.meaning.data(), static_cast<qsizetype>(spec.meaning.size()));
      QVERIFY2(field->toolTip().startsWith(meaning), qPrintable(api + QLatin1String(": ") + field->toolTip()));
      if (auto *box = qobject_cast<QDoubleSpinBox *>(field)) {
        QCOMPARE(spec.type, engine::ParamType::Number);
        QCOMPARE(box->maximum(), spec.max);
        QVERIFY(spec.minExclusive ? box->minimum() > spec.min : box->minimum() == spec.min);
        QCOMPARE(box->value(), std::stod(std::string(spec.defaultText)));
      } else if (auto *integer = qobject_cast<QSpinBox *>(field)) {
        QCOMPARE(spec.type, engine::ParamType::Integer);
        QCOMPARE(integer->maximum(), spec.max);
        QCOMPARE(integer->value(), std::stod(std::string(spec.defaultText)));
      } else {
        QCOMPARE(spec.type, engine::ParamType::Switch);
        QCOMPARE(qobject_cast<QCheckBox *>(field)->isChecked(), spec.defaultText == "true");
      }
    }
    QVERIFY(controls >= 6);  // min_p, three penalties, min_tokens, ignore_eos
    QTest::mouseClick(child<QToolButton>(&form, "moreButton"), Qt::LeftButton);
    QVERIFY(form.isMoreShown());
    QVERIFY(child<QWidget>(&form, "presence_penalty")->isVisible());
  }

  void onlyWhatDiffersFromTheDefaultIsSent() {
    SamplingParamsForm form;
    client::GenerationParams p;
    p.sampling.insert(QStringLiteral("stale"), 1);
    form.fill(p);
    QVERIFY(p.sampling.isEmpty());
    QVERIFY(!p.logprobs.has_value());
    child<QDoubleSpinBox>(&form, "presence_penalty")->setValue(1.5);
    child<QDoubleSpinBox>(&form, "repetition_penalty")->setValue(1.2);
    child<QSpinBox>(&form, "min_tokens")->setValue(4);
    child<QCheckBox>(&form, "ignore_eos")->setChecked(true);
    form.setLogprobs(0);  // the chosen token alone is a valid request too
    form.fill(p);
    QCOMPARE(p.sampling.value(QLatin1String("presence_penalty")), QJsonValue(1.5));
    QCOMPARE(p.sampling.value(QLatin1String("repetition_penalty")), QJsonValue(1.2));
    QCOMPARE(p.sampling.value(QLatin1String("min_tokens")), QJsonValue(4));
    QCOMPARE(p.sampling.value(QLatin1String("ignore_eos")), QJsonValue(true));
    QCOMPARE(p.sampling.size(), 4);
    QCOMPARE(p.logprobs, std::optional<int>(0));
    child<QDoubleSpinBox>(&form, "repetition_penalty")->setValue(1);
    child<QCheckBox>(&form, "ignore_eos")->setChecked(false);
    form.setLogprobs(-1);
    form.fill(p);
    QCOMPARE(p.sampling.keys(), QStringList({QStringLiteral("min_tokens"), QStringLiteral("presence_penalty")}));
    QVERIFY(!p.logprobs.has_value());
    QCOMPARE(child<QSpinBox>(&form, "logprobs")->maximum(), 5);
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
    QVERIFY(!labelTexts().contains(QStringLiteral("Presence penalty")));
    QVERIFY(!labelTexts().contains(QStringLiteral("Log-probs")));
    QVERIFY(!child<QWidget>(&form, "presence_penalty")->toolTip().contains(QStringLiteral("subtract")));
    QVERIFY(!child<QToolButton>(&form, "moreButton")->text().contains(QStringLiteral("More")));
    QVERIFY(language.apply(QStringLiteral("en")));
    QTRY_VERIFY(labelTexts().contains(QStringLiteral("Temperature")));
    QVERIFY(labelTexts().contains(QStringLiteral("Presence penalty")));
  }
};

QTEST_MAIN(TestSamplingParamsForm)
#include "tst_samplingparamsform.moc"
