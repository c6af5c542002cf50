#include "models/joblistmodel.h"

#include "client/opsclient.h"
#include "models/alertlistmodel.h"
#include "models/nodesession.h"
#include "models/opserrortext.h"
#include "models/topicsubscription.h"

#include <QJsonArray>
#include <algorithm>

namespace lmfront::models {

namespace {

const QString kTopic = QStringLiteral("jobs");
const QString kDash = QStringLiteral("—");

QString str(const QJsonObject &o, QLatin1StringView key) { return o.value(key).toString(); }
qint64 idOf(const QJsonObject &job) { return job.value(QLatin1StringView("id")).toInteger(); }
QString stateOf(const QJsonObject &job) { return str(job, QLatin1StringView("state")); }

}  // namespace

QJsonObject MixRequest::args() const {
  QJsonArray list;
  for (const Source &s : sources) {
    QJsonObject o{{QStringLiteral("model"), s.model}, {QStringLiteral("version"), s.version}};
    if (s.weight) o.insert(QStringLiteral("weight"), *s.weight);
    list.append(o);
  }
  QJsonObject a{{QStringLiteral("model"), model}, {QStringLiteral("sources"), list}};
  if (!devText.trimmed().isEmpty()) a.insert(QStringLiteral("dev_text"), devText);
  return a;
}

JobListModel::JobListModel(QObject *parent)
    : QAbstractTableModel(parent), m_topic(new TopicSubscription(kTopic, this)) {
  connect(m_topic, &TopicSubscription::clientChanged, this, [this] {
    beginResetModel();
    m_jobs.clear();
    m_hasSnapshot = false;
    endResetModel();
  });
  connect(m_topic, &TopicSubscription::snapshotReceived, this, &JobListModel::applySnapshot);
  connect(m_topic, &TopicSubscription::deltaReceived, this, &JobListModel::applyDelta);
}

void JobListModel::setSession(NodeSession *session) { m_topic->setSession(session); }

int JobListModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int JobListModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

bool JobListModel::isActive(const QString &state) {
  return state == QLatin1StringView("queued") || state == QLatin1StringView("running");
}

QString JobListModel::stateText(const QString &state) {
  if (state == QLatin1StringView("queued")) return tr("queued");
  if (state == QLatin1StringView("running")) return tr("running");
  if (state == QLatin1StringView("succeeded")) return tr("succeeded");
  if (state == QLatin1StringView("failed")) return tr("failed");
  if (state == QLatin1StringView("cancelled")) return tr("cancelled");
  return state;
}

QString JobListModel::kindText(const QString &kind) {
  if (kind == QLatin1StringView("validate")) return tr("validate");
  if (kind == QLatin1StringView("train")) return tr("train");
  if (kind == QLatin1StringView("compile")) return tr("compile");
  if (kind == QLatin1StringView("mix")) return tr("mix");
  return kind;
}

QString JobListModel::targetText(const QJsonObject &job) {
  const QString model = str(job, QLatin1StringView("model"));
  const QJsonValue version = job.value(QLatin1StringView("version"));
  return version.isDouble() ? tr("%1 v%2").arg(model).arg(version.toInteger()) : model;
}

QString JobListModel::text(const QJsonObject &job, Column column) const {
  switch (column) {
  case Column::Id: return QString::number(idOf(job));
  case Column::Kind: return kindText(str(job, QLatin1StringView("kind")));
  case Column::Target: return targetText(job);
  case Column::State: return stateText(stateOf(job));
  case Column::Progress:
    return QStringLiteral("%1 %").arg(qRound(job.value(QLatin1StringView("progress")).toDouble() * 100));
  case Column::Started: {
    const QString started = str(job, QLatin1StringView("started"));
    return started.isEmpty() ? kDash : AlertListModel::timeText(started);
  }
  case Column::Actor: return str(job, QLatin1StringView("actor"));
  case Column::Error: return str(job, QLatin1StringView("error"));
  case Column::Count: break;
  }
  return {};
}

QVariant JobListModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QJsonObject &job = m_jobs[index.row()];
  const auto column = static_cast<Column>(index.column());
  switch (role) {
  case Qt::DisplayRole: return text(job, column);
  case RawRole:
    switch (column) {
    case Column::Id: return idOf(job);
    case Column::Progress: return job.value(QLatin1StringView("progress")).toDouble();
    case Column::State: return stateOf(job);
    case Column::Started: return str(job, QLatin1StringView("started"));
    default: return text(job, column);
    }
  case IdRole: return idOf(job);
  case StateRole: return stateOf(job);
  case ProgressRole: return job.value(QLatin1StringView("progress")).toDouble();
  case ActiveRole: return isActive(stateOf(job));
  case Qt::ToolTipRole:
    if (column == Column::Error || column == Column::State) return str(job, QLatin1StringView("error"));
    return {};
  case Qt::TextAlignmentRole:
    if (column == Column::Id || column == Column::Progress)
      return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
  default: return {};
  }
}

