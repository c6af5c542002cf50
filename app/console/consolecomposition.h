// ConsoleComposition: the console's composition root. It creates, in this order, the settings
// store, the language manager, the key store (the desktop keyring, else a 0600 file beside the
// settings; see Options::keys), the connection store and its list model, which holds one
// NodeSession per connection (the local node's and each saved remote node's), the main window
// with its pages (Overview, Cluster, Traffic, Alerts, Models, Audit, Playground, Connections, Settings), each handed
// the current session, and the alert notifications (AlertTray, following every connection's session), and wires them;
// then startLocalNode() creates and starts the in-process local node (core/node Node) and points the local session at
// it. lmfront-console's main() and the console's tests build the console through this one object, so a test exercises
// the wiring the user runs.
//
// Contract: GUI thread; QApplication must exist (and outlive it). Nothing here blocks except the
// node's own start and shutdown. Switching the console to another connection
// (selectConnection(), or the Connections page) hands that connection's session, already live,
// to the window and every page: nothing reconnects. The current connection is remembered in the
// settings; when it is removed the console goes back to the local node. A key the Playground
// confirms is stored as the current connection's key (in the key store, never in the settings;
// a key an older console left in the settings is moved there). A local node that cannot start is
// not fatal: the local session carries the reason (status bar, Overview) and show() adds a
// non-modal message box. Destruction stops health polling and drains the node before the window
// goes.
#pragma once

#include "common/eventsink.h"
#include "common/status.h"
#include "models/connectionlistmodel.h"
#include "models/connectionstore.h"
#include "models/nodesession.h"
#include "models/secretstore.h"
#include "node/nodeconfig.h"
#include "widgets/consolesettings.h"
#include "widgets/languagemanager.h"
#include "widgets/mainwindow.h"

#include <QCoreApplication>
#include <QString>
#include <memory>

namespace lmfront::node {
class Node;
}

namespace lmfront::widgets {
class AlertsPage;
class AlertTray;
class AuditPage;
class ClusterPage;
class ConnectionsPage;
class ModelsPage;
class OverviewPage;
class TrafficPage;
class PlaygroundPage;
class SettingsPage;
}  // namespace lmfront::widgets

namespace lmfront::console {

class ConsoleComposition {
  Q_DECLARE_TR_FUNCTIONS(ConsoleComposition)
public:
  // Without --listen a busy stored port moves on to one of this many further ports.
  static constexpr int kPortFallbackAttempts = 20;

  enum class KeyBackend {
    Keyring,  // the desktop keyring when one answers, else the file
    File,     // the file only (tests and screenshots: never the user's keyring)
  };
  struct Options {
    QString settingsFile;  // empty: the user's settings; else this INI file (e.g. a throw-away one)
    KeyBackend keys = KeyBackend::Keyring;
  };
  // The keyring's service name for lmfront's entries.
  static QString keyringService() { return QStringLiteral("lmfront-console"); }
  // The fallback key file: beside the settings file.
  static QString keyFileFor(const QString &settingsFile);

  ConsoleComposition();  // the user's settings and keyring
  explicit ConsoleComposition(const Options &options);
  ~ConsoleComposition();
  ConsoleComposition(const ConsoleComposition &) = delete;
  ConsoleComposition &operator=(const ConsoleComposition &) = delete;

  // The node settings the console's own settings give, before the command line's flags: the
  // stored listen port, moving on to a further free port unless the port was asked for
  // explicitly (an explicit --listen is taken as asked and fails when busy).
  node::NodeConfig nodeDefaults(bool explicitListen) const;

  // Creates the local node from `config` and starts it; on success the session points at it,
  // authenticated in-process (the node's console credential) and, when the node serves TLS,
  // trusting the certificates of its tls.cert file; on failure the session shows the Status's
  // message. At most once.
  Status startLocalNode(const node::NodeConfig &config);
  // Stops polling and drains the local node; returns false when requests were cut off.
  bool shutdown();

  // Shows the window, and when the local node failed to start a message box saying why.
  void show();

  widgets::ConsoleSettings &settings() { return *m_settings; }
  widgets::LanguageManager &language() { return m_language; }
  node::Node *localNode() const { return m_node.get(); }
  // The session the console shows now, and the local node's (always there).
  models::NodeSession &session() { return *m_current; }
  models::NodeSession &localSession();
  QString currentConnection() const { return m_currentId; }
  // Hands the connection's session to the window and every page; false for an unknown id.
  bool selectConnection(const QString &id);
  models::ConnectionStore &connections() { return *m_store; }
  models::ConnectionListModel &connectionList() { return *m_connections; }
  widgets::MainWindow &window() { return *m_window; }
  widgets::OverviewPage *overview() const { return m_overview; }
  widgets::ClusterPage *clusterPage() const { return m_cluster; }
  widgets::TrafficPage *traffic() const { return m_traffic; }
  widgets::AlertsPage *alerts() const { return m_alerts; }
  widgets::AlertTray &alertTray() { return *m_alertTray; }
  widgets::ModelsPage *modelsPage() const { return m_models; }
  widgets::AuditPage *auditPage() const { return m_audit; }
  widgets::PlaygroundPage *playground() const { return m_playground; }
  widgets::SettingsPage *settingsPage() const { return m_settingsPage; }
  widgets::ConnectionsPage *connectionsPage() const { return m_connectionsPage; }

private:
  std::unique_ptr<widgets::ConsoleSettings> m_settings;
  widgets::LanguageManager m_language;
  StderrEventSink m_events;  // the local node's reports; outlives it
  std::unique_ptr<models::SecretStore> m_secrets;
  std::unique_ptr<models::ConnectionStore> m_store;
  std::unique_ptr<models::ConnectionListModel> m_connections;
  std::unique_ptr<node::Node> m_node;
  std::unique_ptr<widgets::MainWindow> m_window;
  widgets::OverviewPage *m_overview;
  widgets::ClusterPage *m_cluster;
  widgets::TrafficPage *m_traffic;
  widgets::AlertsPage *m_alerts;
  widgets::ModelsPage *m_models;
  widgets::AuditPage *m_audit;
  widgets::PlaygroundPage *m_playground;
  widgets::ConnectionsPage *m_connectionsPage;
  widgets::SettingsPage *m_settingsPage;
  std::unique_ptr<widgets::AlertTray> m_alertTray;  // before the window goes: its notice is the window's
  models::NodeSession *m_current = nullptr;
  QString m_currentId;
  Status m_started;
};

}  // namespace lmfront::console
