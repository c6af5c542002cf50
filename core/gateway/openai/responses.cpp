#include "gateway/openai/responses.h"

#include "gateway/openai/jsonwriter.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <random>

namespace lmfront::gateway::openai {

std::string_view finishReasonName(FinishReason reason) { return reason == FinishReason::Length ? "length" : "stop"; }

std::string Generated::encode() const {
  std::string out = std::to_string(static_cast<int>(finish)) + ' ' + std::to_string(usage.promptTokens) + ' ' +
                    std::to_string(usage.completionTokens) + '\n';
  out += text;
  return out;
}

Result<Generated> Generated::decode(std::string_view bytes) {
  const auto nl = bytes.find('\n');
  if (nl == std::string_view::npos) return Status::dataLoss("cached completion has no header line");
  int fields[3] = {};
  const char *p = bytes.data();
  const char *end = bytes.data() + nl;
  for (int &f : fields) {
    auto r = std::from_chars(p, end, f);
    if (r.ec != std::errc()) return Status::dataLoss("cached completion header is corrupt");
    p = r.ptr;
    if (p < end && *p == ' ') ++p;
  }
  if (fields[0] < 0 || fields[0] > 1) return Status::dataLoss("cached completion has an unknown finish reason");
  Generated g;
  g.finish = static_cast<FinishReason>(fields[0]);
  g.usage = {fields[1], fields[2]};
  g.text = std::string(bytes.substr(nl + 1));
  return g;
}

std::size_t newResponseIdDigits(char (&out)[16]) {
  // Unique enough for correlation, not a secret: a per-process random base plus a counter.
  static const std::uint64_t base = std::random_device{}() * 0x9E3779B97F4A7C15ull;
  static std::atomic<std::uint64_t> counter{0};
  const std::uint64_t v = base ^ (counter.fetch_add(1, std::memory_order_relaxed) * 0xBF58476D1CE4E5B9ull);
  auto r = std::to_chars(out, out + sizeof out, v, 16);
  return static_cast<std::size_t>(r.ptr - out);
}

std::int64_t unixSecondsNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ResponseMeta newResponseMeta(const std::string &model, ApiKind api) {
  if (api != ApiKind::Responses) return newResponseMeta(model, api == ApiKind::Chat);
  char digits[16];
  const std::size_t n = newResponseIdDigits(digits);
  ResponseMeta meta;
  meta.id = "resp_" + std::string(digits, n);
  meta.created = unixSecondsNow();
  meta.model = model;
  meta.chat = true;
  return meta;
}

std::int64_t characterCount(std::string_view text) {
  std::int64_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

ResponseMeta newResponseMeta(const std::string &model, bool chat) {
  char digits[16];
  const std::size_t n = newResponseIdDigits(digits);
  ResponseMeta meta;
  meta.id = std::string(chat ? "chatcmpl-" : "cmpl-") + std::string(digits, n);
  meta.created = unixSecondsNow();
  meta.model = model;
  meta.chat = chat;
  return meta;
}

namespace {
void header(JsonWriter &w, const ResponseMeta &meta, bool chunk) {
  w.key("id").string(meta.id);
  w.key("object").string(meta.chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
  w.key("created").integer(meta.created).key("model").string(meta.model);
}

void usageObject(JsonWriter &w, const Usage &u) {
  w.beginObject();
  w.key("prompt_tokens").integer(u.promptTokens).key("completion_tokens").integer(u.completionTokens);
  w.key("total_tokens").integer(u.promptTokens + u.completionTokens);
  w.endObject();
}

std::string event(JsonWriter &w) {
  std::string out = "data: ";
  out += w.str();
  out += "\n\n";
  return out;
}
}  // namespace

std::string completionBody(const ResponseMeta &meta, const Generated &g) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, false);
  w.key("choices").beginArray().beginObject().key("index").integer(0);
  if (meta.chat) {
    w.key("message").beginObject().key("role").string("assistant").key("content").string(g.text).endObject();
  } else {
    w.key("text").string(g.text).key("logprobs").null();
  }
  w.key("finish_reason").string(finishReasonName(g.finish)).endObject().endArray();
  w.key("usage");
  usageObject(w, g.usage);
  w.endObject();
  return w.take();
}

std::string streamTokenEvent(const ResponseMeta &meta, std::string_view text) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, true);
  w.key("choices").beginArray().beginObject().key("index").integer(0);
  if (meta.chat)
    w.key("delta").beginObject().key("content").string(text).endObject();
  else
    w.key("text").string(text).key("logprobs").null();
  w.key("finish_reason").null().endObject().endArray().endObject();
  return event(w);
}

std::string streamRoleEvent(const ResponseMeta &meta) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, true);
  w.key("choices").beginArray().beginObject().key("index").integer(0);
  w.key("delta").beginObject().key("role").string("assistant").key("content").string("").endObject();
  w.key("finish_reason").null().endObject().endArray().endObject();
  return event(w);
}

std::string streamFinishEvent(const ResponseMeta &meta, FinishReason reason) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, true);
  w.key("choices").beginArray().beginObject().key("index").integer(0);
  if (meta.chat)
    w.key("delta").beginObject().endObject();
  else
    w.key("text").string("").key("logprobs").null();
  w.key("finish_reason").string(finishReasonName(reason)).endObject().endArray().endObject();
  return event(w);
}

std::string streamUsageEvent(const ResponseMeta &meta, const Usage &usage) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, true);
  w.key("choices").beginArray().endArray().key("usage");
  usageObject(w, usage);
  w.endObject();
  return event(w);
}

