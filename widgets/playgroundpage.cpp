#include "widgets/playgroundpage.h"

#include "widgets/consolesettings.h"
#include "widgets/generationstatspanel.h"
#include "widgets/scoreview.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace lmfront::widgets {

using client::ApiErrorKind;

namespace {

constexpr int kParamsWidth = 270;
constexpr int kApiKeyWidth = 200;

// Page-local looks (object names, so nothing else changes): stat tiles, the error banner.
const char *const kStyle = R"(
#errorBanner { background: #fdecea; border: 1px solid #f3b8b4; border-radius: 8px; color: #8a1c12; padding: 8px 12px; }
#sectionLabel { color: #2d3a48; font-weight: 600; }
#scoreSummary { color: #1f2933; font-size: 11pt; }
#playgroundOutput, #promptEdit, #scoreText { background: #ffffff; border: 1px solid #d5dbe1; border-radius: 6px;
                                            font-size: 11pt; }
QPushButton#modeButton { padding: 5px 16px; border: 1px solid #c4ccd5; background: #f4f6f8; }
QPushButton#modeButton:checked { background: #d3e0f0; color: #15406e; border-color: #8fb0d6; }
)";

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

QLabel *sectionLabel() {
  auto *l = new QLabel;
  l->setObjectName(QStringLiteral("sectionLabel"));
  return l;
}

}  // namespace

