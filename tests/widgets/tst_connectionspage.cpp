// The Connections section as the user drives it, in the console built by ConsoleComposition on a
// throw-away settings file and the file key backend (never the user's keyring). A real lmfrontd
// (tests/support daemon harness) with one API key is the remote node; a port nobody listens on is
// the dead one. Offscreen: add, edit, remove through the page's widgets; rows' states from each
// session's ops client (live, connecting, failed on a wrong key); Test healthy and failing;
// switching hands the remote connection's session to the Overview and back.
#include "../support/daemonharness.h"
#include "../support/widgetchild.h"
#include "consolecomposition.h"
#include "gateway/auth/keystore.h"
#include "models/alertlistmodel.h"
#include "models/connectionlistmodel.h"
#include "models/nodeinfomodel.h"
#include "models/nodesession.h"
#include "models/secretstore.h"
#include "widgets/alerttray.h"
#include "widgets/connectionspage.h"
#include "widgets/mainwindow.h"
#include "widgets/overviewpage.h"
#include "widgets/playgroundpage.h"
#include "widgets/theme.h"

#include <sys/stat.h>
#include <QAbstractItemModelTester>
#include <QColor>
#include <QElapsedTimer>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using models::ConnectionListModel;
using models::ConnectionStore;
using testing::child;
using Row = models::NodeInfoModel::Row;

