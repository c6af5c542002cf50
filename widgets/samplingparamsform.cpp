#include "widgets/samplingparamsform.h"

#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lmfront::widgets {

namespace {

constexpr int kWidth = 270;

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
  QWidget *fields[] = {m_maxTokens, m_temperature, m_topK, m_topP, m_seed, m_stop};
  for (size_t i = 0; i < m_labels.size(); ++i) {
    m_labels[i] = new QLabel;
    form->addRow(m_labels[i], fields[i]);
  }
  v->addLayout(form);
  m_hint->setObjectName(QStringLiteral("hint"));
  m_hint->setWordWrap(true);
  v->addWidget(m_hint);
  retranslateUi();
}

void SamplingParamsForm::fill(client::GenerationParams &p) const {
  p.maxTokens = m_maxTokens->value();
  p.temperature = m_temperature->value();
  p.topK = m_topK->value();
  p.topP = m_topP->value();
  p.seed = m_seed->text().isEmpty() ? std::nullopt : std::optional<qint64>(m_seed->text().toLongLong());
  p.stop = parseStopStrings(m_stop->toPlainText());
}

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
  const std::array<QString, 6> labels = {tr("Max tokens"), tr("Temperature"), tr("Top-k"),
                                         tr("Top-p"),      tr("Seed"),        tr("Stop")};
  for (size_t i = 0; i < labels.size(); ++i) m_labels[i]->setText(labels[i]);
  m_temperature->setToolTip(tr("0 always picks the most likely token; higher values are more varied."));
  m_topK->setSpecialValueText(tr("off"));
  m_topK->setToolTip(tr("Sample only among the k most likely tokens (0 = off)."));
  m_topP->setToolTip(tr("Sample only among the most likely tokens whose probabilities add up to p."));
  m_seed->setPlaceholderText(tr("random"));
  m_seed->setToolTip(tr("The same seed and parameters give the same text, and the node may answer from its cache."));
  m_stop->setPlaceholderText(tr("one per line, \\n for a newline"));
  m_hint->setText(
      tr("Generation ends at a stop string, at the end of a sentence or after the maximum number "
         "of tokens."));
}

void SamplingParamsForm::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QFrame::changeEvent(event);
}

}  // namespace lmfront::widgets
