#include "gateway/http/httprequestparser.h"

#include <limits>

namespace lmfront::gateway {

namespace {

const http_parser_settings kSettings = [] {
  http_parser_settings s;
  http_parser_settings_init(&s);
  return s;
}();

// Per header line the bytes callbacks do not see: ": " and CRLF.
constexpr std::size_t kHeaderLineOverhead = 4;

RequestParser *self(http_parser *p) { return static_cast<RequestParser *>(p->data); }

}  // namespace

RequestParser::RequestParser(Limits limits) : m_limits(limits) {
  http_parser_init(&m_parser, HTTP_REQUEST);
  m_parser.data = this;
}

RequestParser::Status RequestParser::feed(const char *data, std::size_t len, std::size_t *consumed) {
  *consumed = 0;
  if (m_errorStatus != 0) return Status::Error;
  if (len == 0) return Status::NeedMore;
  static const http_parser_settings settings = [] {
    http_parser_settings s = kSettings;
    s.on_message_begin = &RequestParser::onMessageBegin;
    s.on_url = &RequestParser::onUrl;
    s.on_header_field = &RequestParser::onHeaderField;
    s.on_header_value = &RequestParser::onHeaderValue;
    s.on_headers_complete = &RequestParser::onHeadersComplete;
    s.on_body = &RequestParser::onBody;
    s.on_message_complete = &RequestParser::onMessageComplete;
    return s;
  }();
  m_complete = false;
  const std::size_t n = http_parser_execute(&m_parser, &settings, data, len);
  *consumed = n;
  const auto err = static_cast<http_errno>(m_parser.http_errno);
  if (err == HPE_PAUSED) {
    http_parser_pause(&m_parser, 0);
    if (m_complete) return Status::Request;
  }
  if (m_complete && err == HPE_OK) return Status::Request;
  if (err != HPE_OK && err != HPE_PAUSED) {
    if (m_errorStatus == 0) {
      if (err == HPE_HEADER_OVERFLOW) {
        fail(431, "request header exceeds the server's limit");
      } else {
        fail(400, std::string("malformed HTTP request: ") + http_errno_description(err));
      }
    }
    return Status::Error;
  }
  if (m_upgrade && n < len) {
    // Bytes after an Upgrade/CONNECT request are another protocol, which lmfront does not speak.
    fail(400, "protocol upgrade is not supported");
    return Status::Error;
  }
  return Status::NeedMore;
}

HttpRequest RequestParser::takeRequest() {
  return std::move(m_request);  // reset at the next message's begin
}

bool RequestParser::takeExpectContinue() {
  const bool e = m_expectContinue;
  m_expectContinue = false;
  return e;
}

int RequestParser::fail(int status, std::string message) {
  if (m_errorStatus == 0) {
    m_errorStatus = status;
    m_errorMessage = std::move(message);
  }
  // Non-zero stops http_parser with HPE_CB_*; not 1 or 2, which on_headers_complete reads as
  // "skip the body" and "upgrade".
  return -1;
}

bool RequestParser::countHeaderBytes(std::size_t len) {
  m_headerBytes += len;
  return m_headerBytes <= m_limits.maxHeaderBytes;
}

int RequestParser::onMessageBegin(http_parser *p) {
  RequestParser *s = self(p);
  s->m_inMessage = true;
  s->m_headersDone = false;
  s->m_headerBytes = 0;
  s->m_lastWasValue = false;
  s->m_expectContinue = false;
  s->m_request = HttpRequest{};
  return 0;
}

int RequestParser::onUrl(http_parser *p, const char *at, std::size_t len) {
  RequestParser *s = self(p);
  if (!s->countHeaderBytes(len)) return s->fail(431, "request line exceeds the server's header limit");
  s->m_request.target.append(at, len);
  return 0;
}

int RequestParser::onHeaderField(http_parser *p, const char *at, std::size_t len) {
  RequestParser *s = self(p);
  if (!s->countHeaderBytes(len)) return s->fail(431, "request header exceeds the server's limit");
  if (s->m_lastWasValue || s->m_request.headers.empty()) {
    s->m_headerBytes += kHeaderLineOverhead;
    s->m_request.headers.emplace_back();
    s->m_lastWasValue = false;
  }
  s->m_request.headers.back().first.append(at, len);
  return 0;
}

int RequestParser::onHeaderValue(http_parser *p, const char *at, std::size_t len) {
  RequestParser *s = self(p);
  if (!s->countHeaderBytes(len)) return s->fail(431, "request header exceeds the server's limit");
  if (s->m_request.headers.empty()) s->m_request.headers.emplace_back();
  s->m_request.headers.back().second.append(at, len);
  s->m_lastWasValue = true;
  return 0;
}

int RequestParser::onHeadersComplete(http_parser *p) {
  RequestParser *s = self(p);
  if (s->m_headerBytes > s->m_limits.maxHeaderBytes) return s->fail(431, "request header exceeds the server's limit");
  HttpRequest &r = s->m_request;
  for (const auto &entry : r.headers) {
    // "Name : value" is a request-smuggling vector (RFC 9112 §5.1): http_parser honours such a
    // Transfer-Encoding while handlers would not see it under its name.
    if (entry.first.empty() || entry.first.find_first_of(" \t") != std::string::npos) {
      return s->fail(400, "malformed HTTP request: whitespace in a header name");
    }
  }
  r.method = http_method_str(static_cast<http_method>(p->method));
  r.versionMajor = p->http_major;
  r.versionMinor = p->http_minor;
  const std::size_t q = r.target.find('?');
  if (q == std::string::npos) {
    r.path = r.target;
  } else {
    r.path = r.target.substr(0, q);
    r.query = r.target.substr(q + 1);
  }
  // Absolute-form ("http://host/path") is legal; handlers want the path.
  if (r.path.rfind("http://", 0) == 0 || r.path.rfind("https://", 0) == 0) {
    const std::size_t slash = r.path.find('/', r.path.find("//") + 2);
    r.path = slash == std::string::npos ? std::string("/") : r.path.substr(slash);
  }
  const bool hasLength = p->content_length != std::numeric_limits<std::uint64_t>::max() && p->content_length > 0;
  if (hasLength && p->content_length > s->m_limits.maxBodyBytes) {
    return s->fail(413, "request body of " + std::to_string(p->content_length) + " bytes exceeds the limit of " +
                            std::to_string(s->m_limits.maxBodyBytes) + " bytes");
  }
  if (hasLength) r.body.reserve(static_cast<std::size_t>(p->content_length));
  if (r.versionMajor == 1 && r.versionMinor >= 1 && equalsIgnoreCase(r.header("Expect"), "100-continue")) {
    s->m_expectContinue = true;
  }
  s->m_headersDone = true;
  return 0;
}

int RequestParser::onBody(http_parser *p, const char *at, std::size_t len) {
  RequestParser *s = self(p);
  if (s->m_request.body.size() + len > s->m_limits.maxBodyBytes) {
    return s->fail(413, "request body exceeds the limit of " + std::to_string(s->m_limits.maxBodyBytes) + " bytes");
  }
  s->m_request.body.append(at, len);
  return 0;
}

int RequestParser::onMessageComplete(http_parser *p) {
  RequestParser *s = self(p);
  s->m_inMessage = false;
  s->m_complete = true;
  s->m_keepAlive = http_should_keep_alive(p) != 0;
  s->m_upgrade = p->upgrade != 0;
  // Stop after each request so the connection dispatches it before parsing the next one.
  http_parser_pause(p, 1);
  return 0;
}

}  // namespace lmfront::gateway
