// The Playground against a real local node (a Node on 127.0.0.1 port 0 serving a model trained
// here from Debian's fortunes): pick the model, set parameters, Generate streams text and fills
// the stats; the same seed is a cache hit; API errors show inline; Stop ends an endless stream
// (a scripted server); an unreachable node is a banner, not a crash; Score colours the tokens;
// against a node that requires keys, the API key field's key is what gets every request through.
// The page talks through a NodeSession, as in the console. Offscreen; settings go to a temporary
// directory.
#include "../support/fortunesmodel.h"
#include "../support/scriptedsse.h"
#include "../support/widgetchild.h"
#include "client/completionclient.h"
#include "common/clock.h"
#include "common/eventsink.h"
#include "gateway/auth/keystore.h"
#include "models/connectionstore.h"
#include "models/nodesession.h"
#include "models/secretstore.h"
#include "node/node.h"
#include "widgets/languagemanager.h"
#include "widgets/playgroundpage.h"
#include "widgets/scoreview.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHelpEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QToolTip>
#include <memory>

using namespace lmfront;
using testing::child;
using widgets::PlaygroundPage;
using widgets::ScoreView;
using Stat = PlaygroundPage::Stat;

class TestPlaygroundPage : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;
  std::unique_ptr<models::NodeSession> m_session;
  std::unique_ptr<PlaygroundPage> m_page;

  void clickGenerate(PlaygroundPage *page) {
    QPushButton *generate = child<QPushButton>(page, "generateButton");
    QTRY_VERIFY_WITH_TIMEOUT(generate->isEnabled(), 10000);
    QTest::mouseClick(generate, Qt::LeftButton);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    // The page reads and writes the console settings: keep them out of the user's home.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
    QString error;
    m_node = testing::startFortunesNode(m_dir.path(), 800, &error);
    QVERIFY2(m_node, qPrintable(error));
    m_session = std::make_unique<models::NodeSession>();
    m_session->setBaseUrl(QUrl(m_node->baseUrl()));
    m_page = std::make_unique<PlaygroundPage>();
    m_page->resize(1100, 700);
    m_page->setSession(m_session.get());
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
  }

  void cleanupTestCase() {
    m_page.reset();
    m_session.reset();
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void listsTheNodesModels() {
    QComboBox *combo = child<QComboBox>(m_page.get(), "modelCombo");
    QTRY_COMPARE_WITH_TIMEOUT(combo->count(), 1, 10000);
    QCOMPARE(combo->currentText(), QStringLiteral("fortunes"));
    QCOMPARE(m_page->windowTitle(), QStringLiteral("Playground"));
    QVERIFY(m_page->errorText().isEmpty());
    QVERIFY2(combo->itemData(0, Qt::ToolTipRole).toString().contains(QStringLiteral("backends: 1")),
             qPrintable(combo->itemData(0, Qt::ToolTipRole).toString()));
  }

  void generateStreamsAndShowsStats() {
    child<QSpinBox>(m_page.get(), "maxTokens")->setValue(12);
    child<QLineEdit>(m_page.get(), "seed")->setText(QStringLiteral("7"));
    child<QPlainTextEdit>(m_page.get(), "promptEdit")->setPlainText(QStringLiteral("the"));
    QVERIFY(!child<QPushButton>(m_page.get(), "stopButton")->isEnabled());
    clickGenerate(m_page.get());
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isGenerating() && !m_page->generatedText().isEmpty(), 10000);
    QVERIFY2(m_page->errorText().isEmpty(), qPrintable(m_page->errorText()));
    const QString output = child<QTextEdit>(m_page.get(), "playgroundOutput")->toPlainText();
    QCOMPARE(output, QStringLiteral("the") + m_page->generatedText());  // prompt, then what streamed
    QCOMPARE(m_page->statText(Stat::Backend), QStringLiteral("engine:fortunes"));
    QCOMPARE(m_page->statText(Stat::Cache), QStringLiteral("miss"));
    QVERIFY2(m_page->statText(Stat::TokensPerSecond).at(0).isDigit(),
             qPrintable(m_page->statText(Stat::TokensPerSecond)));
    QVERIFY2(m_page->statText(Stat::TimeToFirstToken).endsWith(QStringLiteral("ms")),
             qPrintable(m_page->statText(Stat::TimeToFirstToken)));
    QVERIFY2(m_page->statText(Stat::Overhead).endsWith(QStringLiteral("ms")),
             qPrintable(m_page->statText(Stat::Overhead)));
    QVERIFY2(m_page->statText(Stat::Tokens).contains(QStringLiteral("prompt")),
             qPrintable(m_page->statText(Stat::Tokens)));
    const QString finish = m_page->statText(Stat::Finish);
    QVERIFY2(finish == QStringLiteral("end of text") || finish == QStringLiteral("max tokens"), qPrintable(finish));
    QVERIFY(child<QPushButton>(m_page.get(), "generateButton")->isEnabled());
    QVERIFY(!child<QPushButton>(m_page.get(), "stopButton")->isEnabled());

    // Same seed, same parameters: the same text, and this time from the node's cache.
    const QString first = m_page->generatedText();
    clickGenerate(m_page.get());
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isGenerating() && !m_page->generatedText().isEmpty(), 10000);
    QCOMPARE(m_page->generatedText(), first);
    QCOMPARE(m_page->statText(Stat::Cache), QStringLiteral("hit"));
  }

  void apiErrorShowsInline() {
    auto *stops = child<QPlainTextEdit>(m_page.get(), "stopStrings");
    stops->setPlainText(QStringLiteral("a\nb\nc\nd\ne"));  // the API takes at most 4
    clickGenerate(m_page.get());
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->errorText().isEmpty(), 10000);
    QVERIFY2(m_page->errorText().contains(QStringLiteral("HTTP 400")) &&
                 m_page->errorText().contains(QStringLiteral("at most 4")),
             qPrintable(m_page->errorText()));
    QCOMPARE(m_page->statText(Stat::Finish), QStringLiteral("error"));
    stops->setPlainText(QStringLiteral("\\n"));  // one stop string: a newline
    clickGenerate(m_page.get());
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isGenerating() && m_page->statText(Stat::Finish) != QStringLiteral("error"),
                             10000);
    QVERIFY(m_page->errorText().isEmpty());
    stops->clear();
  }

  void chatSendsThePromptAsAMessage() {
    auto *api = child<QComboBox>(m_page.get(), "apiCombo");
    api->setCurrentIndex(1);
    child<QPlainTextEdit>(m_page.get(), "promptEdit")->setPlainText(QStringLiteral("what is the meaning of life"));
    child<QLineEdit>(m_page.get(), "seed")->setText(QStringLiteral("3"));
    clickGenerate(m_page.get());
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isGenerating() && !m_page->generatedText().isEmpty(), 10000);
    QVERIFY2(m_page->errorText().isEmpty(), qPrintable(m_page->errorText()));
    // A chat answer stands alone: the prompt is not echoed in front of it.
    QCOMPARE(child<QTextEdit>(m_page.get(), "playgroundOutput")->toPlainText(), m_page->generatedText());
    QCOMPARE(m_page->statText(Stat::Backend), QStringLiteral("engine:fortunes"));
    api->setCurrentIndex(0);
  }

  void switchesLanguageLive() {
    widgets::LanguageManager language;
    QVERIFY(language.apply(QStringLiteral("zh_CN")));
    QTRY_COMPARE(m_page->windowTitle(), QStringLiteral("试验场"));  // LanguageChange is posted
    QCOMPARE(child<QPushButton>(m_page.get(), "generateButton")->text(), QStringLiteral("生成"));
    QCOMPARE(m_page->statText(Stat::Backend), QStringLiteral("engine:fortunes"));  // values stay
    QCOMPARE(m_page->statText(Stat::Cache), QStringLiteral("未命中"));             // words re-translate
    QVERIFY(language.apply(QStringLiteral("en")));
    QTRY_COMPARE(m_page->windowTitle(), QStringLiteral("Playground"));
    QCOMPARE(m_page->statText(Stat::Cache), QStringLiteral("miss"));
  }

  void stopEndsAnEndlessStream() {
    testing::ScriptedSse server;
    server.events = {testing::textEvent(" tick")};
    server.endless = true;
    models::NodeSession session;
    session.setBaseUrl(server.url());
    PlaygroundPage page;
    page.setSession(&session);
    page.show();
    QTRY_COMPARE_WITH_TIMEOUT(page.currentModel(), QStringLiteral("scripted"), 10000);
    clickGenerate(&page);
    QTRY_VERIFY_WITH_TIMEOUT(page.generatedText().count(QStringLiteral("tick")) >= 3, 10000);
    QVERIFY(page.isGenerating());
    QCOMPARE(page.statText(Stat::Finish), QStringLiteral("generating…"));
    auto *stop = child<QPushButton>(&page, "stopButton");
    QVERIFY(stop->isEnabled());
    QTest::mouseClick(stop, Qt::LeftButton);
    QVERIFY(!page.isGenerating());  // at once
    QCOMPARE(page.statText(Stat::Finish), QStringLiteral("stopped"));
    QCOMPARE(page.statText(Stat::Backend), QStringLiteral("fake:1"));
    QVERIFY(page.errorText().isEmpty());  // stopping is not an error
    const QString text = page.generatedText();
    QTRY_COMPARE_WITH_TIMEOUT(server.disconnects, 2, 5000);  // the models request and the stream
    QTest::qWait(100);
    QCOMPARE(page.generatedText(), text);  // nothing more arrived
  }

  void unreachableNodeIsABanner() {
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()));
    closed.close();
    models::NodeSession session;
    session.setBaseUrl(url);
    PlaygroundPage page;
    page.setSession(&session);
    page.show();
    QTRY_VERIFY_WITH_TIMEOUT(!page.errorText().isEmpty(), 10000);
    QVERIFY2(page.errorText().contains(QStringLiteral("Cannot reach the node")), qPrintable(page.errorText()));
    QVERIFY(!child<QPushButton>(&page, "generateButton")->isEnabled());
    page.generate();  // no model: nothing happens, nothing breaks
    QVERIFY(!page.isGenerating());
  }

  void scoreColoursEachToken() {
    m_page->setMode(PlaygroundPage::Mode::Score);
    child<QPlainTextEdit>(m_page.get(), "scoreText")->setPlainText(QStringLiteral("the man is zzyzxqq"));
    QTest::mouseClick(child<QPushButton>(m_page.get(), "scoreButton"), Qt::LeftButton);
    ScoreView *view = m_page->scoreView();
    QTRY_COMPARE_WITH_TIMEOUT(view->tokenCount(), 5, 10000);  // four words and </s>
    QVERIFY2(m_page->scoreSummary().contains(QStringLiteral("perplexity")) &&
                 m_page->scoreSummary().contains(QStringLiteral("1 OOV")),
             qPrintable(m_page->scoreSummary()));
    for (int i = 0; i < view->tokenCount(); ++i) {
      QVERIFY(view->tokenRect(i).isValid());
      const QString tip = view->toolTipFor(i);
      QVERIFY2(tip.contains(view->token(i).token.toHtmlEscaped()) && tip.contains(QStringLiteral("log10 P")),
               qPrintable(tip));
    }
    QVERIFY(view->token(3).oov);
    QVERIFY(view->toolTipFor(3).contains(QStringLiteral("out of vocabulary")));
    QVERIFY(view->toolTipFor(0).contains(QStringLiteral("-gram")));
    // Hovering shows the tooltip of the chip under the mouse.
    QHelpEvent help(QEvent::ToolTip, view->tokenRect(3).center(), view->mapToGlobal(view->tokenRect(3).center()));
    QCoreApplication::sendEvent(view, &help);
    QVERIFY2(QToolTip::text().contains(QStringLiteral("zzyzxqq")), qPrintable(QToolTip::text()));
    QCOMPARE(view->tokenAt(QPoint(-5, -5)), -1);
    m_page->setMode(PlaygroundPage::Mode::Generate);
  }

  void apiKeyIsSentOnEveryRequest() {
    // A node that requires keys, with one user key made here as `lmfront keys create` would.
    const QString dir = m_dir.filePath(QStringLiteral("keyed"));
    QVERIFY(QDir().mkpath(dir));
    QString error;
    const QString model = testing::trainFortunesModel(dir, 800, &error);
    QVERIFY2(!model.isEmpty(), qPrintable(error));
    QString key;
    {
      auto store = gateway::auth::KeyStore::open(QString(dir + QStringLiteral("/data")).toStdString());
      QVERIFY2(store, store.status().toString().c_str());
      auto created = (*store)->create("playground", gateway::auth::Role::User);
      QVERIFY2(created, created.status().toString().c_str());
      key = QString::fromStdString(created->key);
    }
    node::NodeConfig config;
    config.listenPort = 0;
    config.dataDir = dir + QStringLiteral("/data");
    config.workers = 1;
    config.models.push_back({QStringLiteral("fortunes"), model});
    config.gateway.requireKeys = true;
    StderrEventSink events;
    node::Node keyed(config, Clock::steady(), events);
    const Status started = keyed.start();
    QVERIFY2(started.isOk(), started.toString().c_str());

    // The confirmed key is stored as the console composition stores it: the local connection's,
    // in the key store (here its file backend), not in the settings.
    QSettings settings(m_dir.filePath(QStringLiteral("console.conf")), QSettings::IniFormat);
    const QString keyFile = m_dir.filePath(QStringLiteral("console-keys.json"));
    models::FileSecretStore secrets(keyFile);
    models::ConnectionStore store(&settings, &secrets);
    const QString local = models::ConnectionStore::localId();
    models::NodeSession session;
    PlaygroundPage page;
    connect(&page, &PlaygroundPage::apiKeyEntered, &page,
            [&store, local](const QString &k) { store.setApiKey(local, k); });
    page.resize(1100, 700);
    auto *field = child<QLineEdit>(&page, "apiKeyEdit");
    QCOMPARE(field->echoMode(), QLineEdit::Password);
    QVERIFY(field->text().isEmpty());
    session.setBaseUrl(QUrl(keyed.baseUrl()));
    page.setSession(&session);
    page.show();
    // Without a key even the model list is refused, and the banner says where the key goes.
    QTRY_VERIFY_WITH_TIMEOUT(page.errorText().contains(QStringLiteral("HTTP 401")), 10000);
    QVERIFY2(page.errorText().contains(QStringLiteral("API key field")), qPrintable(page.errorText()));
    QVERIFY(!child<QPushButton>(&page, "generateButton")->isEnabled());

    // The right key, typed and confirmed: the list loads and a generation streams.
    QTest::keyClicks(field, key);
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(page.currentModel(), QStringLiteral("fortunes"), 10000);
    QTRY_VERIFY(page.errorText().isEmpty());
    child<QPlainTextEdit>(&page, "promptEdit")->setPlainText(QStringLiteral("the"));
    child<QLineEdit>(&page, "seed")->setText(QStringLiteral("4"));
    child<QSpinBox>(&page, "maxTokens")->setValue(6);
    clickGenerate(&page);
    QTRY_VERIFY_WITH_TIMEOUT(!page.isGenerating() && !page.generatedText().isEmpty(), 10000);
    QVERIFY2(page.errorText().isEmpty(), qPrintable(page.errorText()));
    QCOMPARE(page.statText(Stat::Backend), QStringLiteral("engine:fortunes"));

    // Kept for the next start, in a key file only its owner can read.
    {
      QCOMPARE(secrets.readNow(local).valueOr(QString()), key);
      const auto others =
          QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther;
      QCOMPARE(QFile::permissions(keyFile) & others, QFileDevice::Permissions());
      QVERIFY(secrets.writeNow(QStringLiteral("another"), QStringLiteral("lmf_other")));  // a later rewrite
      QCOMPARE(QFile::permissions(keyFile) & others, QFileDevice::Permissions());
      settings.sync();
      QFile plain(settings.fileName());
      QVERIFY(!plain.exists() || (plain.open(QIODevice::ReadOnly) && !plain.readAll().contains(key.toUtf8())));
    }
    QCOMPARE(models::ConnectionStore(&settings, &secrets).apiKey(local), key);  // what the next start's session gets

    // A wrong key: the node refuses the generation and the score, so the field is what is sent.
    field->setText(QStringLiteral("lmf_wrongwrongwrongwrong"));
    child<QLineEdit>(&page, "seed")->setText(QStringLiteral("5"));
    clickGenerate(&page);
    QTRY_VERIFY_WITH_TIMEOUT(page.errorText().contains(QStringLiteral("HTTP 401")), 10000);
    QVERIFY2(page.errorText().contains(QStringLiteral("Check the key")), qPrintable(page.errorText()));
    QCOMPARE(page.statText(Stat::Finish), QStringLiteral("error"));
    page.setMode(PlaygroundPage::Mode::Score);
    child<QPlainTextEdit>(&page, "scoreText")->setPlainText(QStringLiteral("the man"));
    auto *scoreButton = child<QPushButton>(&page, "scoreButton");
    QTest::mouseClick(scoreButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(page.errorText().contains(QStringLiteral("HTTP 401")), 10000);
    QVERIFY(page.scoreView()->tokenCount() == 0);
    // Pasted with its scheme it is the same key, and scoring goes through.
    field->setText(QStringLiteral("Bearer ") + key);
    QCOMPARE(page.apiKey(), key);
    QTRY_VERIFY(scoreButton->isEnabled());
    QTest::mouseClick(scoreButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(page.scoreView()->tokenCount(), 3, 10000);
    QVERIFY2(page.errorText().isEmpty(), qPrintable(page.errorText()));

    // Clearing the field forgets the stored key.
    field->clear();
    QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(secrets.readNow(local).status().code(), StatusCode::NotFound);
    page.hide();
    QVERIFY(keyed.shutdown());
  }

  void colourScale() {
    // Green for likely, red for unlikely, monotonic between; OOV its own colour.
    QCOMPARE(ScoreView::colorFor(-0.1, false).hue(), 120);
    QCOMPARE(ScoreView::colorFor(-9, false).hue(), 0);
    int previous = 121;
    for (double v = 0; v >= -6; v -= 0.25) {
      const int hue = ScoreView::colorFor(v, false).hue();
      QVERIFY(hue <= previous);
      previous = hue;
    }
    QCOMPARE(ScoreView::colorFor(-0.1, true), ScoreView::oovColor());
    QVERIFY(ScoreView::oovColor().hue() > 200);  // violet: not on the green-red scale
  }
};

QTEST_MAIN(TestPlaygroundPage)
#include "tst_playgroundpage.moc"
