#include "consolecomposition.h"

#include "common/clock.h"
#include "node/node.h"
#include "widgets/overviewpage.h"
#include "widgets/playgroundpage.h"
#include "widgets/settingspage.h"

#include <QMessageBox>
#include <QObject>

namespace lmfront::console {

namespace {
std::unique_ptr<widgets::ConsoleSettings> openSettings(const QString &file) {
  return file.isEmpty() ? std::make_unique<widgets::ConsoleSettings>()
                        : std::make_unique<widgets::ConsoleSettings>(file);
}
}  // namespace

ConsoleComposition::ConsoleComposition(const Options &options)
    : m_settings(openSettings(options.settingsFile)),
      m_window(std::make_unique<widgets::MainWindow>(m_settings.get())),
      m_overview(new widgets::OverviewPage),
      m_playground(new widgets::PlaygroundPage),
      m_settingsPage(new widgets::SettingsPage(m_settings.get())),
      m_started(Status::ok()) {
  m_session.setApiKey(m_settings->apiKey());
  m_window->addSection(QStringLiteral("overview"), QIcon(QStringLiteral(":/icons/overview.svg")), m_overview);
  m_window->addSection(QStringLiteral("playground"), QIcon(QStringLiteral(":/icons/playground.svg")), m_playground);
  m_window->addSection(QStringLiteral("settings"), QIcon(QStringLiteral(":/icons/settings.svg")), m_settingsPage);
  m_window->setSession(&m_session);
  m_overview->setSession(&m_session);
  m_playground->setSession(&m_session);
  m_settingsPage->setSession(&m_session);

  widgets::ConsoleSettings *settings = m_settings.get();
  QObject::connect(m_playground, &widgets::PlaygroundPage::apiKeyEntered, m_window.get(),
                   [settings](const QString &key) { settings->setApiKey(key); });
  QObject::connect(m_settingsPage, &widgets::SettingsPage::languageRequested, &m_language,
                   &widgets::LanguageManager::apply);
  QObject::connect(&m_language, &widgets::LanguageManager::languageChanged, m_settingsPage,
                   &widgets::SettingsPage::setCurrentLanguage);
  m_settingsPage->setCurrentLanguage(m_language.current());
}

ConsoleComposition::~ConsoleComposition() { shutdown(); }

node::NodeConfig ConsoleComposition::nodeDefaults(bool explicitListen) const {
  node::NodeConfig base;
  base.listenPort = m_settings->listenPort();
  base.portFallbackAttempts = explicitListen ? 0 : kPortFallbackAttempts;
  return base;
}

Status ConsoleComposition::startLocalNode(const node::NodeConfig &config) {
  if (m_node) return Status::failedPrecondition("the local node was already started");
  m_node = std::make_unique<node::Node>(config, Clock::steady(), m_events);
  m_started = m_node->start();
  if (m_started.isOk()) {
    m_session.setBaseUrl(QUrl(m_node->baseUrl()));
    m_session.start();
  } else {
    m_session.setFailure(QString::fromStdString(m_started.message()));
  }
  return m_started;
}

bool ConsoleComposition::shutdown() {
  m_session.stop();
  return m_node ? m_node->shutdown() : true;
}

void ConsoleComposition::show() {
  m_window->show();
  if (m_started.isOk()) return;
  // Not modal-blocking: the window stays usable and its status bar keeps the error.
  auto *box = new QMessageBox(QMessageBox::Critical, tr("Local node did not start"),
                              tr("The local node could not start:\n%1\n\nChange the port in Settings or free "
                                 "it, then restart the console.")
                                  .arg(QString::fromStdString(m_started.message())),
                              QMessageBox::Ok, m_window.get());
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace lmfront::console
