#include "widgets/playgroundpage.h"

#include "models/nodesession.h"
#include "widgets/generatepanel.h"
#include "widgets/samplingparamsform.h"
#include "widgets/scorepanel.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace lmfront::widgets {

using client::ApiErrorKind;

namespace {

constexpr int kApiKeyWidth = 200;

// Page-local looks (object names, so nothing else changes); the panels inherit them.
const char *const kStyle = R"(
#errorBanner { background: #fdecea; border: 1px solid #f3b8b4; border-radius: 8px; color: #8a1c12; padding: 8px 12px; }
#sectionLabel { color: #2d3a48; font-weight: 600; }
#scoreSummary { color: #1f2933; font-size: 11pt; }
#playgroundOutput, #promptEdit, #scoreText { background: #ffffff; border: 1px solid #d5dbe1; border-radius: 6px;
                                            font-size: 11pt; }
QPushButton#modeButton { padding: 5px 16px; border: 1px solid #c4ccd5; background: #f4f6f8; }
QPushButton#modeButton:checked { background: #d3e0f0; color: #15406e; border-color: #8fb0d6; }
)";

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
      m_stack(new QStackedWidget),
      m_generatePanel(new GeneratePanel),
      m_scorePanel(new ScorePanel) {
  setStyleSheet(QString::fromLatin1(kStyle));
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);

  m_modelCombo->setObjectName(QStringLiteral("modelCombo"));
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
  m_apiKeyLabel->setBuddy(m_apiKey);

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

  m_stack->addWidget(m_generatePanel);
  m_stack->addWidget(m_scorePanel);

  auto *column = new QVBoxLayout(this);
  column->setContentsMargins(32, 28, 32, 20);
  column->setSpacing(8);
  column->addWidget(m_title);
  column->addWidget(m_subtitle);
  column->addSpacing(8);
  column->addLayout(bar);
  column->addWidget(m_error);
  column->addWidget(m_stack, 1);

  connect(m_generatePanel, &GeneratePanel::started, this, &PlaygroundPage::hideError);
  connect(m_scorePanel, &ScorePanel::started, this, &PlaygroundPage::hideError);
  auto showFailure = [this](const client::ApiError &error) { showError(describe(error)); };
  connect(m_generatePanel, &GeneratePanel::failed, this, showFailure);
  connect(m_scorePanel, &ScorePanel::failed, this, showFailure);
  connect(m_generatePanel, &GeneratePanel::finished, this, &PlaygroundPage::generationFinished);
  connect(m_scorePanel, &ScorePanel::scored, this, &PlaygroundPage::scoreFinished);
  connect(m_modelCombo, &QComboBox::currentTextChanged, this, &PlaygroundPage::onModelChosen);
  connect(m_api, &QComboBox::currentIndexChanged, this, [this](int index) { m_generatePanel->setChat(index == 1); });
  connect(m_refresh, &QToolButton::clicked, this, &PlaygroundPage::refreshModels);
  // The key applies as it is typed (Generate uses what the field shows); once editing ends a
  // changed key is handed on for storing and the model list, which may have been refused without
  // it, is fetched again.
  connect(m_apiKey, &QLineEdit::textChanged, this, [this] { onApiKeyEdited(false); });
  connect(m_apiKey, &QLineEdit::editingFinished, this, [this] { onApiKeyEdited(true); });
  connect(m_modeGroup, &QButtonGroup::idClicked, this, [this](int id) { setMode(static_cast<Mode>(id)); });
  auto *run = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
  connect(run, &QShortcut::activated, this, [this] { m_mode == Mode::Generate ? generate() : score(); });
  auto *halt = new QShortcut(QKeySequence(Qt::Key_Escape), this);
  connect(halt, &QShortcut::activated, this, &PlaygroundPage::stop);

  retranslateUi();
}

void PlaygroundPage::setSession(models::NodeSession *session) {
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  m_session = session;
  m_generatePanel->setSession(session);
  m_scorePanel->setSession(session);
  m_example.reset();
  hideError();
  m_lastModelsError.clear();
  if (m_session) {
    m_modelCombo->setModel(m_session->modelList());
    m_enteredKey = m_session->apiKey();
    m_apiKey->setText(m_enteredKey);
    connect(m_session, &models::NodeSession::modelsListed, this, &PlaygroundPage::onModelsListed);
    connect(m_session, &models::NodeSession::connectionChanged, this, &PlaygroundPage::onConnectionChanged);
    connect(m_session, &models::NodeSession::apiKeyChanged, this, [this](const QString &key) {
      if (key != apiKey()) m_apiKey->setText(key);
    });
    if (m_modelCombo->currentIndex() < 0 && m_modelCombo->count() > 0) m_modelCombo->setCurrentIndex(0);
  }
  onModelChosen();
  onConnectionChanged();
}

