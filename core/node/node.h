// Node: one lmfront node — the data-plane gateway, engine models, and (as later issues land)
// registry, observability and the ops server — wired together.
//
// Contract: start() binds and returns at once; the node's work runs on its own worker threads,
// never on the caller's (the console's GUI thread stays free). shutdown() drains: new requests get
// 503, in-flight ones finish within the drain timeout, then everything stops. The Node lives on
// the thread that created it; its signals are queued to that thread's event loop.
#pragma once

#include "common/status.h"
#include "node/nodeconfig.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <memory>

namespace lmfront::node {

struct NodeInfo {
  QString nodeId;
  QString version;
  QString listenAddress;  // "127.0.0.1:8080" once started
  QString dataDir;
  QDateTime startedAt;
  int modelCount = 0;
  bool ready = false;
};

class Node : public QObject {
  Q_OBJECT
public:
  explicit Node(NodeConfig config, QObject *parent = nullptr);
  ~Node() override;

  // Prepares the data dir and binds the listener (trying further ports when the config allows).
  // On failure nothing keeps running and the Status says what and where.
  Status start();
  // Drains then stops; returns true when every in-flight request finished in time.
  bool shutdown();

  NodeInfo info() const;
  QString baseUrl() const;  // "http://127.0.0.1:8080"
  quint16 port() const;
  const NodeConfig &config() const { return m_config; }

Q_SIGNALS:
  void stopped();

private:
  struct Impl;
  NodeConfig m_config;
  std::unique_ptr<Impl> d;
};

}  // namespace lmfront::node
