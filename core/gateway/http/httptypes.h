// HTTP/1.1 request and response values shared by the data plane and its handlers.
// Plain values; no I/O here. Header names are compared case-insensitively.
#pragma once

#include "common/clock.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmfront::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target: path plus optional "?query"
  std::string path;    // target without the query, percent-decoding not applied
  std::string query;   // after '?', may be empty
  int versionMajor = 1;
  int versionMinor = 1;
  HeaderList headers;
  std::string body;
  std::string peerAddress;  // "127.0.0.1:53122"
  int workerIndex = 0;      // which data-plane worker owns the connection
  // When the read that completed this request returned, on the server's clock (for overhead and
  // deadline accounting).
  Clock::TimePoint receivedAt{};

  // First header with this name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
  bool hasHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Content-Length / Transfer-Encoding / Connection are added by the server
  std::string body;

  static HttpResponse json(int status, std::string body);
  static HttpResponse text(int status, std::string body);
};

std::string_view reasonPhrase(int status);
bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace lmfront::gateway
