// GeneratePanel through a NodeSession against a real node (a Node on 127.0.0.1 port 0 serving a
// model trained here from Debian's fortunes) and a scripted endless stream: Generate streams into
// the output and the stats, chat does not echo the prompt, an API error is reported once, Stop
// ends a stream at once, and a panel handed another session no longer hears the first. With
// log-probabilities on, a real generation's tokens show coloured with their alternatives in the
// tooltip (completion and chat); a penalty set under "More" reaches the request and changes the
// node's distribution. Offscreen.
#include "../support/fortunesmodel.h"
#include "../support/scriptedsse.h"
#include "../support/widgetchild.h"
#include "models/nodesession.h"
#include "node/node.h"
#include "widgets/generatepanel.h"
#include "widgets/samplingparamsform.h"
#include "widgets/scoreview.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <memory>

using namespace lmfront;
using testing::child;
using widgets::GeneratePanel;
using Stat = widgets::GenerationStatsPanel::Stat;

class TestGeneratePanel : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;
  std::unique_ptr<models::NodeSession> m_session;
  std::unique_ptr<GeneratePanel> m_panel;
  int m_failures = 0;
  client::ApiError m_lastFailure;

  void runToEnd() {
    QSignalSpy finished(m_panel.get(), &GeneratePanel::finished);
    QTest::mouseClick(child<QPushButton>(m_panel.get(), "generateButton"), Qt::LeftButton);
    QVERIFY(m_panel->isGenerating());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QString error;
    m_node = testing::startFortunesNode(m_dir.path(), 400, &error);
    QVERIFY2(m_node, qPrintable(error));
    m_session = std::make_unique<models::NodeSession>();
    m_session->setBaseUrl(QUrl(m_node->baseUrl()));
    m_panel = std::make_unique<GeneratePanel>();
    connect(m_panel.get(), &GeneratePanel::failed, this, [this](const client::ApiError &e) {
      ++m_failures;
      m_lastFailure = e;
    });
    m_panel->resize(900, 500);
    m_panel->show();
  }

  void cleanupTestCase() {
    m_panel.reset();
    m_session.reset();
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void needsASessionAndAModel() {
    auto *generate = child<QPushButton>(m_panel.get(), "generateButton");
    QVERIFY(!generate->isEnabled());
    m_panel->setModel(QStringLiteral("fortunes"));
    QVERIFY(!generate->isEnabled());  // no session yet
    m_panel->generate();
    QVERIFY(!m_panel->isGenerating());
    m_panel->setSession(m_session.get());
    QVERIFY(generate->isEnabled());
    m_panel->setModel(QString());
    QVERIFY(!generate->isEnabled());
    m_panel->setModel(QStringLiteral("fortunes"));
  }

  void completionStreamsPromptThenText() {
    QSignalSpy started(m_panel.get(), &GeneratePanel::started);
    m_panel->setPrompt(QStringLiteral("the"));
    m_panel->params()->setSeed(7);
    m_panel->params()->setMaxTokens(10);
    runToEnd();
    QCOMPARE(started.count(), 1);
    QCOMPARE(m_failures, 0);
    QVERIFY(!m_panel->generatedText().isEmpty());
    QCOMPARE(child<QTextEdit>(m_panel.get(), "playgroundOutput")->toPlainText(),
             QStringLiteral("the") + m_panel->generatedText());
    QCOMPARE(m_panel->statText(Stat::Backend), QStringLiteral("engine:fortunes"));
    QCOMPARE(m_panel->statText(Stat::Cache), QStringLiteral("miss"));
    QVERIFY(!child<QPushButton>(m_panel.get(), "stopButton")->isEnabled());
  }

  void chatDoesNotEchoThePrompt() {
    m_panel->setChat(true);
    m_panel->setPrompt(QStringLiteral("what is the meaning of life"));
    runToEnd();
    m_panel->setChat(false);
    QCOMPARE(m_failures, 0);
    QVERIFY(!m_panel->generatedText().isEmpty());
    QCOMPARE(child<QTextEdit>(m_panel.get(), "playgroundOutput")->toPlainText(), m_panel->generatedText());
  }

  void apiErrorIsReportedOnce() {
    child<QPlainTextEdit>(m_panel.get(), "stopStrings")->setPlainText(QStringLiteral("a\nb\nc\nd\ne"));
    runToEnd();
    child<QPlainTextEdit>(m_panel.get(), "stopStrings")->clear();
    QCOMPARE(m_failures, 1);
    QCOMPARE(m_lastFailure.kind, client::ApiErrorKind::Api);
    QCOMPARE(m_lastFailure.httpStatus, 400);
    QCOMPARE(m_panel->statText(Stat::Finish), QStringLiteral("error"));
    m_failures = 0;
  }

  void logprobsShowEachTokenWithAlternatives() {
    for (const bool chat : {false, true}) {
      m_panel->setChat(chat);
      m_panel->setPrompt(QStringLiteral("the"));
      m_panel->params()->setSeed(7);
      m_panel->params()->setMaxTokens(8);
      m_panel->params()->setLogprobs(3);
      runToEnd();
      QCOMPARE(m_failures, 0);
      widgets::ScoreView *view = m_panel->tokenView();
      QVERIFY(view->isVisible());
      QVERIFY(view->tokenCount() > 0);
      QString joined;
      for (int i = 0; i < view->tokenCount(); ++i) {
        const client::ScoredToken &t = view->token(i);
        joined += t.token;
        QVERIFY(t.log10Prob <= 0);
        QVERIFY2(!t.alternatives.isEmpty() && t.alternatives.size() <= 3, qPrintable(QString::number(i)));
        const QString tip = view->toolTipFor(i);
        QVERIFY(tip.contains(QStringLiteral("alternatives:")));
        for (const client::TokenAlternative &a : t.alternatives)
          QVERIFY2(tip.contains(a.token.toHtmlEscaped()), qPrintable(tip));
        QVERIFY(!tip.contains(QStringLiteral("n-gram")));  // a generated token has no matched n-gram to show
      }
      QCOMPARE(joined, m_panel->generatedText());  // one chip per generated token, nothing lost
      QVERIFY(!view->tokenRect(0).isEmpty());
    }
    m_panel->setChat(false);
    m_panel->params()->setLogprobs(-1);
    runToEnd();
    QVERIFY(!m_panel->tokenView()->isVisible());  // off: no request for them, no view
  }

  // repetition_penalty reshapes the distribution over the prompt's words, so the same seeded draw
  // comes with another log-probability once the form sends it.
  void aPenaltyReachesTheNode() {
    auto firstLogprob = [this] {
      m_panel->setPrompt(QStringLiteral("the the the"));
      m_panel->params()->setSeed(7);
      m_panel->params()->setMaxTokens(1);
      m_panel->params()->setLogprobs(0);
      runToEnd();
      return m_panel->tokenView()->tokenCount() == 1 ? m_panel->tokenView()->token(0).log10Prob : 1.0;
    };
    const double plain = firstLogprob();
    auto *penalty = child<QDoubleSpinBox>(m_panel.get(), "repetition_penalty");
    penalty->setValue(5);
    const double penalised = firstLogprob();
    penalty->setValue(1);
    m_panel->params()->setLogprobs(-1);
    QCOMPARE(m_failures, 0);
    QVERIFY(plain <= 0);
    QVERIFY(penalised <= 0);
    QVERIFY2(qAbs(plain - penalised) > 1e-6, qPrintable(QStringLiteral("%1 vs %2").arg(plain).arg(penalised)));
  }

  void moreControlsAreInTheRequestBody() {
    testing::ScriptedSse server;
    server.events = {testing::textEvent(" ok"), "data: [DONE]\n\n"};
    models::NodeSession scripted;
    scripted.setBaseUrl(server.url());
    m_panel->setSession(&scripted);
    m_panel->setModel(QStringLiteral("scripted"));
    child<QDoubleSpinBox>(m_panel.get(), "presence_penalty")->setValue(1.5);
    child<QCheckBox>(m_panel.get(), "ignore_eos")->setChecked(true);
    runToEnd();
    child<QDoubleSpinBox>(m_panel.get(), "presence_penalty")->setValue(0);
    child<QCheckBox>(m_panel.get(), "ignore_eos")->setChecked(false);
    m_panel->setSession(m_session.get());
    m_panel->setModel(QStringLiteral("fortunes"));
    const QByteArray request = server.lastRequest;
    QVERIFY2(request.contains(R"("presence_penalty":1.5)"), request.constData());
    QVERIFY(request.contains(R"("ignore_eos":true)"));
    QVERIFY(!request.contains("frequency_penalty"));  // at its default: not sent
    QVERIFY(!request.contains("logprobs"));
  }

  void stopEndsAStreamAtOnce() {
    testing::ScriptedSse server;
    server.events = {testing::textEvent(" tick")};
    server.endless = true;
    models::NodeSession scripted;
    scripted.setBaseUrl(server.url());
    m_panel->setSession(&scripted);
    m_panel->setModel(QStringLiteral("scripted"));
    QTest::mouseClick(child<QPushButton>(m_panel.get(), "generateButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->generatedText().count(QStringLiteral("tick")) >= 3, 10000);
    QCOMPARE(m_panel->statText(Stat::Finish), QStringLiteral("generating…"));
    QTest::mouseClick(child<QPushButton>(m_panel.get(), "stopButton"), Qt::LeftButton);
    QVERIFY(!m_panel->isGenerating());
    QCOMPARE(m_panel->statText(Stat::Finish), QStringLiteral("stopped"));
    QCOMPARE(m_failures, 0);  // stopping is not an error
    m_panel->setSession(m_session.get());
    m_panel->setModel(QStringLiteral("fortunes"));
  }

  void anotherSessionIsNotHeard() {
    models::NodeSession other;
    other.setBaseUrl(QUrl(m_node->baseUrl()));
    m_panel->setSession(&other);
    // A generation on the first session's client no longer reaches the panel.
    QSignalSpy finished(m_panel.get(), &GeneratePanel::finished);
    QSignalSpy clientFinished(m_session->completionClient(), &client::CompletionClient::generationFinished);
    client::GenerationParams p;
    p.model = QStringLiteral("fortunes");
    p.prompt = QStringLiteral("the");
    p.maxTokens = 3;
    m_session->completionClient()->generate(p);
    QTRY_COMPARE_WITH_TIMEOUT(clientFinished.count(), 1, 10000);
    QCOMPARE(finished.count(), 0);
    m_panel->setSession(m_session.get());
  }
};

QTEST_MAIN(TestGeneratePanel)
#include "tst_generatepanel.moc"
