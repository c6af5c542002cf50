// The Responses API's shapes (POST /v1/responses): one assistant message with one output_text
// part, and the typed stream events OpenAI sends for it, in its order.
#include "gateway/openai/jsonwriter.h"
#include "gateway/openai/responses.h"

namespace lmfront::gateway::openai {

namespace {

std::string itemId(const ResponseMeta &meta) {
  const auto underscore = meta.id.find('_');
  return "msg_" + (underscore == std::string::npos ? meta.id : meta.id.substr(underscore + 1));
}

void textPart(JsonWriter &w, std::string_view text) {
  w.beginObject().key("type").string("output_text").key("text").string(text);
  w.key("annotations").beginArray().endArray().key("logprobs").beginArray().endArray().endObject();
}

void messageItem(JsonWriter &w, const ResponseMeta &meta, std::string_view text, bool done) {
  w.beginObject().key("id").string(itemId(meta)).key("type").string("message");
  w.key("status").string(done ? "completed" : "in_progress").key("role").string("assistant");
  w.key("content").beginArray();
  if (done) textPart(w, text);
  w.endArray().endObject();
}

// status: "in_progress", "completed" or "incomplete" (max_output_tokens reached).
void responseObject(JsonWriter &w, const ResponseMeta &meta, std::string_view status, std::string_view text,
                    const Usage *usage) {
  w.beginObject().key("id").string(meta.id).key("object").string("response");
  w.key("created_at").integer(meta.created).key("status").string(status);
  w.key("error").null().key("incomplete_details");
  if (status == "incomplete")
    w.beginObject().key("reason").string("max_output_tokens").endObject();
  else
    w.null();
  w.key("instructions");
  if (meta.instructions.empty())
    w.null();
  else
    w.string(meta.instructions);
  w.key("max_output_tokens").integer(meta.maxOutputTokens).key("model").string(meta.model);
  w.key("output").beginArray();
  if (usage != nullptr) messageItem(w, meta, text, true);
  w.endArray();
  w.key("parallel_tool_calls").boolean(false).key("tool_choice").string("none").key("tools").beginArray().endArray();
  w.key("text").beginObject().key("format").beginObject().key("type").string("text").endObject().endObject();
  w.key("usage");
  if (usage == nullptr) {
    w.null();
  } else {
    w.beginObject().key("input_tokens").integer(usage->promptTokens);
    w.key("input_tokens_details").beginObject().key("cached_tokens").integer(0).endObject();
    w.key("output_tokens").integer(usage->completionTokens);
    w.key("output_tokens_details").beginObject().key("reasoning_tokens").integer(0).endObject();
    w.key("total_tokens").integer(usage->promptTokens + usage->completionTokens).endObject();
  }
  w.endObject();
}

std::string_view finalStatus(FinishReason finish) {
  return finish == FinishReason::Length ? "incomplete" : "completed";
}

// "event: <type>\ndata: {"type":…,"sequence_number":…,<fields>}\n\n"; `fields` writes the rest.
template <class Fields>
std::string typedEvent(std::string_view type, int &sequence, Fields fields) {
  JsonWriter w;
  w.beginObject().key("type").string(type).key("sequence_number").integer(sequence++);
  fields(w);
  w.endObject();
  std::string out = "event: ";
  out.append(type).append("\ndata: ").append(w.str()).append("\n\n");
  return out;
}

void position(JsonWriter &w, const ResponseMeta &meta) {
  w.key("item_id").string(itemId(meta)).key("output_index").integer(0).key("content_index").integer(0);
}

}  // namespace

std::string responsesBody(const ResponseMeta &meta, std::string_view text, FinishReason finish, const Usage &usage) {
  JsonWriter w;
  responseObject(w, meta, finalStatus(finish), text, &usage);
  return w.take();
}

std::string responsesCreatedEvents(const ResponseMeta &meta, int &sequence) {
  std::string out;
  for (const std::string_view type : {"response.created", "response.in_progress"})
    out += typedEvent(type, sequence, [&](JsonWriter &w) {
      w.key("response");
      responseObject(w, meta, "in_progress", {}, nullptr);
    });
  out += typedEvent("response.output_item.added", sequence, [&](JsonWriter &w) {
    w.key("output_index").integer(0).key("item");
    messageItem(w, meta, {}, false);
  });
  out += typedEvent("response.content_part.added", sequence, [&](JsonWriter &w) {
    position(w, meta);
    w.key("part");
    textPart(w, {});
  });
  return out;
}

std::string responsesDeltaEvent(const ResponseMeta &meta, std::string_view text, int &sequence) {
  return typedEvent("response.output_text.delta", sequence, [&](JsonWriter &w) {
    position(w, meta);
    w.key("delta").string(text).key("logprobs").beginArray().endArray();
  });
}

std::string responsesDoneEvents(const ResponseMeta &meta, std::string_view text, FinishReason finish,
                                const Usage &usage, int &sequence) {
  std::string out = typedEvent("response.output_text.done", sequence, [&](JsonWriter &w) {
    position(w, meta);
    w.key("text").string(text).key("logprobs").beginArray().endArray();
  });
  out += typedEvent("response.content_part.done", sequence, [&](JsonWriter &w) {
    position(w, meta);
    w.key("part");
    textPart(w, text);
  });
  out += typedEvent("response.output_item.done", sequence, [&](JsonWriter &w) {
    w.key("output_index").integer(0).key("item");
    messageItem(w, meta, text, true);
  });
  const std::string_view status = finalStatus(finish);
  out += typedEvent(status == "completed" ? "response.completed" : "response.incomplete", sequence, [&](JsonWriter &w) {
    w.key("response");
    responseObject(w, meta, status, text, &usage);
  });
  return out;
}

}  // namespace lmfront::gateway::openai
