#include "widgets/scorepanel.h"

#include "models/nodesession.h"
#include "widgets/scoreview.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace lmfront::widgets {

ScorePanel::ScorePanel(QWidget *parent)
    : QWidget(parent),
      m_textLabel(new QLabel),
      m_text(new QPlainTextEdit),
      m_button(new QPushButton),
      m_hint(new QLabel),
      m_summary(new QLabel),
      m_view(new ScoreView),
      m_legend(new ScoreLegend) {
  m_textLabel->setObjectName(QStringLiteral("sectionLabel"));
  m_text->setObjectName(QStringLiteral("scoreText"));
  m_text->setFixedHeight(92);
  m_button->setObjectName(QStringLiteral("scoreButton"));
  m_hint->setObjectName(QStringLiteral("hint"));
  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_button);
  buttons->addSpacing(8);
  buttons->addWidget(m_hint, 1);
  m_summary->setObjectName(QStringLiteral("scoreSummary"));
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_view->setObjectName(QStringLiteral("scoreView"));
  auto *scroll = new QScrollArea;
  scroll->setWidget(m_view);
  scroll->setWidgetResizable(true);
  scroll->setObjectName(QStringLiteral("playgroundOutput"));

  auto *v = new QVBoxLayout(this);
  v->setContentsMargins(0, 6, 0, 0);
  v->setSpacing(6);
  v->addWidget(m_textLabel);
  v->addWidget(m_text);
  v->addLayout(buttons);
  v->addSpacing(4);
  v->addWidget(m_summary);
  v->addWidget(scroll, 1);
  v->addWidget(m_legend);
  connect(m_button, &QPushButton::clicked, this, &ScorePanel::score);
  retranslateUi();
  updateButtons();
}

void ScorePanel::setSession(models::NodeSession *session) {
  if (m_session) {
    disconnect(m_session, nullptr, this, nullptr);
    disconnect(m_session->completionClient(), nullptr, this, nullptr);
  }
  m_session = session;
  m_running = false;
  if (m_session) {
    connect(m_session->completionClient(), &client::CompletionClient::scored, this, &ScorePanel::onScored);
    // A new address drops a score in flight without an answer.
    connect(m_session, &models::NodeSession::connectionChanged, this, [this] {
      m_running = false;
      updateButtons();
    });
  }
  updateButtons();
}

void ScorePanel::setModel(const QString &model) {
  m_model = model;
  updateButtons();
}

void ScorePanel::setText(const QString &text) { m_text->setPlainText(text); }

QString ScorePanel::summary() const { return m_summary->text(); }

void ScorePanel::score() {
  if (!m_session || m_model.isEmpty() || m_text->toPlainText().trimmed().isEmpty()) return;
  m_running = true;
  updateButtons();
  Q_EMIT started();
  m_session->completionClient()->score(m_model, m_text->toPlainText());
}

void ScorePanel::onScored(const client::ScoreResult &result) {
  m_running = false;
  updateButtons();
  if (!result.error.ok()) {
    Q_EMIT failed(result.error);
    Q_EMIT scored(result);
    return;
  }
  m_last = result;
  m_hasResult = true;
  m_view->setTokens(result.tokens);
  render();
  Q_EMIT scored(result);
}

void ScorePanel::render() {
  if (!m_hasResult) return;
  const QLocale l;
  m_summary->setText(tr("%1 tokens · perplexity %2 · %3 OOV · log10 P %4")
                         .arg(m_last.tokenCount)
                         .arg(l.toString(m_last.perplexity, 'f', 2))
                         .arg(m_last.oov)
                         .arg(l.toString(m_last.log10Prob, 'f', 2)));
}

void ScorePanel::updateButtons() { m_button->setEnabled(!m_running && !m_model.isEmpty() && m_session); }

void ScorePanel::retranslateUi() {
  m_textLabel->setText(tr("Text"));
  m_text->setPlaceholderText(tr("Paste a text to see how likely the model finds each token…"));
  m_button->setText(tr("Score"));
  m_hint->setText(tr("Each token is coloured by its log10 probability; hover a token for the numbers."));
  render();
}

void ScorePanel::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
