#include "models/catalogmodel.h"

#include "client/opsclient.h"
#include "models/alertlistmodel.h"
#include "models/clustermodel.h"
#include "models/nodesession.h"
#include "models/opserrortext.h"
#include "models/topicsubscription.h"

#include <QLocale>
#include <algorithm>

namespace lmfront::models {

namespace {

const QString kTopic = QStringLiteral("catalog");
const QString kDash = QStringLiteral("—");
constexpr quintptr kModelRow = 0;  // internalId of a model's row; a version's is its model's row + 1

QString str(const QJsonObject &o, QLatin1StringView key) { return o.value(key).toString(); }
qint64 versionOf(const QJsonObject &v) { return v.value(QLatin1StringView("version")).toInteger(); }

}  // namespace

CatalogModel::CatalogModel(QObject *parent) : QAbstractItemModel(parent), m_topic(new TopicSubscription(kTopic, this)) {
  connect(m_topic, &TopicSubscription::clientChanged, this, [this] {
    beginResetModel();
    m_models.clear();
    m_hasSnapshot = false;
    endResetModel();
  });
  connect(m_topic, &TopicSubscription::snapshotReceived, this, &CatalogModel::applySnapshot);
  connect(m_topic, &TopicSubscription::deltaReceived, this, &CatalogModel::applyDelta);
}

void CatalogModel::setSession(NodeSession *session) {
  if (m_session) disconnect(m_session->cluster(), nullptr, this, nullptr);
  m_session = session;
  if (session) connect(session->cluster(), &ClusterModel::placementChanged, this, &CatalogModel::readPlacement);
  m_topic->setSession(session);
  readPlacement();
}

void CatalogModel::readPlacement() {
  QHash<QString, QStringList> placement = m_session ? m_session->cluster()->placement() : QHash<QString, QStringList>{};
  if (placement == m_placement) return;
  m_placement = std::move(placement);
  if (!m_models.isEmpty())
    Q_EMIT dataChanged(index(0, static_cast<int>(Column::ServedBy)),
                       index(rowCount() - 1, static_cast<int>(Column::ServedBy)));
}

CatalogModel::Entry CatalogModel::entryOf(const QJsonObject &model) {
  Entry e;
  e.model = model;
  e.model.remove(QStringLiteral("versions"));
  for (const QJsonValue &v : model.value(QLatin1StringView("versions")).toArray()) e.versions.append(v.toObject());
  std::sort(e.versions.begin(), e.versions.end(),
            [](const QJsonObject &a, const QJsonObject &b) { return versionOf(a) < versionOf(b); });
  return e;
}

QModelIndex CatalogModel::index(int row, int column, const QModelIndex &parent) const {
  if (row < 0 || column < 0 || column >= columnCount()) return {};
  if (!parent.isValid()) return row < m_models.size() ? createIndex(row, column, kModelRow) : QModelIndex();
  if (parent.internalId() != kModelRow || parent.row() >= m_models.size()) return {};
  if (row >= m_models[parent.row()].versions.size()) return {};
  return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex CatalogModel::parent(const QModelIndex &child) const {
  if (!child.isValid() || child.internalId() == kModelRow) return {};
  return createIndex(static_cast<int>(child.internalId() - 1), 0, kModelRow);
}

int CatalogModel::rowCount(const QModelIndex &parent) const {
  if (!parent.isValid()) return static_cast<int>(m_models.size());
  if (parent.internalId() != kModelRow || parent.column() != 0 || parent.row() >= m_models.size()) return 0;
  return static_cast<int>(m_models[parent.row()].versions.size());
}

int CatalogModel::columnCount(const QModelIndex &) const { return static_cast<int>(Column::Count); }

int CatalogModel::roleRank(const QString &role) {
  static const QStringList roles{QStringLiteral("viewer"), QStringLiteral("user"), QStringLiteral("operator"),
                                 QStringLiteral("admin")};
  return static_cast<int>(roles.indexOf(role));
}

bool CatalogModel::allows(registry::LifecycleAction action, const QString &state, const QString &role) {
  if (roleRank(role) < roleRank(QStringLiteral("operator"))) return false;
  const auto from = registry::versionStateFromName(state.toStdString());
  return from && registry::nextState(action, *from).isOk();
}

QString CatalogModel::stateText(const QString &state) {
  if (state == QLatin1StringView("submitted")) return tr("submitted");
  if (state == QLatin1StringView("validated")) return tr("validated");
  if (state == QLatin1StringView("approved")) return tr("approved");
  if (state == QLatin1StringView("compiled")) return tr("compiled");
  if (state == QLatin1StringView("published")) return tr("published");
  if (state == QLatin1StringView("deployed")) return tr("deployed");
  if (state == QLatin1StringView("retired")) return tr("retired");
  if (state == QLatin1StringView("rejected")) return tr("rejected");
  return state;
}

QString CatalogModel::sizeText(qint64 bytes) {
  return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

QString CatalogModel::dependenciesText(const QJsonArray &dependsOn) {
  QStringList parts;
  for (const QJsonValue &d : dependsOn)
    parts << tr("%1 v%2").arg(str(d.toObject(), QLatin1StringView("model"))).arg(versionOf(d.toObject()));
  return parts.join(QStringLiteral(", "));
}

QString CatalogModel::text(const QJsonObject &o, Column column, bool isVersion) const {
  if (!isVersion) {
    switch (column) {
    case Column::Name: return str(o, QLatin1StringView("name"));
    case Column::ServedBy: {
      const QStringList nodes = servedBy(str(o, QLatin1StringView("name")));
      return nodes.isEmpty() ? tr("no node") : nodes.join(QStringLiteral(", "));
    }
    case Column::Created: return AlertListModel::timeText(str(o, QLatin1StringView("created")));
    case Column::Submitter: return str(o, QLatin1StringView("owner"));
    default: return {};
    }
  }
  switch (column) {
  case Column::Name: return tr("v%1").arg(versionOf(o));
  case Column::State: return stateText(str(o, QLatin1StringView("state")));
  case Column::ServedBy: return {};
  case Column::Size: return sizeText(o.value(QLatin1StringView("bytes")).toInteger());
  case Column::Order: return QString::number(o.value(QLatin1StringView("order")).toInt());
  case Column::Vocabulary: return QLocale().toString(o.value(QLatin1StringView("vocabulary")).toInteger());
  case Column::DevPerplexity: {
    const QJsonValue p = o.value(QLatin1StringView("dev_perplexity"));
    return p.isDouble() ? QString::number(p.toDouble(), 'f', 1) : kDash;
  }
  case Column::DependsOn: {
    const QString deps = dependenciesText(o.value(QLatin1StringView("depends_on")).toArray());
    return deps.isEmpty() ? kDash : deps;
  }
  case Column::Created: return AlertListModel::timeText(str(o, QLatin1StringView("created")));
  case Column::Submitter: return str(o, QLatin1StringView("submitter"));
  case Column::Count: break;
  }
  return {};
}

QVariant CatalogModel::raw(const QJsonObject &o, Column column, bool isVersion) const {
  if (!isVersion) return text(o, column, false);
  switch (column) {
  case Column::Name: return versionOf(o);
  case Column::Size: return o.value(QLatin1StringView("bytes")).toInteger();
  case Column::Order: return o.value(QLatin1StringView("order")).toInt();
  case Column::Vocabulary: return o.value(QLatin1StringView("vocabulary")).toInteger();
  case Column::DevPerplexity: return o.value(QLatin1StringView("dev_perplexity")).toDouble(-1);
  case Column::State: return str(o, QLatin1StringView("state"));
  default: return text(o, column, true);
  }
}

QVariant CatalogModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const bool isVersion = index.internalId() != kModelRow;
  const Entry &entry = m_models[isVersion ? static_cast<int>(index.internalId() - 1) : index.row()];
  const QJsonObject &o = isVersion ? entry.versions[index.row()] : entry.model;
  const auto column = static_cast<Column>(index.column());
  switch (role) {
  case Qt::DisplayRole: return text(o, column, isVersion);
  case RawRole: return raw(o, column, isVersion);
  case ModelNameRole: return str(entry.model, QLatin1StringView("name"));
  case VersionRole: return isVersion ? versionOf(o) : 0;
  case StateRole: return isVersion ? str(o, QLatin1StringView("state")) : QString();
  case Qt::ToolTipRole:
    if (!isVersion && column == Column::ServedBy)
      return tr("The nodes whose member record lists this model (nodes that are down are left out).");
    if (!isVersion) return str(o, QLatin1StringView("description"));
    if (column == Column::Name) return str(o, QLatin1StringView("sha256"));
    return {};
  case Qt::TextAlignmentRole:
    if (column == Column::Size || column == Column::Order || column == Column::Vocabulary ||
        column == Column::DevPerplexity)
      return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
  default: return {};
  }
}

QVariant CatalogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
  case Column::Name: return tr("Model / version");
  case Column::State: return tr("State");
  case Column::ServedBy: return tr("Served by");
  case Column::Size: return tr("Size");
  case Column::Order: return tr("Order");
  case Column::Vocabulary: return tr("Vocabulary");
  case Column::DevPerplexity: return tr("Dev perplexity");
  case Column::DependsOn: return tr("Depends on");
  case Column::Created: return tr("Created");
  case Column::Submitter: return tr("Submitter / owner");
  case Column::Count: break;
  }
  return {};
}

