// JsonWriter: appends compact JSON to a string, for the hot path (responses and stream chunks)
// where building a QJsonDocument per token would cost more than the token itself.
// Strings are escaped per RFC 8259; invalid UTF-8 in input becomes U+FFFD so the output is
// always valid JSON. Commas are managed for the caller. Not thread-safe; one per response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::gateway::openai {

class JsonWriter {
public:
  JsonWriter &beginObject();
  JsonWriter &endObject();
  JsonWriter &beginArray();
  JsonWriter &endArray();
  JsonWriter &key(std::string_view k);
  JsonWriter &string(std::string_view s);
  JsonWriter &number(double v);
  JsonWriter &integer(std::int64_t v);
  JsonWriter &boolean(bool v);
  JsonWriter &null();
  // Inserts already-serialised JSON as a value.
  JsonWriter &raw(std::string_view json);

  const std::string &str() const { return m_out; }
  std::string take() { return std::move(m_out); }

private:
  void separate();
  std::string m_out;
  std::vector<bool> m_first;  // per open container: no element written yet
  bool m_afterKey = false;
};

}  // namespace lmfront::gateway::openai
