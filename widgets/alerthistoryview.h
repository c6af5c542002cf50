// AlertHistoryView: the Alerts section's History tab — what a manager reviews. Filters (time range,
// severity, rule, model, node, state, text) select rows of the node's alert history into a
// table; Export CSV writes the same rows to a file the user picks; above them the period's
// alerts per day by severity (AlertsPerDayChart), MTTA, MTTR and how many fired, from the node's
// summary of the same range.
//
// Contract: a view of the session it is handed (setSession(); not owned): its AlertHistoryModel
// talks through the session's ops client. refresh() (the Apply button, and each time the tab is
// shown) runs the query and the summary; exportCsvTo() is what the save dialog's choice runs.
// Errors (a refused filter, a file that cannot be written) show under the filters.
#pragma once

#include "models/alerthistorymodel.h"

#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace lmfront::widgets {

class AlertsPerDayChart;

class AlertHistoryView : public QWidget {
  Q_OBJECT
public:
  enum class Range { LastHour, LastDay, LastWeek, LastMonth, All, Custom };

  explicit AlertHistoryView(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  models::AlertHistoryModel *model() { return &m_model; }
  const AlertsPerDayChart *chart() const { return m_chart; }

  void setRange(Range range);
  // From the filter widgets.
  models::AlertHistoryFilter filter() const;
  QString statusText() const;
  QString mttaText() const;
  QString mttrText() const;
  QString firedText() const;

public Q_SLOTS:
  void refresh();
  void exportCsvTo(const QString &path);

Q_SIGNALS:
  void refreshed();  // both the rows and the summary answered (ok or not)
  void exported(const QString &path, int rows, const QString &error);

protected:
  void changeEvent(QEvent *event) override;
  void showEvent(QShowEvent *event) override;

private:
  void retranslateUi();
  void chooseCsvFile();
  void showSummary(const models::AlertSummary &summary, const QString &error);
  void setStatus(const QString &text, bool error);
  static QString eventsText(int n);  // "1 event", "3 events"

  models::AlertHistoryModel m_model;
  models::NodeSession *m_session = nullptr;
  QSortFilterProxyModel *m_proxy;
  QComboBox *m_range;
  QDateTimeEdit *m_from;
  QDateTimeEdit *m_to;
  QComboBox *m_severity;
  QLineEdit *m_rule;
  QLineEdit *m_modelFilter;
  QLineEdit *m_node;
  QComboBox *m_state;
  QLineEdit *m_text;
  QPushButton *m_apply;
  QPushButton *m_export;
  QLabel *m_status;
  AlertsPerDayChart *m_chart;
  QLabel *m_chartTitle;
  QLabel *m_mtta;
  QLabel *m_mttr;
  QLabel *m_fired;
  QTableView *m_table;
  int m_waiting = 0;  // answers still due for the last refresh()
};

}  // namespace lmfront::widgets