namespace {

void bytesArray(JsonWriter &w, std::string_view text) {
  w.beginArray();
  for (const char c : text) w.integer(static_cast<unsigned char>(c));
  w.endArray();
}

// Chat's shape: {"content":[{"token","logprob","bytes","top_logprobs":[{…}]}],"refusal":null}.
void chatLogprobs(JsonWriter &w, const TokenLogprob *const *tokens, std::size_t count) {
  w.beginObject().key("content").beginArray();
  for (std::size_t i = 0; i < count; ++i) {
    const TokenLogprob &t = *tokens[i];
    w.beginObject().key("token").string(t.token).key("logprob").number(t.logprob).key("bytes");
    bytesArray(w, t.token);
    w.key("top_logprobs").beginArray();
    for (const auto &[token, logprob] : t.top) {
      w.beginObject().key("token").string(token).key("logprob").number(logprob).key("bytes");
      bytesArray(w, token);
      w.endObject();
    }
    w.endArray().endObject();
  }
  w.endArray().key("refusal").null().endObject();
}

// Completions' shape: {"tokens","token_logprobs","top_logprobs":[{token: logprob}],"text_offset"}.
void completionLogprobs(JsonWriter &w, const TokenLogprob *const *tokens, const std::int64_t *offsets,
                        std::size_t count) {
  w.beginObject().key("tokens").beginArray();
  for (std::size_t i = 0; i < count; ++i) w.string(tokens[i]->token);
  w.endArray().key("token_logprobs").beginArray();
  for (std::size_t i = 0; i < count; ++i) w.number(tokens[i]->logprob);
  w.endArray().key("top_logprobs").beginArray();
  for (std::size_t i = 0; i < count; ++i) {
    w.beginObject();
    for (const auto &[token, logprob] : tokens[i]->top) w.key(token).number(logprob);
    w.endObject();
  }
  w.endArray().key("text_offset").beginArray();
  for (std::size_t i = 0; i < count; ++i) w.integer(offsets[i]);
  w.endArray().endObject();
}

void choiceLogprobs(JsonWriter &w, const ResponseMeta &meta, const std::vector<TokenLogprob> &logprobs,
                    const std::vector<std::int64_t> &offsets) {
  std::vector<const TokenLogprob *> tokens;
  tokens.reserve(logprobs.size());
  for (const auto &t : logprobs) tokens.push_back(&t);
  if (meta.chat)
    chatLogprobs(w, tokens.data(), tokens.size());
  else
    completionLogprobs(w, tokens.data(), offsets.data(), tokens.size());
}

}  // namespace

std::string richCompletionBody(const ResponseMeta &meta, const std::vector<ChoiceOutput> &choices, const Usage &usage,
                               bool logprobs) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, false);
  w.key("choices").beginArray();
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const ChoiceOutput &c = choices[i];
    w.beginObject().key("index").integer(static_cast<std::int64_t>(i));
    if (meta.chat)
      w.key("message").beginObject().key("role").string("assistant").key("content").string(c.text).endObject();
    else
      w.key("text").string(c.text);
    w.key("logprobs");
    if (logprobs)
      choiceLogprobs(w, meta, c.logprobs, c.offsets);
    else
      w.null();
    w.key("finish_reason").string(finishReasonName(c.finish)).endObject();
  }
  w.endArray().key("usage");
  usageObject(w, usage);
  w.endObject();
  return w.take();
}

std::string choiceTokenEvent(const ResponseMeta &meta, int index, std::string_view text, const TokenLogprob *logprob,
                             std::int64_t offset) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, true);
  w.key("choices").beginArray().beginObject().key("index").integer(index);
  if (meta.chat)
    w.key("delta").beginObject().key("content").string(text).endObject();
  else
    w.key("text").string(text);
  w.key("logprobs");
  if (logprob == nullptr)
    w.null();
  else if (meta.chat)
    chatLogprobs(w, &logprob, 1);
  else
    completionLogprobs(w, &logprob, &offset, 1);
  w.key("finish_reason").null().endObject().endArray().endObject();
  return event(w);
}

std::string choiceRoleEvent(const ResponseMeta &meta, int index) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, true);
  w.key("choices").beginArray().beginObject().key("index").integer(index);
  w.key("delta").beginObject().key("role").string("assistant").key("content").string("").endObject();
  w.key("logprobs").null().key("finish_reason").null().endObject().endArray().endObject();
  return event(w);
}

std::string choiceFinishEvent(const ResponseMeta &meta, int index, FinishReason reason) {
  JsonWriter w;
  w.beginObject();
  header(w, meta, true);
  w.key("choices").beginArray().beginObject().key("index").integer(index);
  if (meta.chat)
    w.key("delta").beginObject().endObject();
  else
    w.key("text").string("");
  w.key("logprobs").null().key("finish_reason").string(finishReasonName(reason)).endObject().endArray().endObject();
  return event(w);
}

std::string scoreBody(const std::string &model, const ScoreResult &result) {
  JsonWriter w;
  w.beginObject().key("object").string("score").key("model").string(model);
  w.key("tokens").beginArray();
  for (const auto &t : result.tokens) {
    w.beginObject().key("token").string(t.token).key("log10_prob").number(t.log10Prob);
    w.key("ngram").integer(t.ngramLength).key("oov").boolean(t.oov).endObject();
  }
  w.endArray();
  w.key("log10_prob").number(result.log10Prob).key("perplexity").number(result.perplexity);
  w.key("oov").integer(result.oov).key("token_count").integer(static_cast<std::int64_t>(result.tokens.size()));
  w.endObject();
  return w.take();
}

}  // namespace lmfront::gateway::openai
