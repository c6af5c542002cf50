#include "gateway/auth/authpolicy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

namespace lmfront::gateway::auth {

namespace {

constexpr std::size_t kMaxEcho = 100;  // attacker-controlled text quoted in messages is cut here

struct HostPort {
  std::string name;  // lowercase, no brackets, no trailing dot
  std::string port;  // digits or empty
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string echo(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxEcho)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return s.size() > kMaxEcho ? out + "…" : out;
}

bool allDigits(std::string_view s) {
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "name", "name:port", "[v6]", "[v6]:port" → parts; nullopt when malformed.
std::optional<HostPort> splitHost(std::string_view host) {
  HostPort out;
  std::string_view rest;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    out.name = lower(host.substr(1, close - 1));
    rest = host.substr(close + 1);
  } else {
    const auto colon = host.find(':');
    if (colon != std::string_view::npos && host.find(':', colon + 1) != std::string_view::npos)
      return std::nullopt;  // an IPv6 literal must be bracketed in Host
    out.name = lower(host.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : host.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || !allDigits(rest.substr(1))) return std::nullopt;
    out.port = std::string(rest.substr(1));
  }
  if (!out.name.empty() && out.name.back() == '.') out.name.pop_back();
  if (out.name.empty()) return std::nullopt;
  for (char c : out.name)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '@' || c == 0x7f) return std::nullopt;
  return out;
}

std::string stripBrackets(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  return lower(s);
}

// "https://app.example.com[:port]" in lowercase without a trailing slash.
std::string normalizeOrigin(std::string_view origin) {
  std::string out = lower(origin);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

bool validOrigin(std::string_view origin) {
  const std::string o = normalizeOrigin(origin);
  std::string_view rest;
  if (o.rfind("http://", 0) == 0)
    rest = std::string_view(o).substr(7);
  else if (o.rfind("https://", 0) == 0)
    rest = std::string_view(o).substr(8);
  else
    return false;
  return rest.find('/') == std::string_view::npos && splitHost(rest).has_value();
}

// "a, b-c,d": comma-separated header names (RFC 9110 tokens), bounded; anything else is ignored
// rather than echoed, so nothing odd reaches a response header.
bool validHeaderList(std::string_view list) {
  constexpr std::size_t kMaxList = 1024;
  if (list.empty() || list.size() > kMaxList) return false;
  enum class At { Before, Name, After } at = At::Before;  // where we are around one name
  for (char c : list) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == ',') {
      if (at == At::Before) return false;
      at = At::Before;
    } else if (c == ' ' || c == '\t') {
      if (at == At::Name) at = At::After;
    } else if (alnum || (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr)) {
      if (at == At::After) return false;
      at = At::Name;
    } else {
      return false;
    }
  }
  return at != At::Before;
}

}  // namespace

bool isLoopbackName(std::string_view host) {
  const std::string h = stripBrackets(host);
  if (h == "localhost" || h == "localhost." || (h.size() > 10 && h.ends_with(".localhost"))) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

Status AuthConfig::validate() const {
  for (const std::string &h : allowedHosts) {
    if (h == "*" || !splitHost(h))
      return Status::invalidArgument("allowed_hosts: '" + echo(h) + "' is not a host name or host:port (no wildcards)");
  }
  for (const std::string &o : trustedOrigins) {
    if (o == "*" || o == "null")
      return Status::invalidArgument("trusted_origins: '" + o +
                                     "' would let any web page use the node; list exact origins instead");
    if (!validOrigin(o))
      return Status::invalidArgument("trusted_origins: '" + echo(o) +
                                     "' is not an origin like https://app.example.com or http://localhost:3000");
  }
  return Status::ok();
}

AuthPolicy::AuthPolicy(AuthConfig config, std::string bindAddress)
    : m_config(std::move(config)), m_bindAddress(stripBrackets(bindAddress)), m_loopback(isLoopbackName(bindAddress)) {}

bool AuthPolicy::hostAllowed(std::string_view host) const {
  // Nearly every request names the node as 127.0.0.1 or localhost (with a port): accept those
  // without the general parse below (which allocates and calls inet_pton: ~3 % of a cache hit).
  // Exactly what the general path decides for them: a loopback name and an optional 1-5 digit port.
  for (std::string_view literal : {std::string_view("127.0.0.1"), std::string_view("localhost")}) {
    if (host.starts_with(literal)) {
      const std::string_view rest = host.substr(literal.size());
      if (rest.empty() || (rest.front() == ':' && allDigits(rest.substr(1)))) return true;
    }
  }
  auto hp = splitHost(host);
  if (!hp) return false;
  if (isLoopbackName(hp->name) || hp->name == m_bindAddress) return true;
  for (const std::string &entry : m_config.allowedHosts) {
    auto allowed = splitHost(entry);
    if (allowed && allowed->name == hp->name && (allowed->port.empty() || allowed->port == hp->port)) return true;
  }
  return false;
}

bool AuthPolicy::originTrusted(std::string_view origin) const {
  const std::string o = normalizeOrigin(origin);
  return std::any_of(m_config.trustedOrigins.begin(), m_config.trustedOrigins.end(),
                     [&](const std::string &t) { return normalizeOrigin(t) == o; });
}

Status AuthPolicy::checkRequest(std::string_view host, std::string_view origin) const {
  // A loopback node must defend against rebinding; a public one only when told its names.
  const bool checkHost = m_loopback || !m_config.allowedHosts.empty();
  if (checkHost && !host.empty() && !hostAllowed(host)) {
    return Status::permissionDenied("Host '" + echo(host) +
                                    "' is not allowed: this node answers only to localhost, 127.0.0.1, [::1]" +
                                    (m_config.allowedHosts.empty() ? "" : " and its allowed_hosts") +
                                    " (protection against DNS rebinding); add the name to allowed_hosts to use it");
  }
  if (!origin.empty() && !originTrusted(origin)) {
    return Status::permissionDenied("Origin '" + echo(origin) +
                                    "' is not trusted: add it to trusted_origins to let that web page call this node");
  }
  return Status::ok();
}

CorsHeaders AuthPolicy::corsHeaders(std::string_view origin, bool preflight, std::string_view requestedHeaders) const {
  CorsHeaders out;
  if (origin.empty() || !originTrusted(origin)) return out;
  out.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  out.emplace_back("Vary", "Origin");
  if (preflight) {
    std::string allowed = "Authorization, Content-Type, Cache-Control";
    if (validHeaderList(requestedHeaders)) allowed.append(", ").append(requestedHeaders);
    out.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS");
    out.emplace_back("Access-Control-Allow-Headers", std::move(allowed));
    out.emplace_back("Access-Control-Max-Age", "600");
  } else {
    out.emplace_back("Access-Control-Expose-Headers",
                     "x-lmfront-backend, x-lmfront-cache, x-lmfront-overhead-ms, Retry-After");
  }
  return out;
}

Status checkRequest(const AuthConfig &config, std::string_view host, std::string_view origin,
                    std::string_view bindAddress) {
  return AuthPolicy(config, std::string(bindAddress)).checkRequest(host, origin);
}

Status startupCheck(std::string_view bindAddress, bool keysConfigured) {
  if (isLoopbackName(bindAddress) || keysConfigured) return Status::ok();
  const std::string shownAddr = bindAddress.empty() ? std::string("all interfaces") : echo(bindAddress);
  return Status::failedPrecondition(
      "refusing to listen on " + shownAddr +
      " without any API key: anyone who can reach it could use this node. Create a key first "
      "(lmfront keys create --name NAME --role admin, with the node's --data-dir) or listen on 127.0.0.1");
}

}  // namespace lmfront::gateway::auth
