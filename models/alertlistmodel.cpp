#include "models/alertlistmodel.h"

#include "models/opserrortext.h"

#include <QColor>
#include <QDateTime>

namespace lmfront::models {

namespace {

const QString kTopic = QStringLiteral("alerts");
const QString kDash = QStringLiteral("—");

QString str(const QJsonObject &o, QLatin1StringView key) { return o.value(key).toString(); }

// ECMAScript's syntax characters (the node's silences use std::regex ECMAScript): escaped, the
// rest of a label value stands for itself.
QString literalRegex(const QString &value) {
  static const QString special = QStringLiteral("\\^$.|?*+()[]{}/");
  QString out;
  for (const QChar c : value) {
    if (special.contains(c)) out += u'\\';
    out += c;
  }
  return out;
}

}  // namespace

AlertListModel::AlertListModel(QObject *parent) : QAbstractTableModel(parent) {}

void AlertListModel::attach(client::OpsClient *client) {
  if (m_client) disconnect(m_client, nullptr, this, nullptr);
  beginResetModel();
  m_alerts = {};
  m_silences = {};
  m_hasSnapshot = false;
  m_client = client;
  endResetModel();
  Q_EMIT silencesChanged();
  if (!client) return;
  connect(client, &client::OpsClient::snapshotReceived, this, &AlertListModel::applySnapshot);
  connect(client, &client::OpsClient::deltaReceived, this, &AlertListModel::applyDelta);
  client->subscribe(kTopic);
}

int AlertListModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_alerts.size());
}

int AlertListModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

int AlertListModel::rowOf(const QString &id) const {
  for (qsizetype i = 0; i < m_alerts.size(); ++i)
    if (str(m_alerts[i].toObject(), QLatin1StringView("id")) == id) return static_cast<int>(i);
  return -1;
}

QString AlertListModel::severityText(const QString &severity) {
  if (severity == QLatin1StringView("critical")) return tr("critical");
  if (severity == QLatin1StringView("warning")) return tr("warning");
  if (severity == QLatin1StringView("info")) return tr("info");
  return severity;
}

QString AlertListModel::stateText(const QString &state) {
  if (state == QLatin1StringView("firing")) return tr("firing");
  if (state == QLatin1StringView("pending")) return tr("pending");
  if (state == QLatin1StringView("resolved")) return tr("resolved");
  if (state == QLatin1StringView("inactive")) return tr("inactive");
  if (state == QLatin1StringView("acknowledged")) return tr("acknowledged");
  if (state == QLatin1StringView("silenced")) return tr("silenced");
  if (state == QLatin1StringView("expired")) return tr("expired");
  return state;
}

int AlertListModel::severityRank(const QString &severity) {
  if (severity == QLatin1StringView("critical")) return 0;
  if (severity == QLatin1StringView("warning")) return 1;
  if (severity == QLatin1StringView("info")) return 2;
  return 3;
}

QString AlertListModel::labelsText(const QJsonObject &labels) {
  QStringList parts;
  for (auto it = labels.begin(); it != labels.end(); ++it) parts << it.key() + u'=' + it.value().toString();
  return parts.join(QStringLiteral(", "));
}

QString AlertListModel::timeText(const QString &isoUtc) {
  const QDateTime at = QDateTime::fromString(isoUtc, Qt::ISODateWithMs);
  return at.isValid() ? at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : isoUtc;
}

QString AlertListModel::text(const QJsonObject &a, Column column) const {
  switch (column) {
  case Column::Severity: return severityText(str(a, QLatin1StringView("severity")));
  case Column::State: {
    const QString state = stateText(str(a, QLatin1StringView("state")));
    return a.value(QLatin1StringView("silenced_by")).isString() ? tr("%1 (silenced)").arg(state) : state;
  }
  case Column::Rule: return str(a, QLatin1StringView("rule"));
  case Column::Labels: return labelsText(a.value(QLatin1StringView("labels")).toObject());
  case Column::Value: {
    const QJsonValue v = a.value(QLatin1StringView("value"));
    return v.isDouble() ? QString::number(v.toDouble(), 'g', 4) : kDash;
  }
  case Column::Since: return timeText(str(a, QLatin1StringView("since")));
  case Column::Ack: {
    const QJsonObject ack = a.value(QLatin1StringView("ack")).toObject();
    if (ack.isEmpty()) return tr("not acknowledged");
    const QString comment = str(ack, QLatin1StringView("comment"));
    return comment.isEmpty() ? tr("by %1").arg(str(ack, QLatin1StringView("author")))
                             : tr("by %1: %2").arg(str(ack, QLatin1StringView("author")), comment);
  }
  case Column::Count: break;
  }
  return {};
}

QVariant AlertListModel::raw(const QJsonObject &a, Column column) const {
  switch (column) {
  case Column::Severity: return severityRank(str(a, QLatin1StringView("severity")));
  case Column::Value: return a.value(QLatin1StringView("value")).toDouble();
  case Column::Since:
    return QDateTime::fromString(str(a, QLatin1StringView("since")), Qt::ISODateWithMs).toMSecsSinceEpoch();
  case Column::Ack: return a.value(QLatin1StringView("ack")).isObject();
  default: return text(a, column);
  }
}

QVariant AlertListModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QJsonObject a = m_alerts[index.row()].toObject();
  const auto column = static_cast<Column>(index.column());
  switch (role) {
  case Qt::DisplayRole: return text(a, column);
  case RawRole: return raw(a, column);
  case IdRole: return str(a, QLatin1StringView("id"));
  case AlertRole: return a;
  case Qt::ToolTipRole: return str(a, QLatin1StringView("summary"));
  case Qt::DecorationRole:
    if (column != Column::Severity) return {};
    switch (severityRank(str(a, QLatin1StringView("severity")))) {
    case 0: return QColor(0xd1, 0x43, 0x43);
    case 1: return QColor(0xd9, 0x8e, 0x04);
    default: return QColor(0x25, 0x63, 0xa8);
    }
  default: return {};
  }
}

