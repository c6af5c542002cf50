// NodeInfoModel: one node's identity and health (a NodeHealth from HealthClient) as a two-column
// table, Property | Value, one row per fact, for the Overview and anything else that lists a node.
//
// Contract: GUI-thread only; fed values through setHealth() (connect it to
// HealthClient::healthUpdated). Rows are fixed (Row enum), so only dataChanged is ever emitted,
// and one setHealth() emits at most one dataChanged covering the rows whose text changed.
// RawValueRole gives the unformatted value (uptime in seconds as double, model count as int,
// healthy as bool) so sorting and tests do not parse display text. The last known identity
// stays shown while a node is unreachable; uptime then shows a dash.
// Texts are translated: call retranslate() when the application language changes.
#pragma once

#include "client/healthclient.h"

#include <QAbstractTableModel>

namespace lmfront::models {

class NodeInfoModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column { Property, Value, Count };
  enum class Row { NodeId, Version, Health, Uptime, Listen, DataDir, Models, Count };
  enum Role {
    RawValueRole = Qt::UserRole + 1,
    RowKeyRole,  // the Row as int, so a view can place a row without relying on its index
  };

  explicit NodeInfoModel(QObject *parent = nullptr);

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  QHash<int, QByteArray> roleNames() const override;

  const client::NodeHealth &health() const { return m_health; }
  QModelIndex indexOf(Row row, Column column = Column::Value) const;

  // "12 s", "3 min 04 s", "2 h 05 min", "3 d 04 h" (translated).
  static QString formatUptime(double seconds);
  // "healthy", "unreachable: connection refused", ... (translated).
  static QString healthText(const client::NodeHealth &health);

public Q_SLOTS:
  void setHealth(const lmfront::client::NodeHealth &health);
  // Time since the last setHealth(), so uptime ticks between polls without a clock in here.
  void setSecondsSinceUpdate(double seconds);
  void retranslate();

Q_SIGNALS:
  // After every setHealth(), changed or not: views restart their uptime tick from here.
  void healthReceived();

private:
  QString valueText(Row row) const;
  QVariant rawValue(Row row) const;
  // What each row shows and holds, to find the rows a change touched.
  using Snapshot = QList<QPair<QString, QVariant>>;
  Snapshot snapshot() const;
  void emitChangedRows(const Snapshot &before);

  client::NodeHealth m_health;
  double m_sinceUpdate = 0;
};

}  // namespace lmfront::models
