// The request path of a model under a canary or shadow deployment (pool/deployment.h). Only
// requests whose stable pool carries a Deployment come here; the plain path never does.
#include "gateway/openai/completionsink.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <mutex>

namespace lmfront::gateway::openai {

namespace {

// The generated text of a non-streamed completion or chat answer; nullopt when it is not one.
std::optional<std::string> answerText(const std::string &body) {
  const QJsonObject choice = QJsonDocument::fromJson(QByteArray::fromStdString(body))
                                 .object()
                                 .value(QLatin1String("choices"))
                                 .toArray()
                                 .at(0)
                                 .toObject();
  if (const QJsonValue text = choice.value(QLatin1String("text")); text.isString())
    return text.toString().toStdString();
  if (const QJsonValue content = choice.value(QLatin1String("message")).toObject().value(QLatin1String("content"));
      content.isString())
    return content.toString().toStdString();
  return std::nullopt;
}

// Where the two answers of a shadowed request meet; the second to arrive compares them. Only
// deterministic requests are compared: a sampled answer differs from run to run anyway.
class ShadowComparison {
public:
  ShadowComparison(const pool::Deployment &deployment, bool deterministic)
      : m_compared(deployment.shadowCompared),
        m_agreement(deployment.shadowAgreement),
        m_deterministic(deterministic) {}

  void answered(bool shadow, int status, std::string body) {
    std::unique_lock lock(m_mutex);
    (shadow ? m_shadow : m_stable) = Answer{status, std::move(body)};
    if (!m_stable || !m_shadow || !m_deterministic) return;
    if (m_stable->status != 200 || m_shadow->status != 200) return;
    const auto stable = answerText(m_stable->body);
    const auto mirrored = answerText(m_shadow->body);
    lock.unlock();
    if (!stable || !mirrored) return;
    if (m_compared) m_compared->inc();
    if (m_agreement && *stable == *mirrored) m_agreement->inc();
  }

private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  observe::Counter *m_compared;
  observe::Counter *m_agreement;
  const bool m_deterministic;
  std::mutex m_mutex;
  std::optional<Answer> m_stable, m_shadow;  // GUARDED_BY(m_mutex)
};

// The client's responder, also telling the comparison what the client got.
class TeeResponder final : public Responder {
public:
  TeeResponder(ResponderPtr client, std::shared_ptr<ShadowComparison> comparison)
      : m_client(std::move(client)), m_comparison(std::move(comparison)) {}
  void respond(HttpResponse response) override {
    const int status = response.status;
    std::string body = response.body;
    m_client->respond(std::move(response));
    m_comparison->answered(false, status, std::move(body));
  }
  // Streams are not shadowed; these forward only.
  void beginStream(int status, HeaderList headers) override { m_client->beginStream(status, std::move(headers)); }
  void writeChunk(std::string data) override { m_client->writeChunk(std::move(data)); }
  void endStream() override { m_client->endStream(); }
  bool isOpen() const override { return m_client->isOpen(); }

private:
  ResponderPtr m_client;
  std::shared_ptr<ShadowComparison> m_comparison;
};

// Where the shadow's answer goes instead of a client: to the comparison, then nowhere.
class ShadowResponder final : public Responder {
public:
  explicit ShadowResponder(std::shared_ptr<ShadowComparison> comparison) : m_comparison(std::move(comparison)) {}
  void respond(HttpResponse response) override {
    m_comparison->answered(true, response.status, std::move(response.body));
  }
  void beginStream(int, HeaderList) override {}
  void writeChunk(std::string) override {}
  void endStream() override {}
  bool isOpen() const override { return true; }

private:
  std::shared_ptr<ShadowComparison> m_comparison;
};

}  // namespace

void routeToVariant(CompletionContext &ctx, const HttpRequest &http) {
  const pool::Deployment &deployment = *ctx.pool->deployment;
  const bool chosen = deployment.chooseVariant(deployment.sticky ? hashKeyOf(deployment.key, ctx.request, http) : "");
  if (deployment.kind == pool::Variant::Canary && chosen) {
    ctx.pool = deployment.variant;
    ctx.hashKey = poolHashKey(*ctx.pool, ctx.request, http);
    ctx.variant = &deployment.other;
    return;
  }
  ctx.variant = &deployment.stable;
  const bool mirrorable = ctx.request.api == ApiKind::Completions || ctx.request.api == ApiKind::Chat;
  if (deployment.kind != pool::Variant::Shadow || !chosen || !mirrorable || ctx.request.stream) return;
  auto comparison = std::make_shared<ShadowComparison>(deployment, ctx.request.params.deterministic());
  CompletionContext mirror;
  mirror.shared = ctx.shared->mirror;
  mirror.responder = std::make_shared<ShadowResponder>(comparison);
  mirror.request = ctx.request;
  mirror.meta = newResponseMeta(ctx.request.model, ctx.request.api);
  mirror.arrived = ctx.arrived;
  mirror.pool = deployment.variant;
  mirror.table = ctx.table;
  mirror.hashKey = poolHashKey(*mirror.pool, mirror.request, http);
  mirror.variant = &deployment.other;
  ctx.responder = std::make_shared<TeeResponder>(std::move(ctx.responder), std::move(comparison));
  dispatchToBackend(std::move(mirror));
}

void recordVariant(const CompletionContext &ctx, int httpStatus) {
  if (ctx.variant)
    ctx.variant->record(httpStatus, std::chrono::duration<double>(ctx.shared->clock.now() - ctx.arrived).count());
}

}  // namespace lmfront::gateway::openai
