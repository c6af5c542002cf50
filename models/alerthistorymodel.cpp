#include "models/alerthistorymodel.h"

#include "models/alertlistmodel.h"
#include "models/nodesession.h"
#include "models/opserrortext.h"

#include <QDateTime>
#include <QSaveFile>
#include <algorithm>

namespace lmfront::models {

namespace {

const QString kDash = QStringLiteral("—");

QString str(const QJsonObject &o, QLatin1StringView key) { return o.value(key).toString(); }

// Records in RFC 4180 text, header included: line breaks inside quotes do not end one.
int csvRecords(const QString &csv) {
  int records = 0;
  bool quoted = false;
  bool content = false;
  for (const QChar c : csv) {
    if (c == u'"') quoted = !quoted;
    if (c == u'\n' && !quoted) {
      ++records;
      content = false;
    } else if (c != u'\r') {
      content = true;
    }
  }
  return records + (content ? 1 : 0);
}

QDate utcDate(const QString &iso) {
  const QDateTime at = QDateTime::fromString(iso, Qt::ISODateWithMs);
  return at.isValid() ? at.toUTC().date() : QDate();
}

}  // namespace

QJsonObject AlertHistoryFilter::args() const {
  QJsonObject out;
  const std::pair<const char *, const QString *> fields[] = {
      {"since", &since}, {"until", &until}, {"severity", &severity}, {"rule", &rule},
      {"model", &model}, {"node", &node},   {"state", &state},       {"text", &text}};
  for (const auto &[key, value] : fields)
    if (!value->trimmed().isEmpty()) out.insert(QLatin1StringView(key), value->trimmed());
  return out;
}

AlertSummary AlertSummary::fromJson(const QJsonObject &json) {
  AlertSummary s;
  s.since = utcDate(str(json, QLatin1StringView("since")));
  s.until = utcDate(str(json, QLatin1StringView("until")));
  for (const QJsonValue &v : json.value(QLatin1StringView("per_day")).toArray()) {
    const QJsonObject d = v.toObject();
    s.perDay.append(Day{QDate::fromString(str(d, QLatin1StringView("date")), Qt::ISODate),
                        d.value(QLatin1StringView("critical")).toInt(), d.value(QLatin1StringView("warning")).toInt(),
                        d.value(QLatin1StringView("info")).toInt()});
  }
  if (const QJsonValue v = json.value(QLatin1StringView("mtta_s")); v.isDouble()) s.mttaS = v.toDouble();
  if (const QJsonValue v = json.value(QLatin1StringView("mttr_s")); v.isDouble()) s.mttrS = v.toDouble();
  s.fired = json.value(QLatin1StringView("fired")).toInt();
  s.acknowledged = json.value(QLatin1StringView("acknowledged")).toInt();
  s.resolved = json.value(QLatin1StringView("resolved")).toInt();
  for (const QJsonValue &v : json.value(QLatin1StringView("noisiest")).toArray())
    s.noisiest.append(
        {str(v.toObject(), QLatin1StringView("rule")), v.toObject().value(QLatin1StringView("fired")).toInt()});
  return s;
}

QList<AlertSummary::Day> AlertSummary::days(int maxDays) const {
  if (!until.isValid()) return perDay;
  QDate first = since.isValid() ? since : until;
  if (first.daysTo(until) >= maxDays) {
    const QDate earliest = until.addDays(1 - maxDays);
    first = !perDay.isEmpty() && perDay.front().date > earliest ? perDay.front().date : earliest;
  }
  QList<Day> out;
  qsizetype next = 0;
  for (QDate d = first; d <= until; d = d.addDays(1)) {
    while (next < perDay.size() && perDay[next].date < d) ++next;
    out.append(next < perDay.size() && perDay[next].date == d ? perDay[next] : Day{d});
  }
  return out;
}

AlertHistoryModel::AlertHistoryModel(QObject *parent) : QAbstractTableModel(parent) {}

void AlertHistoryModel::setSession(NodeSession *session) { m_session = session; }

client::OpsClient *AlertHistoryModel::opsClient() const {
  NodeSession *session = m_session.data();
  return session ? session->opsClient() : nullptr;
}

int AlertHistoryModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_events.size());
}

int AlertHistoryModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

void AlertHistoryModel::setEvents(const QJsonArray &events) {
  beginResetModel();
  m_events = events;
  endResetModel();
}

