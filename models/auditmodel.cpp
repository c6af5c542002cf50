#include "models/auditmodel.h"

#include "client/opsclient.h"
#include "models/alertlistmodel.h"
#include "models/catalogmodel.h"
#include "models/nodesession.h"
#include "models/topicsubscription.h"
#include "registry/auditlog.h"

#include <QColor>
#include <QSaveFile>

namespace lmfront::models {

namespace {

const QString kTopic = QStringLiteral("audit");
const QString kDash = QStringLiteral("—");

QString str(const QJsonObject &o, QLatin1StringView key) { return o.value(key).toString(); }

QDateTime timeOf(const QJsonObject &e) {
  return QDateTime::fromString(str(e, QLatin1StringView("time")), Qt::ISODateWithMs);
}

}  // namespace

AuditModel::AuditModel(QObject *parent) : QAbstractTableModel(parent), m_topic(new TopicSubscription(kTopic, this)) {
  m_topic->setOptions({{QStringLiteral("limit"), kMaxRows}});
  connect(m_topic, &TopicSubscription::clientChanged, this, &AuditModel::clear);
  connect(m_topic, &TopicSubscription::snapshotReceived, this, &AuditModel::applySnapshot);
  connect(m_topic, &TopicSubscription::deltaReceived, this, &AuditModel::applyDelta);
}

void AuditModel::setSession(NodeSession *session) { m_topic->setSession(session); }

void AuditModel::follow(const QDateTime &since) {
  if (since == m_since && m_topic->client()) return;
  m_since = since;
  subscribe();
}

void AuditModel::clear() {
  beginResetModel();
  m_entries = {};
  m_hasSnapshot = false;
  endResetModel();
}

void AuditModel::subscribe() {
  clear();
  QJsonObject options{{QStringLiteral("limit"), kMaxRows}};
  if (m_since.isValid()) options.insert(QStringLiteral("since"), m_since.toUTC().toString(Qt::ISODate));
  m_topic->subscribe(options);
}

int AuditModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int AuditModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

QString AuditModel::actionText(const QString &action) {
  if (action == QLatin1StringView("import")) return tr("import");
  if (action == QLatin1StringView("create_model")) return tr("create model");
  if (action == QLatin1StringView("submit")) return tr("submit");
  if (action == QLatin1StringView("delete")) return tr("delete");
  if (action == QLatin1StringView("validate")) return tr("validate");
  if (action == QLatin1StringView("approve")) return tr("approve");
  if (action == QLatin1StringView("reject")) return tr("reject");
  if (action == QLatin1StringView("compile")) return tr("compile");
  if (action == QLatin1StringView("publish")) return tr("publish");
  if (action == QLatin1StringView("deploy")) return tr("deploy");
  if (action == QLatin1StringView("promote")) return tr("promote");
  if (action == QLatin1StringView("rollback")) return tr("rollback");
  if (action == QLatin1StringView("retire")) return tr("retire");
  if (action == QLatin1StringView("job")) return tr("job");
  if (action == QLatin1StringView("cancel_job")) return tr("cancel job");
  if (action == QLatin1StringView("job_interrupted")) return tr("job interrupted");
  return action;
}

QString AuditModel::text(const QJsonObject &e, Column column) const {
  switch (column) {
  case Column::Time: return AlertListModel::timeText(str(e, QLatin1StringView("time")));
  case Column::Actor: return str(e, QLatin1StringView("actor"));
  case Column::Action: return actionText(str(e, QLatin1StringView("action")));
  case Column::Model: return str(e, QLatin1StringView("model"));
  case Column::Version: {
    const QJsonValue v = e.value(QLatin1StringView("version"));
    return v.isDouble() ? QString::number(v.toInteger()) : kDash;
  }
  case Column::Before: {
    const QString s = str(e, QLatin1StringView("before"));
    return s.isEmpty() ? kDash : CatalogModel::stateText(s);
  }
  case Column::After: {
    const QString s = str(e, QLatin1StringView("after"));
    return s.isEmpty() ? kDash : CatalogModel::stateText(s);
  }
  case Column::Reason: return str(e, QLatin1StringView("reason"));
  case Column::Outcome:
    return str(e, QLatin1StringView("outcome")) == QLatin1StringView("refused") ? tr("refused") : tr("ok");
  case Column::Count: break;
  }
  return {};
}

QVariant AuditModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QJsonObject e = m_entries[index.row()].toObject();
  const auto column = static_cast<Column>(index.column());
  switch (role) {
  case Qt::DisplayRole: return text(e, column);
  case RawRole:
    if (column == Column::Time) return timeOf(e).toMSecsSinceEpoch();
    if (column == Column::Version) return e.value(QLatin1StringView("version")).toInteger(0);
    return text(e, column);
  case EntryRole: return e;
  case Qt::ToolTipRole: return column == Column::Reason ? str(e, QLatin1StringView("reason")) : QVariant();
  case Qt::ForegroundRole:
    if (column == Column::Outcome && str(e, QLatin1StringView("outcome")) == QLatin1StringView("refused"))
      return QColor(0xb4, 0x23, 0x18);
    return {};
  default: return {};
  }
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
  case Column::Time: return tr("Time");
  case Column::Actor: return tr("Actor");
  case Column::Action: return tr("Action");
  case Column::Model: return tr("Model");
  case Column::Version: return tr("Version");
  case Column::Before: return tr("Before");
  case Column::After: return tr("After");
  case Column::Reason: return tr("Reason");
  case Column::Outcome: return tr("Outcome");
  case Column::Count: break;
  }
  return {};
}

