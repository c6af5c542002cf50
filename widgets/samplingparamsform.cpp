#include "widgets/samplingparamsform.h"

#include "engine/samplingparams.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <string>

namespace lmfront::widgets {

namespace {

constexpr int kWidth = 270;
// The controls the card shows in its first rows; the rest of the table goes under "More".
constexpr std::string_view kMainControls[] = {"temperature", "top_p", "top_k"};

// "[-2, 2]", "(0, 10]": the table's range in the notation every language reads.
QString rangeText(const engine::SamplingParamSpec &spec) {
  return QStringLiteral("%1%2, %3]")
      .arg(spec.minExclusive ? QLatin1Char('(') : QLatin1Char('['))
      .arg(spec.min)
      .arg(spec.max);
}

QString defaultText(const engine::SamplingParamSpec &spec) {
  return QString::fromUtf8(spec.defaultText.data(), static_cast<qsizetype>(spec.defaultText.size()));
}

QString apiName(const engine::SamplingParamSpec &spec) {
  return QString::fromUtf8(spec.api.data(), static_cast<qsizetype>(spec.api.size()));
}

// The table's default as a number (a switch's "false" / "true" as 0 / 1).
double defaultOf(const engine::SamplingParamSpec &spec) {
  if (spec.type == engine::ParamType::Switch) return spec.defaultText == "true" ? 1 : 0;
  return std::stod(std::string(spec.defaultText));
}

// "\n" and "\t" typed in a stop line mean a newline and a tab ("\\" a backslash).
QString unescape(const QString &line) {
  QString out;
  for (qsizetype i = 0; i < line.size(); ++i) {
    if (line[i] == QLatin1Char('\\') && i + 1 < line.size()) {
      const QChar c = line[++i];
      if (c == QLatin1Char('n'))
        out += QLatin1Char('\n');
      else if (c == QLatin1Char('t'))
        out += QLatin1Char('\t');
      else if (c == QLatin1Char('\\'))
        out += QLatin1Char('\\');
      else
        out += QLatin1Char('\\') + QString(c);
    } else {
      out += line[i];
    }
  }
  return out;
}

}  // namespace

SamplingParamsForm::SamplingParamsForm(QWidget *parent)
    : QFrame(parent),
      m_title(new QLabel),
      m_maxTokens(new QSpinBox),
      m_temperature(new QDoubleSpinBox),
      m_topK(new QSpinBox),
      m_topP(new QDoubleSpinBox),
      m_seed(new QLineEdit),
      m_stop(new QPlainTextEdit),
      m_logprobs(new QSpinBox),
      m_moreButton(new QToolButton),
      m_hint(new QLabel) {
  setObjectName(QStringLiteral("card"));
  setFixedWidth(kWidth);
  auto *v = new QVBoxLayout(this);
  v->setContentsMargins(14, 12, 14, 12);
  m_title->setObjectName(QStringLiteral("sectionLabel"));
  v->addWidget(m_title);
  auto *form = new QFormLayout;
  form->setLabelAlignment(Qt::AlignLeft);
  form->setVerticalSpacing(8);
  m_maxTokens->setObjectName(QStringLiteral("maxTokens"));
  m_maxTokens->setRange(1, 4096);
  m_maxTokens->setValue(64);
  m_temperature->setObjectName(QStringLiteral("temperature"));
  m_temperature->setRange(0, 2);
  m_temperature->setSingleStep(0.1);
  m_temperature->setValue(1.0);
  m_topK->setObjectName(QStringLiteral("topK"));
  m_topK->setRange(0, 100000);
  m_topP->setObjectName(QStringLiteral("topP"));
  m_topP->setRange(0.01, 1);
  m_topP->setSingleStep(0.05);
  m_topP->setValue(1.0);
  m_seed->setObjectName(QStringLiteral("seed"));
  m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{0,15}")), m_seed));
  m_stop->setObjectName(QStringLiteral("stopStrings"));
  m_stop->setFixedHeight(58);
  m_logprobs->setObjectName(QStringLiteral("logprobs"));
  m_logprobs->setRange(-1, 5);  // completions take 0-5 alternatives, chat up to 20: the common part
  m_logprobs->setValue(-1);
  QWidget *fields[] = {m_maxTokens, m_temperature, m_topK, m_topP, m_seed, m_stop, m_logprobs};
  for (size_t i = 0; i < m_labels.size(); ++i) {
    m_labels[i] = new QLabel;
    form->addRow(m_labels[i], fields[i]);
  }
  m_moreButton->setObjectName(QStringLiteral("moreButton"));
  m_moreButton->setCheckable(true);
  m_moreButton->setAutoRaise(true);
  m_moreButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_moreButton->setArrowType(Qt::RightArrow);
  // The "More" rows share the card's form so their fields line up with the rows above.
  form->addRow(m_moreButton);
  addTableControls(form);
  connect(m_moreButton, &QToolButton::toggled, this, [this, form](bool shown) {
    for (const Control &c : m_controls) form->setRowVisible(c.field, shown);
    m_moreButton->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
  });
  v->addLayout(form);
  m_hint->setObjectName(QStringLiteral("hint"));
  m_hint->setWordWrap(true);
  v->addWidget(m_hint);
  retranslateUi();
}

void SamplingParamsForm::addTableControls(QFormLayout *form) {
  for (const engine::SamplingParamSpec &spec : engine::samplingParams()) {
    if (std::find(std::begin(kMainControls), std::end(kMainControls), spec.api) != std::end(kMainControls)) continue;
    QWidget *field = nullptr;
    const double initial = defaultOf(spec);
    if (spec.type == engine::ParamType::Switch) {
      auto *box = new QCheckBox;
      box->setChecked(initial != 0);
      field = box;
    } else if (spec.type == engine::ParamType::Integer) {
      auto *box = new QSpinBox;
      box->setRange(static_cast<int>(spec.min) + (spec.minExclusive ? 1 : 0), static_cast<int>(spec.max));
      box->setValue(static_cast<int>(initial));
      field = box;
    } else {
      auto *box = new QDoubleSpinBox;
      box->setDecimals(2);
      box->setRange(spec.min + (spec.minExclusive ? 0.01 : 0), spec.max);
      box->setSingleStep(0.1);
      box->setValue(initial);
      field = box;
    }
    field->setObjectName(apiName(spec));
    auto *label = new QLabel;
    form->addRow(label, field);
    form->setRowVisible(field, false);
    m_controls.push_back({&spec, label, field});
  }
}

QString SamplingParamsForm::labelFor(const engine::SamplingParamSpec &spec) {
  const std::string_view n = spec.api;
  if (n == "min_p") return tr("Min-p");
  if (n == "presence_penalty") return tr("Presence penalty");
  if (n == "frequency_penalty") return tr("Frequency penalty");
  if (n == "repetition_penalty") return tr("Repetition penalty");
  if (n == "min_tokens") return tr("Min tokens");
  if (n == "ignore_eos") return tr("Ignore end");
  return apiName(spec);
}

// The English texts are the table's meanings word for word; tst_samplingparamsform holds them to
// it, so a meaning changed in the table fails that test until the translation follows.
QString SamplingParamsForm::meaningFor(const engine::SamplingParamSpec &spec) {
  const QString english = QString::fromUtf8(spec.meaning.data(), static_cast<qsizetype>(spec.meaning.size()));
  const std::string_view n = spec.api;
  QString translated;
  if (n == "min_p")
    translated = tr("drop words less likely than min_p times the most likely one; 0 = off");
  else if (n == "presence_penalty")
    translated = tr("subtract from the log-probability of every word already in the completion");
  else if (n == "frequency_penalty")
    translated = tr("subtract this times the word's count so far in the completion from its log-probability");
  else if (n == "repetition_penalty")
    translated = tr("multiply the log-probability of words seen in the prompt or completion; > 1 discourages repeats");
  else if (n == "min_tokens")
    translated = tr("the end of text cannot come before this many words");
  else if (n == "ignore_eos")
    translated = tr("never end the text by the model's end of sentence");
  return translated.isEmpty() ? english : translated;
}

void SamplingParamsForm::fill(client::GenerationParams &p) const {
  p.maxTokens = m_maxTokens->value();
  p.temperature = m_temperature->value();
  p.topK = m_topK->value();
  p.topP = m_topP->value();
  p.seed = m_seed->text().isEmpty() ? std::nullopt : std::optional<qint64>(m_seed->text().toLongLong());
  p.stop = parseStopStrings(m_stop->toPlainText());
  p.logprobs = m_logprobs->value() >= 0 ? std::optional<int>(m_logprobs->value()) : std::nullopt;
  p.sampling = {};
  for (const Control &c : m_controls) {
    const double initial = defaultOf(*c.spec);
    if (auto *check = qobject_cast<QCheckBox *>(c.field)) {
      if (check->isChecked() != (initial != 0)) p.sampling.insert(apiName(*c.spec), check->isChecked());
    } else if (auto *integer = qobject_cast<QSpinBox *>(c.field)) {
      if (integer->value() != initial) p.sampling.insert(apiName(*c.spec), integer->value());
    } else if (auto *number = qobject_cast<QDoubleSpinBox *>(c.field)) {
      if (number->value() != initial) p.sampling.insert(apiName(*c.spec), number->value());
    }
  }
}

void SamplingParamsForm::setLogprobs(int alternatives) { m_logprobs->setValue(alternatives); }

bool SamplingParamsForm::isMoreShown() const { return m_moreButton->isChecked(); }

void SamplingParamsForm::setMaxTokens(int tokens) { m_maxTokens->setValue(tokens); }

void SamplingParamsForm::setSeed(qint64 seed) { m_seed->setText(QString::number(seed)); }

QStringList SamplingParamsForm::parseStopStrings(const QString &text) {
  QStringList out;
  const QStringList lines = text.split(QLatin1Char('\n'));
  for (const QString &line : lines)
    if (!line.isEmpty()) out << unescape(line);
  return out;
}

void SamplingParamsForm::retranslateUi() {
  m_title->setText(tr("Parameters"));
  const std::array<QString, 7> labels = {tr("Max tokens"), tr("Temperature"), tr("Top-k"),    tr("Top-p"),
                                         tr("Seed"),       tr("Stop"),        tr("Log-probs")};
  for (size_t i = 0; i < labels.size(); ++i) m_labels[i]->setText(labels[i]);
  m_temperature->setToolTip(tr("0 always picks the most likely token; higher values are more varied."));
  m_topK->setSpecialValueText(tr("off"));
  m_topK->setToolTip(tr("Sample only among the k most likely tokens (0 = off)."));
  m_topP->setToolTip(tr("Sample only among the most likely tokens whose probabilities add up to p."));
  m_seed->setPlaceholderText(tr("random"));
  m_seed->setToolTip(tr("The same seed and parameters give the same text, and the node may answer from its cache."));
  m_stop->setPlaceholderText(tr("one per line, \\n for a newline"));
  m_logprobs->setSpecialValueText(tr("off"));
  m_logprobs->setToolTip(
      tr("Show each generated token's probability and this many likely alternatives (0-5); off "
         "sends nothing."));
  m_moreButton->setText(tr("More"));
  m_moreButton->setToolTip(tr("Penalties and the other sampling controls the node takes."));
  for (const Control &c : m_controls) {
    c.label->setText(labelFor(*c.spec));
    const QString meaning = meaningFor(*c.spec);
    c.field->setToolTip(c.spec->type == engine::ParamType::Switch
                            ? meaning
                            : tr("%1\nRange: %2; default: %3").arg(meaning, rangeText(*c.spec), defaultText(*c.spec)));
  }
  m_hint->setText(
      tr("Generation ends at a stop string, at the end of a sentence or after the maximum number "
         "of tokens."));
}

void SamplingParamsForm::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QFrame::changeEvent(event);
}

}  // namespace lmfront::widgets
