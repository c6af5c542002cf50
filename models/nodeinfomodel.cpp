#include "models/nodeinfomodel.h"

#include <QColor>
#include <cmath>

namespace lmfront::models {

using client::HealthError;
using client::NodeHealth;

namespace {
constexpr int kRows = static_cast<int>(NodeInfoModel::Row::Count);
constexpr int kColumns = static_cast<int>(NodeInfoModel::Column::Count);
// Restrained palette shared with the status bar dot: green, amber, red, grey.
const QColor kHealthy(0x2e, 0x9e, 0x5b);
const QColor kDegraded(0xd9, 0x8e, 0x04);
const QColor kDown(0xd1, 0x43, 0x43);
const QColor kUnknown(0x9a, 0xa3, 0xad);

QString dash() { return QStringLiteral("—"); }
}  // namespace

NodeInfoModel::NodeInfoModel(QObject *parent) : QAbstractTableModel(parent) {}

int NodeInfoModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : kRows; }

int NodeInfoModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : kColumns; }

QModelIndex NodeInfoModel::indexOf(Row row, Column column) const {
  return index(static_cast<int>(row), static_cast<int>(column));
}

QString NodeInfoModel::formatUptime(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return dash();
  const qint64 s = static_cast<qint64>(seconds);
  const qint64 d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60;
  auto two = [](qint64 v) { return QStringLiteral("%1").arg(v, 2, 10, QLatin1Char('0')); };
  if (d > 0) return tr("%1 d %2 h").arg(d).arg(two(h));
  if (h > 0) return tr("%1 h %2 min").arg(h).arg(two(m));
  if (m > 0) return tr("%1 min %2 s").arg(m).arg(two(sec));
  return tr("%1 s").arg(sec);
}

QString NodeInfoModel::healthText(const NodeHealth &health) {
  if (health.healthy()) return tr("healthy");
  switch (health.errorKind) {
  case HealthError::None: return tr("reachable, status: %1").arg(health.status);
  case HealthError::NotPolled: return tr("checking…");
  case HealthError::ConnectionRefused: return tr("unreachable: connection refused");
  case HealthError::Timeout: return tr("unreachable: no answer in time");
  case HealthError::HttpStatus: return tr("unreachable: %1").arg(health.error);
  case HealthError::BadResponse: return tr("unreachable: unexpected answer");
  case HealthError::Network: return tr("unreachable: %1").arg(health.error);
  }
  return tr("unreachable");
}

QString NodeInfoModel::valueText(Row row) const {
  const NodeHealth &h = m_health;
  auto orDash = [](const QString &s) { return s.isEmpty() ? dash() : s; };
  switch (row) {
  case Row::NodeId: return orDash(h.nodeId);
  case Row::Version: return orDash(h.version);
  case Row::Health: return healthText(h);
  case Row::Uptime: return h.reachable ? formatUptime(h.uptimeS + m_sinceUpdate) : dash();
  case Row::Listen: return orDash(h.listen);
  case Row::DataDir: return orDash(h.dataDir);
  case Row::Models: return h.reachable ? QString::number(h.models) : dash();
  case Row::Count: break;
  }
  return {};
}

QVariant NodeInfoModel::rawValue(Row row) const {
  switch (row) {
  case Row::NodeId: return m_health.nodeId;
  case Row::Version: return m_health.version;
  case Row::Health: return m_health.healthy();
  case Row::Uptime: return m_health.reachable ? QVariant(m_health.uptimeS + m_sinceUpdate) : QVariant();
  case Row::Listen: return m_health.listen;
  case Row::DataDir: return m_health.dataDir;
  case Row::Models: return m_health.reachable ? QVariant(m_health.models) : QVariant();
  case Row::Count: break;
  }
  return {};
}