QString AlertHistoryModel::text(const QJsonObject &e, Column column) const {
  switch (column) {
  case Column::Time: return AlertListModel::timeText(str(e, QLatin1StringView("time")));
  case Column::Kind: {
    const QString kind = str(e, QLatin1StringView("kind"));
    if (kind == QLatin1StringView("state")) return tr("state");
    if (kind == QLatin1StringView("ack")) return tr("ack");
    if (kind == QLatin1StringView("silence")) return tr("silence");
    return kind;
  }
  case Column::Severity: return AlertListModel::severityText(str(e, QLatin1StringView("severity")));
  case Column::State: {
    const QString state = AlertListModel::stateText(str(e, QLatin1StringView("state")));
    const QString from = str(e, QLatin1StringView("from"));
    return from.isEmpty() ? state : tr("%1 → %2").arg(AlertListModel::stateText(from), state);
  }
  case Column::Rule: return str(e, QLatin1StringView("rule"));
  case Column::Model: return str(e, QLatin1StringView("model"));
  case Column::Node: return str(e, QLatin1StringView("node"));
  case Column::Labels: return AlertListModel::labelsText(e.value(QLatin1StringView("labels")).toObject());
  case Column::Value: {
    const QJsonValue v = e.value(QLatin1StringView("value"));
    return v.isDouble() ? QString::number(v.toDouble(), 'g', 4) : kDash;
  }
  case Column::Summary: return str(e, QLatin1StringView("summary"));
  case Column::Author: return str(e, QLatin1StringView("author"));
  case Column::Comment: return str(e, QLatin1StringView("comment"));
  case Column::Count: break;
  }
  return {};
}

QVariant AlertHistoryModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QJsonObject e = m_events[index.row()].toObject();
  const auto column = static_cast<Column>(index.column());
  switch (role) {
  case Qt::DisplayRole: return text(e, column);
  case Qt::ToolTipRole: return column == Column::Summary || column == Column::Comment ? text(e, column) : QVariant();
  case EventRole: return e;
  case RawRole:
    if (column == Column::Time)
      return QDateTime::fromString(str(e, QLatin1StringView("time")), Qt::ISODateWithMs).toMSecsSinceEpoch();
    if (column == Column::Value) return e.value(QLatin1StringView("value")).toDouble();
    if (column == Column::Severity) return AlertListModel::severityRank(str(e, QLatin1StringView("severity")));
    return text(e, column);
  default: return {};
  }
}

QVariant AlertHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
  case Column::Time: return tr("Time");
  case Column::Kind: return tr("Kind");
  case Column::Severity: return tr("Severity");
  case Column::State: return tr("State");
  case Column::Rule: return tr("Rule");
  case Column::Model: return tr("Model");
  case Column::Node: return tr("Node");
  case Column::Labels: return tr("Labels");
  case Column::Value: return tr("Value");
  case Column::Summary: return tr("Summary");
  case Column::Author: return tr("Author");
  case Column::Comment: return tr("Comment");
  case Column::Count: break;
  }
  return {};
}

void AlertHistoryModel::query(const AlertHistoryFilter &filter) {
  client::OpsClient *ops = opsClient();
  if (!ops) return Q_EMIT queried(tr("Not connected to a node."));
  const quint64 asked = ++m_queryGeneration;
  ops->command(QStringLiteral("alert_history"), filter.args(), this, [this, asked](const client::OpsReply &reply) {
    if (asked != m_queryGeneration) return;  // a newer query is on its way
    if (reply.ok()) setEvents(reply.result.toObject().value(QLatin1StringView("events")).toArray());
    Q_EMIT queried(opsErrorText(reply));
  });
}

void AlertHistoryModel::exportCsv(const AlertHistoryFilter &filter, const QString &path) {
  client::OpsClient *ops = opsClient();
  if (!ops) return Q_EMIT exported(path, 0, tr("Not connected to a node."));
  QJsonObject args = filter.args();
  args.insert(QStringLiteral("format"), QStringLiteral("csv"));
  ops->command(QStringLiteral("alert_history"), args, this, [this, path](const client::OpsReply &reply) {
    if (!reply.ok()) return Q_EMIT exported(path, 0, opsErrorText(reply));
    const QString csv = reply.result.toObject().value(QLatin1StringView("csv")).toString();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(csv.toUtf8()) < 0 || !file.commit())
      return Q_EMIT exported(path, 0, tr("Cannot write %1: %2").arg(path, file.errorString()));
    Q_EMIT exported(path, std::max(0, csvRecords(csv) - 1), QString());
  });
}

void AlertHistoryModel::loadSummary(const AlertHistoryFilter &filter) {
  client::OpsClient *ops = opsClient();
  if (!ops) return Q_EMIT summaryLoaded({}, tr("Not connected to a node."));
  QJsonObject args;
  // The summary covers a period; the other filters narrow the table only.
  const QJsonObject all = filter.args();
  for (const char *key : {"since", "until"})
    if (all.contains(QLatin1StringView(key))) args.insert(QLatin1StringView(key), all.value(QLatin1StringView(key)));
  if (!args.contains(QLatin1StringView("since"))) args.insert(QStringLiteral("since"), 0);
  const quint64 asked = ++m_summaryGeneration;
  ops->command(QStringLiteral("alert_summary"), args, this, [this, asked](const client::OpsReply &reply) {
    if (asked != m_summaryGeneration) return;
    Q_EMIT summaryLoaded(reply.ok() ? AlertSummary::fromJson(reply.result.toObject()) : AlertSummary{},
                         opsErrorText(reply));
  });
}

void AlertHistoryModel::retranslate() {
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

}  // namespace lmfront::models
