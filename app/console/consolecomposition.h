// ConsoleComposition: the console's composition root. It creates, in this order, the settings
// store, the language manager, the session of the local node's connection, the main window with
// its pages (Overview, Playground, Settings), each handed that session, and wires them; then
// startLocalNode() creates and starts the in-process local node (core/node Node) and points the
// session at it. lmfront-console's main() and the console's tests build the console through this
// one object, so a test exercises the wiring the user runs.
//
// Contract: GUI thread; QApplication must exist (and outlive it). Nothing here blocks except the
// node's own start and shutdown. The session starts with the API key stored in the settings, and a
// key the Playground confirms is stored there. A local node that cannot start is not fatal: the
// session carries the reason (status bar, Overview) and show() adds a non-modal message box.
// Destruction stops health polling and drains the node before the window goes.
#pragma once

#include "common/eventsink.h"
#include "common/status.h"
#include "models/nodesession.h"
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
class OverviewPage;
class PlaygroundPage;
class SettingsPage;
}  // namespace lmfront::widgets

namespace lmfront::console {

class ConsoleComposition {
  Q_DECLARE_TR_FUNCTIONS(ConsoleComposition)
public:
  // Without --listen a busy stored port moves on to one of this many further ports.
  static constexpr int kPortFallbackAttempts = 20;

  struct Options {
    QString settingsFile;  // empty: the user's settings; else this INI file (e.g. a throw-away one)
  };

  explicit ConsoleComposition(const Options &options = {});
  ~ConsoleComposition();
  ConsoleComposition(const ConsoleComposition &) = delete;
  ConsoleComposition &operator=(const ConsoleComposition &) = delete;

  // The node settings the console's own settings give, before the command line's flags: the
  // stored listen port, moving on to a further free port unless the port was asked for
  // explicitly (an explicit --listen is taken as asked and fails when busy).
  node::NodeConfig nodeDefaults(bool explicitListen) const;

  // Creates the local node from `config` and starts it; on success the session points at it and
  // polls its health, on failure the session shows the Status's message. At most once.
  Status startLocalNode(const node::NodeConfig &config);
  // Stops polling and drains the local node; returns false when requests were cut off.
  bool shutdown();

  // Shows the window, and when the local node failed to start a message box saying why.
  void show();

  widgets::ConsoleSettings &settings() { return *m_settings; }
  widgets::LanguageManager &language() { return m_language; }
  node::Node *localNode() const { return m_node.get(); }
  models::NodeSession &session() { return m_session; }
  widgets::MainWindow &window() { return *m_window; }
  widgets::OverviewPage *overview() const { return m_overview; }
  widgets::PlaygroundPage *playground() const { return m_playground; }
  widgets::SettingsPage *settingsPage() const { return m_settingsPage; }

private:
  std::unique_ptr<widgets::ConsoleSettings> m_settings;
  widgets::LanguageManager m_language;
  StderrEventSink m_events;  // the local node's reports; outlives it
  std::unique_ptr<node::Node> m_node;
  models::NodeSession m_session;
  std::unique_ptr<widgets::MainWindow> m_window;
  widgets::OverviewPage *m_overview;
  widgets::PlaygroundPage *m_playground;
  widgets::SettingsPage *m_settingsPage;
  Status m_started;
};

}  // namespace lmfront::console
