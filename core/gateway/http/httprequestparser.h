// RequestParser: HTTP/1.1 request bytes in, HttpRequest values (or one error) out.
//
// libhttp-parser 2.9 does the grammar, chunked decoding and the keep-alive rules; this class adds
// lmfront's limits (header bytes -> 431, body bytes -> 413; anything malformed -> 400) and
// collects the pieces into an HttpRequest. Pure: no I/O and no clock, so it is unit-tested and
// fuzzed on its own; the connection feeds it whatever the socket delivered, split anywhere.
// After an error the parser is unusable (the connection answers and closes).
// Not thread-safe: one per connection, used on the connection's worker thread.
#pragma once

#include "gateway/http/httptypes.h"

#include <http_parser.h>

#include <cstddef>
#include <string>

namespace lmfront::gateway {

class RequestParser {
public:
  struct Limits {
    std::size_t maxHeaderBytes = 64 * 1024;
    std::size_t maxBodyBytes = 8 * 1024 * 1024;
  };
  enum class Status { NeedMore, Request, Error };

  explicit RequestParser(Limits limits);
  RequestParser(const RequestParser &) = delete;
  RequestParser &operator=(const RequestParser &) = delete;

  // Consumes a prefix of [data, data+len) and sets *consumed. Request: one complete request is
  // ready (takeRequest()); feed the unconsumed rest again. NeedMore: all was consumed.
  // A protocol upgrade (upgrade() true) is a Request whose *consumed ends with its head: the bytes
  // after it are the new protocol's, for whoever takes the connection, never fed here again.
  // Error: see errorStatus()/errorMessage().
  Status feed(const char *data, std::size_t len, std::size_t *consumed);
  // Moves the completed request out; keepAlive()/upgrade() describe it until the next feed().
  HttpRequest takeRequest();
  bool keepAlive() const { return m_keepAlive; }
  bool upgrade() const { return m_upgrade; }

  bool inHeaders() const { return m_inMessage && !m_headersDone; }  // request begun, header not complete
  bool midRequest() const { return m_inMessage; }
  // True once for a request whose complete header asked "Expect: 100-continue" (HTTP/1.1).
  bool takeExpectContinue();

  int errorStatus() const { return m_errorStatus; }  // 400, 413 or 431 (0: no error)
  const std::string &errorMessage() const { return m_errorMessage; }

private:
  static int onMessageBegin(http_parser *p);
  static int onUrl(http_parser *p, const char *at, std::size_t len);
  static int onHeaderField(http_parser *p, const char *at, std::size_t len);
  static int onHeaderValue(http_parser *p, const char *at, std::size_t len);
  static int onHeadersComplete(http_parser *p);
  static int onBody(http_parser *p, const char *at, std::size_t len);
  static int onMessageComplete(http_parser *p);
  int fail(int status, std::string message);
  bool countHeaderBytes(std::size_t len);

  http_parser m_parser;
  Limits m_limits;
  HttpRequest m_request;
  std::size_t m_headerBytes = 0;
  bool m_lastWasValue = false;
  bool m_inMessage = false;
  bool m_headersDone = false;
  bool m_complete = false;
  bool m_keepAlive = false;
  bool m_upgrade = false;
  bool m_expectContinue = false;
  int m_errorStatus = 0;
  std::string m_errorMessage;
};

}  // namespace lmfront::gateway
