#include "widgets/alertrulesview.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBlock>
#include <QVBoxLayout>

namespace lmfront::widgets {

using Action = models::AlertRules::Action;

AlertRulesView::AlertRulesView(QWidget *parent)
    : QWidget(parent),
      m_hint(new QLabel),
      m_editor(new QPlainTextEdit),
      m_reload(new QPushButton),
      m_validate(new QPushButton),
      m_apply(new QPushButton),
      m_status(new QLabel) {
  m_hint->setObjectName(QStringLiteral("hint"));
  m_hint->setWordWrap(true);
  m_editor->setObjectName(QStringLiteral("rulesEditor"));
  m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
  m_editor->setTabChangesFocus(false);
  m_reload->setObjectName(QStringLiteral("rulesReload"));
  m_validate->setObjectName(QStringLiteral("rulesValidate"));
  m_apply->setObjectName(QStringLiteral("rulesApply"));
  m_status->setObjectName(QStringLiteral("rulesStatus"));
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_reload);
  buttons->addStretch(1);
  buttons->addWidget(m_validate);
  buttons->addWidget(m_apply);
  auto *layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 8, 0, 0);
  layout->addWidget(m_hint);
  layout->addWidget(m_editor, 1);
  layout->addWidget(m_status);
  layout->addLayout(buttons);

  connect(m_reload, &QPushButton::clicked, this, &AlertRulesView::reload);
  connect(m_validate, &QPushButton::clicked, this, &AlertRulesView::validate);
  connect(m_apply, &QPushButton::clicked, this, &AlertRulesView::apply);
  connect(&m_rules, &models::AlertRules::finished, this, &AlertRulesView::onFinished);
  retranslateUi();
}

void AlertRulesView::setSession(models::NodeSession *session) {
  m_rules.setSession(session);
  m_loaded = false;
  m_editor->clear();
  setStatus({}, false);
  if (isVisible()) reload();
}

QString AlertRulesView::text() const { return m_editor->toPlainText(); }
void AlertRulesView::setText(const QString &yaml) { m_editor->setPlainText(yaml); }
QString AlertRulesView::statusText() const { return m_status->text(); }
int AlertRulesView::cursorLine() const { return m_editor->textCursor().blockNumber() + 1; }

void AlertRulesView::reload() {
  m_loaded = true;
  setStatus(tr("Loading…"), false);
  m_rules.load();
}

void AlertRulesView::validate() {
  setStatus(tr("Checking…"), false);
  m_rules.check(text());
}

void AlertRulesView::apply() {
  setStatus(tr("Applying…"), false);
  m_rules.apply(text());
}

void AlertRulesView::onFinished(Action action, int rules, const QString &error, int line, const QString &yaml) {
  if (!error.isEmpty()) {
    setStatus(error, true);  // the node's message names the file's line and field
    if (line > 0) {
      const QTextBlock block = m_editor->document()->findBlockByNumber(line - 1);
      if (block.isValid()) {
        QTextCursor cursor(block);
        cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        m_editor->setTextCursor(cursor);
        m_editor->setFocus();
      }
    }
  } else {
    switch (action) {
    case Action::Load:
      m_editor->setPlainText(yaml);
      setStatus(tr("Rules in effect on the node: %1.").arg(rules), false);
      break;
    case Action::Check: setStatus(tr("Valid, rules: %1. Nothing applied yet.").arg(rules), false); break;
    case Action::Apply: setStatus(tr("Applied. Rules the node now evaluates: %1.").arg(rules), false); break;
    }
  }
  Q_EMIT finished(action, error);
}

void AlertRulesView::setStatus(const QString &text, bool error) {
  m_error = error;
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: #b42318;") : QStringLiteral("color: #2e7d4f;"));
}

void AlertRulesView::retranslateUi() {
  m_hint->setText(
      tr("The node's alert rules file. Validate checks it on the node without changing anything; "
         "Apply replaces the rules (admin role) and keeps alerts of unchanged rules."));
  m_reload->setText(tr("Reload"));
  m_validate->setText(tr("Validate"));
  m_apply->setText(tr("Apply"));
}

void AlertRulesView::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void AlertRulesView::showEvent(QShowEvent *event) {
  QWidget::showEvent(event);
  if (!m_loaded) reload();
}

}  // namespace lmfront::widgets
