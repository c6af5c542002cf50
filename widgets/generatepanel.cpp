#include "widgets/generatepanel.h"

#include "models/nodesession.h"
#include "widgets/samplingparamsform.h"
#include "widgets/scoreview.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTextEdit>
#include <QVBoxLayout>

namespace lmfront::widgets {

GeneratePanel::GeneratePanel(QWidget *parent)
    : QWidget(parent),
      m_promptLabel(new QLabel),
      m_prompt(new QPlainTextEdit),
      m_generate(new QPushButton),
      m_stop(new QPushButton),
      m_shortcutHint(new QLabel),
      m_outputLabel(new QLabel),
      m_output(new QTextEdit),
      m_tokensLabel(new QLabel),
      m_tokens(new ScoreView),
      m_tokensArea(new QScrollArea),
      m_stats(new GenerationStatsPanel),
      m_params(new SamplingParamsForm) {
  m_promptLabel->setObjectName(QStringLiteral("sectionLabel"));
  m_prompt->setObjectName(QStringLiteral("promptEdit"));
  m_prompt->setFixedHeight(92);
  m_generate->setObjectName(QStringLiteral("generateButton"));
  m_generate->setDefault(true);
  m_stop->setObjectName(QStringLiteral("stopButton"));
  m_shortcutHint->setObjectName(QStringLiteral("hint"));
  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_generate);
  buttons->addWidget(m_stop);
  buttons->addSpacing(8);
  buttons->addWidget(m_shortcutHint);
  buttons->addStretch(1);
  m_outputLabel->setObjectName(QStringLiteral("sectionLabel"));
  m_output->setObjectName(QStringLiteral("playgroundOutput"));
  m_output->setReadOnly(true);
  m_output->setMinimumHeight(120);
  m_tokensLabel->setObjectName(QStringLiteral("sectionLabel"));
  m_tokens->setObjectName(QStringLiteral("tokenView"));
  m_tokensArea->setWidget(m_tokens);
  m_tokensArea->setWidgetResizable(true);
  m_tokensArea->setFrameShape(QFrame::NoFrame);
  m_tokensArea->setMinimumHeight(90);
  m_tokensLabel->setVisible(false);
  m_tokensArea->setVisible(false);

  auto *left = new QVBoxLayout;
  left->setSpacing(6);
  left->addWidget(m_promptLabel);
  left->addWidget(m_prompt);
  left->addLayout(buttons);
  left->addSpacing(4);
  left->addWidget(m_outputLabel);
  left->addWidget(m_output, 1);
  left->addWidget(m_tokensLabel);
  left->addWidget(m_tokensArea, 1);
  left->addWidget(m_stats);

  auto *row = new QHBoxLayout(this);
  row->setContentsMargins(0, 6, 0, 0);
  row->setSpacing(18);
  row->addLayout(left, 1);
  row->addWidget(m_params, 0, Qt::AlignTop);

  connect(m_generate, &QPushButton::clicked, this, &GeneratePanel::generate);
  connect(m_stop, &QPushButton::clicked, this, &GeneratePanel::stop);
  retranslateUi();
  updateButtons();
}

void GeneratePanel::setSession(models::NodeSession *session) {
  if (m_session) {
    stop();
    disconnect(m_session->completionClient(), nullptr, this, nullptr);
  }
  m_session = session;
  if (m_session) {
    client::CompletionClient *c = m_session->completionClient();
    connect(c, &client::CompletionClient::generationStarted, this,
            [this](const client::ResponseMeta &meta) { m_last.meta = meta; });
    connect(c, &client::CompletionClient::textReceived, this, &GeneratePanel::onText);
    connect(c, &client::CompletionClient::tokensScored, this, &GeneratePanel::onTokens);
    connect(c, &client::CompletionClient::generationFinished, this, &GeneratePanel::onFinished);
  }
  updateButtons();
}

void GeneratePanel::setModel(const QString &model) {
  m_model = model;
  updateButtons();
}

void GeneratePanel::setChat(bool chat) { m_chat = chat; }

void GeneratePanel::setPrompt(const QString &prompt) { m_prompt->setPlainText(prompt); }

void GeneratePanel::generate() {
  if (m_running || m_model.isEmpty() || !m_session) return;
  client::GenerationParams p;
  p.model = m_model;
  p.prompt = m_prompt->toPlainText();
  p.chat = m_chat;
  m_params->fill(p);

  m_generated.clear();
  m_output->clear();
  m_scored.clear();
  m_tokens->clear();
  m_tokensLabel->setVisible(p.logprobs.has_value());
  m_tokensArea->setVisible(p.logprobs.has_value());
  if (!p.chat && !p.prompt.isEmpty()) {
    QTextCharFormat promptFormat;
    promptFormat.setForeground(QColor(0x8a, 0x94, 0x9e));
    m_output->textCursor().insertText(p.prompt, promptFormat);
  }
  m_last = {};
  m_running = true;
  updateButtons();
  m_stats->showProgress(m_last.meta, m_last.stats);
  Q_EMIT started();
  m_session->completionClient()->generate(p);
}

void GeneratePanel::stop() {
  if (m_session && m_running) m_session->completionClient()->cancelGeneration();
}

void GeneratePanel::onText(const QString &text, const client::GenerationStats &stats) {
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

void GeneratePanel::onTokens(const QList<client::ScoredToken> &tokens) {
  if (!m_running) return;
  m_scored += tokens;
  m_tokens->setTokens(m_scored);
}

void GeneratePanel::onFinished(const client::GenerationResult &result) {
  m_last = result;
  m_running = false;
  updateButtons();
  m_stats->showResult(result);
  if (!result.error.ok() && result.error.kind != client::ApiErrorKind::Cancelled) Q_EMIT failed(result.error);
  Q_EMIT finished(result);
}

void GeneratePanel::updateButtons() {
  m_generate->setEnabled(!m_running && !m_model.isEmpty() && m_session);
  m_stop->setEnabled(m_running);
}

void GeneratePanel::retranslateUi() {
  m_promptLabel->setText(tr("Prompt"));
  m_prompt->setPlaceholderText(tr("Type the beginning of a text…"));
  m_generate->setText(tr("Generate"));
  m_stop->setText(tr("Stop"));
  m_shortcutHint->setText(tr("Ctrl+Enter generates, Esc stops"));
  m_outputLabel->setText(tr("Output"));
  m_tokensLabel->setText(tr("Token probabilities (hover for the alternatives)"));
}

void GeneratePanel::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
