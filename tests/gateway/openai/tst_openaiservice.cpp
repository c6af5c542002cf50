// OpenAiService's completion path driven directly (no sockets): a fake backend counts the
// generations it is asked for and a recording responder keeps the answer. Focus: the cache-hit
// fast path (hitmemo.h) must answer exactly what the full path answers and skip none of the
// checks — admission on every request, Cache-Control bypass, the served version, TTL, refills.
#include "gateway/openai/completionsink.h"
#include "gateway/openai/openaiservice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <atomic>

using namespace lmfront;
using namespace lmfront::gateway;
using namespace lmfront::gateway::openai;

namespace {

class FakeBackend final : public Backend {
public:
  explicit FakeBackend(std::string text) : m_text(std::move(text)) {}
  const std::string &id() const override { return m_id; }
  // Stands for a URL backend unless told to be an engine replica (which refuses what it cannot
  // honour).
  bool passesThrough() const override { return passes; }
  bool passes = true;
  void generate(const CompletionRequest &request, std::shared_ptr<GenerationSink> sink) override {
    ++calls;
    if (request.rich()) {  // every choice says the text, with one alternative when asked
      const TokenLogprob lp{m_text, -0.5, {{m_text, -0.5}}};
      for (int i = 0; i < request.choices(); ++i) {
        sink->onChoiceToken(i, m_text, request.logprobs >= 0 ? &lp : nullptr);
        sink->onChoiceDone(i, FinishReason::Length);
      }
      return sink->onDone(FinishReason::Stop, {2, request.choices()});
    }
    sink->onToken(m_text);
    sink->onDone(FinishReason::Stop, {2, 1});
  }
  void score(const ScoreRequest &, std::function<void(Result<ScoreResult>)> done) override {
    done(Status::unimplemented("no scoring"));
  }
  std::atomic<int> calls{0};

private:
  std::string m_id = "fake";
  std::string m_text;
};

class RecordingResponder final : public Responder {
public:
  void respond(HttpResponse r) override { response = std::move(r), done = true; }
  void beginStream(int status, HeaderList headers) override { response = {status, std::move(headers), {}}; }
  void writeChunk(std::string data) override { response.body += data; }
  void endStream() override { done = true; }
  bool isOpen() const override { return true; }
  HttpResponse response;
  bool done = false;
  std::string header(std::string_view name) const {
    for (const auto &[k, v] : response.headers)
      if (equalsIgnoreCase(k, name)) return v;
    return {};
  }
};

std::string jsonField(const std::string &body, const std::string &name) {
  const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(body)).object();
  const QJsonValue v = doc.value(QString::fromStdString(name));
  return v.isString() ? v.toString().toStdString() : std::to_string(v.toInteger());
}

const std::string kBody = R"({"model":"m","prompt":"hello world","max_tokens":8,"seed":1})";

struct Fixture {
  explicit Fixture(ServiceOptions options = {}) {
    options.admission.admit = [this](const HttpRequest &, AdmitContext &ctx) -> std::optional<ApiError> {
      ++admits;
      admitted.push_back(ctx);
      ctx.principal = "local";
      if (admits > allowed) {
        ApiError e = fromStatus(Status::resourceExhausted("rate limit reached"), {}, "rate_limited");
        e.retryAfterSeconds = 1;
        return e;
      }
      return std::nullopt;
    };
    options.admission.settle = [this](const AdmitContext &, int) { ++settles; };
    service = std::make_unique<OpenAiService>(std::move(options), registry, clock);
    QVERIFY(service->addRoutes(router).isOk());
    setVersion("v1", "first");
  }
  void setVersion(std::string version, std::string text) {
    backend = std::make_shared<FakeBackend>(std::move(text));
    auto pool = std::make_shared<pool::ModelPool>();
    pool->name = std::string("m");  // not a literal: GCC 12's -Wrestrict misfires on it
    pool->version = std::move(version);
    pool->backends = {backend};
    auto table = std::make_shared<pool::ModelTable>();
    table->pools.emplace("m", pool);
    service->setTable(table);
  }
  std::shared_ptr<RecordingResponder> post(const std::string &body, HeaderList headers = {},
                                           const std::string &path = "/v1/completions", int worker = 0) {
    HttpRequest request;
    request.method = "POST";
    request.path = request.target = path;
    request.headers = std::move(headers);
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    request.workerIndex = worker;
    auto responder = std::make_shared<RecordingResponder>();
    bool known = false;
    const Handler *handler = router.find("POST", path, &known);
    if (handler) (*handler)(std::move(request), responder);
    return responder;
  }
  // Miss (fills the cache), then a full-path hit (fills the memo).
  void warm(const std::string &body = kBody) {
    const auto miss = post(body);
    QCOMPARE(miss->header("x-lmfront-cache"), std::string("miss"));
    const auto hit = post(body);
    QCOMPARE(hit->header("x-lmfront-cache"), std::string("hit"));
  }
  std::uint64_t metric(const std::string &needle) const {
    const std::string text = registry.exposition();
    const auto at = text.find(needle);
    return at == std::string::npos ? 0 : std::stoull(text.substr(at + needle.size()));
  }

