// ActiveAlertsView: the Alerts section's Active tab — the node's active alerts (severity, state,
// rule, labels, value, since, acknowledgement), live from the session's AlertListModel, and what
// an operator does about the selected one: acknowledge it with a comment, or silence it for a
// duration with label matchers prefilled to select exactly that alert (editable).
//
// Contract: a view of the session it is handed (setSession(); not owned). Commands go through the
// model; their outcome shows under the forms (messageText(); a refusal such as a viewer's missing
// role is shown as the node said it, in the error style). Sorted by severity, then newest first;
// the selection follows its alert across updates. Re-translates on QEvent::LanguageChange.
#pragma once

#include <QWidget>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace lmfront::models {
class AlertListModel;
class NodeSession;
}  // namespace lmfront::models

namespace lmfront::widgets {

class ActiveAlertsView : public QWidget {
  Q_OBJECT
public:
  explicit ActiveAlertsView(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);

  // Selects the alert's row; false when it is not listed.
  bool selectAlert(const QString &id);
  QString selectedId() const;
  QString messageText() const;
  bool messageIsError() const { return m_messageIsError; }
  QString countText() const;

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void onSelection();
  void refreshCount();
  void acknowledge();
  void silence();
  void showMessage(const QString &text, bool error);

  models::AlertListModel *m_model = nullptr;  // the session's
  QSortFilterProxyModel *m_proxy;
  QTableView *m_table;
  QLabel *m_count;
  QLabel *m_selected;
  QGroupBox *m_ackBox;
  QLineEdit *m_ackComment;
  QPushButton *m_ackButton;
  QGroupBox *m_silenceBox;
  QLabel *m_matchersLabel;
  QPlainTextEdit *m_matchers;
  QLabel *m_durationLabel;
  QComboBox *m_duration;
  QLineEdit *m_silenceComment;
  QPushButton *m_silenceButton;
  QLabel *m_message;
  bool m_messageIsError = false;
};

}  // namespace lmfront::widgets
