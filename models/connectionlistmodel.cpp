#include "models/connectionlistmodel.h"

#include "models/livenodestate.h"
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
  connect(s, &NodeSession::connectionChanged, this, [this, id] { rowChanged(id); });
  connect(s, &NodeSession::liveStateReplaced, this, [this, id, s] {
    watchLive(id, s);
    rowChanged(id);
  });
  watchLive(id, s);
  m_sessions[id] = std::move(session);
  return s;
}

void ConnectionListModel::watchLive(const QString &id, NodeSession *s) {
  // The old LiveNodeState is gone with its connections; metricsChanged (every second) is not a
  // row change.
  LiveNodeState *live = s->liveState();
  connect(live, &LiveNodeState::connectionChanged, this, [this, id] { rowChanged(id); });
  connect(live, &LiveNodeState::nodeChanged, this, [this, id] { rowChanged(id); });
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
  NodeSession *s = session(id);
  if (!s) return State::Failed;
  if (!s->failure().isEmpty()) return State::Failed;
  if (s->baseUrl().isEmpty()) return State::Closed;  // "not running": nothing to connect to
  switch (s->liveState()->connectionState()) {
  case client::OpsClient::State::Closed: return State::Closed;
  case client::OpsClient::State::Connecting: return State::Connecting;
  case client::OpsClient::State::Live: return State::Live;
  case client::OpsClient::State::Stale: return State::Stale;
  case client::OpsClient::State::Failed: return State::Failed;
  }
  return State::Failed;
}

QString ConnectionListModel::reasonOf(const QString &id) const {
  NodeSession *s = session(id);
  if (!s) return {};
  QString reason;
  if (!s->failure().isEmpty()) {
    reason = id == ConnectionStore::localId() ? tr("failed to start: %1").arg(s->failure()) : s->failure();
  } else if (s->baseUrl().isEmpty()) {
    reason = tr("not running");
  } else {
    // The ops client's reasons are English sentences from core; the state words around them are
    // translated.
    const LiveNodeState &live = *s->liveState();
    switch (live.connectionState()) {
    case client::OpsClient::State::Closed: reason = tr("not connected"); break;
    case client::OpsClient::State::Connecting: reason = live.connectionReason(); break;
    case client::OpsClient::State::Live:
      reason = live.hasNode() ? LiveNodeState::summary(live.node()) : tr("live");
      break;
    case client::OpsClient::State::Stale: reason = tr("stale: %1").arg(live.connectionReason()); break;
    case client::OpsClient::State::Failed: reason = tr("failed: %1").arg(live.connectionReason()); break;
    }
  }
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
