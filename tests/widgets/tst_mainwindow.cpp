// The console shell against a real local node, built by the same ConsoleComposition as
// lmfront-console's main(): status bar and Overview fill from /healthz over HTTP, the language
// switches live, settings persist. Offscreen; node on 127.0.0.1 port 0.
#include "consolecomposition.h"
#include "models/connectionstore.h"
#include "models/nodeinfomodel.h"
#include "models/secretstore.h"
#include "node/node.h"
#include "widgets/consolesettings.h"
#include "widgets/languagemanager.h"
#include "widgets/mainwindow.h"
#include "widgets/overviewpage.h"
#include "widgets/playgroundpage.h"
#include "widgets/settingspage.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
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
  std::unique_ptr<console::ConsoleComposition> m_console;
  widgets::LanguageManager *m_language = nullptr;
  widgets::MainWindow *m_window = nullptr;
  widgets::OverviewPage *m_overview = nullptr;
  widgets::SettingsPage *m_settings = nullptr;
  QString m_address;

  // The user's (here: redirected) settings, and keys in the file beside them: never the keyring.
  static console::ConsoleComposition::Options options() {
    console::ConsoleComposition::Options o;
    o.keys = console::ConsoleComposition::KeyBackend::File;
    return o;
  }
  static Result<QString> storedLocalKey() {
    return models::FileSecretStore(console::ConsoleComposition::keyFileFor(QSettings().fileName()))
        .readNow(models::ConnectionStore::localId());
  }

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

    // The console as main() builds it, on the user's (here: redirected) settings.
    m_console = std::make_unique<console::ConsoleComposition>(options());
    node::NodeConfig config = m_console->nodeDefaults(true);
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.dataDir = m_dataDir.path();
    config.workers = 1;
    const Status started = m_console->startLocalNode(config);
    QVERIFY2(started.isOk(), started.message().c_str());
    m_address = m_console->localNode()->info().listenAddress;
    QVERIFY(m_address.startsWith(QStringLiteral("127.0.0.1:")));
    m_language = &m_console->language();
    m_window = &m_console->window();
    m_overview = m_console->overview();
    m_settings = m_console->settingsPage();
    QVERIFY(!m_window->addSection(QStringLiteral("settings"), QIcon(), new QWidget(m_window)));
    m_console->show();
  }

  void cleanupTestCase() {
    QVERIFY(m_console->shutdown());
    m_console.reset();
  }

  void statusBarShowsHealthyNode() {
    QTRY_COMPARE_WITH_TIMEOUT(m_window->nodeHealthText(), QStringLiteral("healthy"), 10000);
    QCOMPARE(m_window->nodeAddressText(), QStringLiteral("Local node %1").arg(m_address));
    QCOMPARE(m_window->windowTitle(), QStringLiteral("lmfront console"));
  }

  void iconsRender() {
    // Needs Qt's SVG plugins (libqt6svg6): without them every icon is silently blank.
    for (const char *name : {"overview", "cluster", "alerts", "models", "audit", "settings", "lmfront"}) {
      const QIcon icon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
      QVERIFY2(!icon.pixmap(20, 20).isNull(), name);
    }
  }

  void sidebarHasOnlyBuiltSections() {
    QCOMPARE(m_window->sectionIds(),
             QStringList({QStringLiteral("overview"), QStringLiteral("cluster"), QStringLiteral("traffic"),
                          QStringLiteral("alerts"), QStringLiteral("models"), QStringLiteral("audit"),
                          QStringLiteral("playground"), QStringLiteral("connections"), QStringLiteral("settings")}));
    QCOMPARE(sidebarText(0), QStringLiteral("Overview"));
    QCOMPARE(sidebarText(1), QStringLiteral("Cluster"));
    QCOMPARE(sidebarText(2), QStringLiteral("Traffic"));
    QCOMPARE(sidebarText(3), QStringLiteral("Alerts"));
    QCOMPARE(sidebarText(4), QStringLiteral("Models"));
    QCOMPARE(sidebarText(5), QStringLiteral("Audit"));
    QCOMPARE(sidebarText(6), QStringLiteral("Playground"));
    QCOMPARE(sidebarText(7), QStringLiteral("Connections"));
    QCOMPARE(sidebarText(8), QStringLiteral("Settings"));
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
    QCOMPARE(m_overview->cardValue(Row::NodeId), m_console->localNode()->info().nodeId);
    QVERIFY(!m_overview->cardValue(Row::NodeId).isEmpty());
    QCOMPARE(m_overview->cardValue(Row::DataDir), m_console->localNode()->info().dataDir);
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
    QCOMPARE(sidebarText(1), QString::fromUtf8("集群"));
    QCOMPARE(sidebarText(2), QString::fromUtf8("流量"));
    QCOMPARE(sidebarText(3), QString::fromUtf8("告警"));
    QCOMPARE(sidebarText(4), QString::fromUtf8("模型"));
    QCOMPARE(sidebarText(5), QString::fromUtf8("审计"));
    QCOMPARE(sidebarText(7), QString::fromUtf8("连接"));
    QCOMPARE(sidebarText(8), QString::fromUtf8("设置"));
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
    widgets::ConsoleSettings store;
    widgets::SettingsPage fresh(&store);
    QCOMPARE(fresh.portEdit()->value(), 9191);
    QCOMPARE(fresh.languageEdit()->currentData().toString(), QStringLiteral("en"));
  }

  void geometryAndSectionAreRemembered() {
    m_window->resize(1000, 700);
    m_window->setCurrentSection(QStringLiteral("settings"));
    m_window->saveState();
    widgets::ConsoleSettings store;
    widgets::MainWindow other(&store);
    other.addSection(QStringLiteral("overview"), QIcon(), new QWidget);
    other.addSection(QStringLiteral("settings"), QIcon(), new QWidget);
    other.restoreSavedState();
    QCOMPARE(other.size(), QSize(1000, 700));
    QCOMPARE(other.currentSection(), QStringLiteral("settings"));
    m_window->setCurrentSection(QStringLiteral("overview"));
  }

  void everyPageHasTheOneSession() {
    models::NodeSession *session = &m_console->session();
    QCOMPARE(session, &m_console->localSession());
    QCOMPARE(m_console->playground()->session(), session);
    QCOMPARE(session->address(), m_address);
    QCOMPARE(session->baseUrl(), QUrl(m_console->localNode()->baseUrl()));
    QVERIFY(session->isPolling());
    bool shown = false;
    for (QLabel *label : m_settings->findChildren<QLabel *>())
      shown = shown || label->text() == QStringLiteral("Listening now on %1.").arg(m_address);
    QVERIFY2(shown, "the Settings page does not show the session's address");
  }

  void nodeDefaultsComeFromTheSettings() {
    m_console->settings().setListenPort(9393);
    const node::NodeConfig implicit = m_console->nodeDefaults(false);
    QCOMPARE(implicit.listenPort, quint16(9393));
    QCOMPARE(implicit.portFallbackAttempts, console::ConsoleComposition::kPortFallbackAttempts);
    QCOMPARE(m_console->nodeDefaults(true).portFallbackAttempts, 0);
    m_console->settings().setListenPort(widgets::kDefaultListenPort);
  }

  void confirmedApiKeyIsKeptForTheNextStart() {
    auto *field = m_console->playground()->findChild<QLineEdit *>(QStringLiteral("apiKeyEdit"));
    QVERIFY(field);
    field->setText(QStringLiteral("lmf_keptforlater"));
    QCOMPARE(m_console->session().apiKey(), QStringLiteral("lmf_keptforlater"));  // applies as typed
    QCOMPARE(storedLocalKey().status().code(), StatusCode::NotFound);             // stored once confirmed
    Q_EMIT field->editingFinished();
    QCOMPARE(storedLocalKey().valueOr(QString()), QStringLiteral("lmf_keptforlater"));
    QSettings().sync();
    QFile settingsFile(QSettings().fileName());
    QVERIFY(settingsFile.open(QIODevice::ReadOnly));
    QVERIFY(!settingsFile.readAll().contains("lmf_keptforlater"));  // the key store, not the settings
    {
      console::ConsoleComposition next(options());  // the next start
      QCOMPARE(next.session().apiKey(), QStringLiteral("lmf_keptforlater"));
      QCOMPARE(next.playground()->apiKey(), QStringLiteral("lmf_keptforlater"));
      QCOMPARE(next.window().nodeAddressText(), QStringLiteral("Local node not running"));
    }
    field->clear();
    Q_EMIT field->editingFinished();
    QCOMPARE(storedLocalKey().status().code(), StatusCode::NotFound);
    QVERIFY(!QSettings().contains(widgets::ConsoleSettings::playgroundApiKeyKey()));
  }

  void keyOfAnOlderConsoleMovesOutOfTheSettings() {
    QSettings().setValue(widgets::ConsoleSettings::playgroundApiKeyKey(), QStringLiteral("lmf_fromtheolddays"));
    {
      console::ConsoleComposition next(options());
      QCOMPARE(next.localSession().apiKey(), QStringLiteral("lmf_fromtheolddays"));
    }
    QVERIFY(!QSettings().contains(widgets::ConsoleSettings::playgroundApiKeyKey()));
    QCOMPARE(storedLocalKey().valueOr(QString()), QStringLiteral("lmf_fromtheolddays"));
    QVERIFY(models::FileSecretStore(console::ConsoleComposition::keyFileFor(QSettings().fileName()))
                .writeNow(models::ConnectionStore::localId(), QString()));
  }

  void stoppedNodeShowsUnreachable() {
    QVERIFY(m_console->localNode()->shutdown());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->nodeHealthText().startsWith(QStringLiteral("unreachable")), 10000);
    QTRY_VERIFY(m_overview->cardValue(Row::Health).startsWith(QStringLiteral("unreachable")));
    // Identity of the node that went away stays visible.
    QCOMPARE(m_overview->cardValue(Row::Listen), m_address);
    QCOMPARE(m_overview->cardValue(Row::Uptime), QStringLiteral("—"));
  }

  void startFailureIsShown() {
    m_console->session().setFailure(QStringLiteral("no free port in 8080-8100"));
    QVERIFY(m_window->nodeHealthText().contains(QStringLiteral("no free port in 8080-8100")));
  }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
