// SamplingParamsForm: the Playground's sampling parameters — max tokens, temperature, top-k,
// top-p, seed and stop strings — as a form card beside the prompt.
//
// Contract: a view that turns what its fields show into request fields; it sends nothing. fill()
// writes the sampling part of a GenerationParams (model, prompt and API are the caller's). An
// empty seed means none (the node picks one). Stop strings are one per non-empty line, with
// "\n", "\t" and "\\" standing for a newline, a tab and a backslash (parseStopStrings()); the
// node, not the form, enforces how many it takes. Re-translates itself on LanguageChange.
#pragma once

#include "client/openaitypes.h"

#include <QFrame>
#include <QStringList>
#include <array>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace lmfront::widgets {

class SamplingParamsForm : public QFrame {
  Q_OBJECT
public:
  explicit SamplingParamsForm(QWidget *parent = nullptr);

  void fill(client::GenerationParams &params) const;
  void setMaxTokens(int tokens);
  void setSeed(qint64 seed);

  static QStringList parseStopStrings(const QString &text);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();

  QLabel *m_title;
  std::array<QLabel *, 6> m_labels{};
  QSpinBox *m_maxTokens;
  QDoubleSpinBox *m_temperature;
  QSpinBox *m_topK;
  QDoubleSpinBox *m_topP;
  QLineEdit *m_seed;
  QPlainTextEdit *m_stop;
  QLabel *m_hint;
};

}  // namespace lmfront::widgets