PlaygroundPage::PlaygroundPage(QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_modelLabel(new QLabel),
      m_modelCombo(new QComboBox),
      m_refresh(new QToolButton),
      m_generateMode(new QPushButton),
      m_scoreMode(new QPushButton),
      m_modeGroup(new QButtonGroup(this)),
      m_apiLabel(new QLabel),
      m_api(new QComboBox),
      m_apiKeyLabel(new QLabel),
      m_apiKey(new QLineEdit),
      m_error(new QLabel),
      m_stack(new QStackedWidget) {
  setStyleSheet(QString::fromLatin1(kStyle));
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);

  m_modelCombo->setObjectName(QStringLiteral("modelCombo"));
  m_modelCombo->setModel(&m_models);
  m_modelCombo->setMinimumContentsLength(16);
  m_modelCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_refresh->setObjectName(QStringLiteral("refreshModels"));
  m_refresh->setText(QStringLiteral("⟳"));
  m_refresh->setAutoRaise(true);
  for (QPushButton *b : {m_generateMode, m_scoreMode}) {
    b->setObjectName(QStringLiteral("modeButton"));
    b->setCheckable(true);
  }
  m_generateMode->setProperty("mode", QStringLiteral("generate"));
  m_scoreMode->setProperty("mode", QStringLiteral("score"));
  m_modeGroup->addButton(m_generateMode, static_cast<int>(Mode::Generate));
  m_modeGroup->addButton(m_scoreMode, static_cast<int>(Mode::Score));
  m_modeGroup->setExclusive(true);
  m_generateMode->setChecked(true);
  m_api->setObjectName(QStringLiteral("apiCombo"));
  m_api->addItems({QString(), QString()});
  m_apiKey->setObjectName(QStringLiteral("apiKeyEdit"));
  m_apiKey->setEchoMode(QLineEdit::Password);
  m_apiKey->setFixedWidth(kApiKeyWidth);
  m_apiKey->setClearButtonEnabled(true);
  m_apiKey->setText(ConsoleSettings::playgroundApiKey(QSettings()));
  m_apiKeyLabel->setBuddy(m_apiKey);
  m_client.setApiKey(apiKey());

  auto *bar = new QHBoxLayout;
  bar->setSpacing(8);
  bar->addWidget(m_modelLabel);
  bar->addWidget(m_modelCombo);
  bar->addWidget(m_refresh);
  bar->addSpacing(18);
  auto *modes = new QHBoxLayout;
  modes->setSpacing(0);
  modes->addWidget(m_generateMode);
  modes->addWidget(m_scoreMode);
  bar->addLayout(modes);
  bar->addSpacing(18);
  bar->addWidget(m_apiLabel);
  bar->addWidget(m_api);
  bar->addStretch(1);
  bar->addWidget(m_apiKeyLabel);
  bar->addWidget(m_apiKey);

  m_error->setObjectName(QStringLiteral("errorBanner"));
  m_error->setWordWrap(true);
  m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_error->hide();

  m_stack->addWidget(buildGeneratePage());
  m_stack->addWidget(buildScorePage());

  auto *column = new QVBoxLayout(this);
  column->setContentsMargins(32, 28, 32, 20);
  column->setSpacing(8);
  column->addWidget(m_title);
  column->addWidget(m_subtitle);
  column->addSpacing(8);
  column->addLayout(bar);
  column->addWidget(m_error);
  column->addWidget(m_stack, 1);

  connect(&m_client, &client::CompletionClient::modelsListed, this, &PlaygroundPage::onModelsListed);
  connect(&m_client, &client::CompletionClient::generationStarted, this,
          [this](const client::ResponseMeta &meta) { m_last.meta = meta; });
  connect(&m_client, &client::CompletionClient::textReceived, this, &PlaygroundPage::onText);
  connect(&m_client, &client::CompletionClient::generationFinished, this, &PlaygroundPage::onGenerationFinished);
  connect(&m_client, &client::CompletionClient::scored, this, &PlaygroundPage::onScored);
  connect(m_refresh, &QToolButton::clicked, this, &PlaygroundPage::refreshModels);
  // The key applies as it is typed (Generate uses what the field shows); once editing ends it is
  // saved and the model list, which may have been refused without it, is fetched again.
  connect(m_apiKey, &QLineEdit::textChanged, this, [this] { applyApiKey(false); });
  connect(m_apiKey, &QLineEdit::editingFinished, this, [this] { applyApiKey(true); });
  connect(m_modeGroup, &QButtonGroup::idClicked, this, [this](int id) { setMode(static_cast<Mode>(id)); });
  connect(&m_models, &QAbstractItemModel::rowsInserted, this, &PlaygroundPage::updateButtons);
  connect(&m_models, &QAbstractItemModel::rowsRemoved, this, &PlaygroundPage::updateButtons);
  auto *run = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
  connect(run, &QShortcut::activated, this, [this] { m_mode == Mode::Generate ? generate() : score(); });
  auto *halt = new QShortcut(QKeySequence(Qt::Key_Escape), this);
  connect(halt, &QShortcut::activated, this, &PlaygroundPage::stop);

  retranslateUi();
  setRunning(false);
}

QWidget *PlaygroundPage::buildGeneratePage() {
  auto *page = new QWidget;
  m_promptLabel = sectionLabel();
  m_prompt = new QPlainTextEdit;
  m_prompt->setObjectName(QStringLiteral("promptEdit"));
  m_prompt->setFixedHeight(92);
  m_generate = new QPushButton;
  m_generate->setObjectName(QStringLiteral("generateButton"));
  m_generate->setDefault(true);
  m_stop = new QPushButton;
  m_stop->setObjectName(QStringLiteral("stopButton"));
  m_shortcutHint = new QLabel;
  m_shortcutHint->setObjectName(QStringLiteral("hint"));
  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_generate);
  buttons->addWidget(m_stop);
  buttons->addSpacing(8);
  buttons->addWidget(m_shortcutHint);
  buttons->addStretch(1);
  m_outputLabel = sectionLabel();
  m_output = new QTextEdit;
  m_output->setObjectName(QStringLiteral("playgroundOutput"));
  m_output->setReadOnly(true);
  m_output->setMinimumHeight(120);

  m_stats = new GenerationStatsPanel;

  auto *left = new QVBoxLayout;
  left->setSpacing(6);
  left->addWidget(m_promptLabel);
  left->addWidget(m_prompt);
  left->addLayout(buttons);
  left->addSpacing(4);
  left->addWidget(m_outputLabel);
  left->addWidget(m_output, 1);
  left->addWidget(m_stats);

  auto *row = new QHBoxLayout(page);
  row->setContentsMargins(0, 6, 0, 0);
  row->setSpacing(18);
  row->addLayout(left, 1);
  row->addWidget(buildParameters(), 0, Qt::AlignTop);

  connect(m_generate, &QPushButton::clicked, this, &PlaygroundPage::generate);
  connect(m_stop, &QPushButton::clicked, this, &PlaygroundPage::stop);
  return page;
}

