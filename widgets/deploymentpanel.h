// DeploymentPanel: the Models section's view of one model's deployment — the version serving, the
// one kept for rollback, a canary or shadow with its share and, beside the stable version, its
// live health (requests, error rate, p99 from the canary guard, once a second) against its limits —
// and the actions on it: Deploy… (a published version: replace, canary % with limits, shadow %),
// Promote (the variant becomes stable) and Roll back (two clicks: the button, then a confirmation).
//
// Contract: a view of the DeploymentState it is given (not owned) for the model and version
// setTarget() names, with the key's role; Deploy needs operator and a version the lifecycle table
// lets deploy (registry/lifecycle.h, through CatalogModel::allows()); Promote and Roll back need
// operator and something to promote or undo. The dialogs open non-blocking (pendingDialog()).
// Outcomes show under the buttons; the deployment shown is the command's answer at once, then the
// topic's. Re-translates on QEvent::LanguageChange.
#pragma once

#include "models/deploymentstate.h"

#include <QGroupBox>
#include <QPointer>

class QDialog;
class QLabel;
class QPushButton;

namespace lmfront::widgets {

class DeploymentPanel : public QGroupBox {
  Q_OBJECT
public:
  explicit DeploymentPanel(models::DeploymentState *state, QWidget *parent = nullptr);

  // `state`: the selected version's state name (empty on a model's row); `role`: the key's.
  void setTarget(const QString &model, qint64 version, const QString &state, const QString &role);
  QDialog *pendingDialog() const { return m_dialog; }
  QString servingText() const;
  QString healthText() const;
  QString messageText() const;
  bool messageIsError() const { return m_messageIsError; }

Q_SIGNALS:
  void commandFinished(lmfront::models::DeploymentState::Command command, const QString &error);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void refresh();
  void openDeploy();
  void confirmRollback();
  void showMessage(const QString &text, bool error);

  models::DeploymentState *m_state;
  QString m_model, m_versionState, m_role;
  qint64 m_version = 0;
  QLabel *m_serving;
  QLabel *m_health;
  QPushButton *m_deploy;
  QPushButton *m_promote;
  QPushButton *m_rollback;
  QLabel *m_message;
  QPointer<QDialog> m_dialog;
  bool m_messageIsError = false;
};

}  // namespace lmfront::widgets
