// ScorePanel through a NodeSession against a real node (a Node on 127.0.0.1 port 0 serving a model
// trained here from Debian's fortunes): Score draws a chip per token and the summary, the button
// waits for the answer, a failure is reported and keeps the last good result. Offscreen.
#include "../support/fortunesmodel.h"
#include "models/nodesession.h"
#include "node/node.h"
#include "widgets/languagemanager.h"
#include "widgets/scorepanel.h"
#include "widgets/scoreview.h"

#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using widgets::ScorePanel;

class TestScorePanel : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QString error;
    m_node = testing::startFortunesNode(m_dir.path(), 400, &error);
    QVERIFY2(m_node, qPrintable(error));
  }

  void cleanupTestCase() {
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void scoresEachToken() {
    models::NodeSession session;
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    ScorePanel panel;
    auto *button = panel.findChild<QPushButton *>(QStringLiteral("scoreButton"));
    QVERIFY(button && !button->isEnabled());
    panel.setSession(&session);
    panel.setModel(QStringLiteral("fortunes"));
    QVERIFY(button->isEnabled());
    panel.score();  // no text: nothing goes out
    QVERIFY(!panel.isScoring());

    QSignalSpy started(&panel, &ScorePanel::started);
    QSignalSpy scored(&panel, &ScorePanel::scored);
    panel.setText(QStringLiteral("the man is zzyzxqq"));
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(panel.isScoring());
    QVERIFY(!button->isEnabled());  // one score at a time
    QCOMPARE(started.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(scored.count(), 1, 10000);
    QVERIFY(button->isEnabled());
    QCOMPARE(panel.view()->tokenCount(), 5);  // four words and </s>
    QVERIFY(panel.view()->token(3).oov);
    QVERIFY2(panel.summary().startsWith(QStringLiteral("5 tokens")) &&
                 panel.summary().contains(QStringLiteral("perplexity")) &&
                 panel.summary().contains(QStringLiteral("1 OOV")),
             qPrintable(panel.summary()));

    // The summary follows the language; the numbers stay.
    widgets::LanguageManager language;
    QVERIFY(language.apply(QStringLiteral("zh_CN")));
    QTRY_VERIFY(!panel.summary().contains(QStringLiteral("perplexity")));
    QVERIFY(panel.summary().contains(QStringLiteral("5")));
    QVERIFY(language.apply(QStringLiteral("en")));
    QTRY_VERIFY(panel.summary().contains(QStringLiteral("perplexity")));
  }

  void failureKeepsTheLastResult() {
    models::NodeSession session;
    session.setBaseUrl(QUrl(m_node->baseUrl()));
    ScorePanel panel;
    panel.setSession(&session);
    panel.setModel(QStringLiteral("fortunes"));
    int failures = 0;
    client::ApiError last;
    connect(&panel, &ScorePanel::failed, this, [&](const client::ApiError &e) {
      ++failures;
      last = e;
    });
    QSignalSpy scored(&panel, &ScorePanel::scored);
    panel.setText(QStringLiteral("the man"));
    panel.score();
    QTRY_COMPARE_WITH_TIMEOUT(scored.count(), 1, 10000);
    const QString summary = panel.summary();
    QCOMPARE(panel.view()->tokenCount(), 3);

    panel.setModel(QStringLiteral("no-such-model"));
    panel.score();
    QTRY_COMPARE_WITH_TIMEOUT(scored.count(), 2, 10000);
    QCOMPARE(failures, 1);
    QCOMPARE(last.kind, client::ApiErrorKind::Api);
    QCOMPARE(last.httpStatus, 404);
    QCOMPARE(panel.view()->tokenCount(), 3);
    QCOMPARE(panel.summary(), summary);

    // The node gone: unreachable, reported the same way.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const QUrl gone(QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()));
    closed.close();
    session.setBaseUrl(gone);
    panel.setModel(QStringLiteral("fortunes"));
    panel.score();
    QTRY_COMPARE_WITH_TIMEOUT(scored.count(), 3, 10000);
    QCOMPARE(failures, 2);
    QCOMPARE(last.kind, client::ApiErrorKind::Unreachable);
    QVERIFY(!panel.isScoring());
  }
};

QTEST_MAIN(TestScorePanel)
#include "tst_scorepanel.moc"