QWidget *PlaygroundPage::buildParameters() {
  auto *box = new QFrame;
  box->setObjectName(QStringLiteral("card"));
  box->setFixedWidth(kParamsWidth);
  auto *v = new QVBoxLayout(box);
  v->setContentsMargins(14, 12, 14, 12);
  m_paramsTitle = sectionLabel();
  v->addWidget(m_paramsTitle);
  auto *form = new QFormLayout;
  form->setLabelAlignment(Qt::AlignLeft);
  form->setVerticalSpacing(8);
  m_maxTokens = new QSpinBox;
  m_maxTokens->setObjectName(QStringLiteral("maxTokens"));
  m_maxTokens->setRange(1, 4096);
  m_maxTokens->setValue(64);
  m_temperature = new QDoubleSpinBox;
  m_temperature->setObjectName(QStringLiteral("temperature"));
  m_temperature->setRange(0, 2);
  m_temperature->setSingleStep(0.1);
  m_temperature->setValue(1.0);
  m_topK = new QSpinBox;
  m_topK->setObjectName(QStringLiteral("topK"));
  m_topK->setRange(0, 100000);
  m_topP = new QDoubleSpinBox;
  m_topP->setObjectName(QStringLiteral("topP"));
  m_topP->setRange(0.01, 1);
  m_topP->setSingleStep(0.05);
  m_topP->setValue(1.0);
  m_seed = new QLineEdit;
  m_seed->setObjectName(QStringLiteral("seed"));
  m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{0,15}")), m_seed));
  m_stopEdit = new QPlainTextEdit;
  m_stopEdit->setObjectName(QStringLiteral("stopStrings"));
  m_stopEdit->setFixedHeight(58);
  QWidget *fields[] = {m_maxTokens, m_temperature, m_topK, m_topP, m_seed, m_stopEdit};
  for (size_t i = 0; i < m_paramLabels.size(); ++i) {
    m_paramLabels[i] = new QLabel;
    form->addRow(m_paramLabels[i], fields[i]);
  }
  v->addLayout(form);
  m_paramsHint = new QLabel;
  m_paramsHint->setObjectName(QStringLiteral("hint"));
  m_paramsHint->setWordWrap(true);
  v->addWidget(m_paramsHint);
  return box;
}

QWidget *PlaygroundPage::buildScorePage() {
  auto *page = new QWidget;
  m_scoreTextLabel = sectionLabel();
  m_scoreText = new QPlainTextEdit;
  m_scoreText->setObjectName(QStringLiteral("scoreText"));
  m_scoreText->setFixedHeight(92);
  m_scoreButton = new QPushButton;
  m_scoreButton->setObjectName(QStringLiteral("scoreButton"));
  m_scoreHint = new QLabel;
  m_scoreHint->setObjectName(QStringLiteral("hint"));
  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_scoreButton);
  buttons->addSpacing(8);
  buttons->addWidget(m_scoreHint, 1);
  m_scoreSummary = new QLabel;
  m_scoreSummary->setObjectName(QStringLiteral("scoreSummary"));
  m_scoreSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_scoreView = new ScoreView;
  m_scoreView->setObjectName(QStringLiteral("scoreView"));
  auto *scroll = new QScrollArea;
  scroll->setWidget(m_scoreView);
  scroll->setWidgetResizable(true);
  scroll->setObjectName(QStringLiteral("playgroundOutput"));
  m_legend = new ScoreLegend;

  auto *v = new QVBoxLayout(page);
  v->setContentsMargins(0, 6, 0, 0);
  v->setSpacing(6);
  v->addWidget(m_scoreTextLabel);
  v->addWidget(m_scoreText);
  v->addLayout(buttons);
  v->addSpacing(4);
  v->addWidget(m_scoreSummary);
  v->addWidget(scroll, 1);
  v->addWidget(m_legend);
  connect(m_scoreButton, &QPushButton::clicked, this, &PlaygroundPage::score);
  return page;
}

