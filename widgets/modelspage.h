// ModelsPage: the console's Models section — the node's catalog as a tree (model → versions) with
// each version's state, size, order, vocabulary, dev perplexity and dependencies; the selected
// version's details, model card and stored validation report (ValidationReportView); the
// lifecycle actions on it (validate and compile as jobs, approve and reject with a comment,
// publish, retire) enabled by the session's role and the version's state; the model's deployment
// (DeploymentPanel: deploy, promote, roll back, canary health beside stable); and the node's jobs
// (JobsPanel: progress, cancel, log); Submit… (a bundle directory or .tar.gz uploaded with its
// progress, UploadPanel) and Mix… (published versions into a new version, MixDialog), both jobs
// the node then runs.
//
// Contract: a view of the session it is handed (setSession(); not owned); its CatalogModel follows
// the session's `catalog` topic, so a change made anywhere (the CLI, another console) shows
// within the node's next delta. An action is enabled when the key's role (the ops session's
// `auth` result) is operator or admin and the lifecycle table allows it from the version's state;
// a disabled action's tooltip says which of the two stops it. Approve, reject and retire ask for
// a comment first (CommentDialog, opened non-blocking; reject needs one). Validate and compile
// start a job: its end shows under the actions, and the report of a validation (or a training)
// the page started, or of the selected version, is loaded again when its job ends. The outcome
// shows under the actions (messageText(); a refusal as the node said it, in the error style).
// Submit and Mix need operator (Mix also two versions to mix); a submitted version is selected
// once the catalog lists it. Re-translates on QEvent::LanguageChange.
#pragma once

#include "models/bundleupload.h"
#include "models/catalogmodel.h"
#include "models/deploymentstate.h"
#include "models/joblistmodel.h"
#include "widgets/commentdialog.h"
#include "widgets/deploymentpanel.h"
#include "widgets/jobspanel.h"
#include "widgets/mixdialog.h"
#include "widgets/submitdialog.h"
#include "widgets/uploadpanel.h"
#include "widgets/validationreportview.h"

#include <QMap>
#include <QPointer>
#include <QSet>
#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;
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
  models::JobListModel *jobs() { return &m_jobs; }
  JobsPanel *jobsPanel() const { return m_jobsPanel; }
  ValidationReportView *report() const { return m_report; }
  models::BundleUpload *upload() { return &m_upload; }
  UploadPanel *uploadPanel() const { return m_uploadPanel; }

  // Selects the row of a model (version 0) or one of its versions; false when it is not listed.
  bool selectVersion(const QString &model, qint64 version = 0);
  QString selectedModel() const;
  qint64 selectedVersion() const;  // 0: a model's row or nothing
  // The dialog an action opened and is waiting on; null when none is open.
  CommentDialog *pendingDialog() const { return m_dialog; }
  SubmitDialog *pendingSubmit() const { return m_submitDialog; }
  MixDialog *pendingMix() const { return m_mixDialog; }
  QString messageText() const;
  bool messageIsError() const { return m_messageIsError; }
  QString cardText() const;
  QString roleText() const;

Q_SIGNALS:
  // A lifecycle action the page asked for was answered (error empty on success).
  void actionFinished(lmfront::registry::LifecycleAction action, const QString &error);
  // A job this page started ended (`job` as the node sent it, state succeeded, failed or cancelled).
  void jobFinished(const QJsonObject &job);
  // The validation report of `model` `version` was loaded into report() (or found missing).
  void reportShown(const QString &model, qint64 version);

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
  void loadReport(const QString &model, qint64 version);
  void onJobEnded(const QJsonObject &job);
  void follow(qint64 job);  // reports the end of `job`, which this page started
  void openSubmit();
  void openMix();
  QList<MixDialog::Candidate> mixCandidates() const;
  QString role() const;  // the ops session's role; empty before it is known
  static QString actionText(Action action);

  models::CatalogModel m_catalog;
  models::DeploymentState m_deployments;
  models::JobListModel m_jobs;
  models::BundleUpload m_upload;
  QPointer<models::NodeSession> m_session;
  QLabel *m_title;
  QLabel *m_subtitle;
  QLabel *m_role;
  QPushButton *m_submit;
  QPushButton *m_mix;
  UploadPanel *m_uploadPanel;
  QTreeView *m_tree;
  QLabel *m_heading;
  QLabel *m_details;
  QMap<Action, QPushButton *> m_actions;
  QLabel *m_message;
  DeploymentPanel *m_deployment;
  QTabWidget *m_tabs;
  QTextBrowser *m_card;
  ValidationReportView *m_report;
  JobsPanel *m_jobsPanel;
  QPointer<CommentDialog> m_dialog;
  QPointer<SubmitDialog> m_submitDialog;
  QPointer<MixDialog> m_mixDialog;
  bool m_messageIsError = false;
  QString m_cardFor;           // "model/version" the card shown belongs to
  QString m_reportFor;         // "model/version" the report shown belongs to
  QSet<qint64> m_started;      // jobs this page started, until they end
  QString m_selectWhenListed;  // "model/version" a submission recorded, selected once listed
};

}  // namespace lmfront::widgets
