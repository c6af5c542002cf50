// AuditModel: the audit log of a node's model actions (docs/models.md, "Audit") as a table — who
// did what to which version, when, the state before and after, why, and whether it was done or
// refused — following the ops topic `audit` (its snapshot: the rows since the chosen time, then
// every new row as it is written). AuditFilterModel narrows it by model, actor, action, time and
// text; exportCsv() writes what a filter shows in the node's own CSV format.
//
// Contract: GUI thread. setSession() (not owned) subscribes the session's ops client to `audit`
// with `since` and `limit` (follow()), and follows the session when it replaces its client
// (liveStateReplaced), clearing the rows. A snapshot replaces the rows; a delta's `entries` are
// appended (rows older than `since` are skipped). Rows are kept oldest first, as the node sends
// them. RawRole gives sortable values (time as Unix ms, version as a number).
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QSortFilterProxyModel>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class NodeSession;
class TopicSubscription;

class AuditModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column { Time, Actor, Action, Model, Version, Before, After, Reason, Outcome, Count };
  enum Role { RawRole = Qt::UserRole + 1, EntryRole };
  // How many rows a subscription asks for at most (the node's own cap is 100,000).
  static constexpr int kMaxRows = 100'000;

  explicit AuditModel(QObject *parent = nullptr);

  void setSession(NodeSession *session);
  // Rows at or after `since` (invalid: all); subscribes again when it changed.
  void follow(const QDateTime &since);
  bool hasSnapshot() const { return m_hasSnapshot; }

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  QJsonObject entry(int row) const {
    return row >= 0 && row < m_entries.size() ? m_entries.at(row).toObject() : QJsonObject();
  }
  // Translated action names ("approve", "import", …; unknown ones as they came).
  static QString actionText(const QString &action);
  // Rows in the node's CSV format (registry/auditlog.h auditCsv(): header, RFC 4180, CRLF).
  static QByteArray csv(const QList<QJsonObject> &entries);

public Q_SLOTS:
  void applySnapshot(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyDelta(const QString &topic, qint64 seq, const QJsonObject &payload);
  void retranslate();

Q_SIGNALS:
  void snapshotApplied();

private:
  void subscribe();
  void clear();
  QString text(const QJsonObject &e, Column column) const;

  TopicSubscription *m_topic;  // its ops topic, through the session's current client
  QDateTime m_since;
  QJsonArray m_entries;
  bool m_hasSnapshot = false;
};

// What the Audit view's filters select. Empty strings match anything; `model`, `actor` and
// `action` must match whole (case-insensitive), `text` is a case-insensitive substring of any
// column (the reason included); `from`/`until` bound the time (invalid: unbounded).
struct AuditFilter {
  QString model, actor, action, text;
  QDateTime from, until;
  bool accepts(const QJsonObject &entry) const;
};

class AuditFilterModel : public QSortFilterProxyModel {
  Q_OBJECT
public:
  explicit AuditFilterModel(QObject *parent = nullptr);
  void setFilter(const AuditFilter &filter);
  const AuditFilter &filter() const { return m_filter; }
  // The rows it shows, in the source's order (oldest first), whatever the view's sorting.
  QList<QJsonObject> entries() const;
  // Writes entries() as CSV to `path`, whole or not at all; an error text, empty on success.
  QString exportCsv(const QString &path) const;

protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
  AuditFilter m_filter;
};

}  // namespace lmfront::models