void PlaygroundPage::retranslateUi() {
  setWindowTitle(tr("Playground"));
  m_title->setText(tr("Playground"));
  const QString base = m_client.baseUrl().isEmpty() ? QString() : m_client.baseUrl().toDisplayString();
  m_subtitle->setText(base.isEmpty() ? tr("Try the models this node serves through its OpenAI-compatible API.")
                                     : tr("Try the models this node serves through its OpenAI-compatible API at %1.")
                                           .arg(base + QStringLiteral("/v1")));
  m_modelLabel->setText(tr("Model"));
  m_modelCombo->setPlaceholderText(tr("no models served"));
  m_refresh->setToolTip(tr("Reload the list of models (GET /v1/models)"));
  m_generateMode->setText(tr("Generate"));
  m_scoreMode->setText(tr("Score"));
  m_apiLabel->setText(tr("API"));
  m_api->setItemText(0, tr("Completion"));
  m_api->setItemText(1, tr("Chat"));
  m_api->setToolTip(
      tr("Completion continues the prompt (POST /v1/completions); Chat sends it as a user message "
         "(POST /v1/chat/completions)."));
  m_apiKeyLabel->setText(tr("API key"));
  m_apiKey->setPlaceholderText(tr("none"));
  m_apiKey->setToolTip(
      tr("Sent as \"Authorization: Bearer\" with every request. Needed when the node requires API keys "
         "(create one with: lmfront keys create). Kept in the console's settings."));
  m_promptLabel->setText(tr("Prompt"));
  m_prompt->setPlaceholderText(tr("Type the beginning of a text…"));
  m_generate->setText(tr("Generate"));
  m_stop->setText(tr("Stop"));
  m_shortcutHint->setText(tr("Ctrl+Enter generates, Esc stops"));
  m_outputLabel->setText(tr("Output"));
  m_paramsTitle->setText(tr("Parameters"));
  const std::array<QString, 6> labels = {tr("Max tokens"), tr("Temperature"), tr("Top-k"),
                                         tr("Top-p"),      tr("Seed"),        tr("Stop")};
  for (size_t i = 0; i < labels.size(); ++i) m_paramLabels[i]->setText(labels[i]);
  m_temperature->setToolTip(tr("0 always picks the most likely token; higher values are more varied."));
  m_topK->setSpecialValueText(tr("off"));
  m_topK->setToolTip(tr("Sample only among the k most likely tokens (0 = off)."));
  m_topP->setToolTip(tr("Sample only among the most likely tokens whose probabilities add up to p."));
  m_seed->setPlaceholderText(tr("random"));
  m_seed->setToolTip(tr("The same seed and parameters give the same text, and the node may answer from its cache."));
  m_stopEdit->setPlaceholderText(tr("one per line, \\n for a newline"));
  m_paramsHint->setText(
      tr("Generation ends at a stop string, at the end of a sentence or after the maximum number "
         "of tokens."));
  m_scoreTextLabel->setText(tr("Text"));
  m_scoreText->setPlaceholderText(tr("Paste a text to see how likely the model finds each token…"));
  m_scoreButton->setText(tr("Score"));
  m_scoreHint->setText(tr("Each token is coloured by its log10 probability; hover a token for the numbers."));
  m_models.retranslate();
  if (m_hasScore) onScored(m_lastScore);
}

void PlaygroundPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void PlaygroundPage::showEvent(QShowEvent *event) {
  if (!m_client.baseUrl().isEmpty()) refreshModels();  // the node's models may have changed
  QWidget::showEvent(event);
}

void PlaygroundPage::setBaseUrl(const QUrl &url) {
  m_client.setBaseUrl(url);
  retranslateUi();
  refreshModels();
}

void PlaygroundPage::setMode(Mode mode) {
  m_mode = mode;
  m_modeGroup->button(static_cast<int>(mode))->setChecked(true);
  m_stack->setCurrentIndex(static_cast<int>(mode));
  m_apiLabel->setVisible(mode == Mode::Generate);
  m_api->setVisible(mode == Mode::Generate);
}

QString PlaygroundPage::currentModel() const { return m_modelCombo->currentText(); }

QString PlaygroundPage::apiKey() const {
  QString key = m_apiKey->text().trimmed();
  // A key pasted with its scheme ("Bearer lmf_…") is the same key.
  if (key.startsWith(QLatin1String("Bearer "), Qt::CaseInsensitive)) key = key.mid(7).trimmed();
  return key;
}

void PlaygroundPage::applyApiKey(bool save) {
  m_client.setApiKey(apiKey());
  if (!save) return;
  QSettings settings;
  if (ConsoleSettings::playgroundApiKey(settings) == apiKey()) return;
  ConsoleSettings::setPlaygroundApiKey(settings, apiKey());
  if (!m_client.baseUrl().isEmpty()) refreshModels();
}

void PlaygroundPage::refreshModels() { m_client.listModels(); }

void PlaygroundPage::onModelsListed(const client::ModelList &list) {
  if (!list.error.ok()) {
    m_lastModelsError = tr("Could not list the node's models: %1").arg(describe(list.error));
    showError(m_lastModelsError);
  } else {
    if (!m_lastModelsError.isEmpty() && errorText() == m_lastModelsError) hideError();
    m_lastModelsError.clear();
    m_models.setModels(list.models);
    if (m_modelCombo->currentIndex() < 0 && m_models.rowCount() > 0) m_modelCombo->setCurrentIndex(0);
  }
  updateButtons();
  Q_EMIT modelsRefreshed();
  maybeRunExample();
}

QStringList PlaygroundPage::stopStrings() const {
  QStringList out;
  const QStringList lines = m_stopEdit->toPlainText().split(QLatin1Char('\n'));
  for (const QString &line : lines)
    if (!line.isEmpty()) out << unescape(line);
  return out;
}

void PlaygroundPage::generate() {
  if (m_running || currentModel().isEmpty()) return;
  client::GenerationParams p;
  p.model = currentModel();
  p.prompt = m_prompt->toPlainText();
  p.chat = m_api->currentIndex() == 1;
  p.maxTokens = m_maxTokens->value();
  p.temperature = m_temperature->value();
  p.topK = m_topK->value();
  p.topP = m_topP->value();
  if (!m_seed->text().isEmpty()) p.seed = m_seed->text().toLongLong();
  p.stop = stopStrings();

  hideError();
  m_generated.clear();
  m_output->clear();
  if (!p.chat && !p.prompt.isEmpty()) {
    QTextCharFormat promptFormat;
    promptFormat.setForeground(QColor(0x8a, 0x94, 0x9e));
    m_output->textCursor().insertText(p.prompt, promptFormat);
  }
  m_last = {};
  setRunning(true);
  m_stats->showProgress(m_last.meta, m_last.stats);
  m_client.generate(p);
}

void PlaygroundPage::stop() { m_client.cancelGeneration(); }

void PlaygroundPage::onText(const QString &text, const client::GenerationStats &stats) {
  m_generated += text;
  QTextCursor cursor(m_output->document());
  cursor.movePosition(QTextCursor::End);
  QTextCharFormat format;
  format.setForeground(QColor(0x1f, 0x29, 0x33));
  cursor.insertText(text, format);
  m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
  m_last.stats = stats;
  m_stats->showProgress(m_last.meta, stats);
}