QVariant AlertListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
  case Column::Severity: return tr("Severity");
  case Column::State: return tr("State");
  case Column::Rule: return tr("Rule");
  case Column::Labels: return tr("Labels");
  case Column::Value: return tr("Value");
  case Column::Since: return tr("Since");
  case Column::Ack: return tr("Acknowledged");
  case Column::Count: break;
  }
  return {};
}

bool AlertListModel::isNewlyFiring(const QJsonObject &change) {
  const QString from = str(change, QLatin1StringView("from"));
  return str(change, QLatin1StringView("state")) == QLatin1StringView("firing") &&
         (from == QLatin1StringView("pending") || from == QLatin1StringView("inactive")) &&
         !change.value(QLatin1StringView("silenced_by")).isString();
}

QJsonObject AlertListModel::silenceMatchers(const QJsonObject &alert) {
  QJsonObject matchers{{QStringLiteral("rule"), literalRegex(str(alert, QLatin1StringView("rule")))}};
  const QJsonObject labels = alert.value(QLatin1StringView("labels")).toObject();
  for (auto it = labels.begin(); it != labels.end(); ++it)
    matchers.insert(it.key(), literalRegex(it.value().toString()));
  return matchers;
}

QString AlertListModel::matchersText(const QJsonObject &matchers) {
  QStringList lines;
  for (auto it = matchers.begin(); it != matchers.end(); ++it) lines << it.key() + u'=' + it.value().toString();
  return lines.join(u'\n');
}

QJsonObject AlertListModel::parseMatchers(const QString &text, QString *error) {
  QJsonObject out;
  const QStringList lines = text.split(u'\n');
  for (qsizetype i = 0; i < lines.size(); ++i) {
    const QString line = lines[i].trimmed();
    if (line.isEmpty()) continue;
    const qsizetype eq = line.indexOf(u'=');
    if (eq <= 0) {
      if (error) *error = tr("Line %1: write a matcher as label=regular expression").arg(i + 1);
      return {};
    }
    out.insert(line.left(eq).trimmed(), line.mid(eq + 1).trimmed());
  }
  if (out.isEmpty() && error) *error = tr("Give at least one matcher (label=regular expression).");
  return out;
}

void AlertListModel::upsert(const QJsonObject &alert) {
  const QString id = str(alert, QLatin1StringView("id"));
  const int row = rowOf(id);
  if (row < 0) {
    const int at = static_cast<int>(m_alerts.size());
    beginInsertRows({}, at, at);
    m_alerts.append(alert);
    endInsertRows();
    return;
  }
  QJsonObject kept = alert;
  kept.remove(QStringLiteral("from"));
  m_alerts[row] = kept;
  Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
}

void AlertListModel::remove(const QString &id) {
  const int row = rowOf(id);
  if (row < 0) return;
  beginRemoveRows({}, row, row);
  m_alerts.removeAt(row);
  endRemoveRows();
}

void AlertListModel::applySnapshot(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  beginResetModel();
  m_alerts = payload.value(QLatin1StringView("active")).toArray();
  m_silences = payload.value(QLatin1StringView("silences")).toArray();
  m_hasSnapshot = true;
  endResetModel();
  Q_EMIT silencesChanged();
}

void AlertListModel::applyDelta(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  for (const QJsonValue &v : payload.value(QLatin1StringView("changes")).toArray()) {
    QJsonObject change = v.toObject();
    const QString state = str(change, QLatin1StringView("state"));
    if (state == QLatin1StringView("resolved") || state == QLatin1StringView("inactive")) {
      remove(str(change, QLatin1StringView("id")));
      continue;
    }
    const bool notify = isNewlyFiring(change);
    change.remove(QStringLiteral("from"));
    upsert(change);
    if (notify) Q_EMIT newlyFiring(change);
  }
  for (const QJsonValue &v : payload.value(QLatin1StringView("updated")).toArray()) upsert(v.toObject());
  if (payload.contains(QLatin1StringView("silences"))) {
    m_silences = payload.value(QLatin1StringView("silences")).toArray();
    Q_EMIT silencesChanged();
  }
}

void AlertListModel::acknowledge(const QString &id, const QString &comment) {
  if (!m_client) return Q_EMIT commandFinished(Command::Ack, tr("Not connected to a node."), {});
  QJsonObject args{{QStringLiteral("id"), id}};
  if (!comment.isEmpty()) args.insert(QStringLiteral("comment"), comment);
  m_client->command(QStringLiteral("ack"), args, this, [this](const client::OpsReply &reply) {
    Q_EMIT commandFinished(Command::Ack, opsErrorText(reply), reply.result);
  });
}

void AlertListModel::silence(const QJsonObject &matchers, const QString &duration, const QString &comment) {
  if (!m_client) return Q_EMIT commandFinished(Command::Silence, tr("Not connected to a node."), {});
  QJsonObject args{{QStringLiteral("matchers"), matchers}, {QStringLiteral("for"), duration}};
  if (!comment.isEmpty()) args.insert(QStringLiteral("comment"), comment);
  m_client->command(QStringLiteral("silence"), args, this, [this](const client::OpsReply &reply) {
    Q_EMIT commandFinished(Command::Silence, opsErrorText(reply), reply.result);
  });
}

void AlertListModel::retranslate() {
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

}  // namespace lmfront::models
