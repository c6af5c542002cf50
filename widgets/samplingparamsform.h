// SamplingParamsForm: the Playground's sampling parameters — max tokens, temperature, top-k,
// top-p, seed, stop strings and log-probabilities — as a form card beside the prompt, with the
// other controls of engine::samplingParams() (penalties, min_p, min_tokens, ignore_eos) in a
// collapsible "More" group built from that table: its ranges, defaults and meanings, so the form
// offers exactly what the node takes.
//
// Contract: a view that turns what its fields show into request fields; it sends nothing. fill()
// writes the sampling part of a GenerationParams (model, prompt and API are the caller's); a
// "More" control at the table's default is left out of the request. Each "More" control is named
// after its API field (objectName "presence_penalty"). An empty seed means none (the node picks
// one); log-probabilities are off or 0-5 alternatives per token. Stop strings are one per non-empty line, with
// "\n", "\t" and "\\" standing for a newline, a tab and a backslash (parseStopStrings()); the
// node, not the form, enforces how many it takes. Re-translates itself on LanguageChange.
#pragma once

#include "client/openaitypes.h"

#include <QFrame>
#include <QStringList>
#include <array>
#include <vector>

class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QToolButton;

namespace lmfront::engine {
struct SamplingParamSpec;
}
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
  void setLogprobs(int alternatives);  // -1 = off
  bool isMoreShown() const;

  static QStringList parseStopStrings(const QString &text);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void addTableControls(QFormLayout *form);
  // A table entry's label and meaning in the current language; an entry the form does not know
  // yet shows its API name and the table's English meaning.
  static QString labelFor(const engine::SamplingParamSpec &spec);
  static QString meaningFor(const engine::SamplingParamSpec &spec);

  // One control of the "More" group and the table entry it was built from.
  struct Control {
    const engine::SamplingParamSpec *spec;
    QLabel *label;
    QWidget *field;  // QDoubleSpinBox, QSpinBox or QCheckBox by the entry's type
  };

  QLabel *m_title;
  std::array<QLabel *, 7> m_labels{};
  QSpinBox *m_maxTokens;
  QDoubleSpinBox *m_temperature;
  QSpinBox *m_topK;
  QDoubleSpinBox *m_topP;
  QLineEdit *m_seed;
  QPlainTextEdit *m_stop;
  QSpinBox *m_logprobs;
  QToolButton *m_moreButton;
  std::vector<Control> m_controls;
  QLabel *m_hint;
};

}  // namespace lmfront::widgets