QVariant NodeInfoModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Row row = static_cast<Row>(index.row());
  const Column column = static_cast<Column>(index.column());
  if (role == RowKeyRole) return index.row();
  if (column == Column::Property) {
    if (role == Qt::DisplayRole) return headerData(index.row(), Qt::Vertical, Qt::DisplayRole);
    return {};
  }
  switch (role) {
  case Qt::DisplayRole: return valueText(row);
  case Qt::ToolTipRole:
    if (row == Row::Health && !m_health.error.isEmpty()) return m_health.error;
    if (row == Row::DataDir) return m_health.dataDir;
    return {};
  case Qt::DecorationRole:
    if (row != Row::Health) return {};
    if (m_health.healthy()) return kHealthy;
    if (m_health.errorKind == HealthError::NotPolled) return kUnknown;
    return m_health.reachable ? kDegraded : kDown;
  case RawValueRole: return rawValue(row);
  default: return {};
  }
}

QVariant NodeInfoModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Horizontal) {
    switch (static_cast<Column>(section)) {
    case Column::Property: return tr("Property");
    case Column::Value: return tr("Value");
    case Column::Count: break;
    }
    return {};
  }
  switch (static_cast<Row>(section)) {
  case Row::NodeId: return tr("Node");
  case Row::Version: return tr("Version");
  case Row::Health: return tr("Health");
  case Row::Uptime: return tr("Uptime");
  case Row::Listen: return tr("Listen address");
  case Row::DataDir: return tr("Data directory");
  case Row::Models: return tr("Models");
  case Row::Count: break;
  }
  return {};
}

QHash<int, QByteArray> NodeInfoModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
  names.insert(RawValueRole, "rawValue");
  names.insert(RowKeyRole, "rowKey");
  return names;
}

NodeInfoModel::Snapshot NodeInfoModel::snapshot() const {
  Snapshot snap;
  for (int r = 0; r < kRows; ++r) snap.push_back({valueText(static_cast<Row>(r)), rawValue(static_cast<Row>(r))});
  return snap;
}

void NodeInfoModel::emitChangedRows(const Snapshot &before) {
  const Snapshot after = snapshot();
  int first = -1, last = -1;
  for (int r = 0; r < kRows; ++r) {
    if (before.at(r) == after.at(r)) continue;
    if (first < 0) first = r;
    last = r;
  }
  if (first >= 0) Q_EMIT dataChanged(index(first, 1), index(last, 1));
}

void NodeInfoModel::setHealth(const NodeHealth &health) {
  const Snapshot before = snapshot();
  NodeHealth next = health;
  if (!next.reachable) {
    // Keep the identity of the node last seen: an operator wants to know *what* went away.
    next.nodeId = m_health.nodeId;
    next.version = m_health.version;
    next.listen = m_health.listen;
    next.dataDir = m_health.dataDir;
    next.models = 0;
    next.uptimeS = 0;
  }
  // Colour and tooltip of the health row can change while its text does not.
  const bool decorationChanged = next.healthy() != m_health.healthy() || next.reachable != m_health.reachable ||
                                 next.error != m_health.error || next.errorKind != m_health.errorKind;
  m_health = std::move(next);
  m_sinceUpdate = 0;
  emitChangedRows(before);
  if (decorationChanged) {
    const QModelIndex i = indexOf(Row::Health);
    Q_EMIT dataChanged(i, i, {Qt::DecorationRole, Qt::ToolTipRole, RawValueRole});
  }
  Q_EMIT healthReceived();
}

void NodeInfoModel::setSecondsSinceUpdate(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds == m_sinceUpdate) return;
  m_sinceUpdate = seconds;
  if (!m_health.reachable) return;  // uptime shows a dash: nothing changed
  const QModelIndex i = indexOf(Row::Uptime);
  Q_EMIT dataChanged(i, i, {Qt::DisplayRole, RawValueRole});
}

void NodeInfoModel::retranslate() {
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, kColumns - 1);
  Q_EMIT headerDataChanged(Qt::Vertical, 0, kRows - 1);
  Q_EMIT dataChanged(index(0, 0), index(kRows - 1, kColumns - 1), {Qt::DisplayRole});
}

}  // namespace lmfront::models
