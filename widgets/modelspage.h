// ModelsPage: the console's Models section — the node's catalog as a tree (model → versions) with
// each version's state, size, order, vocabulary, dev perplexity and dependencies; the selected
// version's details and model card; the lifecycle actions on it (approve and reject with a
// comment, publish, retire) enabled by the session's role and the version's state; and the
// model's deployment (DeploymentPanel: deploy, promote, roll back, canary health beside stable).
//
// Contract: a view of the session it is handed (setSession(); not owned); its CatalogModel follows
// the session's `catalog` topic, so a change made anywhere (the CLI, another console) shows
// within the node's next delta. An action is enabled when the key's role (the ops session's
// `auth` result) is operator or admin and the lifecycle table allows it from the version's state;
// a disabled action's tooltip says which of the two stops it. Approve, reject and retire ask for
// a comment first (CommentDialog, opened non-blocking; reject needs one). The outcome shows under
// the actions (messageText(); a refusal as the node said it, in the error style). Re-translates
// on QEvent::LanguageChange.
#pragma once

#include "models/catalogmodel.h"
#include "models/deploymentstate.h"
#include "widgets/commentdialog.h"
#include "widgets/deploymentpanel.h"

#include <QMap>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeView;

namespace lmfront::widgets {

class ModelsPage : public QWidget {
  Q_OBJECT
public:
  using Action = registry::LifecycleAction;

  explicit ModelsPage(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  models::CatalogModel *catalog() { return &m_catalog; }
  models::DeploymentState *deployments() { return &m_deployments; }
  DeploymentPanel *deployment() const { return m_deployment; }

  // Selects the row of a model (version 0) or one of its versions; false when it is not listed.
  bool selectVersion(const QString &model, qint64 version = 0);
  QString selectedModel() const;
  qint64 selectedVersion() const;  // 0: a model's row or nothing
  // The dialog an action opened and is waiting on; null when none is open.
  CommentDialog *pendingDialog() const { return m_dialog; }
  QString messageText() const;
  bool messageIsError() const { return m_messageIsError; }
  QString cardText() const;
  QString roleText() const;

Q_SIGNALS:
  // A lifecycle action the page asked for was answered (error empty on success).
  void actionFinished(lmfront::registry::LifecycleAction action, const QString &error);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void onSelection();
  void refreshActions();
  void refreshRole();
  void request(Action action);
  void run(Action action, const QString &model, qint64 version, const QString &comment);
  void showMessage(const QString &text, bool error);
  QString role() const;  // the ops session's role; empty before it is known
  static QString actionText(Action action);

  models::CatalogModel m_catalog;
  models::DeploymentState m_deployments;
  QPointer<models::NodeSession> m_session;
  QLabel *m_title;
  QLabel *m_subtitle;
  QLabel *m_role;
  QTreeView *m_tree;
  QLabel *m_heading;
  QLabel *m_details;
  QMap<Action, QPushButton *> m_actions;
  QLabel *m_message;
  DeploymentPanel *m_deployment;
  QLabel *m_cardTitle;
  QTextBrowser *m_card;
  QPointer<CommentDialog> m_dialog;
  bool m_messageIsError = false;
  QString m_cardFor;  // "model/version" the card shown belongs to
};

}  // namespace lmfront::widgets
