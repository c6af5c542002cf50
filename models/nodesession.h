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
#pragma once

#include "client/completionclient.h"
#include "client/healthclient.h"
#include "models/modellistmodel.h"
#include "models/nodeinfomodel.h"

#include <QObject>
#include <QString>
#include <QUrl>

namespace lmfront::models {

class NodeSession : public QObject {
  Q_OBJECT
public:
  explicit NodeSession(QObject *parent = nullptr);
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
  QString apiKey() const { return m_apiKey; }

  // The node could not be reached at all (e.g. the local node did not start): `message` says why.
  void setFailure(const QString &message);
  QString failure() const { return m_failure; }

  void start();  // polls /healthz now, then every second
  void stop();
  bool isPolling() const { return m_health.isActive(); }
  const client::NodeHealth &health() const { return m_nodeInfo.health(); }

  void refreshModels();

  client::HealthClient *healthClient() { return &m_health; }
  client::CompletionClient *completionClient() { return &m_completion; }
  NodeInfoModel *nodeInfo() { return &m_nodeInfo; }
  ModelListModel *modelList() { return &m_models; }

Q_SIGNALS:
  // The base URL or the failure changed: views re-read address() and failure().
  void connectionChanged();
  void apiKeyChanged(const QString &key);
  void healthUpdated(const lmfront::client::NodeHealth &health);
  void modelsListed(const lmfront::client::ModelList &list);

private:
  void onModelsListed(const client::ModelList &list);

  QUrl m_baseUrl;
  QString m_name;
  QString m_apiKey;
  QString m_failure;
  client::HealthClient m_health;
  client::CompletionClient m_completion;
  NodeInfoModel m_nodeInfo;
  ModelListModel m_models;
};

}  // namespace lmfront::models