int CatalogModel::rowOfModel(const QString &name) const {
  for (qsizetype i = 0; i < m_models.size(); ++i)
    if (str(m_models[i].model, QLatin1StringView("name")) == name) return static_cast<int>(i);
  return -1;
}

QModelIndex CatalogModel::indexOf(const QString &model, qint64 version) const {
  const int row = rowOfModel(model);
  if (row < 0) return {};
  const QModelIndex parent = index(row, 0);
  if (version == 0) return parent;
  const QList<QJsonObject> &versions = m_models[row].versions;
  for (qsizetype i = 0; i < versions.size(); ++i)
    if (versionOf(versions[i]) == version) return index(static_cast<int>(i), 0, parent);
  return {};
}

QStringList CatalogModel::modelNames() const {
  QStringList names;
  for (const Entry &e : m_models) names << str(e.model, QLatin1StringView("name"));
  return names;
}

QJsonObject CatalogModel::modelObject(const QString &model) const {
  const int row = rowOfModel(model);
  if (row < 0) return {};
  QJsonObject out = m_models[row].model;
  QJsonArray versions;
  for (const QJsonObject &v : m_models[row].versions) versions.append(v);
  out.insert(QStringLiteral("versions"), versions);
  return out;
}

QJsonObject CatalogModel::versionObject(const QString &model, qint64 version) const {
  const int row = rowOfModel(model);
  if (row < 0) return {};
  for (const QJsonObject &v : m_models[row].versions)
    if (versionOf(v) == version) return v;
  return {};
}

