// JSON string escaping shared by every writer of JSON text in lmfront (HTTP error bodies, the
// OpenAI responses, the CLI's --json output). Plain C++ so the engine's front ends can use it.
// Output is always valid JSON: control characters are escaped and invalid UTF-8 becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace lmfront {

// Appends `s` as a quoted JSON string.
void appendJsonString(std::string &out, std::string_view s);
// `s` as a quoted JSON string.
std::string jsonString(std::string_view s);

}  // namespace lmfront