namespace {

quint16 closedPort() {
  QTcpServer server;
  return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

QByteArray readAll(const QString &path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestConnectionsPage : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  testing::Daemon m_daemon;
  std::unique_ptr<console::ConsoleComposition> m_console;
  widgets::ConnectionsPage *m_page = nullptr;
  std::unique_ptr<QAbstractItemModelTester> m_tester;
  QString m_key;  // the remote node's operator key

  QString settingsFile() const { return m_dir.filePath(QStringLiteral("console.conf")); }
  QString keyFile() const { return console::ConsoleComposition::keyFileFor(settingsFile()); }
  QString daemonUrl() const { return QStringLiteral("ws://127.0.0.1:%1/ops").arg(m_daemon.port()); }

  void click(const char *name) {
    auto *b = child<QPushButton>(m_page, name);
    QVERIFY2(b->isEnabled(), name);
    QTest::mouseClick(b, Qt::LeftButton);
  }
  void fill(const QString &name, const QString &url, const QString &key = {}, const QString &ca = {}) {
    child<QLineEdit>(m_page, "nameEdit")->setText(name);
    child<QLineEdit>(m_page, "urlEdit")->setText(url);
    child<QLineEdit>(m_page, "connectionKeyEdit")->setText(key);
    child<QLineEdit>(m_page, "caFileEdit")->setText(ca);
  }
  QString idNamed(const QString &name) const {
    for (const models::Connection &c : m_console->connections().connections())
      if (c.name == name) return c.id;
    return {};
  }
  ConnectionListModel &list() { return m_console->connectionList(); }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    {
      auto store = gateway::auth::KeyStore::open(m_dir.filePath(QStringLiteral("remote")).toStdString());
      QVERIFY(store.isOk());
      auto created = (*store)->create("console", gateway::auth::Role::Operator);
      QVERIFY(created.isOk());
      m_key = QString::fromStdString(created->key);
    }
    QVERIFY(m_daemon.start({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                            m_dir.filePath(QStringLiteral("remote"))}));
    console::ConsoleComposition::Options options;
    options.settingsFile = settingsFile();
    options.keys = console::ConsoleComposition::KeyBackend::File;
    m_console = std::make_unique<console::ConsoleComposition>(options);
    m_tester =
        std::make_unique<QAbstractItemModelTester>(&list(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_page = m_console->connectionsPage();
    QCOMPARE(m_console->window().section(QStringLiteral("connections")), m_page);
    m_console->window().setCurrentSection(QStringLiteral("connections"));
    m_console->show();
  }

  void cleanupTestCase() {
    m_tester.reset();
    m_console.reset();
    m_daemon.stop();
  }

  void localConnectionIsAlwaysThere() {
    QCOMPARE(list().rowCount(), 1);
    QCOMPARE(list().index(0, 0).data().toString(), QStringLiteral("Local node"));
    QCOMPARE(m_page->currentConnection(), ConnectionStore::localId());
    QCOMPARE(m_page->selectedId(), ConnectionStore::localId());
    QVERIFY(!child<QPushButton>(m_page, "editButton")->isEnabled());
    QVERIFY(!child<QPushButton>(m_page, "removeButton")->isEnabled());
    QVERIFY(!child<QPushButton>(m_page, "useButton")->isEnabled());  // already shown
    QCOMPARE(list().index(0, 2).data().toString(), QStringLiteral("not running"));
    QVERIFY(child<QLabel>(m_page, "hint")->text().contains(keyFile()));
  }

  void addValidatesThenSaves() {
    click("addButton");
    QVERIFY(child<QWidget>(m_page, "connectionEditor")->isVisible());
    fill(QString(), daemonUrl());
    click("saveButton");
    QCOMPARE(m_page->editorErrorText(), QStringLiteral("Enter a name."));
    fill(QStringLiteral("local node"), daemonUrl());
    click("saveButton");
    QVERIFY(m_page->editorErrorText().contains(QStringLiteral("already exists")));
    fill(QStringLiteral("remote"), QStringLiteral("telnet://127.0.0.1:1"));
    click("saveButton");
    QVERIFY(m_page->editorErrorText().startsWith(QStringLiteral("Enter a URL")));
    const QString missingCa = m_dir.filePath(QStringLiteral("missing-ca.pem"));
    fill(QStringLiteral("remote"), daemonUrl(), QString(), missingCa);
    click("saveButton");
    QCOMPARE(m_page->editorErrorText(), QStringLiteral("The CA file %1 does not exist.").arg(missingCa));
    QCOMPARE(list().rowCount(), 1);  // nothing saved yet

    fill(QStringLiteral("remote"), daemonUrl(), m_key);
    click("saveButton");
    QVERIFY2(m_page->editorErrorText().isEmpty(), qPrintable(m_page->editorErrorText()));
    QVERIFY(!child<QWidget>(m_page, "connectionEditor")->isVisible());
    QCOMPARE(list().rowCount(), 2);
    const QString id = idNamed(QStringLiteral("remote"));
    QVERIFY(!id.isEmpty());
    QCOMPARE(m_page->selectedId(), id);
    QCOMPARE(list().index(1, 1).data().toString(), QStringLiteral("127.0.0.1:%1").arg(m_daemon.port()));
    // The session connects at once: the row turns live on its own, with the node's state.
    QTRY_COMPARE_WITH_TIMEOUT(list().stateOf(id), ConnectionListModel::State::Live, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(list().index(1, 2).data().toString(), QStringLiteral("healthy"), 10000);
    QCOMPARE(list().index(1, 2).data().toString(), QStringLiteral("healthy"));
    const QAbstractItemModel *shown = child<QTableView>(m_page, "connectionsTable")->model();
    auto dotColour = [shown](int row) {
      const QIcon icon = shown->index(row, 2).data(Qt::DecorationRole).value<QIcon>();
      return icon.pixmap(12, 12).toImage().pixelColor(6, 6).rgb();
    };
    QCOMPARE(dotColour(1), widgets::Theme::healthy().rgb());
    QCOMPARE(dotColour(0), widgets::Theme::down().rgb());  // not running
    QCOMPARE(list().session(id)->apiKey(), m_key);

    // The key went to the 0600 key file, not to the settings.
    QVERIFY(readAll(keyFile()).contains(m_key.toUtf8()));
    QVERIFY(!readAll(settingsFile()).contains(m_key.toUtf8()));
    QVERIFY(readAll(settingsFile()).contains(daemonUrl().toUtf8()));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(keyFile()).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
  }

  void testShowsHealthyAndFailure() {
    m_page->selectConnection(idNamed(QStringLiteral("remote")));
    click("testButton");
    QTRY_VERIFY_WITH_TIMEOUT(m_page->testResultText().startsWith(QStringLiteral("The node answers")), 10000);
    QVERIFY2(m_page->testResultText().endsWith(QStringLiteral("healthy.")), qPrintable(m_page->testResultText()));

    // From the form, before saving: a port nobody listens on.
    click("addButton");
    const quint16 dead = closedPort();
    QVERIFY(dead != 0);
    fill(QStringLiteral("dead"), QStringLiteral("http://127.0.0.1:%1").arg(dead));
    click("testButton");
    QTRY_COMPARE_WITH_TIMEOUT(m_page->testResultText(),
                              QStringLiteral("Test failed: cannot connect: connection refused"), 10000);
    fill(QStringLiteral("dead"), QStringLiteral("nonsense"));
    click("testButton");
    QVERIFY(m_page->testResultText().startsWith(QStringLiteral("Test failed: Enter a URL")));
    fill(QStringLiteral("dead"), QStringLiteral("http://127.0.0.1:%1").arg(dead));
    click("saveButton");
    const QString id = idNamed(QStringLiteral("dead"));
    QVERIFY(!id.isEmpty());
    // Never reached: the client keeps trying (backoff) and the row says what the last try met.
    QTRY_VERIFY_WITH_TIMEOUT(list().reasonOf(id).contains(QStringLiteral("connection refused")), 10000);
    QCOMPARE(list().stateOf(id), ConnectionListModel::State::Connecting);
  }

  void switchingHandsTheSessionToThePages() {
    const QString id = idNamed(QStringLiteral("remote"));
    m_page->selectConnection(id);
    QElapsedTimer timer;
    timer.start();
    click("useButton");
    QCOMPARE(m_console->currentConnection(), id);
    QCOMPARE(&m_console->session(), list().session(id));
    QCOMPARE(m_console->playground()->session(), list().session(id));
    QCOMPARE(m_page->currentConnection(), id);
    // Already live: the Overview shows the remote node without waiting for a poll.
    QCOMPARE(m_console->overview()->cardValue(Row::Listen), QStringLiteral("127.0.0.1:%1").arg(m_daemon.port()));
    QCOMPARE(m_console->overview()->cardValue(Row::Health), QStringLiteral("healthy"));
    QVERIFY2(timer.elapsed() < 500, "switching waited for the network");
    QCOMPARE(m_console->window().nodeAddressText(), QStringLiteral("remote at 127.0.0.1:%1").arg(m_daemon.port()));
    QCOMPARE(m_console->playground()->apiKey(), m_key);
    QCOMPARE(m_console->settings().currentConnection(), id);

    m_page->selectConnection(ConnectionStore::localId());
    click("useButton");
    QCOMPARE(&m_console->session(), &m_console->localSession());
    QCOMPARE(m_console->overview()->cardValue(Row::Listen), QStringLiteral("—"));
    QCOMPARE(m_console->window().nodeAddressText(), QStringLiteral("Local node not running"));
    QVERIFY(m_console->settings().currentConnection().isEmpty());

    // The next start shows the connection shown last.
    QVERIFY(m_console->selectConnection(id));
    {
      console::ConsoleComposition::Options options;
      options.settingsFile = settingsFile();
      options.keys = console::ConsoleComposition::KeyBackend::File;
      console::ConsoleComposition next(options);
      QCOMPARE(next.currentConnection(), id);
      QCOMPARE(next.session().apiKey(), m_key);
    }
  }

  void anAlertOfAConnectionNotShownIsHeardAndLeadsThere() {
    const QString id = idNamed(QStringLiteral("remote"));
    QVERIFY(m_console->selectConnection(ConnectionStore::localId()));
    widgets::AlertTray &tray = m_console->alertTray();
    const int before = tray.notifiedCount();
    // What the remote node's `alerts` topic delivers when a rule starts firing.
    const QJsonObject alert{
        {u"id"_qs, u"a1"_qs},        {u"rule"_qs, u"busy"_qs},         {u"state"_qs, u"firing"_qs},
        {u"from"_qs, u"pending"_qs}, {u"severity"_qs, u"critical"_qs}, {u"summary"_qs, u"fortunes is busy"_qs}};
    list().session(id)->alerts()->applyDelta(u"alerts"_qs, 1000, {{u"changes"_qs, QJsonArray{alert}}});
    QCOMPARE(tray.notifiedCount(), before + 1);
    QCOMPARE(tray.lastTitle(), u"critical alert on remote: busy"_qs);
    QVERIFY(tray.noticeVisible());
    QCOMPARE(m_console->currentConnection(), ConnectionStore::localId());  // heard, not switched to

    QTest::mouseClick(child<QWidget>(&m_console->window(), "alertNotice"), Qt::LeftButton);
    QCOMPARE(m_console->currentConnection(), id);
    QCOMPARE(m_console->window().currentSection(), u"alerts"_qs);
    list().session(id)->alerts()->applyDelta(
        u"alerts"_qs, 1001,
        {{u"changes"_qs, QJsonArray{QJsonObject{{u"id"_qs, u"a1"_qs}, {u"state"_qs, u"resolved"_qs}}}}});
    m_console->window().setCurrentSection(QStringLiteral("connections"));
  }

  void editKeepsTheSessionAndTheKey() {
    const QString id = idNamed(QStringLiteral("remote"));
    models::NodeSession *session = list().session(id);
    m_page->selectConnection(id);
    click("editButton");
    QCOMPARE(child<QLineEdit>(m_page, "nameEdit")->text(), QStringLiteral("remote"));
    QCOMPARE(child<QLineEdit>(m_page, "connectionKeyEdit")->text(), m_key);
    child<QLineEdit>(m_page, "nameEdit")->setText(QStringLiteral("dead"));
    click("saveButton");
    QVERIFY(m_page->editorErrorText().contains(QStringLiteral("already exists")));
    child<QLineEdit>(m_page, "nameEdit")->setText(QStringLiteral("edge"));
    child<QLineEdit>(m_page, "urlEdit")->setText(QStringLiteral("http://127.0.0.1:%1").arg(m_daemon.port()));
    click("saveButton");
    QVERIFY2(m_page->editorErrorText().isEmpty(), qPrintable(m_page->editorErrorText()));
    QCOMPARE(idNamed(QStringLiteral("edge")), id);
    QCOMPARE(list().session(id), session);
    QCOMPARE(list().index(list().rowOf(id), 0).data().toString(), QStringLiteral("edge"));
    QCOMPARE(m_console->window().nodeAddressText(), QStringLiteral("edge at 127.0.0.1:%1").arg(m_daemon.port()));
    QCOMPARE(m_console->connections().apiKey(id), m_key);
  }

  void removeAsksThenFallsBackToTheLocalNode() {
    const QString id = idNamed(QStringLiteral("edge"));
    QCOMPARE(m_console->currentConnection(), id);
    m_page->selectConnection(id);
    click("removeButton");
    QVERIFY(child<QWidget>(m_page, "confirmRemoval")->isVisible());
    click("keepButton");
    QVERIFY(!child<QWidget>(m_page, "confirmRemoval")->isVisible());
    QCOMPARE(list().rowCount(), 3);
    click("removeButton");
    click("confirmRemoveButton");
    QCOMPARE(list().rowCount(), 2);
    QVERIFY(idNamed(QStringLiteral("edge")).isEmpty());
    QCOMPARE(m_console->currentConnection(), ConnectionStore::localId());
    QCOMPARE(&m_console->session(), &m_console->localSession());
    QCOMPARE(m_console->window().nodeAddressText(), QStringLiteral("Local node not running"));
    QVERIFY(!readAll(keyFile()).contains(m_key.toUtf8()));
    QVERIFY(!readAll(settingsFile()).contains(QStringLiteral("127.0.0.1:%1").arg(m_daemon.port()).toUtf8()));
  }

  void aWrongKeyFailsWithTheReason() {
    // An lmfront key the node does not know: the node answers `auth` with unauthenticated, and
    // the row fails (no retries) saying so — the Test from the form says the same.
    const QString wrong = QStringLiteral("lmf_remotekey_123");
    click("addButton");
    fill(QStringLiteral("wrong"), daemonUrl(), wrong);
    click("testButton");
    QTRY_VERIFY_WITH_TIMEOUT(m_page->testResultText().startsWith(QStringLiteral("Test failed: authentication refused")),
                             10000);
    QVERIFY2(m_page->testResultText().endsWith(QStringLiteral("(unauthenticated)")),
             qPrintable(m_page->testResultText()));
    click("saveButton");
    const QString id = idNamed(QStringLiteral("wrong"));
    QVERIFY(!id.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(list().stateOf(id), ConnectionListModel::State::Failed, 10000);
    const QString reason = list().reasonOf(id);
    QVERIFY2(reason.startsWith(QStringLiteral("failed: authentication refused")), qPrintable(reason));
    QVERIFY2(reason.endsWith(QStringLiteral("(unauthenticated)")), qPrintable(reason));
    QVERIFY(!reason.contains(wrong));  // the key is never shown
    const QAbstractItemModel *shown = child<QTableView>(m_page, "connectionsTable")->model();
    const QIcon icon = shown->index(list().rowOf(id), 2).data(Qt::DecorationRole).value<QIcon>();
    QCOMPARE(icon.pixmap(12, 12).toImage().pixelColor(6, 6).rgb(), widgets::Theme::down().rgb());
  }
};

QTEST_MAIN(TestConnectionsPage)
#include "tst_connectionspage.moc"