void AuditModel::applySnapshot(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  beginResetModel();
  m_entries = payload.value(QLatin1StringView("entries")).toArray();
  m_hasSnapshot = true;
  endResetModel();
  Q_EMIT snapshotApplied();
}

void AuditModel::applyDelta(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  QJsonArray fresh;
  for (const QJsonValue &v : payload.value(QLatin1StringView("entries")).toArray())
    if (!m_since.isValid() || timeOf(v.toObject()) >= m_since) fresh.append(v);
  if (fresh.isEmpty()) return;
  const int first = static_cast<int>(m_entries.size());
  beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
  for (const QJsonValue &v : fresh) m_entries.append(v);
  endInsertRows();
}

void AuditModel::retranslate() {
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

QByteArray AuditModel::csv(const QList<QJsonObject> &entries) {
  std::vector<registry::AuditEntry> rows;
  rows.reserve(static_cast<std::size_t>(entries.size()));
  for (const QJsonObject &e : entries) {
    registry::AuditEntry row;
    row.timeMs = timeOf(e).toMSecsSinceEpoch();
    row.actor = str(e, QLatin1StringView("actor")).toStdString();
    row.action = str(e, QLatin1StringView("action")).toStdString();
    row.model = str(e, QLatin1StringView("model")).toStdString();
    if (const QJsonValue v = e.value(QLatin1StringView("version")); v.isDouble()) row.version = v.toInteger();
    row.before = str(e, QLatin1StringView("before")).toStdString();
    row.after = str(e, QLatin1StringView("after")).toStdString();
    row.reason = str(e, QLatin1StringView("reason")).toStdString();
    row.outcome = str(e, QLatin1StringView("outcome")) == QLatin1StringView("refused") ? registry::AuditOutcome::Refused
                                                                                       : registry::AuditOutcome::Ok;
    rows.push_back(std::move(row));
  }
  return QByteArray::fromStdString(registry::auditCsv(rows));
}

bool AuditFilter::accepts(const QJsonObject &e) const {
  auto whole = [&e](const QString &wanted, QLatin1StringView key) {
    return wanted.trimmed().isEmpty() || str(e, key).compare(wanted.trimmed(), Qt::CaseInsensitive) == 0;
  };
  if (!whole(model, QLatin1StringView("model")) || !whole(actor, QLatin1StringView("actor")) ||
      !whole(action, QLatin1StringView("action")))
    return false;
  const QDateTime at = timeOf(e);
  if (from.isValid() && at < from) return false;
  if (until.isValid() && at > until) return false;
  const QString needle = text.trimmed();
  if (needle.isEmpty()) return true;
  for (auto it = e.begin(); it != e.end(); ++it) {
    const QString value = it.value().isDouble() ? QString::number(it.value().toInteger()) : it.value().toString();
    if (value.contains(needle, Qt::CaseInsensitive)) return true;
  }
  return false;
}

AuditFilterModel::AuditFilterModel(QObject *parent) : QSortFilterProxyModel(parent) {
  setSortRole(AuditModel::RawRole);
  setDynamicSortFilter(true);
}

void AuditFilterModel::setFilter(const AuditFilter &filter) {
  m_filter = filter;
  invalidateFilter();
}

bool AuditFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const {
  const auto *audit = qobject_cast<const AuditModel *>(sourceModel());
  return audit && m_filter.accepts(audit->entry(sourceRow));
}

QList<QJsonObject> AuditFilterModel::entries() const {
  QList<QJsonObject> out;
  const auto *audit = qobject_cast<const AuditModel *>(sourceModel());
  for (int r = 0; audit && r < audit->rowCount(); ++r)
    if (m_filter.accepts(audit->entry(r))) out.append(audit->entry(r));
  return out;
}

QString AuditFilterModel::exportCsv(const QString &path) const {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return tr("Cannot write %1: %2").arg(path, file.errorString());
  file.write(AuditModel::csv(entries()));
  if (!file.commit()) return tr("Cannot write %1: %2").arg(path, file.errorString());
  return {};
}

}  // namespace lmfront::models
