// Node: one lmfront node — the composition root. It builds the NodeContext (clock, HTTP client,
// metrics registry, event sink, data dir, threads) and runs the node's services on it in order:
// today the gateway (GatewayService); the catalog, alerting, the ops server and discovery plug
// in the same way (service.h). docs/architecture.md describes the pieces and their threads.
//
// Contract: the node owns a thread with its own event loop (the node thread). start(), shutdown()
// and every service's lifecycle, maintenance timers and SQLite work run there, never on the
// caller's thread: start() hands the work over and waits for its Status, so the console's GUI
// thread may call it and never runs node work (nor needs its event loop for the node to serve
// and maintain itself). Requests run on the data plane's workers and inference on the inference
// pool. shutdown() drains (new requests get 503, in-flight ones finish within the drain
// timeout), then stops every service and the node thread. The Node object lives on the thread
// that created it; call its methods from there; stopped() is emitted on that thread.
#pragma once

#include "common/status.h"
#include "node/nodeconfig.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <memory>

namespace lmfront {
class Clock;
class EventSink;
}  // namespace lmfront

namespace lmfront::node {

struct NodeInfo {
  QString nodeId;
  QString version;
  QString listenAddress;  // "127.0.0.1:8080" once started
  bool tls = false;       // HTTPS and WSS on that address (--tls-cert)
  QString dataDir;
  QDateTime startedAt;
  int modelCount = 0;
  bool ready = false;
};

class Node : public QObject {
  Q_OBJECT
public:
  // clock: what every time-based policy and timeout of the node reads (Clock::steady() in the
  // binaries, a ManualClock in tests); events: where the node reports what an operator should
  // hear about. Both must outlive the Node.
  Node(NodeConfig config, const Clock &clock, EventSink &events, QObject *parent = nullptr);
  ~Node() override;  // shuts down if still running

  // Prepares the data dir, then starts the services in order on the node thread (the gateway
  // binds its listener, trying further ports when the config allows). On failure the services
  // already started are stopped again, nothing keeps running, and the Status says what and where.
  Status start();
  // Drains then stops; returns true when every in-flight request finished in time.
  bool shutdown();
  // Reads the TLS certificate and key files again (lmfrontd on SIGHUP): connections accepted from
  // now on use them, established ones keep theirs. A file that fails to load leaves the previous
  // certificate serving; either outcome is reported to the event sink and returned.
  // FailedPrecondition when the node is not running or serves plain HTTP.
  Status reloadTls();

  NodeInfo info() const;
  QString baseUrl() const;  // "http://127.0.0.1:8080", "https://…" with TLS
  // The in-process console credential: 256 random bits minted when the Node is constructed, held
  // in memory only (never written, logged or accepted over HTTP). Sent as the ops API's `auth`
  // key it opens a session as principal "console", role admin, whatever the key rules — so the
  // console that embeds this node operates it even with require_keys on. Whoever can call this
  // runs in the node's process already. Thread-safe (immutable).
  const QString &consoleCredential() const;
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
