#include "gateway/pool/upstreambackend.h"

#include "gateway/openai/jsonwriter.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lmfront::gateway::pool {

using openai::FinishReason;
using openai::GenerationSink;
using openai::Usage;

namespace {
constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::size_t kMaxJsonBody = 16 * 1024 * 1024;

QJsonObject parseObject(std::string_view text) {
  return QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), static_cast<qsizetype>(text.size()))).object();
}

std::string toStd(const QString &s) { return s.toStdString(); }

bool isEventStream(const HeaderList &headers) {
  for (const auto &[name, value] : headers)
    if (equalsIgnoreCase(name, "content-type")) return value.find("text/event-stream") != std::string::npos;
  return false;
}

// Drives one generation: SSE or JSON in, sink calls out.
class GenerateHandler final : public upstream::ResponseHandler {
public:
  explicit GenerateHandler(std::shared_ptr<GenerationSink> sink) : m_sink(std::move(sink)) {}

  void onHead(int status, const HeaderList &headers) override {
    m_status = status;
    m_sse = isEventStream(headers);
  }
  void onBody(std::string_view data) override {
    if (m_done) return;
    if (m_status != 200) {
      if (m_body.size() < kMaxErrorBody) m_body.append(data.substr(0, kMaxErrorBody - m_body.size()));
      return;
    }
    if (!m_sse) {
      if (m_body.size() + data.size() > kMaxJsonBody) return fail(Status::unavailable("upstream answer too large"));
      m_body.append(data);
      return;
    }
    m_body.append(data);
    // Events end with a blank line; lines may end with \n or \r\n.
    std::size_t start = 0;
    for (;;) {
      const auto nl = m_body.find('\n', start);
      if (nl == std::string::npos) break;
      std::string_view line(m_body.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      start = nl + 1;
      if (line.substr(0, 5) == "data:") {
        std::string_view payload = line.substr(5);
        if (!payload.empty() && payload.front() == ' ') payload.remove_prefix(1);
        onEvent(payload);
        if (m_done) return;
      }
    }
    m_body.erase(0, start);
  }
  void onComplete(const Status &status) override {
    if (m_done) return;
    if (!status.isOk()) return fail(status);
    if (m_status != 200) return fail(statusForHttpError(m_status, m_body));
    if (!m_sse) {
      const QJsonObject o = parseObject(m_body);
      if (o.isEmpty()) return fail(Status::unavailable("upstream answered with invalid JSON"));
      onChunk(o, true);
      if (m_done) return;
    }
    finish();
  }
  bool cancelled() const override { return m_sink->cancelled(); }

private:
  void onEvent(std::string_view payload) {
    if (payload == "[DONE]") return finish();
    const QJsonObject o = parseObject(payload);
    if (o.isEmpty()) return;  // comments / keep-alives / unknown events
    onChunk(o, false);
  }
  void onChunk(const QJsonObject &o, bool whole) {
    if (o.contains(u"error")) {
      const QString message = o[u"error"].toObject()[u"message"].toString();
      return fail(Status::unavailable("upstream error: " + toStd(message)));
    }
    const QJsonArray choices = o[u"choices"].toArray();
    if (!choices.isEmpty()) {
      const QJsonObject c = choices.first().toObject();
      QJsonValue text = c[u"text"];
      if (text.isUndefined()) text = c[whole ? u"message" : u"delta"].toObject()[u"content"];
      const QString piece = text.toString();
      if (!piece.isEmpty()) {
        const QByteArray utf8 = piece.toUtf8();
        ++m_deltas;
        m_sink->onToken(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
      }
      const QString reason = c[u"finish_reason"].toString();
      if (reason == u"length")
        m_finish = FinishReason::Length;
      else if (!reason.isEmpty())
        m_finish = FinishReason::Stop;
    }
    if (o[u"usage"].isObject()) {
      const QJsonObject u = o[u"usage"].toObject();
      m_usage.promptTokens = u[u"prompt_tokens"].toInt();
      m_usage.completionTokens = u[u"completion_tokens"].toInt();
      m_haveUsage = true;
    }
  }
  void finish() {
    if (m_done) return;
    m_done = true;
    if (!m_haveUsage) m_usage.completionTokens = m_deltas;
    m_sink->onDone(m_finish, m_usage);
  }
  void fail(const Status &status) {
    if (m_done) return;
    m_done = true;
    m_sink->onError(status);
  }

  std::shared_ptr<GenerationSink> m_sink;
  int m_status = 0;
  bool m_sse = false;
  bool m_done = false;
  bool m_haveUsage = false;
  int m_deltas = 0;
  std::string m_body;
  FinishReason m_finish = FinishReason::Stop;
  Usage m_usage;
};

class ScoreHandler final : public upstream::ResponseHandler {
public:
  explicit ScoreHandler(std::function<void(Result<openai::ScoreResult>)> done) : m_done(std::move(done)) {}
  void onHead(int status, const HeaderList &) override { m_status = status; }
  void onBody(std::string_view data) override {
    if (m_body.size() + data.size() <= kMaxJsonBody) m_body.append(data);
  }
  void onComplete(const Status &status) override {
    if (!status.isOk()) return m_done(status);
    if (m_status != 200) return m_done(statusForHttpError(m_status, m_body));
    const QJsonObject o = parseObject(m_body);
    if (!o[u"tokens"].isArray()) return m_done(Status::unavailable("upstream score answer has no tokens"));
    openai::ScoreResult r;
    for (const auto &v : o[u"tokens"].toArray()) {
      const QJsonObject t = v.toObject();
      r.tokens.push_back(
          {toStd(t[u"token"].toString()), t[u"log10_prob"].toDouble(), t[u"ngram"].toInt(), t[u"oov"].toBool()});
    }
    r.log10Prob = o[u"log10_prob"].toDouble();
    r.perplexity = o[u"perplexity"].toDouble();
    r.oov = o[u"oov"].toInt();
    m_done(std::move(r));
  }

private:
  std::function<void(Result<openai::ScoreResult>)> m_done;
  int m_status = 0;
  std::string m_body;
};
}  // namespace

Status statusForHttpError(int httpStatus, std::string_view body) {
  std::string message = "upstream answered " + std::to_string(httpStatus);
  const QString detail = parseObject(body)[u"error"].toObject()[u"message"].toString();
  if (!detail.isEmpty()) message += ": " + toStd(detail);
  if (httpStatus == 400 || httpStatus == 422) return Status::invalidArgument(message);
  if (httpStatus == 401 || httpStatus == 403) return Status::permissionDenied(message);
  if (httpStatus == 404) return Status::notFound(message);
  if (httpStatus == 429) return Status::resourceExhausted(message);
  if (httpStatus == 504) return Status::deadlineExceeded(message);
  if (httpStatus >= 500 && httpStatus != 502 && httpStatus != 503) return Status::internal(message);
  return Status::unavailable(message);
}

Result<std::shared_ptr<UpstreamBackend>> UpstreamBackend::create(UpstreamOptions options,
                                                                 upstream::HttpClient &client) {
  auto target = upstream::parseHttpUrl(options.url);
  if (!target) return target.status();
  if (options.model.empty()) return Status::invalidArgument("upstream " + options.url + ": no model name");
  return std::shared_ptr<UpstreamBackend>(new UpstreamBackend(std::move(options), std::move(*target), client));
}

upstream::ClientRequest UpstreamBackend::baseRequest(std::string path, std::string body) const {
  upstream::ClientRequest r;
  r.host = m_target.host;
  r.port = m_target.port;
  r.method = "POST";
  r.target = m_target.basePath + path;
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", "text/event-stream, application/json");
  if (!m_options.apiKey.empty()) r.headers.emplace_back("Authorization", "Bearer " + m_options.apiKey);
  r.body = std::move(body);
  r.timeouts = m_options.timeouts;
  return r;
}

std::string UpstreamBackend::requestBody(const openai::CompletionRequest &request) const {
  openai::JsonWriter w;
  w.beginObject().key("model").string(m_options.model);
  if (request.chat) {
    w.key("messages").beginArray();
    for (const auto &m : request.messages)
      w.beginObject().key("role").string(m.role).key("content").string(m.content).endObject();
    w.endArray();
  } else {
    w.key("prompt").string(request.prompt);
  }
  const auto &p = request.params;
  w.key("max_tokens").integer(p.maxTokens).key("temperature").number(p.temperature).key("top_p").number(p.topP);
  if (p.topK > 0) w.key("top_k").integer(p.topK);
  if (p.seed) w.key("seed").integer(static_cast<std::int64_t>(*p.seed));
  if (!p.stop.empty()) {
    w.key("stop").beginArray();
    for (const auto &s : p.stop) w.string(s);
    w.endArray();
  }
  if (!request.user.empty()) w.key("user").string(request.user);
  w.key("stream").boolean(true);
  w.key("stream_options").beginObject().key("include_usage").boolean(true).endObject();
  w.endObject();
  return w.take();
}

void UpstreamBackend::generate(const openai::CompletionRequest &request, std::shared_ptr<GenerationSink> sink) {
  auto r = baseRequest(request.chat ? "/v1/chat/completions" : "/v1/completions", requestBody(request));
  m_client.send(std::move(r), std::make_shared<GenerateHandler>(std::move(sink)));
}

void UpstreamBackend::score(const openai::ScoreRequest &request,
                            std::function<void(Result<openai::ScoreResult>)> done) {
  if (m_options.kind != UpstreamKind::Lmfront)
    return done(Status::unimplemented("upstream " + m_options.url + " is not an lmfront node: no /v1/score"));
  openai::JsonWriter w;
  w.beginObject().key("model").string(m_options.model).key("text").string(request.text).endObject();
  m_client.send(baseRequest("/v1/score", w.take()), std::make_shared<ScoreHandler>(std::move(done)));
}

}  // namespace lmfront::gateway::pool
