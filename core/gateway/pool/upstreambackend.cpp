#include "gateway/pool/upstreambackend.h"

#include "gateway/http/tlscontext.h"
#include "gateway/openai/jsonwriter.h"
#include "gateway/pool/modeltable.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

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
  GenerateHandler(std::shared_ptr<GenerationSink> sink, bool rich) : m_sink(std::move(sink)), m_rich(rich) {}

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
    // Responses streams end with response.completed and no [DONE]: finish() follows at the end of the body.
    const QJsonObject o = parseObject(payload);
    if (o.isEmpty()) return;  // comments / keep-alives / unknown events
    onChunk(o, false);
  }
  void onChunk(const QJsonObject &o, bool whole) {
    if (o.contains(u"error") && !o[u"error"].isNull()) {
      const QString message = o[u"error"].toObject()[u"message"].toString();
      return fail(Status::unavailable("upstream error: " + toStd(message)));
    }
    if (o.contains(u"type") || o[u"object"].toString() == u"response") return onResponsesEvent(o);
    for (const QJsonValue &v : o[u"choices"].toArray()) {
      const QJsonObject c = v.toObject();
      QJsonValue text = c[u"text"];
      if (text.isUndefined()) text = c[whole ? u"message" : u"delta"].toObject()[u"content"];
      if (m_rich)
        richPiece(c[u"index"].toInt(), text.toString(), c[u"logprobs"].toObject());
      else if (c[u"index"].toInt() == 0)
        piece(text.toString());
      const QString reason = c[u"finish_reason"].toString();
      if (reason.isEmpty()) continue;
      const FinishReason finish = reason == u"length" ? FinishReason::Length : FinishReason::Stop;
      if (m_rich) m_sink->onChoiceDone(c[u"index"].toInt(), finish);
      m_finish = finish;
    }
    if (o[u"usage"].isObject()) {
      const QJsonObject u = o[u"usage"].toObject();
      m_usage.promptTokens = u[u"prompt_tokens"].toInt();
      m_usage.completionTokens = u[u"completion_tokens"].toInt();
      m_haveUsage = true;
    }
  }
  void piece(const QString &text) {
    if (text.isEmpty()) return;
    const QByteArray utf8 = text.toUtf8();
    ++m_deltas;
    m_sink->onToken(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
  }
  // A choice's piece with its log-probabilities in either shape (completions' parallel arrays or
  // chat's content list): one sink call per token when they are there, else one for the piece.
  void richPiece(int index, const QString &text, const QJsonObject &logprobs) {
    std::vector<openai::TokenLogprob> tokens;
    if (logprobs[u"content"].isArray()) {
      for (const QJsonValue &v : logprobs[u"content"].toArray()) {
        const QJsonObject t = v.toObject();
        openai::TokenLogprob lp{toStd(t[u"token"].toString()), t[u"logprob"].toDouble(), {}};
        for (const QJsonValue &alt : t[u"top_logprobs"].toArray())
          lp.top.emplace_back(toStd(alt[u"token"].toString()), alt[u"logprob"].toDouble());
        tokens.push_back(std::move(lp));
      }
    } else if (logprobs[u"tokens"].isArray()) {
      const QJsonArray names = logprobs[u"tokens"].toArray(), values = logprobs[u"token_logprobs"].toArray(),
                       tops = logprobs[u"top_logprobs"].toArray();
      for (qsizetype k = 0; k < names.size(); ++k) {
        openai::TokenLogprob lp{toStd(names[k].toString()), values[k].toDouble(), {}};
        const QJsonObject top = tops[k].toObject();
        for (auto it = top.begin(); it != top.end(); ++it) lp.top.emplace_back(toStd(it.key()), it.value().toDouble());
        std::sort(lp.top.begin(), lp.top.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
        tokens.push_back(std::move(lp));
      }
    }
    std::string joined;
    for (const auto &t : tokens) joined += t.token;
    const std::string whole = toStd(text);
    if (!tokens.empty() && joined == whole) {
      for (const auto &t : tokens) {
        ++m_deltas;
        m_sink->onChoiceToken(index, t.token, &t);
      }
    } else if (!whole.empty()) {
      ++m_deltas;
      m_sink->onChoiceToken(index, whole, tokens.empty() ? nullptr : &tokens.front());
    }
  }
  // The Responses API: streamed typed events, or one response object.
  void onResponsesEvent(const QJsonObject &o) {
    const QString type = o[u"type"].toString();
    if (type == u"response.output_text.delta") return piece(o[u"delta"].toString());
    if (type == u"response.failed") return fail(Status::unavailable("upstream response failed"));
    const QJsonObject r = type.isEmpty() ? o : o[u"response"].toObject();
    if (!type.isEmpty() && type != u"response.completed" && type != u"response.incomplete") return;
    if (type.isEmpty())  // a whole response: its text is in its output messages
      for (const QJsonValue &item : r[u"output"].toArray())
        for (const QJsonValue &part : item[u"content"].toArray()) piece(part[u"text"].toString());
    if (r[u"status"].toString() == u"incomplete") m_finish = FinishReason::Length;
    const QJsonObject u = r[u"usage"].toObject();
    if (!u.isEmpty()) {
      m_usage.promptTokens = u[u"input_tokens"].toInt();
      m_usage.completionTokens = u[u"output_tokens"].toInt();
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
  bool m_rich = false;
  int m_status = 0;
  bool m_sse = false;
  bool m_done = false;
  bool m_haveUsage = false;
  int m_deltas = 0;
  std::string m_body;
  FinishReason m_finish = FinishReason::Stop;
  Usage m_usage;
};

// Relays a pass-through answer: a 200's bytes go to the sink as they arrive; an error status is a
// Status like every upstream failure (so retries, breakers and the error body are the same).
class RawHandler final : public upstream::ResponseHandler {
public:
  explicit RawHandler(std::shared_ptr<GenerationSink> sink) : m_sink(std::move(sink)) {}
  void onHead(int status, const HeaderList &headers) override {
    m_status = status;
    if (status != 200) return;
    std::string type = "application/json";
    for (const auto &[name, value] : headers)
      if (equalsIgnoreCase(name, "content-type")) type = value;
    m_json = type.find("json") != std::string::npos;
    m_sink->onRawBegin(type);
  }
  void onBody(std::string_view data) override {
    if (m_status == 200) {
      m_bytes += data.size();
      if (m_bytes > kMaxJsonBody) return;
      m_sink->onRawBytes(data);
      if (m_json) m_body.append(data);  // for its usage, which token limits charge
    } else if (m_body.size() < kMaxErrorBody) {
      m_body.append(data.substr(0, kMaxErrorBody - m_body.size()));
    }
  }
  void onComplete(const Status &status) override {
    if (!status.isOk()) return m_sink->onError(status);
    if (m_status != 200) return m_sink->onError(statusForHttpError(m_status, m_body));
    if (m_bytes > kMaxJsonBody) return m_sink->onError(Status::unavailable("upstream answer too large"));
    const QJsonObject usage = m_json ? parseObject(m_body)[u"usage"].toObject() : QJsonObject();
    Usage u;
    u.promptTokens = usage[u"prompt_tokens"].toInt();
    u.completionTokens = usage[u"completion_tokens"].toInt();
    m_sink->onDone(FinishReason::Stop, u);
  }
  bool cancelled() const override { return m_sink->cancelled(); }

private:
  std::shared_ptr<GenerationSink> m_sink;
  int m_status = 0;
  bool m_json = false;
  std::size_t m_bytes = 0;
  std::string m_body;  // an error's body, or a JSON answer's copy
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
  if (!target->tls && !options.caFile.empty())
    return Status::invalidArgument("upstream " + options.url + ": a CA file applies to https:// only");
  std::shared_ptr<const TlsContext> tls;
  if (target->tls) {
    auto context = TlsContext::client(options.caFile);
    // A CA file the node cannot read is a mistake in the pool's configuration.
    if (!context) return Status::invalidArgument("upstream " + options.url + ": " + context.status().message());
    tls = std::move(*context);
  }
  return std::shared_ptr<UpstreamBackend>(
      new UpstreamBackend(std::move(options), std::move(*target), std::move(tls), client));
}

upstream::ClientRequest UpstreamBackend::baseRequest(std::string path, std::string body) const {
  upstream::ClientRequest r;
  r.host = m_target.host;
  r.port = m_target.port;
  r.tls = m_tls;
  r.method = "POST";
  r.target = m_target.basePath + path;
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", "text/event-stream, application/json");
  if (!m_options.apiKey.empty()) r.headers.emplace_back("Authorization", "Bearer " + m_options.apiKey);
  r.body = std::move(body);
  r.timeouts = m_options.timeouts;
  return r;
}

void UpstreamBackend::addForwarding(upstream::ClientRequest &r, const std::string &authorization) const {
  if (m_forwardedBy.empty()) return;
  r.headers.emplace_back(std::string(kForwardedByHeader), m_forwardedBy);
  if (m_options.apiKey.empty() && !authorization.empty()) r.headers.emplace_back("Authorization", authorization);
}

std::string UpstreamBackend::requestBody(const openai::CompletionRequest &request) const {
  using openai::ApiKind;
  openai::JsonWriter w;
  w.beginObject().key("model").string(m_options.model);
  const auto &p = request.params;
  if (request.api == ApiKind::Responses) {
    if (!request.instructions.empty()) w.key("instructions").string(request.instructions);
    w.key("input").beginArray();
    for (std::size_t i = request.instructions.empty() ? 0 : 1; i < request.messages.size(); ++i)
      w.beginObject()
          .key("role")
          .string(request.messages[i].role)
          .key("content")
          .string(request.messages[i].content)
          .endObject();
    w.endArray().key("max_output_tokens").integer(p.maxTokens);
  } else if (request.chat) {
    w.key("messages").beginArray();
    for (const auto &m : request.messages)
      w.beginObject().key("role").string(m.role).key("content").string(m.content).endObject();
    w.endArray();
    w.key("max_tokens").integer(p.maxTokens);
  } else {
    w.key("prompt");
    if (request.batch.empty()) {
      w.string(request.prompt);
    } else {
      w.beginArray();
      for (const auto &prompt : request.batch) w.string(prompt);
      w.endArray();
    }
    w.key("max_tokens").integer(p.maxTokens);
  }
  w.key("temperature").number(p.temperature).key("top_p").number(p.topP);
  if (p.topK > 0) w.key("top_k").integer(p.topK);
  if (p.seed) w.key("seed").integer(static_cast<std::int64_t>(*p.seed));
  if (!p.stop.empty()) {
    w.key("stop").beginArray();
    for (const auto &s : p.stop) w.string(s);
    w.endArray();
  }
  // The other sampling controls only when the client set them (an OpenAI upstream knows few).
  if (p.minP > 0) w.key("min_p").number(p.minP);
  if (p.presencePenalty != 0) w.key("presence_penalty").number(p.presencePenalty);
  if (p.frequencyPenalty != 0) w.key("frequency_penalty").number(p.frequencyPenalty);
  if (p.repetitionPenalty != 1.0) w.key("repetition_penalty").number(p.repetitionPenalty);
  if (p.minTokens > (request.chat ? 1 : 0)) w.key("min_tokens").integer(p.minTokens);
  if (p.ignoreEos) w.key("ignore_eos").boolean(true);
  if (!p.logitBias.empty()) {
    w.key("logit_bias").beginObject();
    for (const auto &[id, bias] : p.logitBias) w.key(std::to_string(id)).number(bias);
    w.endObject();
  }
  if (request.n > 1) w.key("n").integer(request.n);
  if (request.bestOf > 0) w.key("best_of").integer(request.bestOf);
  if (request.echo) w.key("echo").boolean(true);
  if (request.logprobs >= 0) {
    if (request.chat)
      w.key("logprobs").boolean(true).key("top_logprobs").integer(request.logprobs);
    else
      w.key("logprobs").integer(request.logprobs);
  }
  for (const auto &[name, json] : request.passThrough) w.key(name).raw(json);
  if (!request.user.empty()) w.key("user").string(request.user);
  // best_of > n cannot stream (OpenAI refuses it): that answer comes as one JSON body.
  const bool stream = request.bestOf <= request.n;
  w.key("stream").boolean(stream);
  if (stream && request.api != ApiKind::Responses)
    w.key("stream_options").beginObject().key("include_usage").boolean(true).endObject();
  w.endObject();
  return w.take();
}

void UpstreamBackend::generate(const openai::CompletionRequest &request, std::shared_ptr<GenerationSink> sink) {
  if (request.api == openai::ApiKind::PassThrough) {
    // As sent, but for the model's name on this upstream.
    QJsonObject o = parseObject(request.body);
    o[u"model"] = QString::fromStdString(m_options.model);
    const QByteArray body = QJsonDocument(o).toJson(QJsonDocument::Compact);
    auto r = baseRequest(request.path, std::string(body.constData(), static_cast<std::size_t>(body.size())));
    addForwarding(r, request.authorization);
    return m_client.send(std::move(r), std::make_shared<RawHandler>(std::move(sink)));
  }
  const char *path = request.api == openai::ApiKind::Responses ? "/v1/responses"
                     : request.chat                            ? "/v1/chat/completions"
                                                               : "/v1/completions";
  auto r = baseRequest(path, requestBody(request));
  addForwarding(r, request.authorization);
  m_client.send(std::move(r), std::make_shared<GenerateHandler>(std::move(sink), request.rich()));
}

void UpstreamBackend::score(const openai::ScoreRequest &request,
                            std::function<void(Result<openai::ScoreResult>)> done) {
  if (m_options.kind != UpstreamKind::Lmfront)
    return done(Status::unimplemented("upstream " + m_options.url + " is not an lmfront node: no /v1/score"));
  openai::JsonWriter w;
  w.beginObject().key("model").string(m_options.model).key("text").string(request.text).endObject();
  auto r = baseRequest("/v1/score", w.take());
  addForwarding(r, request.authorization);
  m_client.send(std::move(r), std::make_shared<ScoreHandler>(std::move(done)));
}

}  // namespace lmfront::gateway::pool
