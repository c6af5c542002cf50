// AuditPage: the console's Audit section — every action on the node's models (docs/models.md,
// "Audit": imports, submissions, reviews, publishing, deployments, jobs, refusals included) as a
// live table, narrowed by time range, model, actor, action and text, and exported as CSV in the
// node's format.
//
// Contract: a view of the session it is handed (setSession(); not owned). Its AuditModel follows
// the session's `audit` topic from the range's start (a new range subscribes again: the node
// sends the rows since then, up to AuditModel::kMaxRows, then each new row); model, actor,
// action and text narrow the rows as they are typed, without asking the node. exportCsvTo()
// writes the rows the filters show (oldest first), whole or not at all. Re-translates on
// QEvent::LanguageChange.
#pragma once

#include "models/auditmodel.h"

#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace lmfront::widgets {

class AuditPage : public QWidget {
  Q_OBJECT
public:
  enum class Range { LastHour, LastDay, LastWeek, LastMonth, All, Custom };

  explicit AuditPage(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  models::AuditModel *model() { return &m_model; }
  models::AuditFilterModel *rows() { return m_filter; }
  QTableView *table() const { return m_table; }

  void setRange(Range range);
  void setCustomRange(const QDateTime &from, const QDateTime &until);
  models::AuditFilter filter() const;  // from the filter widgets
  QString statusText() const;

public Q_SLOTS:
  void exportCsvTo(const QString &path);

Q_SIGNALS:
  void exported(const QString &path, int rows, const QString &error);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void applyFilter();
  void applyRange();
  void refreshChoices();  // models and actors seen, for the pickers
  void refreshCount();
  void chooseCsvFile();
  void setStatus(const QString &text, bool error);
  QDateTime rangeStart() const;
  static QString actionsText(int n);  // "1 action", "3 actions"

  models::AuditModel m_model;
  models::AuditFilterModel *m_filter;
  QLabel *m_title;
  QLabel *m_subtitle;
  QComboBox *m_range;
  QDateTimeEdit *m_from;
  QDateTimeEdit *m_to;
  QComboBox *m_modelFilter;
  QComboBox *m_actor;
  QComboBox *m_action;
  QLineEdit *m_text;
  QPushButton *m_export;
  QLabel *m_count;
  QLabel *m_status;
  QTableView *m_table;
};

}  // namespace lmfront::widgets
