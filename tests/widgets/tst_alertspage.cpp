// The Alerts section against a real local node (a Node on 127.0.0.1 port 0 that requires API
// keys, serving a model trained here from Debian's fortunes), driven offscreen through
// NodeSessions as the console drives it: a low-threshold rule applied from the Rules tab fires
// from real completions, appears in Active and raises the in-window notification (no tray
// offscreen); acknowledge and silence from the view reach the node; a viewer's acknowledge is
// refused with the role named; History filters select the right events, its chart and MTTA come
// from the node's summary, and the exported CSV matches the table row by row; a bad rules file is
// refused naming its line and the editor goes there.
#include "../support/daemonharness.h"
#include "../support/fortunesmodel.h"
#include "../support/widgetchild.h"
#include "common/eventsink.h"
#include "gateway/auth/keystore.h"
#include "models/nodesession.h"
#include "widgets/activealertsview.h"
#include "widgets/alerthistoryview.h"
#include "widgets/alertrulesview.h"
#include "widgets/alertspage.h"
#include "widgets/alertsperdaychart.h"
#include "widgets/alerttray.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using testing::child;
using widgets::AlertsPage;
using widgets::AlertTray;

namespace {

// Fires once the model serves more than 0.2 requests/s over 2 s, after holding 1 s (pending first).
const QString kBusyRule = QStringLiteral(
    "rules:\n"
    "  - name: busy\n"
    "    metric: lmfront_requests_total\n"
    "    aggregate: rate\n"
    "    by: [model]\n"
    "    window: 2s\n"
    "    op: \">\"\n"
    "    threshold: 0.2\n"
    "    for: 1s\n"
    "    keep_firing_for: 10m\n"
    "    severity: warning\n"
    "    summary: \"{{ $labels.model }} is busy\"\n");

// RFC 4180 records (quoted fields may hold commas, quotes and line breaks).
QList<QStringList> parseCsv(const QString &text) {
  QList<QStringList> rows;
  QStringList row;
  QString field;
  bool quoted = false;
  for (qsizetype i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (quoted) {
      if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
        field += u'"';
        ++i;
      } else if (c == u'"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == u'"') {
      quoted = true;
    } else if (c == u',') {
      row << field;
      field.clear();
    } else if (c == u'\n') {
      row << field;
      rows << row;
      row.clear();
      field.clear();
    } else if (c != u'\r') {
      field += c;
    }
  }
  if (!field.isEmpty() || !row.isEmpty()) rows << (row << field);
  return rows;
}

QString csvValue(const QJsonValue &v) {
  if (v.isDouble()) return QString::number(v.toDouble(), 'g', 17);
  if (v.isObject()) return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
  return v.toString();
}

}  // namespace

