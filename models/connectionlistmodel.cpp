#include "models/connectionlistmodel.h"

#include "models/nodeinfomodel.h"
#include "models/nodesession.h"

#include <QSslCertificate>

namespace lmfront::models {

ConnectionListModel::ConnectionListModel(ConnectionStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store) {
  for (const Connection &c : m_store->connections()) {
    m_ids.append(c.id);
    createSession(c);
  }
  connect(m_store, &ConnectionStore::connectionAdded, this, &ConnectionListModel::onAdded);
  connect(m_store, &ConnectionStore::connectionUpdated, this, &ConnectionListModel::onUpdated);
  connect(m_store, &ConnectionStore::connectionRemoved, this, &ConnectionListModel::onRemoved);
  connect(m_store, &ConnectionStore::apiKeyChanged, this, [this](const QString &id, const QString &key) {
    if (NodeSession *s = session(id)) s->setApiKey(key);
  });
  connect(m_store, &ConnectionStore::keyErrorChanged, this, [this](const QString &id) { rowChanged(id); });
}

ConnectionListModel::~ConnectionListModel() = default;

NodeSession *ConnectionListModel::createSession(const Connection &c) {
  auto session = std::make_unique<NodeSession>();
  NodeSession *s = session.get();
  s->setApiKey(m_store->apiKey(c.id));
  if (!c.isLocal()) configure(s, c);
  const QString id = c.id;
  connect(s, &NodeSession::healthUpdated, this, [this, id] { rowChanged(id); });
  connect(s, &NodeSession::connectionChanged, this, [this, id] { rowChanged(id); });
  m_sessions[id] = std::move(session);
  return s;
}

void ConnectionListModel::configure(NodeSession *s, const Connection &c) {
  s->setName(c.name);
  QList<QSslCertificate> ca;
  if (!c.caFile.isEmpty()) ca = QSslCertificate::fromPath(c.caFile, QSsl::Pem);
  s->setCaCertificates(ca);
  s->setBaseUrl(c.httpBase());  // aborts a check in flight, so the new address and CA apply
  // Validated when saved, but the file may have gone since: say so rather than drop the CA.
  if (!c.caFile.isEmpty() && ca.isEmpty())
    s->setFailure(tr("the CA file %1 is missing or holds no PEM certificate").arg(c.caFile));
  else
    s->start();
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_ids.size());
}

int ConnectionListModel::columnCount(const QModelIndex &parent) const {
  return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

NodeSession *ConnectionListModel::session(const QString &id) const {
  const auto it = m_sessions.find(id);
  return it == m_sessions.end() ? nullptr : it->second.get();
}

QString ConnectionListModel::idAt(int row) const { return row >= 0 && row < m_ids.size() ? m_ids.at(row) : QString(); }

int ConnectionListModel::rowOf(const QString &id) const { return static_cast<int>(m_ids.indexOf(id)); }

QString ConnectionListModel::displayName(const QString &id) const {
  if (id == ConnectionStore::localId()) return tr("Local node");
  const auto c = m_store->find(id);
  return c ? c->name : QString();
}

ConnectionListModel::State ConnectionListModel::stateOf(const QString &id) const {
  const NodeSession *s = session(id);
  if (!s) return State::Failed;
  if (!s->failure().isEmpty()) return State::Failed;
  if (s->baseUrl().isEmpty()) return State::Unreachable;  // "not running": nothing to ask
  const client::NodeHealth &health = s->health();
  if (health.healthy()) return State::Healthy;
  if (health.reachable) return State::Degraded;
  if (health.errorKind == client::HealthError::NotPolled) return State::Checking;
  return State::Unreachable;
}

QString ConnectionListModel::reasonOf(const QString &id) const {
  const NodeSession *s = session(id);
  if (!s) return {};
  QString reason;
  if (!s->failure().isEmpty())
    reason = id == ConnectionStore::localId() ? tr("failed to start: %1").arg(s->failure()) : s->failure();
  else if (s->baseUrl().isEmpty())
    reason = tr("not running");
  else
    reason = NodeInfoModel::healthText(s->health());
  if (const QString keyError = m_store->keyError(id); !keyError.isEmpty()) reason += QStringLiteral(" — ") + keyError;
  return reason;
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QString id = m_ids.at(index.row());
  switch (role) {
  case IdRole: return id;
  case StateRole: return static_cast<int>(stateOf(id));
  case ReasonRole: return reasonOf(id);
  case Qt::DisplayRole: break;
  case Qt::ToolTipRole:
    if (index.column() == static_cast<int>(Column::State)) return reasonOf(id);
    if (index.column() == static_cast<int>(Column::Address)) {
      const auto c = m_store->find(id);
      return c && !c->isLocal() ? c->url.toString() : QVariant();
    }
    return {};
  default: return {};
  }
  const NodeSession *s = session(id);
  switch (static_cast<Column>(index.column())) {
  case Column::Name: return displayName(id);
  case Column::Address: return s ? s->address() : QString();
  case Column::State: return reasonOf(id);
  case Column::Count: break;
  }
  return {};
}

QVariant ConnectionListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (static_cast<Column>(section)) {
  case Column::Name: return tr("Name");
  case Column::Address: return tr("Address");
  case Column::State: return tr("State");
  case Column::Count: break;
  }
  return {};
}

void ConnectionListModel::retranslate() {
  if (!m_ids.isEmpty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
  Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
}

void ConnectionListModel::rowChanged(const QString &id) {
  const int row = rowOf(id);
  if (row >= 0) Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
}

void ConnectionListModel::onAdded(const QString &id) {
  const auto c = m_store->find(id);
  if (!c || session(id)) return;
  const int row = rowCount();
  beginInsertRows({}, row, row);
  m_ids.append(id);
  createSession(*c);
  endInsertRows();
}

void ConnectionListModel::onUpdated(const QString &id) {
  const auto c = m_store->find(id);
  NodeSession *s = session(id);
  if (!c || !s) return;
  configure(s, *c);
  rowChanged(id);
}

void ConnectionListModel::onRemoved(const QString &id) {
  const int row = rowOf(id);
  if (row < 0) return;
  beginRemoveRows({}, row, row);
  m_ids.removeAt(row);
  auto node = m_sessions.extract(id);
  endRemoveRows();
  if (node.empty()) return;
  NodeSession *s = node.mapped().release();
  s->stop();
  disconnect(s, nullptr, this, nullptr);
  Q_EMIT sessionRemoved(id, s);
  s->deleteLater();
}

}  // namespace lmfront::models