void PlaygroundPage::onConnectionChanged() {
  retranslateUi();
  refreshModels();
}

void PlaygroundPage::retranslateUi() {
  setWindowTitle(tr("Playground"));
  m_title->setText(tr("Playground"));
  const QString base =
      m_session && !m_session->baseUrl().isEmpty() ? m_session->baseUrl().toDisplayString() : QString();
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
  if (m_session) m_session->modelList()->retranslate();
}

void PlaygroundPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void PlaygroundPage::showEvent(QShowEvent *event) {
  refreshModels();  // the node's models may have changed
  QWidget::showEvent(event);
}

void PlaygroundPage::setMode(Mode mode) {
  m_mode = mode;
  m_modeGroup->button(static_cast<int>(mode))->setChecked(true);
  m_stack->setCurrentIndex(static_cast<int>(mode));
  m_apiLabel->setVisible(mode == Mode::Generate);
  m_api->setVisible(mode == Mode::Generate);
}

QString PlaygroundPage::currentModel() const { return m_modelCombo->currentText(); }

void PlaygroundPage::onModelChosen() {
  m_generatePanel->setModel(currentModel());
  m_scorePanel->setModel(currentModel());
}

QString PlaygroundPage::apiKey() const {
  QString key = m_apiKey->text().trimmed();
  // A key pasted with its scheme ("Bearer lmf_…") is the same key.
  if (key.startsWith(QLatin1String("Bearer "), Qt::CaseInsensitive)) key = key.mid(7).trimmed();
  return key;
}

void PlaygroundPage::onApiKeyEdited(bool finished) {
  if (!m_session) return;
  m_session->setApiKey(apiKey());
  if (!finished || apiKey() == m_enteredKey) return;
  m_enteredKey = apiKey();
  Q_EMIT apiKeyEntered(m_enteredKey);
  refreshModels();
}

void PlaygroundPage::refreshModels() {
  if (m_session) m_session->refreshModels();
}

void PlaygroundPage::onModelsListed(const client::ModelList &list) {
  if (!list.error.ok()) {
    m_lastModelsError = tr("Could not list the node's models: %1").arg(describe(list.error));
    showError(m_lastModelsError);
  } else {
    if (!m_lastModelsError.isEmpty() && errorText() == m_lastModelsError) hideError();
    m_lastModelsError.clear();
    if (m_modelCombo->currentIndex() < 0 && m_modelCombo->count() > 0) m_modelCombo->setCurrentIndex(0);
  }
  Q_EMIT modelsRefreshed();
  maybeRunExample();
}

void PlaygroundPage::generate() { m_generatePanel->generate(); }

void PlaygroundPage::stop() { m_generatePanel->stop(); }

void PlaygroundPage::score() { m_scorePanel->score(); }

QString PlaygroundPage::generatedText() const { return m_generatePanel->generatedText(); }

QString PlaygroundPage::statText(Stat stat) const { return m_generatePanel->statText(stat); }

bool PlaygroundPage::isGenerating() const { return m_generatePanel->isGenerating(); }

ScoreView *PlaygroundPage::scoreView() const { return m_scorePanel->view(); }

QString PlaygroundPage::scoreSummary() const { return m_scorePanel->summary(); }

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

void PlaygroundPage::runExample(const QString &model, const QString &prompt, qint64 seed, int maxTokens) {
  m_example = Example{model, prompt, seed, maxTokens};
  setMode(Mode::Generate);
  if (m_modelCombo->count() > 0)
    maybeRunExample();
  else
    refreshModels();
}

void PlaygroundPage::maybeRunExample() {
  if (!m_example || !m_session || m_session->modelList()->rowCount() == 0) return;
  const Example e = *std::exchange(m_example, std::nullopt);
  const int row = m_session->modelList()->rowOf(e.model);
  m_modelCombo->setCurrentIndex(row >= 0 ? row : 0);
  m_generatePanel->setPrompt(e.prompt);
  m_generatePanel->params()->setSeed(e.seed);
  m_generatePanel->params()->setMaxTokens(e.maxTokens);
  m_generatePanel->generate();
}

}  // namespace lmfront::widgets
