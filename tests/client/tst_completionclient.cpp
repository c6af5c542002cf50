// CompletionClient against the real node (a lmfront::node::Node on 127.0.0.1 port 0 serving a
// model trained here from Debian's fortunes), and against a scripted SSE server for what a good
// node never does on cue: a slow endless stream to stop, a cut stream, an error event, one byte
// per packet, and a closed port.
#include "../support/fortunesmodel.h"
#include "../support/scriptedsse.h"
#include "client/completionclient.h"
#include "node/node.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace lmfront;
using namespace lmfront::client;
using lmfront::testing::ScriptedSse;
using lmfront::testing::textEvent;

namespace {

GenerationResult waitFinished(QSignalSpy &spy, int timeoutMs = 10000) {
  if (spy.isEmpty() && !spy.wait(timeoutMs)) return {};
  return spy.takeFirst().at(0).value<GenerationResult>();
}

QString joined(const QSignalSpy &texts) {
  QString s;
  for (const QList<QVariant> &args : texts) s += args.at(0).toString();
  return s;
}

}  // namespace

class TestCompletionClient : public QObject {
  Q_OBJECT
private:
  QTemporaryDir m_dir;
  std::unique_ptr<node::Node> m_node;
  QUrl m_base;

  GenerationParams params(int maxTokens = 12, std::optional<qint64> seed = 7) const {
    GenerationParams p;
    p.model = QStringLiteral("fortunes");
    p.prompt = QStringLiteral("the");
    p.maxTokens = maxTokens;
    p.seed = seed;
    return p;
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QString error;
    m_node = testing::startFortunesNode(m_dir.path(), 800, &error);
    QVERIFY2(m_node, qPrintable(error));
    m_base = QUrl(m_node->baseUrl());
  }

  void cleanupTestCase() {
    if (m_node) QVERIFY(m_node->shutdown());
  }

  void listsTheNodesModels() {
    CompletionClient client;
    client.setBaseUrl(m_base.resolved(QUrl(QStringLiteral("/v1/"))));  // "/v1" is accepted too
    QSignalSpy listed(&client, &CompletionClient::modelsListed);
    client.listModels();
    QVERIFY(listed.wait(10000));
    const ModelList list = listed.at(0).at(0).value<ModelList>();
    QVERIFY2(list.error.ok(), qPrintable(list.error.message));
    QCOMPARE(list.models.size(), 1);
    QCOMPARE(list.models[0].id, QStringLiteral("fortunes"));
    QCOMPARE(list.models[0].version.size(), 64);  // sha256 of the payload
  }

