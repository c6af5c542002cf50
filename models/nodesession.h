// NodeSession: the console's connection to one node — local or remote, the same code path. It
// owns that connection's clients (HealthClient polling /healthz, CompletionClient for the
// OpenAI-compatible API) and the item models fed from them (NodeInfoModel, ModelListModel), and
// knows the node's base URL, the API key sent to it and whether it could be reached at all.
// Every page is handed a session (setSession()); no page opens a client of its own, so switching
// the console to another connection is one call per page. Pages do not own it and keep a plain
// pointer: a session outlives the pages it is handed to (or is replaced in them first).
//
// Contract: GUI thread only; all network work is asynchronous on it. setBaseUrl() points every
// client at a node and clears a failure; start() begins health polling (stop() ends it). A node
// that never came up (the local node failed to start) is reported through setFailure(): polling
// stops and the node info shows the failure as unreachable. refreshModels() lists the node's
// models: the model list is updated in place on success (ModelListModel keeps rows that stay), and
// every answer, failed or not, is re-emitted as modelsListed() so a page can say what went
// wrong. The API key applies at once to every later request and is never logged; storing it is
// the owner's business (apiKeyChanged()).
// Live data: the session also owns an OpsClient on ws(s)://HOST:PORT/ops of the base URL, with the
// API key (none when empty), and the LiveNodeState following its `node` and `metrics` topics.
// start() opens it beside the health polling, which stays the fallback for a node without /ops;
// stop() and setFailure() close it. A new base URL or key replaces both objects (a live view must
// not mix two nodes' history) and emits liveStateReplaced(): views re-read liveState() then.
// The session's AlertListModel (alerts()) follows the `alerts` topic of whichever client is
// current: the same object for the session's life, cleared and re-attached on a new client.
// The session's ClusterModel (cluster()) follows the `members` topic of whichever client is
// current, the same object for the session's life; its member connections use the session's API
// key and CA certificates (never the embedded node's credential, which only that node accepts).
// The local node's session authenticates its ops client in-process: setOpsCredential() with the
// embedded node's console credential (node::Node::consoleCredential()), which the ops client
// sends instead of the API key; the HTTP clients keep the API key.
#pragma once

#include "client/completionclient.h"
#include "client/healthclient.h"
#include "client/opsclient.h"
#include "common/clock.h"
#include "models/alertlistmodel.h"
#include "models/clustermodel.h"
#include "models/livenodestate.h"
#include "models/modellistmodel.h"
#include "models/nodeinfomodel.h"

#include <QObject>
#include <QString>
#include <QUrl>
#include <memory>

namespace lmfront::models {

class NodeSession : public QObject {
  Q_OBJECT
public:
  explicit NodeSession(QObject *parent = nullptr);  // live data timed by Clock::steady()
  explicit NodeSession(const Clock &clock, QObject *parent = nullptr);
  ~NodeSession() override;

  // "http://127.0.0.1:8080". Aborts a health poll, a model listing or a score in flight.
  void setBaseUrl(const QUrl &url);
  QUrl baseUrl() const { return m_baseUrl; }
  // "127.0.0.1:8080" from the base URL; empty when there is none.
  QString address() const;

  // The connection's name as the user gave it, for views; empty for the local node's session.
  void setName(const QString &name);
  QString name() const { return m_name; }

  void setApiKey(const QString &key);
  // CA certificates trusted for https:// besides the system's, for every client of the session.
  void setCaCertificates(const QList<QSslCertificate> &certificates);
  QList<QSslCertificate> caCertificates() const { return m_caCertificates; }
  QString apiKey() const { return m_apiKey; }
  // What the ops client authenticates with instead of the API key (empty: the API key); never
  // stored, shown or logged. Replaces the live objects like a new key.
  void setOpsCredential(const QString &credential);

  // ws://HOST:PORT/ops for http://HOST:PORT (wss:// for https://); empty without a base URL.
  static QUrl opsUrl(const QUrl &baseUrl);

  // The node could not be reached at all (e.g. the local node did not start): `message` says why.
  void setFailure(const QString &message);
  QString failure() const { return m_failure; }

  void start();  // polls /healthz now, then every second; opens the live connection
  void stop();
  bool isPolling() const { return m_health.isActive(); }
  const client::NodeHealth &health() const { return m_nodeInfo.health(); }

  void refreshModels();

  client::HealthClient *healthClient() { return &m_health; }
  client::CompletionClient *completionClient() { return &m_completion; }
  NodeInfoModel *nodeInfo() { return &m_nodeInfo; }
  ModelListModel *modelList() { return &m_models; }
  // Replaced on a new base URL or key (see liveStateReplaced()); never null.
  client::OpsClient *opsClient() { return m_ops.get(); }
  LiveNodeState *liveState() { return m_live.get(); }
  AlertListModel *alerts() { return &m_alerts; }
  ClusterModel *cluster() { return &m_cluster; }

Q_SIGNALS:
  // The base URL or the failure changed: views re-read address() and failure().
  void connectionChanged();
  void apiKeyChanged(const QString &key);
  // opsClient() and liveState() are new objects; the old ones are gone.
  void liveStateReplaced();
  void healthUpdated(const lmfront::client::NodeHealth &health);
  void modelsListed(const lmfront::client::ModelList &list);

private:
  void onModelsListed(const client::ModelList &list);
  // A new client for the current URL and key (and a fresh LiveNodeState), opened if `open`.
  void renewLive(bool open);

  QUrl m_baseUrl;
  QString m_name;
  QString m_apiKey;
  QString m_opsCredential;
  QList<QSslCertificate> m_caCertificates;  // trusted by every client of the session besides the system's
  QString m_failure;
  client::HealthClient m_health;
  client::CompletionClient m_completion;
  NodeInfoModel m_nodeInfo;
  ModelListModel m_models;
  AlertListModel m_alerts;
  const Clock &m_clock;
  ClusterModel m_cluster;
  std::unique_ptr<LiveNodeState> m_live;
  std::unique_ptr<client::OpsClient> m_ops;
};

}  // namespace lmfront::models