void CatalogModel::applySnapshot(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  beginResetModel();
  m_models.clear();
  for (const QJsonValue &m : payload.value(QLatin1StringView("models")).toArray())
    m_models.append(entryOf(m.toObject()));
  m_hasSnapshot = true;
  endResetModel();
  Q_EMIT snapshotApplied();
}

void CatalogModel::applyDelta(const QString &topic, qint64, const QJsonObject &payload) {
  if (topic != kTopic) return;
  const QJsonObject changed = payload.value(QLatin1StringView("changed")).toObject();
  if (changed.isEmpty()) return;
  replaceModel(changed);
  Q_EMIT modelChanged(str(changed, QLatin1StringView("name")));
}

// In place, so that views keep their selection and expansion: versions that went are removed,
// those that stay are updated, new ones inserted where their number puts them.
void CatalogModel::replaceModel(const QJsonObject &model) {
  Entry fresh = entryOf(model);
  const QString name = str(fresh.model, QLatin1StringView("name"));
  int row = rowOfModel(name);
  if (row < 0) {
    row = static_cast<int>(
        std::lower_bound(m_models.cbegin(), m_models.cend(), name,
                         [](const Entry &e, const QString &n) { return str(e.model, QLatin1StringView("name")) < n; }) -
        m_models.cbegin());
    beginInsertRows({}, row, row);
    m_models.insert(row, fresh);
    endInsertRows();
    return;
  }
  Entry &entry = m_models[row];
  entry.model = fresh.model;
  Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
  const QModelIndex parentIndex = index(row, 0);
  auto contains = [](const QList<QJsonObject> &list, qint64 v) {
    return std::any_of(list.cbegin(), list.cend(), [v](const QJsonObject &o) { return versionOf(o) == v; });
  };
  for (int i = static_cast<int>(entry.versions.size()) - 1; i >= 0; --i) {
    if (contains(fresh.versions, versionOf(entry.versions[i]))) continue;
    beginRemoveRows(parentIndex, i, i);
    entry.versions.removeAt(i);
    endRemoveRows();
  }
  for (const QJsonObject &v : fresh.versions) {
    const qint64 number = versionOf(v);
    int at = 0;
    while (at < entry.versions.size() && versionOf(entry.versions[at]) < number) ++at;
    if (at < entry.versions.size() && versionOf(entry.versions[at]) == number) {
      entry.versions[at] = v;
      Q_EMIT dataChanged(index(at, 0, parentIndex), index(at, columnCount() - 1, parentIndex));
      continue;
    }
    beginInsertRows(parentIndex, at, at);
    entry.versions.insert(at, v);
    endInsertRows();
  }
}

