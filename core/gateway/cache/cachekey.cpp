#include "gateway/cache/cachekey.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace lmfront::gateway::cache {
namespace {

// Canonical encoding: every variable-length item is length-prefixed (u64 little endian), every
// field carries its name and a presence byte, numbers have a fixed width. No two different
// requests can encode to the same bytes.
class Encoder {
public:
  void u8(std::uint8_t v) { m_out.push_back(static_cast<char>(v)); }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void str(std::string_view s) {
    u64(s.size());
    m_out.append(s);
  }
  void f64(double v) {
    if (v == 0) v = 0;                                                // -0.0 and 0.0 generate the same
    if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();  // one NaN
    u64(std::bit_cast<std::uint64_t>(v));
  }

  void value(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void value(double v) { f64(v); }
  void value(bool v) { u8(v ? 1 : 0); }
  void value(const std::string &v) { str(v); }
  template <typename T>
  void value(const std::optional<T> &v) {
    u8(v.has_value() ? 1 : 0);
    if (v) value(*v);
  }
  void value(const StopList &v) {
    u64(v.size());
    for (const auto &s : v) str(s);
  }
  void value(const LogitBias &v) {
    LogitBias sorted = v;  // JSON objects are unordered: {"a":1,"b":2} == {"b":2,"a":1}
    std::sort(sorted.begin(), sorted.end());
    u64(sorted.size());
    for (const auto &[token, bias] : sorted) {
      str(token);
      f64(bias);
    }
  }

  template <typename T>
  void field(std::string_view name, const T &v) {
    str(name);
    value(v);
  }

  std::string take() { return std::move(m_out); }

private:
  std::string m_out;
};

}  // namespace

std::string CacheKey::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xF];
  }
  return out;
}

bool isCacheable(const OutputParams &p) {
  if (p.seed.has_value()) return true;
  if (p.temperature.has_value() && *p.temperature == 0) return true;
  return p.topK.has_value() && *p.topK == 1;
}

std::string canonicalEncoding(const CacheRequest &r) {
  Encoder e;
  e.str("lmfront-cache-key/1");  // bump when the encoding changes: old keys then simply miss
  e.field("model", r.model);
  e.field("model_version", r.modelVersion);
  e.str("endpoint");
  e.u8(static_cast<std::uint8_t>(r.endpoint));
  e.field("prompt", r.prompt);
  e.str("messages");
  e.u64(r.messages.size());
  for (const auto &m : r.messages) {
    e.str(m.role);
    e.str(m.content);
    e.str(m.name);
  }
#define LMFRONT_CACHE_ENCODE_PARAM(type, member, wire) e.field(wire, r.params.member);
  LMFRONT_CACHE_OUTPUT_PARAMS(LMFRONT_CACHE_ENCODE_PARAM)
#undef LMFRONT_CACHE_ENCODE_PARAM
  return e.take();
}

Result<CacheKey> makeCacheKey(const CacheRequest &request) {
  const std::string bytes = canonicalEncoding(request);
  CacheKey key;
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), key.bytes.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != key.bytes.size())
    return Status::internal("cache key: sha256 failed in libcrypto");
  return key;
}

}  // namespace lmfront::gateway::cache