  void streamsACompletionTokenByToken() {
    CompletionClient client;
    client.setBaseUrl(m_base);
    QSignalSpy started(&client, &CompletionClient::generationStarted);
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    GenerationParams p = params(12, 11);
    p.temperature = 1.0;
    client.generate(p);
    QVERIFY(client.isGenerating());
    const GenerationResult r = waitFinished(finished);
    QVERIFY2(r.error.ok(), qPrintable(r.error.message));
    QVERIFY(!client.isGenerating());
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.at(0).at(0).value<ResponseMeta>().backend, QStringLiteral("engine:fortunes"));
    QCOMPARE(r.meta.httpStatus, 200);
    QCOMPARE(r.meta.backend, QStringLiteral("engine:fortunes"));
    QVERIFY2(QStringList({QStringLiteral("miss"), QStringLiteral("hit")}).contains(r.meta.cache),
             qPrintable(r.meta.cache));
    QVERIFY(r.meta.overheadMs >= 0);
    QVERIFY(texts.size() >= 1);
    QCOMPARE(r.stats.tokens, texts.size());
    QCOMPARE(r.stats.completionTokens, r.stats.tokens);  // usage agrees with what streamed
    QVERIFY(r.stats.promptTokens >= 1);
    QVERIFY(r.stats.tokens <= 12);
    QVERIFY2(QStringList({QStringLiteral("stop"), QStringLiteral("length")}).contains(r.stats.finishReason),
             qPrintable(r.stats.finishReason));
    QVERIFY(r.stats.ttftMs >= 0 && r.stats.ttftMs <= r.stats.totalMs);
    QVERIFY(r.stats.tokensPerSecond() > 0);
    // Each textReceived carries running stats: the token count climbs one by one.
    for (int i = 0; i < texts.size(); ++i) QCOMPARE(texts.at(i).at(1).value<GenerationStats>().tokens, i + 1);
  }

  void sameSeedSameTextAndTheSecondIsACacheHit() {
    CompletionClient client;
    client.setBaseUrl(m_base);
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    client.generate(params(20, 12345));
    GenerationResult first = waitFinished(finished);
    QVERIFY2(first.error.ok(), qPrintable(first.error.message));
    const QString firstText = joined(texts);
    QVERIFY(!firstText.isEmpty());
    texts.clear();
    client.generate(params(20, 12345));
    const GenerationResult second = waitFinished(finished);
    QVERIFY2(second.error.ok(), qPrintable(second.error.message));
    QCOMPARE(joined(texts), firstText);
    QCOMPARE(second.meta.cache, QStringLiteral("hit"));
  }

  void streamsAChat() {
    CompletionClient client;
    client.setBaseUrl(m_base);
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    GenerationParams p = params(8, 3);
    p.chat = true;
    p.prompt = QStringLiteral("what is the meaning of life");
    client.generate(p);
    const GenerationResult r = waitFinished(finished);
    QVERIFY2(r.error.ok(), qPrintable(r.error.message));
    QVERIFY(!texts.isEmpty());
    QCOMPARE(r.stats.tokens, texts.size());
    QCOMPARE(r.meta.backend, QStringLiteral("engine:fortunes"));
  }

  void apiErrorsCarryTheNodesMessage() {
    CompletionClient client;
    client.setBaseUrl(m_base);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    GenerationParams p = params();
    p.model = QStringLiteral("no-such-model");
    client.generate(p);
    GenerationResult r = waitFinished(finished);
    QCOMPARE(r.error.kind, ApiErrorKind::Api);
    QCOMPARE(r.error.httpStatus, 404);
    QCOMPARE(r.error.code, QStringLiteral("model_not_found"));
    QVERIFY2(r.error.message.contains(QStringLiteral("no-such-model")), qPrintable(r.error.message));

    p = params();
    p.temperature = 5;
    client.generate(p);
    r = waitFinished(finished);
    QCOMPARE(r.error.kind, ApiErrorKind::Api);
    QCOMPARE(r.error.httpStatus, 400);
    QVERIFY2(r.error.message.contains(QStringLiteral("temperature")), qPrintable(r.error.message));
  }

  void scoresText() {
    CompletionClient client;
    client.setBaseUrl(m_base);
    QSignalSpy scored(&client, &CompletionClient::scored);
    client.score(QStringLiteral("fortunes"), QStringLiteral("the man is zzyzxqq"));
    QVERIFY(scored.wait(10000));
    const ScoreResult r = scored.at(0).at(0).value<ScoreResult>();
    QVERIFY2(r.error.ok(), qPrintable(r.error.message));
    QCOMPARE(r.tokens.size(), 5);  // four words and </s>
    QCOMPARE(r.tokens[3].token, QStringLiteral("zzyzxqq"));
    QVERIFY(r.tokens[3].oov);
    QCOMPARE(r.tokens[3].ngram, 0);
    QVERIFY(!r.tokens[0].oov && r.tokens[0].ngram >= 1);
    QCOMPARE(r.tokens.last().token, QStringLiteral("</s>"));
    QCOMPARE(r.oov, 1);
    QVERIFY(r.perplexity > 1);
    QCOMPARE(r.meta.backend, QStringLiteral("engine:fortunes"));

    client.score(QStringLiteral("nope"), QStringLiteral("x"));
    QVERIFY(scored.wait(10000));
    QCOMPARE(scored.at(1).at(0).value<ScoreResult>().error.httpStatus, 404);
  }

  void unreachableNodeIsAnErrorNotAHang() {
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()));
    closed.close();
    CompletionClient client;
    client.setBaseUrl(url);
    QSignalSpy listed(&client, &CompletionClient::modelsListed);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    QSignalSpy scored(&client, &CompletionClient::scored);
    client.listModels();
    client.generate(params());
    client.score(QStringLiteral("m"), QStringLiteral("x"));
    QTRY_VERIFY_WITH_TIMEOUT(!listed.isEmpty() && !finished.isEmpty() && !scored.isEmpty(), 10000);
    QCOMPARE(listed.at(0).at(0).value<ModelList>().error.kind, ApiErrorKind::Unreachable);
    QCOMPARE(finished.at(0).at(0).value<GenerationResult>().error.kind, ApiErrorKind::Unreachable);
    QCOMPARE(scored.at(0).at(0).value<ScoreResult>().error.kind, ApiErrorKind::Unreachable);

    CompletionClient noAddress;
    QSignalSpy none(&noAddress, &CompletionClient::generationFinished);
    noAddress.generate(params());
    QCOMPARE(none.size(), 1);
    QCOMPARE(none.at(0).at(0).value<GenerationResult>().error.kind, ApiErrorKind::Unreachable);
  }

  void cancelStopsAnEndlessStream() {
    ScriptedSse server;
    server.events = {textEvent("tick")};
    server.endless = true;
    CompletionClient client;
    client.setBaseUrl(server.url());
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    client.generate(params());
    QTRY_VERIFY_WITH_TIMEOUT(texts.size() >= 3, 10000);
    client.cancelGeneration();
    QCOMPARE(finished.size(), 1);  // at once, not after the next event
    const GenerationResult r = finished.at(0).at(0).value<GenerationResult>();
    QCOMPARE(r.error.kind, ApiErrorKind::Cancelled);
    QCOMPARE(r.stats.tokens, texts.size());
    QCOMPARE(r.meta.backend, QStringLiteral("fake:1"));
    QCOMPARE(r.meta.overheadMs, 0.25);
    QVERIFY(!client.isGenerating());
    const qsizetype seen = texts.size();
    QTRY_COMPARE_WITH_TIMEOUT(server.disconnects, 1, 5000);  // the connection really closed
    QTest::qWait(100);
    QCOMPARE(texts.size(), seen);
    QCOMPARE(finished.size(), 1);
  }

  void streamCutBeforeDoneIsAnError() {
    ScriptedSse server;
    server.events = {textEvent("a"), textEvent(" b")};
    CompletionClient client;
    client.setBaseUrl(server.url());
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    client.generate(params());
    const GenerationResult r = waitFinished(finished);
    QCOMPARE(joined(texts), QStringLiteral("a b"));
    QCOMPARE(r.error.kind, ApiErrorKind::BadResponse);
    QVERIFY2(r.error.message.contains(QStringLiteral("[DONE]")), qPrintable(r.error.message));
  }

  void errorEventEndsTheStream() {
    ScriptedSse server;
    server.events = {textEvent("a"), "data: {\"error\":{\"message\":\"backend went away\",\"code\":\"upstream\"}}\n\n",
                     "data: [DONE]\n\n"};
    CompletionClient client;
    client.setBaseUrl(server.url());
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    client.generate(params());
    const GenerationResult r = waitFinished(finished);
    QCOMPARE(texts.size(), 1);
    QCOMPARE(r.error.kind, ApiErrorKind::Api);
    QCOMPARE(r.error.message, QStringLiteral("backend went away"));
    QCOMPARE(r.stats.tokens, 1);
  }

  void oneBytePerPacket() {
    ScriptedSse server;
    const QByteArray stream = textEvent("x") + ": keep-alive\r\n\r\n" + textEvent(" y") +
                              "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\r\n\r\n" +
                              "data: [DONE]\r\n\r\n";
    for (char c : stream) server.events.append(QByteArray(1, c));
    server.tickMs = 1;
    CompletionClient client;
    client.setBaseUrl(server.url());
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    client.generate(params());
    const GenerationResult r = waitFinished(finished, 20000);
    QVERIFY2(r.error.ok(), qPrintable(r.error.message));
    QCOMPARE(joined(texts), QStringLiteral("x y"));
    QCOMPARE(r.stats.completionTokens, 2);
  }

  void plainJsonAnswerCountsAsOnePiece() {
    // An upstream that ignores "stream": the whole completion in one JSON body.
    ScriptedSse server;
    server.head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    server.events = {R"({"choices":[{"index":0,"text":"whole answer","finish_reason":"length"}],)"
                     R"("usage":{"prompt_tokens":2,"completion_tokens":5}})"};
    CompletionClient client;
    client.setBaseUrl(server.url());
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    client.generate(params());
    const GenerationResult r = waitFinished(finished);
    QVERIFY2(r.error.ok(), qPrintable(r.error.message));
    QCOMPARE(joined(texts), QStringLiteral("whole answer"));
    QCOMPARE(r.stats.completionTokens, 5);
    QCOMPARE(r.stats.finishReason, QStringLiteral("length"));
  }

  void generateAgainReplacesTheRunningOne() {
    ScriptedSse server;
    server.events = {textEvent("tick")};
    server.endless = true;
    CompletionClient client;
    client.setBaseUrl(server.url());
    QSignalSpy texts(&client, &CompletionClient::textReceived);
    QSignalSpy finished(&client, &CompletionClient::generationFinished);
    client.generate(params());
    QTRY_VERIFY_WITH_TIMEOUT(!texts.isEmpty(), 10000);
    client.setBaseUrl(m_base);
    client.generate(params(5, 1));
    const GenerationResult r = waitFinished(finished);
    QVERIFY2(r.error.ok(), qPrintable(r.error.message));
    QCOMPARE(r.meta.backend, QStringLiteral("engine:fortunes"));  // the first one never reported
    QCOMPARE(finished.size(), 0);
  }
};

QTEST_MAIN(TestCompletionClient)
#include "tst_completionclient.moc"