void CatalogModel::act(registry::LifecycleAction action, const QString &model, qint64 version, const QString &comment) {
  client::OpsClient *ops = m_topic->client();
  if (!ops) return Q_EMIT actionFinished(action, model, version, tr("Not connected to a node."), {});
  QJsonObject args{{QStringLiteral("model"), model}, {QStringLiteral("version"), version}};
  if (!comment.isEmpty()) args.insert(QStringLiteral("comment"), comment);
  const QString name = QString::fromUtf8(registry::lifecycleActionName(action));
  ops->command(name, args, this, [this, action, model, version](const client::OpsReply &reply) {
    Q_EMIT actionFinished(action, model, version, opsErrorText(reply), reply.result.toObject());
  });
}

void CatalogModel::loadCard(const QString &model, qint64 version) {
  client::OpsClient *ops = m_topic->client();
  if (!ops) return Q_EMIT cardLoaded(model, version, {}, tr("Not connected to a node."));
  ops->command(QStringLiteral("versions"), {{QStringLiteral("model"), model}}, this,
               [this, model, version](const client::OpsReply &reply) {
                 QString card;
                 for (const QJsonValue &v : reply.result.toObject().value(QLatin1StringView("versions")).toArray())
                   if (versionOf(v.toObject()) == version) card = str(v.toObject(), QLatin1StringView("card"));
                 Q_EMIT cardLoaded(model, version, card, opsErrorText(reply));
               });
}

void CatalogModel::loadReport(const QString &model, qint64 version) {
  client::OpsClient *ops = m_topic->client();
  if (!ops) return Q_EMIT reportLoaded(model, version, {}, tr("Not connected to a node."));
  ops->command(
      QStringLiteral("validation_report"), {{QStringLiteral("model"), model}, {QStringLiteral("version"), version}},
      this, [this, model, version](const client::OpsReply &reply) {
        if (reply.outcome == client::OpsReply::Outcome::Refused && reply.error.code == client::OpsErrorCode::NotFound)
          return Q_EMIT reportLoaded(model, version, {}, {});
        Q_EMIT reportLoaded(model, version, reply.result.toObject(), opsErrorText(reply));
      });
}

void CatalogModel::retranslate() {
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  for (int r = 0; r < rowCount(); ++r) {
    const QModelIndex parentIndex = index(r, 0);
    Q_EMIT dataChanged(parentIndex, index(r, columnCount() - 1));
    if (const int n = rowCount(parentIndex); n > 0)
      Q_EMIT dataChanged(index(0, 0, parentIndex), index(n - 1, columnCount() - 1, parentIndex));
  }
}

}  // namespace lmfront::models