class TestAlertsPage : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;
  QString m_adminKey, m_viewerKey;
  std::unique_ptr<models::NodeSession> m_session;  // admin
  std::unique_ptr<QWidget> m_window;
  AlertsPage *m_page = nullptr;
  std::unique_ptr<AlertTray> m_tray;
  QString m_alertId;

  void sendCompletions(int n) {
    for (int i = 0; i < n; ++i) {
      const auto reply = testing::httpRequest(
          m_node->port(), "POST", "/v1/completions", R"({"model":"fortunes","prompt":"the","max_tokens":2})",
          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + m_adminKey.toUtf8()}});
      QCOMPARE(reply.status, 200);
    }
  }
  // An ops command on the admin session's client, waited for.
  void run(const QString &name, const QJsonObject &args, client::OpsReply *out) {
    bool done = false;
    m_session->opsClient()->command(name, args, this, [&](const client::OpsReply &r) {
      *out = r;
      done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
    QString error;
    const QString model = testing::trainFortunesModel(m_dir.path(), 600, &error);
    QVERIFY2(!model.isEmpty(), qPrintable(error));
    const QString data = m_dir.filePath(QStringLiteral("data"));
    {
      auto store = gateway::auth::KeyStore::open(data.toStdString());
      QVERIFY2(store, store.status().toString().c_str());
      auto admin = (*store)->create("boss", gateway::auth::Role::Admin);
      auto viewer = (*store)->create("watcher", gateway::auth::Role::Viewer);
      QVERIFY(admin && viewer);
      m_adminKey = QString::fromStdString(admin->key);
      m_viewerKey = QString::fromStdString(viewer->key);
    }
    node::NodeConfig config;
    config.listenPort = 0;
    config.dataDir = data;
    config.workers = 1;
    config.models.push_back({QStringLiteral("fortunes"), model});
    config.gateway.requireKeys = true;
    static StderrEventSink events;
    m_node = std::make_unique<node::Node>(config, Clock::steady(), events);
    const Status started = m_node->start();
    QVERIFY2(started.isOk(), started.toString().c_str());

    m_session = std::make_unique<models::NodeSession>();
    m_session->setApiKey(m_adminKey);
    m_session->setBaseUrl(QUrl(m_node->baseUrl()));
    m_session->start();
    m_window = std::make_unique<QWidget>();
    m_window->resize(1200, 800);
    m_page = new AlertsPage(m_window.get());
    m_page->resize(1200, 800);
    m_tray = std::make_unique<AlertTray>(m_window.get());
    QCOMPARE(m_tray->mode(), AlertTray::Mode::InWindow);  // offscreen has no system tray
    m_page->setSession(m_session.get());
    m_tray->follow(m_session.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(m_session->alerts()->hasSnapshot(), 10000);
  }

  void cleanupTestCase() {
    m_tray.reset();
    m_window.reset();
    m_session.reset();
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void badRulesAreRefusedAtTheirLine() {
    m_page->setCurrentTab(AlertsPage::Tab::Rules);
    widgets::AlertRulesView *rules = m_page->rules();
    QTRY_VERIFY_WITH_TIMEOUT(rules->text().contains(u"rules:"_qs), 10000);  // the shipped rules, loaded
    QSignalSpy finished(rules, &widgets::AlertRulesView::finished);
    QString bad = kBusyRule;
    bad.replace(u"    for: 1s\n"_qs, u"    for: -1s\n"_qs);
    rules->setText(bad);
    QTest::mouseClick(child<QPushButton>(rules, "rulesValidate"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QVERIFY(rules->statusIsError());
    QVERIFY2(rules->statusText().contains(u"rules.yaml:9: rule \"busy\": \"for\": must not be negative"_qs),
             qPrintable(rules->statusText()));
    QCOMPARE(rules->cursorLine(), 9);
  }

  void aRuleFiredByRealTrafficIsActiveAndNotified() {
    widgets::AlertRulesView *rules = m_page->rules();
    QSignalSpy finished(rules, &widgets::AlertRulesView::finished);
    rules->setText(kBusyRule);
    QTest::mouseClick(child<QPushButton>(rules, "rulesValidate"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QVERIFY2(!rules->statusIsError(), qPrintable(rules->statusText()));
    QVERIFY2(rules->statusText().contains(u"Nothing applied"_qs), qPrintable(rules->statusText()));
    QTest::mouseClick(child<QPushButton>(rules, "rulesApply"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
    QVERIFY2(!rules->statusIsError(), qPrintable(rules->statusText()));
    QVERIFY2(rules->statusText().contains(u"evaluates: 1."_qs), qPrintable(rules->statusText()));

    m_page->setCurrentTab(AlertsPage::Tab::Active);
    models::AlertListModel *alerts = m_session->alerts();
    bool firing = false;
    for (int round = 0; round < 60 && !firing; ++round) {  // bounded: at most ~15 s of traffic
      sendCompletions(2);
      QTest::qWait(250);
      for (int r = 0; r < alerts->rowCount(); ++r)
        if (alerts->alert(r).value(u"state").toString() == u"firing"_qs) {
          firing = true;
          m_alertId = alerts->alert(r).value(u"id").toString();
        }
    }
    QVERIFY2(firing, "the busy rule never fired");
    const QJsonObject alert = alerts->alert(alerts->rowOf(m_alertId));
    QCOMPARE(alert.value(u"rule").toString(), u"busy"_qs);
    QCOMPARE(alert.value(u"labels").toObject().value(u"model").toString(), u"fortunes"_qs);
    QVERIFY(m_page->windowTitle().startsWith(u"Alerts (1)"_qs));
    QVERIFY2(m_page->active()->countText().contains(u"1 firing"_qs), qPrintable(m_page->active()->countText()));

    // It went pending → firing while the console watched: one notification, shown in the window.
    QTRY_COMPARE_WITH_TIMEOUT(m_tray->notifiedCount(), 1, 5000);
    QCOMPARE(m_tray->lastTitle(), u"warning alert: busy"_qs);
    QVERIFY2(m_tray->lastMessage().startsWith(u"fortunes is busy (value "_qs), qPrintable(m_tray->lastMessage()));
    QVERIFY(m_tray->noticeVisible());
  }

  void acknowledgeFromTheViewReachesTheNode() {
    QVERIFY(!m_alertId.isEmpty());
    widgets::ActiveAlertsView *active = m_page->active();
    // A viewer may look but not acknowledge: the refusal names the role.
    models::NodeSession viewer;
    viewer.setApiKey(m_viewerKey);
    viewer.setBaseUrl(QUrl(m_node->baseUrl()));
    viewer.start();
    widgets::ActiveAlertsView viewerView;
    viewerView.setSession(&viewer);
    QTRY_VERIFY_WITH_TIMEOUT(viewerView.selectAlert(m_alertId), 10000);
    child<QLineEdit>(&viewerView, "ackComment")->setText(u"just looking"_qs);
    QTest::mouseClick(child<QPushButton>(&viewerView, "ackButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!viewerView.messageText().isEmpty(), 10000);
    QVERIFY(viewerView.messageIsError());
    QVERIFY2(viewerView.messageText().startsWith(u"Not allowed: "_qs), qPrintable(viewerView.messageText()));
    QVERIFY2(viewerView.messageText().contains(u"operator"_qs), qPrintable(viewerView.messageText()));

    QVERIFY(active->selectAlert(m_alertId));
    QCOMPARE(active->selectedId(), m_alertId);
    QTest::keyClicks(child<QLineEdit>(active, "ackComment"), u"looking into it"_qs);
    QTest::mouseClick(child<QPushButton>(active, "ackButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(active->messageText(), u"Acknowledged."_qs, 10000);
    models::AlertListModel *alerts = m_session->alerts();
    using Column = models::AlertListModel::Column;
    QTRY_COMPARE_WITH_TIMEOUT(alerts->index(alerts->rowOf(m_alertId), int(Column::Ack)).data().toString(),
                              u"by boss: looking into it"_qs, 10000);
    QVERIFY(!child<QPushButton>(active, "ackButton")->isEnabled());  // once per alert
    // The node's own history has it, by the admin key's name.
    client::OpsReply history;
    run(u"alert_history"_qs, {{u"kind"_qs, u"ack"_qs}}, &history);
    QVERIFY2(history.ok(), qPrintable(history.error.message));
    const QJsonArray events = history.result.toObject().value(u"events").toArray();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].toObject().value(u"alert_id").toString(), m_alertId);
    QCOMPARE(events[0].toObject().value(u"author").toString(), u"boss"_qs);
    QCOMPARE(events[0].toObject().value(u"comment").toString(), u"looking into it"_qs);
  }

  void silenceFromTheViewWithPrefilledMatchers() {
    widgets::ActiveAlertsView *active = m_page->active();
    QVERIFY(active->selectAlert(m_alertId));
    const QString matchers = child<QPlainTextEdit>(active, "silenceMatchers")->toPlainText();
    QCOMPARE(matchers, u"model=fortunes\nrule=busy"_qs);
    child<QComboBox>(active, "silenceDuration")->setCurrentText(u"30m"_qs);
    child<QLineEdit>(active, "silenceComment")->setText(u"known load test"_qs);
    QTest::mouseClick(child<QPushButton>(active, "silenceButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(active->messageText().startsWith(u"Silenced until"_qs), 10000);
    models::AlertListModel *alerts = m_session->alerts();
    QTRY_COMPARE_WITH_TIMEOUT(alerts->silences().size(), 1, 10000);
    const QJsonObject silence = alerts->silences()[0].toObject();
    QCOMPARE(silence.value(u"matchers").toObject(),
             (QJsonObject{{u"model"_qs, u"fortunes"_qs}, {u"rule"_qs, u"busy"_qs}}));
    QCOMPARE(silence.value(u"comment").toString(), u"known load test"_qs);
    using Column = models::AlertListModel::Column;
    QTRY_COMPARE_WITH_TIMEOUT(alerts->index(alerts->rowOf(m_alertId), int(Column::State)).data().toString(),
                              u"firing (silenced)"_qs, 10000);
  }

  void historyFiltersChartAndCsv() {
    m_page->setCurrentTab(AlertsPage::Tab::History);
    widgets::AlertHistoryView *history = m_page->history();
    QSignalSpy refreshed(history, &widgets::AlertHistoryView::refreshed);
    auto apply = [&] {
      refreshed.clear();
      QTest::mouseClick(child<QPushButton>(history, "historyApply"), Qt::LeftButton);
      QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 10000);
    };
    models::AlertHistoryModel *rows = history->model();
    using HColumn = models::AlertHistoryModel::Column;

    // Everything of the last hour: the pending, the firing, the ack, the silence.
    history->setRange(widgets::AlertHistoryView::Range::LastHour);
    apply();
    QStringList kinds;
    for (int r = 0; r < rows->rowCount(); ++r) kinds << rows->event(r).value(u"kind").toString();
    QVERIFY2(kinds.count(u"state"_qs) >= 2 && kinds.count(u"ack"_qs) == 1 && kinds.count(u"silence"_qs) == 1,
             qPrintable(kinds.join(u',')));

    child<QLineEdit>(history, "historyRule")->setText(u"busy"_qs);
    auto *state = child<QComboBox>(history, "historyState");
    state->setCurrentIndex(state->findData(u"firing"_qs));
    apply();
    QCOMPARE(rows->rowCount(), 1);
    QCOMPARE(rows->event(0).value(u"alert_id").toString(), m_alertId);
    QCOMPARE(rows->index(0, int(HColumn::State)).data().toString(), u"pending → firing"_qs);
    QCOMPARE(rows->index(0, int(HColumn::Model)).data().toString(), u"fortunes"_qs);

    state->setCurrentIndex(0);
    auto *severity = child<QComboBox>(history, "historySeverity");
    severity->setCurrentIndex(severity->findData(u"critical"_qs));
    apply();
    QCOMPARE(rows->rowCount(), 0);
    QCOMPARE(history->statusText(), u"0 events"_qs);

    severity->setCurrentIndex(0);
    child<QLineEdit>(history, "historyText")->setText(u"LOOKING INTO"_qs);  // case-insensitive, the ack's comment
    apply();
    QCOMPARE(rows->rowCount(), 1);
    QCOMPARE(rows->event(0).value(u"kind").toString(), u"ack"_qs);
    QCOMPARE(rows->index(0, int(HColumn::Author)).data().toString(), u"boss"_qs);

    child<QLineEdit>(history, "historyText")->clear();
    child<QLineEdit>(history, "historyModel")->setText(u"fortunes"_qs);
    apply();
    const int stateAndAckRows = rows->rowCount();  // the silence has no model
    QVERIFY(stateAndAckRows >= 3);

    // The summary of the same hour: one warning fired today, acknowledged, not resolved.
    const auto days = history->chart()->days();
    QVERIFY(!days.isEmpty());
    QCOMPARE(days.last().date, QDateTime::currentDateTimeUtc().date());
    QCOMPARE(days.last().warning, 1);
    QCOMPARE(history->chart()->maxTotal(), 1);
    QCOMPARE(history->firedText(), u"1 fired, 1 acknowledged, 0 resolved"_qs);
    QVERIFY2(history->mttaText().startsWith(u"MTTA "_qs) && history->mttaText().endsWith(u" s"_qs),
             qPrintable(history->mttaText()));
    QCOMPARE(history->mttrText(), u"MTTR —"_qs);

    // CSV of the same filter, row by row against the table's events.
    const QString path = m_dir.filePath(u"history.csv"_qs);
    QSignalSpy exported(history, &widgets::AlertHistoryView::exported);
    history->exportCsvTo(path);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 10000);
    QCOMPARE(exported[0][2].toString(), QString());
    QCOMPARE(exported[0][1].toInt(), stateAndAckRows);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QStringList> csv = parseCsv(QString::fromUtf8(file.readAll()));
    const QStringList header{u"time"_qs,  u"kind"_qs,    u"alert_id"_qs, u"rule"_qs,   u"severity"_qs,
                             u"state"_qs, u"from"_qs,    u"model"_qs,    u"node"_qs,   u"labels"_qs,
                             u"value"_qs, u"summary"_qs, u"author"_qs,   u"comment"_qs};
    QCOMPARE(csv.size(), stateAndAckRows + 1);
    QCOMPARE(csv[0], header);
    for (int r = 0; r < stateAndAckRows; ++r) {
      const QJsonObject e = rows->event(r);
      const QStringList &line = csv[r + 1];
      QCOMPARE(line.size(), header.size());
      for (qsizetype c = 0; c < header.size(); ++c) {
        const QJsonValue v = e.value(header[c]);
        if (header[c] == u"value"_qs && v.isDouble()) {
          QCOMPARE(line[c].toDouble(), v.toDouble());
        } else if (header[c] == u"labels"_qs) {
          QCOMPARE(QJsonDocument::fromJson(line[c].toUtf8()).object(), v.toObject());
        } else {
          QCOMPARE(line[c], csvValue(v));
        }
      }
    }
  }
};

QTEST_MAIN(TestAlertsPage)
#include "tst_alertspage.moc"