QVariant JobListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
  case Column::Id: return tr("Job");
  case Column::Kind: return tr("Kind");
  case Column::Target: return tr("Model / version");
  case Column::State: return tr("State");
  case Column::Progress: return tr("Progress");
  case Column::Started: return tr("Started");
  case Column::Actor: return tr("By");
  case Column::Error: return tr("Error");
  case Column::Count: break;
  }
  return {};
}

QJsonObject JobListModel::job(qint64 id) const {
  const int row = rowOfJob(id);
  return row < 0 ? QJsonObject() : m_jobs[row];
}

int JobListModel::rowOfJob(qint64 id) const {
  for (qsizetype i = 0; i < m_jobs.size(); ++i)
    if (idOf(m_jobs[i]) == id) return static_cast<int>(i);
  return -1;
}

void JobListModel::applySnapshot(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  beginResetModel();
  m_jobs.clear();
  for (const QJsonValue &j : payload.value(QLatin1StringView("jobs")).toArray()) m_jobs.append(j.toObject());
  std::sort(m_jobs.begin(), m_jobs.end(), [](const QJsonObject &a, const QJsonObject &b) { return idOf(a) > idOf(b); });
  if (m_jobs.size() > kMaxRows) m_jobs.resize(kMaxRows);
  m_hasSnapshot = true;
  endResetModel();
  Q_EMIT snapshotApplied();
}

void JobListModel::applyDelta(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  const QJsonObject job = payload.value(QLatin1StringView("job")).toObject();
  if (idOf(job) < 1) return;
  upsert(job);
}

// In place, so that a view keeps its selection while a job's progress moves.
void JobListModel::upsert(const QJsonObject &job) {
  const qint64 id = idOf(job);
  const int row = rowOfJob(id);
  const bool wasActive = row < 0 || isActive(stateOf(m_jobs[row]));
  if (row >= 0) {
    m_jobs[row] = job;
    Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
  } else {
    const int at = static_cast<int>(
        std::find_if(m_jobs.cbegin(), m_jobs.cend(), [id](const QJsonObject &o) { return idOf(o) < id; }) -
        m_jobs.cbegin());
    beginInsertRows({}, at, at);
    m_jobs.insert(at, job);
    endInsertRows();
    if (m_jobs.size() > kMaxRows) {
      const int last = static_cast<int>(m_jobs.size()) - 1;
      beginRemoveRows({}, last, last);
      m_jobs.removeLast();
      endRemoveRows();
    }
  }
  Q_EMIT jobChanged(job);
  if (wasActive && !isActive(stateOf(job))) Q_EMIT jobEnded(job);
}

void JobListModel::mix(const MixRequest &request) {
  client::OpsClient *ops = m_topic->client();
  if (!ops) return Q_EMIT mixFinished(tr("Not connected to a node."), {});
  ops->command(QStringLiteral("mix"), request.args(), this, [this](const client::OpsReply &reply) {
    Q_EMIT mixFinished(opsErrorText(reply), reply.result.toObject());
  });
}

void JobListModel::cancel(qint64 id, const QString &reason) {
  client::OpsClient *ops = m_topic->client();
  if (!ops) return Q_EMIT cancelFinished(id, tr("Not connected to a node."), {});
  QJsonObject args{{QStringLiteral("id"), id}};
  if (!reason.isEmpty()) args.insert(QStringLiteral("reason"), reason);
  ops->command(QStringLiteral("cancel_job"), args, this, [this, id](const client::OpsReply &reply) {
    const QString error = opsErrorText(reply);
    const QJsonObject job = reply.result.toObject();
    if (error.isEmpty() && idOf(job) == id) upsert(job);  // at once; the topic's delta repeats it
    Q_EMIT cancelFinished(id, error, job);
  });
}

void JobListModel::loadLog(qint64 id) {
  client::OpsClient *ops = m_topic->client();
  if (!ops) return Q_EMIT logLoaded(id, {}, tr("Not connected to a node."));
  ops->command(QStringLiteral("job_log"), {{QStringLiteral("id"), id}}, this,
               [this, id](const client::OpsReply &reply) {
                 QStringList lines;
                 for (const QJsonValue &l : reply.result.toObject().value(QLatin1StringView("lines")).toArray())
                   lines << l.toString();
                 Q_EMIT logLoaded(id, lines, opsErrorText(reply));
               });
}

void JobListModel::retranslate() {
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  if (!m_jobs.isEmpty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

}  // namespace lmfront::models
