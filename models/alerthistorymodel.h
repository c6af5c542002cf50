// AlertHistoryModel: a node's alert history (the ops command `alert_history`, docs/alerting.md
// "History") as a table, the CSV export of the same rows, and the period's summary
// (`alert_summary`: alerts per day by severity, MTTA, MTTR) — what a manager reviews.
//
// Contract: GUI thread. It talks through the ops client of the session it is given (setSession();
// not owned; the client current at each call). query() replaces the rows with the events the
// filter selects (oldest first, as the node answers) and ends in queried(); exportCsv() asks the
// node for the same rows as CSV (RFC 4180, the node's header) and writes them to a file whole or
// not at all, ending in exported(); loadSummary() ends in summaryLoaded(). Each ends exactly once
// with an error text that is empty on success, unless the session's client is replaced first or
// a newer query() (loadSummary()) was made meanwhile: only the newest one's answer is taken.
// RawRole gives sortable values (time as Unix ms, value as double).
#pragma once

#include <QAbstractTableModel>
#include <QDate>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <optional>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class NodeSession;

// What alert_history and alert_summary select. Times: ISO 8601, or a duration back from now
// ("24h", "7d"), as the node reads them; empty: unbounded (since) or now (until). Empty strings
// match anything; `text` is a case-insensitive substring.
struct AlertHistoryFilter {
  QString since, until;
  QString severity, rule, model, node, state, text;

  QJsonObject args() const;  // the command's arguments (empty fields left out)
};

// The answer of alert_summary.
struct AlertSummary {
  struct Day {
    QDate date;  // UTC
    int critical = 0, warning = 0, info = 0;
    int total() const { return critical + warning + info; }
  };
  QDate since, until;  // UTC days of the period
  QList<Day> perDay;   // days on which some alert began firing, in order
  std::optional<double> mttaS, mttrS;
  int fired = 0, acknowledged = 0, resolved = 0;
  QList<QPair<QString, int>> noisiest;  // rule, times fired

  static AlertSummary fromJson(const QJsonObject &json);
  // One Day per date of the period (zeros where nothing fired), at most `maxDays` ending at
  // `until` (a period from the epoch starts at its first day with alerts instead).
  QList<Day> days(int maxDays = 92) const;
};

class AlertHistoryModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column { Time, Kind, Severity, State, Rule, Model, Node, Labels, Value, Summary, Author, Comment, Count };
  enum Role { RawRole = Qt::UserRole + 1, EventRole };

  explicit AlertHistoryModel(QObject *parent = nullptr);
  void setSession(NodeSession *session);

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  QJsonObject event(int row) const {
    return row >= 0 && row < m_events.size() ? m_events.at(row).toObject() : QJsonObject();
  }
  void setEvents(const QJsonArray &events);
  void retranslate();  // headers and cells re-read after a language change

  void query(const AlertHistoryFilter &filter);
  void exportCsv(const AlertHistoryFilter &filter, const QString &path);
  void loadSummary(const AlertHistoryFilter &filter);

Q_SIGNALS:
  void queried(const QString &error);
  void exported(const QString &path, int rows, const QString &error);
  void summaryLoaded(const lmfront::models::AlertSummary &summary, const QString &error);

private:
  client::OpsClient *opsClient() const;  // the session's current one; null without a session
  QString text(const QJsonObject &e, Column column) const;

  QPointer<NodeSession> m_session;
  QJsonArray m_events;
  quint64 m_queryGeneration = 0;  // only the newest query's and summary's answers count
  quint64 m_summaryGeneration = 0;
};

}  // namespace lmfront::models
