#include "consolecomposition.h"

#include "common/clock.h"
#include "node/node.h"
#include "widgets/alertspage.h"
#include "widgets/alerttray.h"
#include "widgets/auditpage.h"
#include "widgets/clusterpage.h"
#include "widgets/connectionspage.h"
#include "widgets/modelspage.h"
#include "widgets/overviewpage.h"
#include "widgets/playgroundpage.h"
#include "widgets/settingspage.h"
#include "widgets/trafficpage.h"

#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QObject>
#include <QSslCertificate>

namespace lmfront::console {

namespace {
std::unique_ptr<widgets::ConsoleSettings> openSettings(const QString &file) {
  return file.isEmpty() ? std::make_unique<widgets::ConsoleSettings>()
                        : std::make_unique<widgets::ConsoleSettings>(file);
}

std::unique_ptr<models::SecretStore> openSecrets(ConsoleComposition::KeyBackend backend, const QString &keyFile) {
  if (backend == ConsoleComposition::KeyBackend::File) return std::make_unique<models::FileSecretStore>(keyFile);
  return std::make_unique<models::KeyringSecretStore>(ConsoleComposition::keyringService(), keyFile);
}
}  // namespace

QString ConsoleComposition::keyFileFor(const QString &settingsFile) {
  const QFileInfo info(settingsFile);
  return info.absoluteDir().filePath(info.completeBaseName() + QStringLiteral("-keys.json"));
}

ConsoleComposition::ConsoleComposition() : ConsoleComposition(Options{}) {}

ConsoleComposition::ConsoleComposition(const Options &options)
    : m_settings(openSettings(options.settingsFile)),
      m_secrets(openSecrets(options.keys, keyFileFor(m_settings->fileName()))),
      m_store(std::make_unique<models::ConnectionStore>(m_settings->qsettings(), m_secrets.get())),
      m_connections(std::make_unique<models::ConnectionListModel>(m_store.get())),
      m_window(std::make_unique<widgets::MainWindow>(m_settings.get())),
      m_overview(new widgets::OverviewPage),
      m_cluster(new widgets::ClusterPage),
      m_traffic(new widgets::TrafficPage),
      m_alerts(new widgets::AlertsPage),
      m_models(new widgets::ModelsPage),
      m_audit(new widgets::AuditPage),
      m_playground(new widgets::PlaygroundPage),
      m_connectionsPage(new widgets::ConnectionsPage(m_connections.get())),
      m_settingsPage(new widgets::SettingsPage(m_settings.get())),
      m_alertTray(std::make_unique<widgets::AlertTray>(m_window.get())),
      m_started(Status::ok()) {
  if (const QString legacy = m_settings->takeLegacyApiKey(); !legacy.isEmpty())
    m_store->setApiKey(models::ConnectionStore::localId(), legacy);
  m_window->addSection(QStringLiteral("overview"), QIcon(QStringLiteral(":/icons/overview.svg")), m_overview);
  m_window->addSection(QStringLiteral("cluster"), QIcon(QStringLiteral(":/icons/cluster.svg")), m_cluster);
  m_window->addSection(QStringLiteral("traffic"), QIcon(QStringLiteral(":/icons/traffic.svg")), m_traffic);
  m_window->addSection(QStringLiteral("alerts"), QIcon(QStringLiteral(":/icons/alerts.svg")), m_alerts);
  m_window->addSection(QStringLiteral("models"), QIcon(QStringLiteral(":/icons/models.svg")), m_models);
  m_window->addSection(QStringLiteral("audit"), QIcon(QStringLiteral(":/icons/audit.svg")), m_audit);
  m_window->addSection(QStringLiteral("playground"), QIcon(QStringLiteral(":/icons/playground.svg")), m_playground);
  m_window->addSection(QStringLiteral("connections"), QIcon(QStringLiteral(":/icons/connections.svg")),
                       m_connectionsPage);
  m_window->addSection(QStringLiteral("settings"), QIcon(QStringLiteral(":/icons/settings.svg")), m_settingsPage);
  const QString last = m_settings->currentConnection();
  if (last.isEmpty() || !selectConnection(last)) selectConnection(models::ConnectionStore::localId());

  // Alerts are heard from every connection, not only the one shown.
  for (int row = 0; row < m_connections->rowCount(); ++row)
    m_alertTray->follow(m_connections->session(m_connections->idAt(row)));
  QObject::connect(m_connections.get(), &QAbstractItemModel::rowsInserted, m_window.get(),
                   [this](const QModelIndex &, int firstRow, int lastRow) {
                     for (int row = firstRow; row <= lastRow; ++row)
                       m_alertTray->follow(m_connections->session(m_connections->idAt(row)));
                   });
  QObject::connect(m_alertTray.get(), &widgets::AlertTray::activated, m_window.get(),
                   [this](models::NodeSession *from) {
                     for (int row = 0; from && row < m_connections->rowCount(); ++row)
                       if (const QString id = m_connections->idAt(row); m_connections->session(id) == from)
                         selectConnection(id);
                     m_window->setCurrentSection(QStringLiteral("alerts"));
                     m_alerts->setCurrentTab(widgets::AlertsPage::Tab::Active);
                     m_window->showNormal();
                     m_window->raise();
                     m_window->activateWindow();
                   });
  models::ConnectionStore *store = m_store.get();
  QObject::connect(m_playground, &widgets::PlaygroundPage::apiKeyEntered, m_window.get(),
                   [this, store](const QString &key) { store->setApiKey(m_currentId, key); });
  QObject::connect(m_connectionsPage, &widgets::ConnectionsPage::switchRequested, m_window.get(),
                   [this](const QString &id) { selectConnection(id); });
  QObject::connect(m_connections.get(), &models::ConnectionListModel::sessionRemoved, m_window.get(),
                   [this](const QString &id, models::NodeSession *session) {
                     m_alertTray->unfollow(session);
                     if (id == m_currentId) selectConnection(models::ConnectionStore::localId());
                   });
  QObject::connect(m_settingsPage, &widgets::SettingsPage::languageRequested, &m_language,
                   &widgets::LanguageManager::apply);
  QObject::connect(&m_language, &widgets::LanguageManager::languageChanged, m_settingsPage,
                   &widgets::SettingsPage::setCurrentLanguage);
  m_settingsPage->setCurrentLanguage(m_language.current());
}

models::NodeSession &ConsoleComposition::localSession() {
  return *m_connections->session(models::ConnectionStore::localId());
}

bool ConsoleComposition::selectConnection(const QString &id) {
  models::NodeSession *session = m_connections->session(id);
  if (!session) return false;
  m_current = session;
  m_currentId = id;
  m_window->setSession(session);
  m_overview->setSession(session);
  m_cluster->setSession(session);
  m_traffic->setSession(session);
  m_alerts->setSession(session);
  m_models->setSession(session);
  m_audit->setSession(session);
  m_playground->setSession(session);
  // Settings shows the local node's address in use whatever the console shows.
  m_settingsPage->setSession(&localSession());
  m_connectionsPage->setCurrentConnection(id);
  m_settings->setCurrentConnection(id == models::ConnectionStore::localId() ? QString() : id);
  return true;
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
  models::NodeSession &local = localSession();
  if (m_started.isOk()) {
    // In-process authentication: the local node's ops API admits its console whatever its key
    // rules (require_keys included), with a credential that never leaves this process.
    local.setOpsCredential(m_node->consoleCredential());
    // A node serving TLS is reached over https/wss and verified like any node, trusting the
    // certificates of its own tls.cert file besides the system's: a self-signed one is its own CA.
    if (m_node->info().tls) local.setCaCertificates(QSslCertificate::fromPath(config.gateway.tlsCertFile, QSsl::Pem));
    local.setBaseUrl(QUrl(m_node->baseUrl()));
    local.start();
  } else {
    local.setFailure(QString::fromStdString(m_started.message()));
  }
  return m_started;
}

bool ConsoleComposition::shutdown() {
  for (const models::Connection &c : m_store->connections())
    if (models::NodeSession *s = m_connections->session(c.id)) s->stop();
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