void PlaygroundPage::onGenerationFinished(const client::GenerationResult &result) {
  m_last = result;
  setRunning(false);
  m_stats->showResult(result);
  if (!result.error.ok() && result.error.kind != ApiErrorKind::Cancelled) showError(describe(result.error));
  Q_EMIT generationFinished(result);
}

void PlaygroundPage::score() {
  if (currentModel().isEmpty() || m_scoreText->toPlainText().trimmed().isEmpty()) return;
  hideError();
  m_scoreButton->setEnabled(false);
  m_client.score(currentModel(), m_scoreText->toPlainText());
}

void PlaygroundPage::onScored(const client::ScoreResult &result) {
  updateButtons();
  if (!result.error.ok()) {
    showError(describe(result.error));
    Q_EMIT scoreFinished(result);
    return;
  }
  m_lastScore = result;
  m_hasScore = true;
  const QLocale l;
  m_scoreView->setTokens(result.tokens);
  m_scoreSummary->setText(tr("%1 tokens · perplexity %2 · %3 OOV · log10 P %4")
                              .arg(result.tokenCount)
                              .arg(l.toString(result.perplexity, 'f', 2))
                              .arg(result.oov)
                              .arg(l.toString(result.log10Prob, 'f', 2)));
  Q_EMIT scoreFinished(result);
}

void PlaygroundPage::setRunning(bool running) {
  m_running = running;
  updateButtons();
}

void PlaygroundPage::updateButtons() {
  const bool haveModel = m_models.rowCount() > 0;
  m_generate->setEnabled(!m_running && haveModel);
  m_stop->setEnabled(m_running);
  m_scoreButton->setEnabled(haveModel);
}

QString PlaygroundPage::statText(Stat stat) const { return m_stats->text(stat); }

QString PlaygroundPage::describe(const client::ApiError &e) const {
  switch (e.kind) {
  case ApiErrorKind::None: return {};
  case ApiErrorKind::Unreachable: return tr("Cannot reach the node (%1).").arg(e.message);
  case ApiErrorKind::Timeout: return tr("The node did not answer in time (%1).").arg(e.message);
  case ApiErrorKind::Api: {
    const QString text = tr("The node answered with HTTP %1: %2").arg(e.httpStatus).arg(e.message);
    if (e.httpStatus != 401) return text;
    return text + QLatin1Char(' ') +
           (apiKey().isEmpty() ? tr("This node needs an API key: enter one in the API key field.")
                               : tr("Check the key in the API key field."));
  }
  case ApiErrorKind::BadResponse: return tr("Unexpected answer from the node: %1").arg(e.message);
  case ApiErrorKind::Cancelled: return tr("Stopped.");
  }
  return e.message;
}

void PlaygroundPage::showError(const QString &text) {
  m_error->setText(text);
  m_error->show();
}

void PlaygroundPage::hideError() {
  m_error->clear();
  m_error->hide();
}

QString PlaygroundPage::errorText() const {
  return m_error->isVisible() || !m_error->isHidden() ? m_error->text() : QString();
}

QString PlaygroundPage::scoreSummary() const { return m_scoreSummary->text(); }

void PlaygroundPage::runExample(const QString &model, const QString &prompt, qint64 seed, int maxTokens) {
  m_example = Example{model, prompt, seed, maxTokens};
  setMode(Mode::Generate);
  if (m_models.rowCount() > 0)
    maybeRunExample();
  else
    refreshModels();
}

void PlaygroundPage::maybeRunExample() {
  if (!m_example || m_models.rowCount() == 0) return;
  const Example e = *std::exchange(m_example, std::nullopt);
  const int row = m_models.rowOf(e.model);
  m_modelCombo->setCurrentIndex(row >= 0 ? row : 0);
  m_prompt->setPlainText(e.prompt);
  m_seed->setText(QString::number(e.seed));
  m_maxTokens->setValue(e.maxTokens);
  generate();
}

}  // namespace lmfront::widgets
