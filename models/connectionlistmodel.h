// ConnectionListModel: the console's connections (a ConnectionStore) as a table — name, address,
// state — each row with the NodeSession of that connection. It creates a session when a
// connection appears (the local one at construction), keeps it while the connection exists, so
// switching the console between connections is instant and every connection's state stays live,
// and deletes it (later, after sessionRemoved()) when the connection is removed.
//
// A remote connection's session is pointed at its URL's HTTP side with its API key and CA file
// and polls at once (a CA file that went missing since it was saved is the session's failure);
// the local connection's session is left to the composition (the local node's address is known
// once it runs). Edits and keys from the store reach the session as they happen.
//
// State: the session's ops client's (docs/ops-protocol.md, "lmfront's client"): Connecting, Live,
// Stale or Failed with the client's reason, Closed while the session is not started (the local
// node before it runs: "not running"); a session failure (the local node did not start, a CA
// file gone) is Failed. A live row's text is the node's own state from its `node` topic
// (healthy, draining, not ready and why). stateOf() is the one place that decides a row's state;
// rows change when the client's state or the node's state does. A key that could not be read or
// stored is part of the reason.
//
// Contract: GUI thread. The store is not owned and outlives the model; sessions are owned.
// Column Name shows "Local node" (translated) for the local connection. StateRole gives the
// State as int, ReasonRole the full reason (also the State column's tooltip), IdRole the id.
#pragma once

#include "models/connectionstore.h"

#include <QAbstractTableModel>
#include <map>
#include <memory>

namespace lmfront::models {

class NodeSession;

class ConnectionListModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column { Name, Address, State, Count };
  enum class State { Closed, Connecting, Live, Stale, Failed };
  enum Role { IdRole = Qt::UserRole + 1, StateRole, ReasonRole };

  explicit ConnectionListModel(ConnectionStore *store, QObject *parent = nullptr);
  ~ConnectionListModel() override;

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  ConnectionStore *store() const { return m_store; }
  NodeSession *session(const QString &id) const;
  QString idAt(int row) const;
  int rowOf(const QString &id) const;
  State stateOf(const QString &id) const;
  QString reasonOf(const QString &id) const;
  // "Local node" (translated) or the name the user gave.
  QString displayName(const QString &id) const;

  void retranslate();

Q_SIGNALS:
  // The connection is gone; `session` is deleted once control returns to the event loop, so
  // whoever shows it must let go now.
  void sessionRemoved(const QString &id, lmfront::models::NodeSession *session);

private:
  void onAdded(const QString &id);
  void onUpdated(const QString &id);
  void onRemoved(const QString &id);
  void rowChanged(const QString &id);
  NodeSession *createSession(const Connection &c);
  // Follows the session's current LiveNodeState (replaced with its ops client).
  void watchLive(const QString &id, NodeSession *s);
  // Points a remote connection's session at its URL with its CA certificates, and starts it.
  void configure(NodeSession *s, const Connection &c);

  ConnectionStore *m_store;
  QList<QString> m_ids;  // row order
  std::map<QString, std::unique_ptr<NodeSession>> m_sessions;
};

}  // namespace lmfront::models
