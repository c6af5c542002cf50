// The OpenAI API's client-side values: request bodies and every response shape, good and bad.
#include "client/openaitypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <cmath>

using namespace lmfront::client;

class TestOpenAiTypes : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void completionBodyCarriesEveryParameter() {
    GenerationParams p;
    p.model = QStringLiteral("english");
    p.prompt = QStringLiteral("in the beginning");
    p.maxTokens = 12;
    p.temperature = 0.7;
    p.topK = 40;
    p.topP = 0.9;
    p.seed = 7;
    p.stop = {QStringLiteral("."), QStringLiteral("\n")};
    const QJsonObject o = QJsonDocument::fromJson(completionRequestBody(p, true)).object();
    QCOMPARE(o.value(QLatin1String("model")).toString(), p.model);
    QCOMPARE(o.value(QLatin1String("prompt")).toString(), p.prompt);
    QCOMPARE(o.value(QLatin1String("max_tokens")).toInt(), 12);
    QCOMPARE(o.value(QLatin1String("temperature")).toDouble(), 0.7);
    QCOMPARE(o.value(QLatin1String("top_k")).toInt(), 40);
    QCOMPARE(o.value(QLatin1String("top_p")).toDouble(), 0.9);
    QCOMPARE(o.value(QLatin1String("seed")).toInteger(), 7);
    QCOMPARE(o.value(QLatin1String("stop")).toArray().size(), 2);
    QCOMPARE(o.value(QLatin1String("stream")).toBool(), true);
    QCOMPARE(o.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(), true);
    QVERIFY(!o.contains(QLatin1String("messages")));
  }

  void optionalParametersAreLeftOut() {
    GenerationParams p;
    p.model = QStringLiteral("m");
    p.prompt = QStringLiteral("hi");
    p.chat = true;
    const QJsonObject o = QJsonDocument::fromJson(completionRequestBody(p, false)).object();
    QVERIFY(!o.contains(QLatin1String("seed")));
    QVERIFY(!o.contains(QLatin1String("top_k")));
    QVERIFY(!o.contains(QLatin1String("stop")));
    QVERIFY(!o.contains(QLatin1String("stream")));
    QVERIFY(!o.contains(QLatin1String("prompt")));
    const QJsonObject message = o.value(QLatin1String("messages")).toArray().first().toObject();
    QCOMPARE(message.value(QLatin1String("role")).toString(), QStringLiteral("user"));
    QCOMPARE(message.value(QLatin1String("content")).toString(), QStringLiteral("hi"));
  }

  void scoreBody() {
    const QJsonObject o =
        QJsonDocument::fromJson(scoreRequestBody(QStringLiteral("m"), QStringLiteral("a b"))).object();
    QCOMPARE(o.value(QLatin1String("model")).toString(), QStringLiteral("m"));
    QCOMPARE(o.value(QLatin1String("text")).toString(), QStringLiteral("a b"));
  }

  void parsesModelList() {
    const ModelList l = parseModelList(
        200,
        R"({"object":"list","data":[{"id":"english","object":"model","description":"KJV","version":"ab12","backends":2},{"id":"chinese"}]})");
    QVERIFY(l.error.ok());
    QCOMPARE(l.models.size(), 2);
    QCOMPARE(l.models[0], (ApiModel{QStringLiteral("english"), QStringLiteral("KJV"), QStringLiteral("ab12"), 2}));
    QCOMPARE(l.models[1].id, QStringLiteral("chinese"));
    QCOMPARE(l.models[1].backends, 0);
  }

  void rejectsBadModelLists_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("kind");
    QTest::newRow("not json") << 200 << QByteArray("<html>") << int(ApiErrorKind::BadResponse);
    QTest::newRow("array") << 200 << QByteArray("[]") << int(ApiErrorKind::BadResponse);
    QTest::newRow("no data") << 200 << QByteArray("{}") << int(ApiErrorKind::BadResponse);
    QTest::newRow("no id") << 200 << QByteArray(R"({"data":[{"object":"model"}]})") << int(ApiErrorKind::BadResponse);
    QTest::newRow("401") << 401 << QByteArray(R"({"error":{"message":"missing key"}})") << int(ApiErrorKind::Api);
  }
  void rejectsBadModelLists() {
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(int, kind);
    const ModelList l = parseModelList(status, body);
    QCOMPARE(int(l.error.kind), kind);
    QVERIFY(!l.error.message.isEmpty());
    QVERIFY(l.models.isEmpty());
  }

  void parsesOpenAiErrors() {
    ApiError e = parseErrorBody(
        404,
        R"({"error":{"message":"model 'x' does not exist","type":"invalid_request_error","code":"model_not_found"}})");
    QCOMPARE(e.kind, ApiErrorKind::Api);
    QCOMPARE(e.httpStatus, 404);
    QCOMPARE(e.message, QStringLiteral("model 'x' does not exist"));
    QCOMPARE(e.code, QStringLiteral("model_not_found"));
    e = parseErrorBody(502, "<html><body>Bad gateway</body></html>");
    QCOMPARE(e.kind, ApiErrorKind::Api);
    QVERIFY2(e.message.startsWith(QStringLiteral("HTTP 502")), qPrintable(e.message));
    QCOMPARE(parseErrorBody(503, {}).message, QStringLiteral("HTTP 503"));
  }

  void parsesScore() {
    const ScoreResult r = parseScore(200, R"({"object":"score","model":"m","tokens":[
        {"token":"the","log10_prob":-1.5,"ngram":2,"oov":false},
        {"token":"zzyzx","log10_prob":-3.5,"ngram":0,"oov":true},
        {"token":"</s>","log10_prob":-0.5,"ngram":1,"oov":false}],
        "log10_prob":-5.5,"perplexity":68.1,"oov":1,"token_count":3})");
    QVERIFY(r.error.ok());
    QCOMPARE(r.tokens.size(), 3);
    QCOMPARE(r.tokens[1].token, QStringLiteral("zzyzx"));
    QVERIFY(r.tokens[1].oov);
    QCOMPARE(r.tokens[0].ngram, 2);
    QCOMPARE(r.tokens[2].log10Prob, -0.5);
    QCOMPARE(r.perplexity, 68.1);
    QCOMPARE(r.oov, 1);
    QCOMPARE(r.tokenCount, 3);
    QCOMPARE(r.log10Prob, -5.5);
  }

  void rejectsBadScores() {
    QCOMPARE(parseScore(200, R"({"tokens":[{"token":"a","log10_prob":"x"}]})").error.kind, ApiErrorKind::BadResponse);
    QCOMPARE(parseScore(200, R"({"tokens":[{"log10_prob":-1}]})").error.kind, ApiErrorKind::BadResponse);
    QCOMPARE(parseScore(200, R"({"perplexity":1})").error.kind, ApiErrorKind::BadResponse);
    QCOMPARE(parseScore(400, R"({"error":{"message":"'text' is required"}})").error.message,
             QStringLiteral("'text' is required"));
  }

  void parsesStreamEvents() {
    StreamChunk c =
        parseStreamData(R"({"object":"text_completion","choices":[{"index":0,"text":" stuck","finish_reason":null}]})");
    QVERIFY(c.error.ok());
    QCOMPARE(c.text, QStringLiteral(" stuck"));
    QVERIFY(c.finishReason.isEmpty());
    c = parseStreamData(R"({"choices":[{"index":0,"delta":{"content":" \u4f60"},"finish_reason":null}]})");
    QCOMPARE(c.text, QStringLiteral(" 你"));
    c = parseStreamData(R"({"choices":[{"index":0,"delta":{},"finish_reason":"length"}]})");
    QCOMPARE(c.text, QString());
    QCOMPARE(c.finishReason, QStringLiteral("length"));
    c = parseStreamData(R"({"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":8,"total_tokens":9}})");
    QCOMPARE(c.promptTokens, 1);
    QCOMPARE(c.completionTokens, 8);
    QVERIFY(parseStreamData("[DONE]").done);
    c = parseStreamData(R"({"error":{"message":"backend failed","code":"upstream_error"}})");
    QCOMPARE(c.error.kind, ApiErrorKind::Api);
    QCOMPARE(c.error.message, QStringLiteral("backend failed"));
    c = parseStreamData("{not json");
    QCOMPARE(c.error.kind, ApiErrorKind::BadResponse);
  }

  void samplingFieldsAndLogprobsReachTheBody() {
    GenerationParams p;
    p.model = QStringLiteral("m");
    p.prompt = QStringLiteral("hi");
    p.sampling.insert(QStringLiteral("presence_penalty"), 0.5);
    p.sampling.insert(QStringLiteral("ignore_eos"), true);
    p.logprobs = 3;
    QJsonObject o = QJsonDocument::fromJson(completionRequestBody(p, true)).object();
    QCOMPARE(o.value(QLatin1String("presence_penalty")).toDouble(), 0.5);
    QCOMPARE(o.value(QLatin1String("ignore_eos")), QJsonValue(true));
    QCOMPARE(o.value(QLatin1String("logprobs")), QJsonValue(3));
    QVERIFY(!o.contains(QLatin1String("top_logprobs")));
    p.chat = true;  // chat: a switch plus the number of alternatives
    o = QJsonDocument::fromJson(completionRequestBody(p, true)).object();
    QCOMPARE(o.value(QLatin1String("logprobs")), QJsonValue(true));
    QCOMPARE(o.value(QLatin1String("top_logprobs")), QJsonValue(3));
    p.logprobs = std::nullopt;
    o = QJsonDocument::fromJson(completionRequestBody(p, true)).object();
    QVERIFY(!o.contains(QLatin1String("logprobs")));
    QVERIFY(!o.contains(QLatin1String("top_logprobs")));
  }

  // Chunks as lmfrontd streams them (seed 7 on a small fortunes model, logprobs 2).
  void parsesCompletionLogprobs() {
    const StreamChunk c = parseStreamData(
        R"({"id":"cmpl-4e7fcfe877291390","object":"text_completion","created":1796646393,"model":"fortunes","choices":[{"index":0,"text":" sense","logprobs":{"tokens":[" sense"],"token_logprobs":[-8.03745973470593],"top_logprobs":[{".":-2.460626126444457," to":-3.914265325249793}],"text_offset":[0]},"finish_reason":null}]})");
    QVERIFY2(c.error.ok(), qPrintable(c.error.message));
    QCOMPARE(c.text, QStringLiteral(" sense"));
    QCOMPARE(c.logprobs.size(), 1);
    QCOMPARE(c.logprobs[0].token, QStringLiteral(" sense"));
    QCOMPARE(c.logprobs[0].ngram, -1);
    QVERIFY(qAbs(c.logprobs[0].log10Prob - -8.03745973470593 / std::log(10.0)) < 1e-12);
    QCOMPARE(c.logprobs[0].alternatives.size(), 2);
    QCOMPARE(c.logprobs[0].alternatives[0].token, QStringLiteral("."));  // most likely first
    QCOMPARE(c.logprobs[0].alternatives[1].token, QStringLiteral(" to"));
    QVERIFY(qAbs(c.logprobs[0].alternatives[1].log10Prob - -3.914265325249793 / std::log(10.0)) < 1e-12);
    const StreamChunk last = parseStreamData(
        R"({"object":"text_completion","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"length"}]})");
    QVERIFY(last.error.ok());
    QVERIFY(last.logprobs.isEmpty());
  }

  void parsesChatLogprobs() {
    const StreamChunk c = parseStreamData(
        R"({"id":"chatcmpl-f12788856bcdf629","object":"chat.completion.chunk","created":1796646394,"model":"fortunes","choices":[{"index":0,"delta":{"content":" not"},"logprobs":{"content":[{"token":" not","logprob":-5.992364758340712,"bytes":[32,110,111,116],"top_logprobs":[{"token":" to","logprob":-3.9033369139045746,"bytes":[32,116,111]},{"token":".","logprob":-2.4496977150992385,"bytes":[46]}]}],"refusal":null},"finish_reason":null}]})");
    QVERIFY2(c.error.ok(), qPrintable(c.error.message));
    QCOMPARE(c.text, QStringLiteral(" not"));
    QCOMPARE(c.logprobs.size(), 1);
    QCOMPARE(c.logprobs[0].token, QStringLiteral(" not"));
    QVERIFY(qAbs(c.logprobs[0].log10Prob - -5.992364758340712 / std::log(10.0)) < 1e-12);
    QCOMPARE(c.logprobs[0].alternatives,
             (QList<TokenAlternative>{{QStringLiteral("."), -2.4496977150992385 / std::log(10.0)},
                                      {QStringLiteral(" to"), -3.9033369139045746 / std::log(10.0)}}));
    // The role chunk and a whole chat body.
    QVERIFY(parseStreamData(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null}]})")
                .logprobs.isEmpty());
    const StreamChunk body = parseCompletionBody(
        R"({"choices":[{"index":0,"message":{"role":"assistant","content":" a b"},"logprobs":{"content":[{"token":" a","logprob":-1,"top_logprobs":[]},{"token":" b","logprob":0,"top_logprobs":[]}]},"finish_reason":"stop"}]})");
    QVERIFY(body.done);
    QCOMPARE(body.logprobs.size(), 2);
    QCOMPARE(body.logprobs[1].log10Prob, 0.0);
  }

  void rejectsMalformedLogprobs_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("not an object") << QByteArray(R"({"choices":[{"text":"a","logprobs":[1]}]})");
    QTest::newRow("lengths differ") << QByteArray(
        R"({"choices":[{"text":"a","logprobs":{"tokens":["a","b"],"token_logprobs":[-1]}}]})");
    QTest::newRow("positive") << QByteArray(
        R"({"choices":[{"text":"a","logprobs":{"tokens":["a"],"token_logprobs":[2]}}]})");
    QTest::newRow("string logprob") << QByteArray(
        R"({"choices":[{"text":"a","logprobs":{"tokens":["a"],"token_logprobs":["x"]}}]})");
    QTest::newRow("null logprob") << QByteArray(
        R"({"choices":[{"text":"a","logprobs":{"tokens":["a"],"token_logprobs":[null]}}]})");
    QTest::newRow("top not objects") << QByteArray(
        R"({"choices":[{"text":"a","logprobs":{"tokens":["a"],"token_logprobs":[-1],"top_logprobs":[[1]]}}]})");
    QTest::newRow("top short") << QByteArray(
        R"({"choices":[{"text":"a","logprobs":{"tokens":["a"],"token_logprobs":[-1],"top_logprobs":[]}}]})");
    QTest::newRow("top value") << QByteArray(
        R"({"choices":[{"text":"a","logprobs":{"tokens":["a"],"token_logprobs":[-1],"top_logprobs":[{"b":"x"}]}}]})");
    QTest::newRow("chat content") << QByteArray(R"({"choices":[{"delta":{"content":"a"},"logprobs":{"content":{}}}]})");
    QTest::newRow("chat entry") << QByteArray(
        R"({"choices":[{"delta":{"content":"a"},"logprobs":{"content":[{"token":"a"}]}}]})");
    QTest::newRow("chat token") << QByteArray(
        R"({"choices":[{"delta":{"content":"a"},"logprobs":{"content":[{"token":1,"logprob":-1}]}}]})");
    QTest::newRow("chat top") << QByteArray(
        R"({"choices":[{"delta":{"content":"a"},"logprobs":{"content":[{"token":"a","logprob":-1,"top_logprobs":{}}]}}]})");
    QTest::newRow("chat top entry") << QByteArray(
        R"({"choices":[{"delta":{"content":"a"},"logprobs":{"content":[{"token":"a","logprob":-1,"top_logprobs":[{"token":"b"}]}]}}]})");
  }

  void rejectsMalformedLogprobs() {
    QFETCH(QByteArray, data);
    const StreamChunk c = parseStreamData(data);
    QCOMPARE(c.error.kind, ApiErrorKind::BadResponse);
    QVERIFY2(c.error.message.startsWith(QStringLiteral("logprobs: ")), qPrintable(c.error.message));
    QVERIFY(c.logprobs.isEmpty());
    QVERIFY(c.text.isEmpty());
    QCOMPARE(parseCompletionBody(data).error.kind, ApiErrorKind::BadResponse);
  }

  void parsesWholeCompletionBodies() {
    StreamChunk c = parseCompletionBody(
        R"({"choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":1}})");
    QVERIFY(c.done);
    QCOMPARE(c.text, QStringLiteral("hello"));
    QCOMPARE(c.finishReason, QStringLiteral("stop"));
    QCOMPARE(c.completionTokens, 1);
  }

  void tokensPerSecond() {
    GenerationStats s;
    QCOMPARE(s.tokensPerSecond(), 0.0);
    s.tokens = 11;
    s.streamMs = 100;  // 10 intervals in 100 ms
    s.totalMs = 150;
    QCOMPARE(s.tokensPerSecond(), 100.0);
    s.streamMs = 0.2;  // all in one read: the span means nothing, use the total
    QCOMPARE(s.tokensPerSecond(), 11 * 1000.0 / 150);
    s.tokens = 1;
    s.streamMs = 0;
    QCOMPARE(s.tokensPerSecond(), 1000.0 / 150);
  }
};

QTEST_APPLESS_MAIN(TestOpenAiTypes)
#include "tst_openaitypes.moc"