  ManualClock clock;
  observe::MetricsRegistry registry;
  std::unique_ptr<OpenAiService> service;
  Router router;
  std::shared_ptr<FakeBackend> backend;
  int admits = 0, settles = 0, allowed = 1'000'000;
  std::vector<AdmitContext> admitted;  // what each admission was asked
};

}  // namespace

class TstOpenAiService : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void repeatedHitTakesTheFastPathAndAnswersTheSame() {
    Fixture f;
    f.warm();
    QCOMPARE(f.service->hitMemoSize(), std::size_t(1));
    const auto slow = f.post(kBody, {{"Cache-Control", "max-age=60"}});  // full path (Cache-Control present)
    const auto fast = f.post(kBody);
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(1));
    QCOMPARE(f.backend->calls.load(), 1);
    QCOMPARE(fast->response.status, 200);
    QCOMPARE(fast->header("x-lmfront-cache"), std::string("hit"));
    QCOMPARE(fast->header("x-lmfront-backend"), std::string("cache"));
    QCOMPARE(fast->header("content-type"), std::string("application/json"));
    QVERIFY(!fast->header("x-lmfront-overhead-ms").empty());
    // The same document as the full path, except a fresh id.
    const std::string fastId = jsonField(fast->response.body, "id"), slowId = jsonField(slow->response.body, "id");
    QVERIFY(fastId.starts_with("cmpl-") && fastId.size() > 5);
    QVERIFY(fastId != slowId);
    std::string normalised = fast->response.body;
    normalised.replace(normalised.find(fastId), fastId.size(), slowId);
    QCOMPARE(normalised, slow->response.body);
    QCOMPARE(jsonField(fast->response.body, "created"), jsonField(slow->response.body, "created"));
    QVERIFY(fast->response.body.find("\"text\":\"first\"") != std::string::npos);
  }

  void fastHitIsAdmittedAndCountedEveryTime() {
    Fixture f;
    f.warm();
    const int admitsBefore = f.admits, settlesBefore = f.settles;
    const auto hitsBefore = f.metric("lmfront_requests_total{model=\"m\",backend=\"cache\",code=\"200\"} ");
    for (int i = 0; i < 5; ++i) QCOMPARE(f.post(kBody)->header("x-lmfront-cache"), std::string("hit"));
    QCOMPARE(f.admits, admitsBefore + 5);  // once per request, never twice
    // Charged exactly as the full path charges: same access, model and token estimate (8 + 11/4 + 1).
    for (const AdmitContext &a : f.admitted) {
      QVERIFY(a.access == Access::Infer);
      QCOMPARE(a.model, std::string("m"));
      QCOMPARE(a.estimatedTokens, 11);
    }
    QCOMPARE(f.settles, settlesBefore + 5);
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(5));
    QCOMPARE(f.metric("lmfront_requests_total{model=\"m\",backend=\"cache\",code=\"200\"} "), hitsBefore + 5);
    QCOMPARE(f.metric("lmfront_cache_hits_total{tier=\"local\"} "), std::uint64_t(6));
    QVERIFY(f.metric("lmfront_gateway_overhead_seconds_count{model=\"m\"} ") >= 6);
  }

  void rateLimitStillAppliesOnTheFastPath() {
    Fixture f;
    f.warm();
    f.allowed = f.admits + 2;
    QCOMPARE(f.post(kBody)->response.status, 200);
    QCOMPARE(f.post(kBody)->response.status, 200);
    const auto denied = f.post(kBody);
    QCOMPARE(denied->response.status, 429);
    QVERIFY(denied->response.body.find("rate_limited") != std::string::npos);
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(3));
    QCOMPARE(f.metric("lmfront_requests_total{model=\"m\",backend=\"\",code=\"429\"} "), std::uint64_t(1));
  }

  void newVersionNeverServesOldEntries() {
    Fixture f;
    f.warm();
    f.setVersion("v2", "second");
    const auto r = f.post(kBody);
    QCOMPARE(r->header("x-lmfront-cache"), std::string("miss"));
    QVERIFY(r->response.body.find("\"text\":\"second\"") != std::string::npos);
    QCOMPARE(f.backend->calls.load(), 1);
    // And the new version's hits come back through the fast path.
    QCOMPARE(f.post(kBody)->header("x-lmfront-cache"), std::string("hit"));
    const auto fast = f.post(kBody);
    QVERIFY(fast->response.body.find("\"text\":\"second\"") != std::string::npos);
    // Recognised three times: twice as v1's entry (turned down: wrong version), then as v2's.
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(3));
  }

  void noCacheBypassesTheFastPath() {
    Fixture f;
    f.warm();
    const int admitsBefore = f.admits;
    const auto r = f.post(kBody, {{"Cache-Control", "no-cache"}});
    QCOMPARE(r->header("x-lmfront-cache"), std::string("bypass"));
    QCOMPARE(f.backend->calls.load(), 2);
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(0));
    QCOMPARE(f.admits, admitsBefore + 1);
  }

  void aDifferentByteMissesTheMemo() {
    Fixture f;
    f.warm();
    // Same meaning, other bytes: the full path finds the same cache entry.
    const std::string spaced = R"({"model":"m", "prompt":"hello world","max_tokens":8,"seed":1})";
    QCOMPARE(f.post(spaced)->header("x-lmfront-cache"), std::string("hit"));
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(0));
    // Other meaning: a miss and a generation.
    const std::string seed2 = R"({"model":"m","prompt":"hello world","max_tokens":8,"seed":2})";
    QCOMPARE(f.post(seed2)->header("x-lmfront-cache"), std::string("miss"));
    QCOMPARE(f.backend->calls.load(), 2);
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(0));
  }

  void expiredEntryIsNotServed() {
    ServiceOptions options;
    options.cache.ttl = std::chrono::seconds(30);
    options.cache.local.defaultTtl = std::chrono::seconds(30);
    Fixture f(options);
    f.warm();
    f.clock.advance(std::chrono::seconds(31));
    const auto r = f.post(kBody);
    QCOMPARE(r->header("x-lmfront-cache"), std::string("miss"));
    QCOMPARE(f.backend->calls.load(), 2);
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(1));  // recognised, then the cache said no
  }

  void refilledEntryIsRenderedAgain() {
    Fixture f;
    f.warm();
    // The cache entry is replaced behind the memo's back (as a Redis fill or a refill would).
    const auto table = f.service->table();
    f.service->responseCache()->tiers().local().clear();
    QCOMPARE(f.post(kBody)->header("x-lmfront-cache"), std::string("miss"));  // the memo does not outlive the cache
    QCOMPARE(f.backend->calls.load(), 2);
    const int admitsBefore = f.admits;
    const auto again = f.post(kBody);  // recognised, but the value is a new one: full path, one admit
    QCOMPARE(again->header("x-lmfront-cache"), std::string("hit"));
    QCOMPARE(f.admits, admitsBefore + 1);
    QCOMPARE(f.metric("lmfront_cache_hits_total{tier=\"local\"} "), std::uint64_t(2));  // not counted twice
    const auto fast = f.post(kBody);
    QCOMPARE(fast->header("x-lmfront-cache"), std::string("hit"));
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(3));
  }

  void chatAndCompletionsDoNotShareEntries() {
    Fixture f;
    const std::string both = R"({"model":"m","prompt":"hi","messages":[{"role":"user","content":"hi"}],"seed":1})";
    f.warm(both);
    const auto chat = f.post(both, {}, "/v1/chat/completions");
    QVERIFY(chat->response.body.find("\"object\":\"chat.completion\"") != std::string::npos);
    QVERIFY(jsonField(chat->response.body, "id").starts_with("chatcmpl-"));
    QCOMPARE(f.post(both, {}, "/v1/chat/completions")->header("x-lmfront-cache"), std::string("hit"));
    const auto fastChat = f.post(both, {}, "/v1/chat/completions");
    QVERIFY(fastChat->response.body.find("\"object\":\"chat.completion\"") != std::string::npos);
    QVERIFY(jsonField(fastChat->response.body, "id").starts_with("chatcmpl-"));
    const auto fastText = f.post(both);
    QVERIFY(fastText->response.body.find("\"object\":\"text_completion\"") != std::string::npos);
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(2));
  }

  void streamingHitsTakeTheFullPath() {
    Fixture f;
    const std::string stream = R"({"model":"m","prompt":"hello world","seed":1,"stream":true})";
    f.post(stream);
    for (int i = 0; i < 3; ++i) {
      const auto r = f.post(stream);
      QCOMPARE(r->header("x-lmfront-cache"), std::string("hit"));
      QVERIFY(r->response.body.find("data: [DONE]") != std::string::npos);
    }
    QCOMPARE(f.service->hitMemoSize(), std::size_t(0));
  }

  void overheadIsPrintedInMilliseconds_data() {
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << u"0.000"_qs;
    QTest::newRow("rounds down") << qint64(1'234'499) << u"1.234"_qs;
    QTest::newRow("rounds up") << qint64(1'234'500) << u"1.235"_qs;
    QTest::newRow("carries") << qint64(999'500) << u"1.000"_qs;
    QTest::newRow("sub-microsecond") << qint64(499) << u"0.000"_qs;
    QTest::newRow("large") << qint64(12'345'678'901) << u"12345.679"_qs;
    QTest::newRow("negative") << qint64(-2'500'000) << u"-2.500"_qs;
  }
  void overheadIsPrintedInMilliseconds() {
    QFETCH(qint64, ns);
    QFETCH(QString, text);
    const HeaderList h = gatewayHeaders("b", "hit", std::chrono::nanoseconds(ns));
    QCOMPARE(h.size(), std::size_t(3));
    QCOMPARE(h[2].first, std::string("x-lmfront-overhead-ms"));
    QCOMPARE(QString::fromStdString(h[2].second), text);
  }

  void fastPathCanBeTurnedOff() {
    ServiceOptions options;
    options.hitMemo = false;
    Fixture f(options);
    f.warm();
    QCOMPARE(f.post(kBody)->header("x-lmfront-cache"), std::string("hit"));
    QCOMPARE(f.service->hitMemoSize(), std::size_t(0));
    QCOMPARE(f.service->hitMemoFound(), std::uint64_t(0));
  }
};

class TstOpenAiApiShapes : public QObject {
  Q_OBJECT

private Q_SLOTS:
  // Batch prompts × n: choices indexed prompt_i * n + j, each with completions' logprobs shape;
  // such answers are not cached.
  void richAnswersAreIndexedAndNotCached() {
    Fixture f;
    f.backend->passes = false;
    const std::string body = R"({"model":"m","prompt":["a","b"],"n":2,"logprobs":1,"seed":3})";
    const auto r = f.post(body);
    QCOMPARE(r->response.status, 200);
    QCOMPARE(r->header("x-lmfront-cache"), std::string("bypass"));
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(r->response.body)).object();
    const QJsonArray choices = o[u"choices"].toArray();
    QCOMPARE(choices.size(), 4);
    for (int i = 0; i < 4; ++i) {
      const QJsonObject c = choices[i].toObject();
      QCOMPARE(c[u"index"].toInt(), i);
      QCOMPARE(c[u"text"].toString(), QStringLiteral("first"));
      QCOMPARE(c[u"finish_reason"].toString(), QStringLiteral("length"));
      const QJsonObject lp = c[u"logprobs"].toObject();
      QCOMPARE(lp[u"tokens"].toArray()[0].toString(), QStringLiteral("first"));
      QCOMPARE(lp[u"token_logprobs"].toArray()[0].toDouble(), -0.5);
      QCOMPARE(lp[u"top_logprobs"].toArray()[0].toObject()[u"first"].toDouble(), -0.5);
      QCOMPARE(lp[u"text_offset"].toArray()[0].toInt(), 0);
    }
    QCOMPARE(o[u"usage"].toObject()[u"completion_tokens"].toInt(), 4);
    f.post(body);
    QCOMPARE(f.backend->calls.load(), 2);
  }

  // A field the engine cannot honour is a 400 naming it, and no backend is asked.
  void uninterpretedFieldsAreRefusedNamingThem() {
    Fixture f;
    f.backend->passes = false;
    const auto r = f.post(R"({"model":"m","prompt":"x","suffix":"y"})");
    QCOMPARE(r->response.status, 400);
    const QJsonObject e =
        QJsonDocument::fromJson(QByteArray::fromStdString(r->response.body)).object()[u"error"].toObject();
    QCOMPARE(e[u"param"].toString(), QStringLiteral("suffix"));
    QCOMPARE(e[u"code"].toString(), QStringLiteral("unsupported_parameter"));
    const auto tools =
        f.post(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[]})", {}, "/v1/chat/completions");
    QCOMPARE(tools->response.status, 400);
    const auto embeddings = f.post(R"({"model":"m","input":"x"})", {}, "/v1/embeddings");
    QCOMPARE(embeddings->response.status, 400);
    QVERIFY(embeddings->response.body.find("/v1/embeddings") != std::string::npos);
    QCOMPARE(f.backend->calls.load(), 0);
  }

  // Even a backend that takes unknown fields is never handed one without a name.
  void aFieldWithAnEmptyNameIsRefused() {
    Fixture f;
    const auto r = f.post(R"({"model":"m","prompt":"x","":1})");
    QCOMPARE(r->response.status, 400);
    QVERIFY(r->response.body.find("empty name") != std::string::npos);
    QCOMPARE(f.backend->calls.load(), 0);
  }

  void responsesStreamTypedEventsInOrder() {
    Fixture f;
    f.backend->passes = false;
    const auto whole = f.post(R"({"model":"m","input":"hi","max_output_tokens":5})", {}, "/v1/responses");
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(whole->response.body)).object();
    QCOMPARE(o[u"object"].toString(), QStringLiteral("response"));
    QCOMPARE(o[u"status"].toString(), QStringLiteral("completed"));
    QCOMPARE(o[u"output"].toArray()[0].toObject()[u"content"].toArray()[0].toObject()[u"text"].toString(),
             QStringLiteral("first"));
    QVERIFY(o[u"id"].toString().startsWith(u"resp_"));
    const auto stream = f.post(R"({"model":"m","input":"hi","stream":true})", {}, "/v1/responses");
    std::vector<std::string> types;
    std::size_t at = 0;
    while ((at = stream->response.body.find("event: ", at)) != std::string::npos) {
      const auto end = stream->response.body.find('\n', at);
      types.push_back(stream->response.body.substr(at + 7, end - at - 7));
      at = end;
    }
    QCOMPARE(types, (std::vector<std::string>{"response.created", "response.in_progress", "response.output_item.added",
                                              "response.content_part.added", "response.output_text.delta",
                                              "response.output_text.done", "response.content_part.done",
                                              "response.output_item.done", "response.completed"}));
  }
};

int main(int argc, char **argv) {
  TstOpenAiService service;
  TstOpenAiApiShapes shapes;
  return QTest::qExec(&service, argc, argv) | QTest::qExec(&shapes, argc, argv);
}
#include "tst_openaiservice.moc"
