// The console shell against a real local node: status bar and Overview fill from /healthz over
// HTTP, the language switches live, settings persist. Offscreen; node on 127.0.0.1 port 0.
#include "client/healthclient.h"
#include "models/nodeinfomodel.h"
#include "node/node.h"
#include "widgets/consolesettings.h"
#include "widgets/languagemanager.h"
#include "widgets/mainwindow.h"
#include "widgets/overviewpage.h"
#include "widgets/settingspage.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using Row = models::NodeInfoModel::Row;

class TestMainWindow : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_settingsDir;
  QTemporaryDir m_dataDir;
  std::unique_ptr<node::Node> m_node;
  std::unique_ptr<client::HealthClient> m_client;
  std::unique_ptr<models::NodeInfoModel> m_model;
  std::unique_ptr<widgets::LanguageManager> m_language;
  std::unique_ptr<widgets::MainWindow> m_window;
  widgets::OverviewPage *m_overview = nullptr;
  widgets::SettingsPage *m_settings = nullptr;
  QString m_address;

  QString sidebarText(int row) const {
    return m_window->findChild<QListWidget *>(QStringLiteral("sidebar"))->item(row)->text();
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_settingsDir.isValid() && m_dataDir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("lmfront"));
    QCoreApplication::setApplicationName(QStringLiteral("lmfront-console"));
    QVERIFY(QSettings().fileName().startsWith(m_settingsDir.path()));

    node::NodeConfig config;
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.dataDir = m_dataDir.path();
    config.workers = 1;
    m_node = std::make_unique<node::Node>(config);
    const Status started = m_node->start();
    QVERIFY2(started.isOk(), started.message().c_str());
    m_address = m_node->info().listenAddress;
    QVERIFY(m_address.startsWith(QStringLiteral("127.0.0.1:")));

    // The same wiring as app/console/main.cpp.
    m_client = std::make_unique<client::HealthClient>();
    m_model = std::make_unique<models::NodeInfoModel>();
    m_language = std::make_unique<widgets::LanguageManager>();
    m_window = std::make_unique<widgets::MainWindow>();
    m_overview = new widgets::OverviewPage(m_model.get());
    m_settings = new widgets::SettingsPage;
    QVERIFY(
        m_window->addSection(QStringLiteral("overview"), QIcon(QStringLiteral(":/icons/overview.svg")), m_overview));
    QVERIFY(
        m_window->addSection(QStringLiteral("settings"), QIcon(QStringLiteral(":/icons/settings.svg")), m_settings));
    QVERIFY(!m_window->addSection(QStringLiteral("settings"), QIcon(), new QWidget(m_window.get())));
    connect(m_client.get(), &client::HealthClient::healthUpdated, m_model.get(), &models::NodeInfoModel::setHealth);
    connect(m_client.get(), &client::HealthClient::healthUpdated, m_window.get(), &widgets::MainWindow::setNodeHealth);
    connect(m_settings, &widgets::SettingsPage::languageRequested, m_language.get(), &widgets::LanguageManager::apply);
    m_window->setNodeAddress(m_address);
    m_settings->setCurrentAddress(m_address);
    m_client->setBaseUrl(QUrl(m_node->baseUrl()));
    m_client->start();
    m_window->show();
  }

  void cleanupTestCase() {
    m_client->stop();
    m_window.reset();
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void statusBarShowsHealthyNode() {
    QTRY_COMPARE_WITH_TIMEOUT(m_window->nodeHealthText(), QStringLiteral("healthy"), 10000);
    QCOMPARE(m_window->nodeAddressText(), QStringLiteral("Local node %1").arg(m_address));
    QCOMPARE(m_window->windowTitle(), QStringLiteral("lmfront console"));
  }

  void iconsRender() {
    // Needs Qt's SVG plugins (libqt6svg6): without them every icon is silently blank.
    for (const char *name : {"overview", "settings", "lmfront"}) {
      const QIcon icon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
      QVERIFY2(!icon.pixmap(20, 20).isNull(), name);
    }
  }

  void sidebarHasOnlyBuiltSections() {
    QCOMPARE(m_window->sectionIds(), QStringList({QStringLiteral("overview"), QStringLiteral("settings")}));
    QCOMPARE(sidebarText(0), QStringLiteral("Overview"));
    QCOMPARE(sidebarText(1), QStringLiteral("Settings"));
    QCOMPARE(m_window->currentSection(), QStringLiteral("overview"));
    QVERIFY(m_window->setCurrentSection(QStringLiteral("settings")));
    QCOMPARE(m_window->section(QStringLiteral("settings")), m_settings);
    QVERIFY(m_settings->isVisible());
    QVERIFY(!m_window->setCurrentSection(QStringLiteral("nope")));
    QVERIFY(m_window->setCurrentSection(QStringLiteral("overview")));
  }

  void overviewShowsTheNode() {
    QTRY_COMPARE_WITH_TIMEOUT(m_overview->cardValue(Row::Listen), m_address, 10000);
    QCOMPARE(m_overview->cardValue(Row::Health), QStringLiteral("healthy"));
    QCOMPARE(m_overview->cardValue(Row::Version), QStringLiteral("0.1.0"));
    QCOMPARE(m_overview->cardValue(Row::NodeId), m_node->info().nodeId);
    QVERIFY(!m_overview->cardValue(Row::NodeId).isEmpty());
    QCOMPARE(m_overview->cardValue(Row::DataDir), m_node->info().dataDir);
    QCOMPARE(m_overview->endpointText(), QStringLiteral("http://%1/v1").arg(m_address));
    // Uptime ticks: it shows seconds and moves on.
    const QString before = m_overview->cardValue(Row::Uptime);
    QVERIFY2(before.endsWith(QStringLiteral(" s")), qPrintable(before));
    QTRY_VERIFY_WITH_TIMEOUT(m_overview->cardValue(Row::Uptime) != before, 5000);
  }

  void languageSwitchesLive() {
    QComboBox *lang = m_settings->languageEdit();
    lang->setCurrentIndex(lang->findData(QStringLiteral("zh_CN")));
    QCOMPARE(m_language->current(), QStringLiteral("zh_CN"));
    QTRY_COMPARE(m_overview->windowTitle(), QString::fromUtf8("概览"));
    QTRY_COMPARE(sidebarText(0), QString::fromUtf8("概览"));
    QCOMPARE(sidebarText(1), QString::fromUtf8("设置"));
    QTRY_COMPARE(m_window->nodeHealthText(), QString::fromUtf8("健康"));
    QCOMPARE(m_window->nodeAddressText(), QString::fromUtf8("本地节点 %1").arg(m_address));
    QCOMPARE(m_overview->cardValue(Row::Health), QString::fromUtf8("健康"));
    QVERIFY(m_settings->portMessage().contains(QString::fromUtf8("下次启动")));
    QCOMPARE(QSettings().value(widgets::ConsoleSettings::languageKey()).toString(), QStringLiteral("zh_CN"));

    lang->setCurrentIndex(lang->findData(QStringLiteral("en")));
    QTRY_COMPARE(sidebarText(0), QStringLiteral("Overview"));
    QTRY_COMPARE(m_window->nodeHealthText(), QStringLiteral("healthy"));
    QCOMPARE(QSettings().value(widgets::ConsoleSettings::languageKey()).toString(), QStringLiteral("en"));
    QVERIFY(!m_language->apply(QStringLiteral("xx_XX")));
    // Showing the language in use does not store it.
    m_settings->setCurrentLanguage(QStringLiteral("zh_CN"));
    QCOMPARE(lang->currentData().toString(), QStringLiteral("zh_CN"));
    QCOMPARE(QSettings().value(widgets::ConsoleSettings::languageKey()).toString(), QStringLiteral("en"));
    QCOMPARE(m_language->current(), QStringLiteral("en"));
    m_settings->setCurrentLanguage(QStringLiteral("en"));
    QCOMPARE(m_language->current(), QStringLiteral("en"));
  }

  void settingsPersist() {
    QSpinBox *port = m_settings->portEdit();
    port->setValue(9191);
    QCOMPARE(QSettings().value(widgets::ConsoleSettings::listenPortKey()).toInt(), 9191);
    QVERIFY(m_settings->portMessage().contains(QStringLiteral("next start")));
    port->setValue(80);  // refused: needs root
    QVERIFY(m_settings->portMessage().contains(QStringLiteral("Not saved")));
    QCOMPARE(QSettings().value(widgets::ConsoleSettings::listenPortKey()).toInt(), 9191);
    {
      QSettings settings;
      QCOMPARE(widgets::ConsoleSettings::listenPort(settings), quint16(9191));
      settings.setValue(widgets::ConsoleSettings::listenPortKey(), QStringLiteral("garbage"));
      QCOMPARE(widgets::ConsoleSettings::listenPort(settings), widgets::kDefaultListenPort);
      settings.setValue(widgets::ConsoleSettings::listenPortKey(), 9191);
    }
    widgets::SettingsPage fresh;
    QCOMPARE(fresh.portEdit()->value(), 9191);
    QCOMPARE(fresh.languageEdit()->currentData().toString(), QStringLiteral("en"));
  }

  void geometryAndSectionAreRemembered() {
    m_window->resize(1000, 700);
    m_window->setCurrentSection(QStringLiteral("settings"));
    m_window->saveState();
    widgets::MainWindow other;
    other.addSection(QStringLiteral("overview"), QIcon(), new QWidget);
    other.addSection(QStringLiteral("settings"), QIcon(), new QWidget);
    other.restoreSavedState();
    QCOMPARE(other.size(), QSize(1000, 700));
    QCOMPARE(other.currentSection(), QStringLiteral("settings"));
    m_window->setCurrentSection(QStringLiteral("overview"));
  }

  void stoppedNodeShowsUnreachable() {
    QVERIFY(m_node->shutdown());
    m_node.reset();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->nodeHealthText().startsWith(QStringLiteral("unreachable")), 10000);
    QTRY_VERIFY(m_overview->cardValue(Row::Health).startsWith(QStringLiteral("unreachable")));
    // Identity of the node that went away stays visible.
    QCOMPARE(m_overview->cardValue(Row::Listen), m_address);
    QCOMPARE(m_overview->cardValue(Row::Uptime), QStringLiteral("—"));
  }

  void startFailureIsShown() {
    m_window->setNodeFailure(QStringLiteral("no free port in 8080-8100"));
    QVERIFY(m_window->nodeHealthText().contains(QStringLiteral("no free port in 8080-8100")));
  }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
