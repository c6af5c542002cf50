#include "models/modellistmodel.h"

namespace lmfront::models {

namespace {
constexpr qsizetype kShortVersion = 12;  // enough of a sha256 to tell versions apart
}  // namespace

ModelListModel::ModelListModel(QObject *parent) : QAbstractListModel(parent) {}

int ModelListModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_models.size());
}

QVariant ModelListModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const client::ApiModel &m = m_models[index.row()];
  switch (role) {
  case Qt::DisplayRole:
  case Qt::EditRole:
  case IdRole: return m.id;
  case Qt::ToolTipRole: return toolTip(m);
  case DescriptionRole: return m.description;
  case VersionRole: return m.version;
  case BackendsRole: return m.backends;
  default: return {};
  }
}

QHash<int, QByteArray> ModelListModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractListModel::roleNames();
  names.insert(IdRole, "id");
  names.insert(DescriptionRole, "description");
  names.insert(VersionRole, "version");
  names.insert(BackendsRole, "backends");
  return names;
}

int ModelListModel::rowOf(const QString &id) const {
  for (qsizetype i = 0; i < m_models.size(); ++i)
    if (m_models[i].id == id) return static_cast<int>(i);
  return -1;
}

QString ModelListModel::toolTip(const client::ApiModel &m) const {
  QStringList lines;
  lines << m.id;
  if (!m.description.isEmpty()) lines << m.description;
  if (!m.version.isEmpty()) lines << tr("version %1").arg(m.version.left(kShortVersion));
  lines << tr("backends: %1").arg(m.backends);
  return lines.join(QLatin1Char('\n'));
}

void ModelListModel::setModels(const QList<client::ApiModel> &models) {
  auto contains = [](const QList<client::ApiModel> &list, const QString &id) {
    return std::any_of(list.begin(), list.end(), [&](const client::ApiModel &m) { return m.id == id; });
  };
  for (int row = static_cast<int>(m_models.size()) - 1; row >= 0; --row) {
    if (contains(models, m_models[row].id)) continue;
    beginRemoveRows({}, row, row);
    m_models.removeAt(row);
    endRemoveRows();
  }
  for (const client::ApiModel &m : models) {
    const int row = rowOf(m.id);
    if (row >= 0) {
      if (m_models[row] == m) continue;
      m_models[row] = m;
      Q_EMIT dataChanged(index(row), index(row));
    } else {
      const int end = static_cast<int>(m_models.size());
      beginInsertRows({}, end, end);
      m_models.append(m);
      endInsertRows();
    }
  }
}

void ModelListModel::retranslate() {
  if (!m_models.isEmpty())
    Q_EMIT dataChanged(index(0), index(static_cast<int>(m_models.size()) - 1), {Qt::ToolTipRole});
}

}  // namespace lmfront::models
