// JobsPanel: the Models section's view of the node's platform jobs (validate, train, compile, mix)
// as the `jobs` topic tells them — newest first, each with a progress bar, its state and error —
// and, for the selected job, Cancel (a queued or running job, operator) and its log on request,
// which then follows the job while it runs.
//
// Contract: a view of the JobListModel it is given (not owned); setRole() with the key's role
// enables Cancel (operator, an active job selected; the tooltip says what stops it). The log is
// asked for (`job_log`) when Show log is clicked and again on each change of that job while it
// shows. Outcomes show under the buttons. Re-translates on QEvent::LanguageChange.
#pragma once

#include "models/joblistmodel.h"

#include <QGroupBox>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeView;

namespace lmfront::widgets {

class JobsPanel : public QGroupBox {
  Q_OBJECT
public:
  explicit JobsPanel(models::JobListModel *jobs, QWidget *parent = nullptr);

  void setRole(const QString &role);
  bool selectJob(qint64 id);
  qint64 selectedJob() const;  // 0: none
  QString logText() const;
  qint64 logJob() const { return m_logJob; }  // the job whose log shows; 0: none
  QString messageText() const;
  bool messageIsError() const { return m_messageIsError; }
  QTreeView *view() const { return m_view; }

Q_SIGNALS:
  void cancelFinished(qint64 id, const QString &error);
  void logShown(qint64 id);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void refresh();
  void showLog(qint64 id);
  void showMessage(const QString &text, bool error);

  models::JobListModel *m_jobs;
  QString m_role;
  QTreeView *m_view;
  QPushButton *m_cancel;
  QPushButton *m_log;
  QLabel *m_message;
  QLabel *m_logTitle;
  QPlainTextEdit *m_logView;
  qint64 m_logJob = 0;
  bool m_logLoading = false;
  bool m_logStale = false;  // the job changed while its log was loading: ask again
  bool m_messageIsError = false;
};

}  // namespace lmfront::widgets
