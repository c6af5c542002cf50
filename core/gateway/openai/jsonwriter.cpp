#include "gateway/openai/jsonwriter.h"

#include "common/jsonescape.h"

#include <charconv>
#include <cmath>

namespace lmfront::gateway::openai {

void JsonWriter::separate() {
  if (m_afterKey) {
    m_afterKey = false;
    return;
  }
  if (!m_first.empty()) {
    if (!m_first.back()) m_out += ',';
    m_first.back() = false;
  }
}

JsonWriter &JsonWriter::beginObject() {
  separate();
  m_out += '{';
  m_first.push_back(true);
  return *this;
}
JsonWriter &JsonWriter::endObject() {
  m_out += '}';
  m_first.pop_back();
  return *this;
}
JsonWriter &JsonWriter::beginArray() {
  separate();
  m_out += '[';
  m_first.push_back(true);
  return *this;
}
JsonWriter &JsonWriter::endArray() {
  m_out += ']';
  m_first.pop_back();
  return *this;
}
JsonWriter &JsonWriter::key(std::string_view k) {
  separate();
  appendJsonString(m_out, k);
  m_out += ':';
  m_afterKey = true;
  return *this;
}
JsonWriter &JsonWriter::string(std::string_view s) {
  separate();
  appendJsonString(m_out, s);
  return *this;
}
JsonWriter &JsonWriter::number(double v) {
  separate();
  if (!std::isfinite(v)) {
    m_out += "null";  // JSON has no NaN/inf; -inf log-probs are reported as null
    return *this;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  m_out.append(buf, r.ptr);
  return *this;
}
JsonWriter &JsonWriter::integer(std::int64_t v) {
  separate();
  m_out += std::to_string(v);
  return *this;
}
JsonWriter &JsonWriter::boolean(bool v) {
  separate();
  m_out += v ? "true" : "false";
  return *this;
}
JsonWriter &JsonWriter::null() {
  separate();
  m_out += "null";
  return *this;
}
JsonWriter &JsonWriter::raw(std::string_view json) {
  separate();
  m_out += json;
  return *this;
}

}  // namespace lmfront::gateway::openai
