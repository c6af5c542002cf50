// AlertRulesView: the Alerts section's Rules tab — the node's rules file (YAML, docs/alerting.md
// "Rules file") in an editor: Reload reads the file in effect, Validate has the node check the
// edited text without applying it, Apply replaces the node's rules with it (admin). A refused
// file shows the node's message, which names the line and field, and the cursor goes to that line.
//
// Contract: a view of the session it is handed (setSession(); not owned), through an AlertRules.
// The text is loaded the first time the tab is shown for a session and on Reload, never over
// unapplied edits otherwise.
#pragma once

#include "models/alertrules.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace lmfront::widgets {

class AlertRulesView : public QWidget {
  Q_OBJECT
public:
  explicit AlertRulesView(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  QString text() const;
  void setText(const QString &yaml);
  QString statusText() const;
  bool statusIsError() const { return m_error; }
  int cursorLine() const;  // 1-based

public Q_SLOTS:
  void reload();
  void validate();
  void apply();

Q_SIGNALS:
  void finished(lmfront::models::AlertRules::Action action, const QString &error);

protected:
  void changeEvent(QEvent *event) override;
  void showEvent(QShowEvent *event) override;

private:
  void retranslateUi();
  void onFinished(models::AlertRules::Action action, int rules, const QString &error, int line, const QString &yaml);
  void setStatus(const QString &text, bool error);

  models::AlertRules m_rules;
  bool m_loaded = false;
  bool m_error = false;
  QLabel *m_hint;
  QPlainTextEdit *m_editor;
  QPushButton *m_reload;
  QPushButton *m_validate;
  QPushButton *m_apply;
  QLabel *m_status;
};

}  // namespace lmfront::widgets
